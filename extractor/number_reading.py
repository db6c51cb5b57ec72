"""Reading numbers: every number written in a text (digits, Chinese numerals, English
number words, fractions and rates), left to right, each read once with its sign."""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, replace

from extractor.numbers import Reading, en_word_at, numerals, read_arabic, read_en, read_zh
from extractor.rulebook import Engine
from extractor.word_tables import _is_latin


@dataclass
class _Num:
    start: int
    end: int
    value: float
    source: str  # zh | en | arabic | half
    vague: bool = False
    vague_qualifier: str | None = None
    magnitude: float = 1.0
    approx_more: bool = False  # 十多万, 100余亿
    per: float | None = None  # 百分之 → 100: a rate, the number is its numerator
    inner_start: int | None = None  # where the numerator of a rate starts
    digit_string: bool = False
    fraction: bool = False
    weak: bool = False  # 半 alone: a number only when a unit follows (半个百分点)


def _read_plain(norm: str, s: int) -> tuple[Reading, str] | None:
    """The number at s with no sign, fraction or rate around it."""
    c = norm[s]
    n = numerals()
    vulgar = n.vulgar_fractions
    if c in n.zh_half and not (s + 1 < len(norm) and norm[s + 1] in n.zh_units):
        return Reading(0.5, s + 1, fraction=True), "half"
    if c in vulgar:
        return Reading(vulgar[c], s + 1, fraction=True), "arabic"
    if c.isdigit() or c == ".":
        r = read_zh(norm, s)
        if r is not None and r.value is not None:
            plain = read_arabic(norm, s)
            if plain is not None and plain[1] == r.end and r.end < len(norm) and norm[r.end] in vulgar:
                # 2½
                return Reading(r.value + vulgar[norm[r.end]], r.end + 1, fraction=True), "arabic"
            nxt = _skip_ws(norm, r.end)
            if plain is not None and plain[1] == r.end:
                # 2 million: read_en reads past the figure only into a word it knows after
                # spaces (a letter glued to the figure makes it no English number at all).
                if nxt < len(norm) and _is_latin(norm[nxt]) and nxt > r.end and en_word_at(norm, nxt):
                    en = read_en(norm, s)
                    if en is not None and en.value is not None and en.end > r.end:
                        return en, "en"
                return r, "arabic"
            return r, "zh"
        return (r, "zh") if r is not None else None
    if _is_latin(c):
        r = read_en(norm, s)
        return (r, "en") if r is not None else None
    r = read_zh(norm, s)
    return (r, "zh") if r is not None else None


def _read_signed(norm: str, s: int, eng: Engine) -> tuple[Reading, str, int] | None:
    """A number with an optional minus sign before it: (reading, source, start)."""
    n = numerals()
    start = s
    neg = False
    if s < len(norm) and norm[s] in n.zh_minus:
        neg, s = True, s + 1
    got = _read_plain(norm, s) if s < len(norm) else None
    if got is None:
        return None
    r, source = got
    if r.value is None:
        return r, source, start
    return (replace(r, value=-r.value) if neg else r), source, start


