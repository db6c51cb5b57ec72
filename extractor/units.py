"""Attaching a unit to a number: the currency before or after it, a magnitude word, and
the longest unit rule that matches around it (percent, count, duration, multiplier...)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from extractor.number_reading import _Num, _read_number, _skip_ws
from extractor.numbers import format_value
from extractor.rulebook import Engine, Money, UnitRule
from extractor.word_tables import _is_latin, _key


@dataclass
@dataclass
class _Item:
    start: int
    end: int
    num: _Num
    kind: str | None
    value: float
    unit: str
    rule: str
    notes: list[str]
    currency_from_prefix: bool = False
    value_max: float | None = None
    named_after: bool = False  # a currency word follows as well as precedes ($20 … 美圆)
    currency_word: str = ""


def _decimal(value: float) -> float:
    """The float nearest the decimal written: the digits of a number times its magnitude
    carry binary noise (2.01兆 → 2009999999999.9998) that 15 significant digits drop."""
    return float(f"{value:.15g}") if math.isfinite(value) and value != int(value) else value


def _times(value: float, scale: float) -> float:
    """value × scale in decimal, as written: 2.01兆 is 2010000000000, not 2009999999999.9998."""
    if scale == 1.0 or not math.isfinite(value) or not math.isfinite(scale):
        return value * scale
    return float(Decimal(repr(value)) * Decimal(repr(scale)))


def _latin_magnitude(norm: str, end: int, eng: Engine) -> tuple[str, Any, int] | None:
    """million, billion after a number; Chinese magnitudes are part of the numeral, so one
    left over after it (五十千) is not a magnitude."""
    mag = eng.magnitudes.after(norm, end)
    return mag if mag is not None and _is_latin(mag[0][-1]) else None


def _attach_unit(
    norm: str, num: _Num, eng: Engine, published: dt.date | None, floor: int = 0
) -> _Item | None:
    start, end, value = num.start, num.end, num.value
    if not math.isfinite(value):
        return None
    notes: list[str] = []
    currency: str | None = None
    from_prefix = False
    named_after = False

    pre = eng.currency_prefix.before(norm, start) or eng.currency_prefix_exact.before(norm, start)
    if (pre and pre[2] >= floor
            and (pre[2] == 0 or not _is_latin(norm[pre[2] - 1]) or not _is_latin(pre[0][0]))):
        money: Money = pre[1]
        currency, start, from_prefix = money.code, pre[2], True
        value = _times(value, money.scale)
        notes.append(f"{pre[0]} is {money.code}")

    mag = None
    if num.source in ("arabic", "en", "zh"):
        mag = _latin_magnitude(norm, end, eng)
        if mag is None and currency:
            mag = eng.short_magnitudes.after(norm, end, space=True)
        if mag is None and not currency:
            short = eng.short_magnitudes.after(norm, end, space=False)
            if short is not None and (_currency_after(norm, short[2], eng) is not None
                                      or _percent_after(norm, short[2], eng)):
                mag = short
        if mag is not None:
            value = _times(value, float(mag[1]))
            num.magnitude = float(mag[1])
            notes.append(f"{mag[0]} = {format_value(float(mag[1]))}")
            end = mag[2]
    if not math.isfinite(value):
        return None

    if num.per is not None:
        bare = eng.bare_magnitudes.after(norm, end, space=False) if mag is None else None
        if bare is not None and not (bare[2] < len(norm) and _is_latin(norm[bare[2]])):
            value = _times(value, float(bare[1]))
            end = bare[2]
        pct = value * 100 / num.per
        return _Item(start, end, num, "percent", pct, "percent", eng.rate_rule,
                     notes + [f"{norm[num.start:num.inner_start or num.start].strip()} makes it a rate"])

    word = pre[0] if from_prefix and pre else ""
    suf = _currency_after(norm, end, eng)
    if suf is not None and _key(suf[0]) in eng.generic_suffixes and currency:
        end = suf[2]  # 新台幣1.85兆元: 元 only repeats the currency named before
    elif suf is not None and (currency is None or suf[1].code == currency):
        if currency is None and _key(suf[0]) in eng.generic_suffixes:
            named = _currency_after(norm, suf[2], eng)
            if named is not None and _key(named[0]) not in eng.generic_suffixes:
                suf = (norm[end:named[2]].strip(), named[1], named[2])  # 7.15元新台币
        named_after = from_prefix
        if currency is None:
            value = _times(value, suf[1].scale)
            word = suf[0]
        currency = suf[1].code
        notes.append(f"{suf[0]} is {currency}")
        end = suf[2]
    if currency:
        end, value = _minor_tail(norm, end, value, currency, eng, notes)
        return _Item(start, end, num, "money", value, currency,
                     "money.prefix" if from_prefix else "money.suffix", notes, from_prefix,
                     named_after=named_after, currency_word=word)
    alone = eng.minor_alone.after(norm, end)
    if alone is not None:
        code, share = alone[1]
        notes.append(f"{alone[0]} is {format_value(share)} {code}")
        return _Item(start, alone[2], num, "money", value * share, code, "money.minor", notes)

    # The longest unit wins: 十二個月 is a duration, not a count of 十二個.
    best = None
    tight = norm[end] if end < len(norm) else ""
    i = end
    while i < len(norm) and norm[i] in " \t-":
        i += 1
    spaced = norm[i] if i < len(norm) else ""
    j = start - 1
    while j >= 0 and norm[j] in " \t":
        j -= 1
    key = (tight, spaced, norm[j] if j >= 0 else "")
    candidates = eng.rules_near.get(key)
    if candidates is None:
        # The rules that can match depend only on these three characters.
        candidates = [r for r in _candidate_rules(norm, start, end, eng) if _may_match(r, tight, spaced)]
        eng.rules_near[key] = candidates
    for r in candidates:
        hit = _match_unit_rule(norm, num, r, end, value, eng, published, floor)
        if hit is not None and (best is None or hit[4] > best[4]):
            best = hit
    if best is not None:
        kind, unit, rule, s2, end2, extra, value2 = best
        return _Item(min(start, s2), end2, num, kind, value2, unit, rule, notes + extra)
    if num.weak:
        return None
    return _Item(start, end, num, None, value, "number", "number.bare", notes)


def _candidate_rules(norm: str, start: int, end: int, eng: Engine) -> list[UnitRule]:
    """The unit rules that could match here, judged by the characters around the number."""
    i = end
    while i < len(norm) and norm[i] in " \t-":
        i += 1
    after = i < len(norm) and norm[i] in eng.unit_first
    j = start - 1
    while j >= 0 and norm[j] in " \t":
        j -= 1
    before = j >= 0 and norm[j] in eng.unit_last
    if after and before:
        return eng.unit_rules
    if after:
        return eng.after_rules
    if before:
        return eng.before_rules
    return []


def _currency_after(norm: str, pos: int, eng: Engine) -> tuple[str, Money, int] | None:
    """A currency word after a number; not one glued to the next number (3 USD50)."""
    suf = eng.currency_suffix.after(norm, pos)
    if suf is None and eng.currency_between is not None:
        mid = eng.currency_between.after(norm, pos)
        if mid is not None:
            suf = eng.currency_suffix.after(norm, mid[2])
    if suf is None:
        return None
    if _is_latin(suf[0][-1]) and suf[2] < len(norm) and norm[suf[2]].isdigit():
        return None
    return suf


def _percent_after(norm: str, pos: int, eng: Engine) -> bool:
    return any(r.kind == "percent" and r.after is not None and r.after.after(norm, pos) is not None
               for r in eng.unit_rules)


def _minor_tail(
    norm: str, end: int, value: float, currency: str, eng: Engine, notes: list[str]
) -> tuple[int, float]:
    """3 dollars 50 cents, 50元6角三分, fifteen dollars forty five: the smaller units that
    follow an amount belong to it."""
    pos = end
    step = 1.0  # the share of the main unit that the last part was counted in
    while True:
        joiner = eng.money_joiners.after(norm, pos)
        start = _skip_ws(norm, joiner[2] if joiner else pos)
        if start >= len(norm) or not eng.start_re.match(norm, start):
            break
        got = _read_number(norm, start, eng)
        if not isinstance(got, _Num) or got.start != start or not got.value > 0:
            break
        minor = eng.minor_units.after(norm, got.end)
        share = minor[1].get(currency) if minor is not None else None
        if minor is not None and share is not None and share < step:
            value += got.value * share
            step = share
            notes.append(f"{norm[start:minor[2]]} adds {format_value(got.value * share)}")
            pos = minor[2]
            continue
        # A bare last part counts in the next unit down: 15 dollars 50, 一块五, 五角五.
        shares = [sh for by_code in eng.minor_units.entries.values()
                  for code, sh in by_code.items() if code == currency and sh < step]
        down = max(shares) if shares else step / 10
        rest = norm[got.end : got.end + 1]
        closes = not rest or rest in ".,;!?)" or (rest in " \t" and eng.money_joiners.after(norm, got.end))
        if (currency in eng.minor_currencies and got.value < 100 and got.value == int(got.value)
                and closes and minor is None):
            value += got.value * down
            notes.append(f"{norm[start:got.end]} adds {format_value(got.value * down)}")
            pos = got.end
        break
    return pos, value


def _may_match(r: UnitRule, tight: str, spaced: str) -> bool:
    """Whether a rule's word can follow: `tight` is the character right after the number,
    `spaced` the first one after spaces and hyphens. A cheap test before `_match_unit_rule`,
    which fails whenever this does."""
    if r.before is not None and r.after is None:
        return True
    if r.nouns_only:
        return r.nouns is not None and spaced in r.nouns.first_chars
    if r.after is None:
        if r.nouns is None or r.kind != "count":
            return False
        return spaced in r.nouns.first_chars or (
            r.generic_nouns is not None and spaced in r.generic_nouns.first_chars)
    return (tight if r.glued else spaced) in r.after.first_chars


def _match_unit_rule(
    norm: str, num: _Num, r: UnitRule, end: int, value: float, eng: Engine,
    published: dt.date | None, floor: int,
) -> tuple[str, str, str, int, int, list[str], float] | None:
    start = num.start
    numeral = norm[num.start : num.end].strip().lower()
    if numeral in r.skip_numerals:
        return None
    if r.not_preceded_by is not None and r.not_preceded_by.before(norm, num.start) is not None:
        return None
    if r.preceded_by is not None and r.preceded_by.before(norm, num.start) is None:
        return None
    if r.kind == "count" and (value != int(value) or num.fraction):
        return None
    if r.after is None and r.before is not None:
        hit = r.before.before(norm, num.start)
        if hit is None or hit[2] < floor:
            return None
        return r.kind, r.unit, r.id, hit[2], end, [f"{hit[0]} makes it {r.kind}"], value * r.scale
    if r.nouns_only:
        noun = r.nouns.after(norm, end) if r.nouns else None
        if noun is None:
            return None
        return r.kind, r.unit, r.id, start, noun[2], [f"counts {noun[0]}"], value
    if r.after is None:
        if r.nouns is not None and r.kind == "count":
            noun = r.nouns.after(norm, end)
            if noun is not None:
                return r.kind, r.unit, r.id, start, noun[2], [f"counts {noun[0]}"], value
            if r.generic_nouns is not None:
                g = r.generic_nouns.after(norm, end)
                if g is not None and value >= r.min_value:
                    return r.kind, r.unit, r.id, start, g[2], [f"counts {g[0]}"], value
        return None
    hit = r.after.after(norm, end, space=not r.glued)
    if hit is None:
        return None
    word, unit, stop = hit
    if r.glued and stop < len(norm) and (norm[stop].isalnum()):
        return None
    if r.followed_by is not None and r.followed_by.after(norm, _skip_ws(norm, stop)) is None:
        return None
    if value > r.max_value and not (num.digit_string and r.digit_string_scale is not None):
        return None
    if r.kind == "points" and value == int(value) and abs(value) < r.min_value:
        return None  # 3点 is a time, 一点 "a little"; an index moves by fractions or stands high
    notes = [f"{word} makes it {r.kind}"]
    if r.scale != 1:
        scale = r.digit_string_scale if num.digit_string and r.digit_string_scale is not None else r.scale
        if scale != 1:
            notes.append(f"{word} multiplies by {format_value(scale)}")
        value = _times(value, scale)
    if r.kind == "duration":
        # A four-digit number before 年 is a year, read by the date rules.
        if num.source == "arabic" and 1000 <= value < 3000 and unit == "years" and not _is_latin(word[-1]):
            return None
        latin = _is_latin(word[-1])
        ago = (eng.ago_en if latin else eng.ago_zh).after(norm, _skip_ws(norm, stop) if latin else stop, space=latin)
        if ago is not None and published is not None and unit == "years":
            year = published.year - int(value)
            return "year", "year", "duration.ago", start, ago[2], [f"{format_value(value)} years before {published.isoformat()}"], float(year)
        return "duration", unit, r.id, start, stop, notes, value
    if r.kind == "count":
        noun = r.nouns.after(norm, stop, space=True) if r.nouns else None
        if noun is not None:
            return "count", r.unit, r.id, start, noun[2], notes + [f"counts {noun[0]}"], value
        if value < r.min_value_without_noun:
            return None
        return "count", r.unit, r.id, start, stop, notes, value
    return r.kind, unit, r.id, start, stop, notes, value