def _read_number(norm: str, s: int, eng: Engine) -> _Num | Reading | None:
    """The number starting at s, with its sign, fraction or rate; a Reading with no value
    says which characters to skip."""
    n = numerals()
    c = norm[s]
    if c in eng.vague_prefixes and s + 1 < len(norm):
        nxt = _skip_ws(norm, s + 1)
        if (nxt < len(norm) and (norm[nxt] in n.zh_units or norm[nxt] in n.zh_big_units)
                and not eng.not_numbers_re.match(norm, nxt)
                and not (norm[nxt] in n.zh_not_alone and not _continues(norm, nxt + 1))):
            r0 = read_zh(norm, nxt)
            if r0 is None or r0.value is None:
                return None
            return _Num(s, r0.end, r0.value, "zh", vague=True, vague_qualifier=eng.vague_prefixes[c],
                        magnitude=r0.magnitude)
        if c not in n.zh_digits and c not in n.zh_units and c not in n.zh_big_units:
            return None
    rate = _unit_rate(norm, s, eng)
    if rate is not None:
        return rate
    got = _read_signed(norm, s, eng)
    if got is None:
        return None
    r, source, start = got
    if r.value is None:
        return r
    value, end = r.value, r.end
    per: float | None = None
    inner: int | None = None
    fraction = r.fraction
    if source in ("zh", "arabic"):
        frac = _zh_fraction(norm, start, end, value, eng)
        if frac is not None:
            value, end, per, inner = frac
            fraction = per is None
        else:
            i = _skip_ws(norm, end)
            mixed = eng.mixed_re.match(norm, end) if i < len(norm) and norm[i] in eng.mixed_first else None
            if mixed:
                f2 = _read_signed(norm, mixed.end(), eng)
                if f2 is not None and f2[0].value is not None:
                    frac = _zh_fraction(norm, mixed.end(), f2[0].end, f2[0].value, eng)
                    if frac is not None and frac[2] is None:
                        value, end, fraction = value + math.copysign(frac[0], value or 1), frac[1], True
        if source == "arabic" and not fraction:
            slash = _slash_fraction(norm, start, end, value)
            if slash is not None:
                value, end = slash
                fraction = True
    return _Num(start, end, value, source, magnitude=r.magnitude, approx_more=r.approx, per=per,
                inner_start=inner, digit_string=r.digit_string, fraction=fraction,
                weak=source == "half")


def _unit_rate(norm: str, s: int, eng: Engine) -> _Num | None:
    """百分之二十, 萬分之肆, 万万分之七: a denominator written in units only, then 分之 and
    the number it divides."""
    n = numerals()
    if norm[s] not in n.zh_units and norm[s] not in n.zh_big_units and norm[s] not in " \t":
        return None  # no denominator written in units here
    j = s
    limit = s + 12  # a denominator written in units is short: 百, 万万, 百 万
    while j < len(norm) and j < limit and (norm[j] in n.zh_units or norm[j] in n.zh_big_units or norm[j] in " \t"):
        j += 1
    written = norm[s:j].replace(" ", "").replace("\t", "")
    if not written or not eng.fraction_re.match(norm, j):
        return None
    one = next((c for c, v in n.zh_digits.items() if v == 1), "")
    den = read_zh(one + written, 0)
    if den is None or den.value is None or den.end != len(written) + 1:
        return None
    m = eng.fraction_re.match(norm, j)
    got = _read_signed(norm, m.end(), eng) if m else None
    if m is None or got is None:
        return None
    r, source, _ = got
    value = r.value
    if value is None:
        return None
    return _Num(s, r.end, value, source, magnitude=r.magnitude, per=den.value, inner_start=m.end())


_SLASH = re.compile(r"/(\d+)(?![\d/.])")
_MIXED_SLASH = re.compile(r"[ \t]+(\d+)/(\d+)(?![\d/.])")


def _slash_fraction(norm: str, start: int, end: int, value: float) -> tuple[float, int] | None:
    """3/4, -4/5, 1 4/3; not 5/17/2018 (a date) nor 24/7 glued to more slashes."""
    if start > 0 and norm[start - 1] == "/":
        return None
    if end >= len(norm) or norm[end] not in "/ \t":
        return None  # what both patterns start with
    m = _SLASH.match(norm, end)
    if m and value == int(value) and int(m.group(1)) > 0:
        return value / int(m.group(1)), m.end()
    m = _MIXED_SLASH.match(norm, end)
    if m and value == int(value) and int(m.group(2)) > 0:
        part = int(m.group(1)) / int(m.group(2))
        return value + math.copysign(part, value or 1), m.end()
    return None


def _zh_fraction(
    norm: str, start: int, end: int, den: float, eng: Engine
) -> tuple[float, int, float | None, int | None] | None:
    """A分之B after a number A: B/A; when A is written with units only (百分之二十), a
    rate: (B, end, A, where B starts)."""
    i = _skip_ws(norm, end)
    if i >= len(norm) or norm[i] not in eng.fraction_first:
        return None
    m = eng.fraction_re.match(norm, end)
    if not m:
        return None
    got = _read_signed(norm, m.end(), eng)
    if got is None or den == 0:
        return None
    numerator, r_end = got[0].value, got[0].end
    if numerator is None:
        return None
    n = numerals()
    written = norm[start:end]
    if not any(ch.isdigit() or ch in n.zh_digits for ch in written) and den > 0:
        return numerator, r_end, den, m.end()
    return numerator / den, r_end, None, None


def _continues(norm: str, pos: int) -> bool:
    n = numerals()
    return pos < len(norm) and (norm[pos] in n.zh_chars or norm[pos].isdigit())


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def _scan(norm: str, eng: Engine) -> list[_Num]:
    """Every number in the text, left to right, each read once."""
    n = numerals()
    not_numbers = [(m.start(), m.end()) for m in eng.not_numbers_re.finditer(norm)]
    if eng.not_numbers_latin is not None:
        # Latin words only as whole words; matched apart so the Chinese search stays a fast one.
        latin = [(m.start(), m.end()) for m in eng.not_numbers_latin.finditer(norm)
                 if not (m.start() > 0 and _is_latin(norm[m.start() - 1]))
                 and not (m.end() < len(norm) and _is_latin(norm[m.end()]))]
        if latin:
            not_numbers = sorted(not_numbers + latin)
    nn_starts = [s for s, _ in not_numbers]
    out: list[_Num] = []
    pos = 0
    while True:
        m = eng.start_scan.match(norm, pos)
        s = m.start("start") if m is not None else -1
        if s < 0:
            break
        if s < pos:  # an engine that stops behind where it started: the plain search
            plain = eng.start_re.search(norm, pos)
            s = plain.start() if plain is not None else -1
            if s < pos:
                break
        i = bisect.bisect_right(nn_starts, s) - 1
        if i >= 0 and not_numbers[i][0] <= s < not_numbers[i][1]:
            pos = not_numbers[i][1]
            continue
        got = _read_number(norm, s, eng)
        if got is None:
            pos = s + 1
            continue
        if isinstance(got, Reading):
            pos = max(got.end, s + 1)
            continue
        num = got
        pos = max(num.end, s + 1)
        if num.source == "zh" and pos < len(norm) and (norm[pos] in n.zh_units or norm[pos] in n.zh_big_units):
            pos += 1  # 五十千: the unit that did not fit is no number of its own
        if num.end - num.start == 1 and norm[num.start] in n.zh_not_alone:
            continue
        if num.source == "en" and eng.not_after_re.search(norm, max(0, s - 12), s):
            word = norm[s:num.end].lower()
            if word in n.en_weak:
                continue
        _signs(norm, num, eng)
        out.append(num)
    return out


def _signs(norm: str, num: _Num, eng: Engine) -> None:
    """-5, minus five: a sign written before the number."""
    s = num.start
    if s == 0:
        return
    if norm[s - 1] in numerals().zh_minus:
        num.start, num.value = s - 1, -num.value
        return
    if norm[s - 1] == "-" and (s < 2 or not (norm[s - 2].isalnum() or norm[s - 2] in "-.,/")):
        num.start, num.value = s - 1, -num.value
        return
    if norm[s - 1] == " " and s >= 2 and norm[s - 2] == "-":
        # "- 5" opening the text or after a bracket or colon: a sign. Not "5 - 3" (a
        # subtraction) nor a Markdown bullet at the start of a line.
        j = s - 3
        while j >= 0 and norm[j] in " \t":
            j -= 1
        if j < 0 or norm[j] in "(（:：=":
            num.start, num.value = s - 2, -num.value
            return
    if norm[s - 1] not in " \t\n":
        return  # "minus " ends in a space, maybe before a final newline
    m = eng.en_minus_re.search(norm, max(0, s - 12), s)
    if m and (m.start() == 0 or not _is_latin(norm[m.start() - 1])):
        num.start, num.value = m.start(), -num.value
