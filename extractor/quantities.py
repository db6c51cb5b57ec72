"""Find numeric quantities in raw text, with exact character offsets.

Numbers are found in the text itself, never rebuilt from tokens. The engine knows no
language: words, units, currencies, qualifiers and exclusions all come from `rules/`.

    >>> [q.text for q in extract("微软已向 OpenAI 投入了超过 130 亿美元。")]
    ['130 亿美元']
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from extractor.dates import _dates
from extractor.furniture import _Furniture, _Spans
from extractor.number_reading import _scan
from extractor.numbers import format_value, normalize, parse_arabic
from extractor.quantity import KINDS, QUALIFIERS, Quantity
from extractor.rule_patterns import RuleGroup, RulePattern, _by_first_letter, _Scanned
from extractor.rulebook import Engine, Money, UnitRule, WordRule, engine, reset
from extractor.units import _attach_unit, _decimal, _Item, _latin_magnitude, _times
from extractor.word_tables import WordTable, _is_latin, _key

# The parts of the engine that other modules and tests reach through this module.
__all__ = [
    "KINDS", "QUALIFIERS", "Engine", "Money", "Quantity", "RuleGroup", "RulePattern", "UnitRule", "WordRule",
    "WordTable", "_Item", "_Scanned", "_by_first_letter", "_decimal", "_is_latin", "_skip_markup_left", "_times",
    "engine", "extract", "numbers", "reset",
]


def _skip_markup_left(text: str, pos: int) -> int:
    while pos > 0 and text[pos - 1] in " \t*_「『“\"'":
        pos -= 1
    return pos


def extract(
    text: str,
    *,
    published: dt.date | None = None,
    all_numbers: bool = False,
    mentions: bool = False,
    source: Mapping[str, Any] | None = None,
    signed: bool = True,
) -> list[Quantity]:
    """Every quantity in `text`, in order. `published` dates relative expressions;
    `all_numbers` adds bare numbers (kind 'number'); `mentions` adds currency and
    percent words that stand without a number (value None); `source` (outlet, url)
    tells which currency a bare 元 or ¥ is; `signed` stores falls negative (跌3.7% → -3.7)."""
    eng = engine()
    norm = normalize(text)
    scanned = _Scanned(norm, eng.rule_groups)
    furniture = _Furniture(norm, eng, scanned)
    taken = _Spans()
    out: list[Quantity] = []

    for q in _dates(norm, text, eng, published, furniture, scanned):
        out.append(q)
        taken.add(q.start, q.end)

    items: list[_Item] = []
    for num in _scan(norm, eng):
        floor = items[-1].end if items else 0
        if num.start < floor:
            continue  # already read as part of the previous quantity
        if taken.overlaps(num.start, num.end):
            continue  # in a date: its quantity, which holds the number, would overlap too
        item = _attach_unit(norm, num, eng, published, floor)
        if item is None:
            continue
        if taken.overlaps(item.start, item.end) or furniture.blocked(item.start):
            continue
        items.append(item)

    items = _merge_ranges(norm, [part for item in items for part in _split_listed(text, norm, item)], eng)
    from extractor import counts  # it builds on this module

    for item in items:
        if item.kind is None and item.num.source in ("en", "arabic", "zh"):
            counts.bare_number_kind(norm, item)
        if item.kind is None and not all_numbers:
            continue
        out.append(_finish(text, norm, item, eng))
        taken.add(item.start, item.end)

    for q in _vague_english(norm, text, eng, furniture, taken):
        out.append(q)
    for rule in eng.word_rules:
        for m in rule.words.finditer(norm):
            if taken.overlaps(m.start(), m.end()) or furniture.blocked(m.start()):
                continue
            if rule.preceded_by is not None and rule.preceded_by.before(norm, m.start()) is None:
                continue
            value = float(rule.words.lookup(m.group(1)))
            qual, _ = _qualifier_before(norm, m.start(), eng)
            taken.add(m.start(), m.end())
            what = f"{format_value(value)}%" if rule.kind == "percent" else f"{format_value(value)} times"
            out.append(
                Quantity(text[m.start() : m.end()], m.start(), m.end(), rule.kind, value, rule.kind, rule.id,
                         qualifier=qual or "exact", explanation=f"{m.group(1)} means {what}")
            )
    if mentions:
        out.extend(_mentions(norm, text, eng, furniture, taken))
    out.sort(key=lambda q: (q.start, q.end))
    from extractor import changes, currency  # they build on this module

    out = currency.resolve(norm, out, source)
    return changes.sign(norm, out) if signed else out


def _mentions(norm: str, text: str, eng: Engine, furniture: _Furniture, taken: _Spans) -> list[Quantity]:
    """Currency and percent words with no number: 人民币, dollar, percentage."""
    out = []
    for table, kind, rid in ((eng.currency_mentions, "money", "money.mention"),
                             (eng.percent_mentions, "percent", "percent.mention")):
        for m in table.finditer(norm):
            if taken.overlaps(m.start(), m.end()) or furniture.blocked(m.start()):
                continue
            word = table.lookup(m.group(1))
            unit = word.code if isinstance(word, Money) else "percent"
            out.append(Quantity(text[m.start() : m.end()], m.start(), m.end(), kind, None, unit, rid,
                                explanation=f"{m.group(1)} names {unit} without an amount"))
    return out


def numbers(text: str) -> list[Quantity]:
    """Every number written in `text`, each as kind 'number' with no unit: 2 million,
    一万五千亿, two thirds, 10M. Rates keep only their number (百分之二十 → 二十)."""
    eng = engine()
    norm = normalize(text)
    furniture = _Furniture(norm, eng)
    out: list[Quantity] = []
    for num in _scan(norm, eng):
        if num.weak:
            continue
        start, end, value = num.start, num.end, num.value
        if num.per is not None and num.inner_start is not None:
            start = num.inner_start
        if num.source in ("arabic", "en", "zh"):
            mag = _latin_magnitude(norm, end, eng) or eng.bare_magnitudes.after(norm, end, space=True)
            if mag is not None:
                value, end = value * float(mag[1]), mag[2]
        if end < len(norm) and _is_latin(norm[end]) and num.source != "en":
            continue  # 180ml, 29km: a measure, not a number on its own
        if furniture.blocked(start) or not math.isfinite(value):
            continue
        out.append(Quantity(text[start:end], start, end, "number", value, "number", "number.bare",
                            explanation=f"{text[start:end]} → {format_value(value)}"))
    return out


def _split_listed(text: str, norm: str, item: _Item) -> list[_Item]:
    """$20，300美圆 is two prices: an amount never carries its currency on both sides, and
    the full-width comma inside it is the Chinese list comma, not a thousands separator."""
    num = item.num
    comma = text.rfind("，", num.start, num.end)
    if not item.named_after or comma < 0 or num.magnitude != 1.0:
        return [item]
    first, second = parse_arabic(norm[num.start : comma]), parse_arabic(norm[comma + 1 : num.end])
    if first is None or second is None:
        return [item]
    return [
        _Item(item.start, comma, replace(num, end=comma, value=first), "money", first, item.unit,
              item.rule, [*item.notes[:1], "the full-width comma lists two amounts"], True),
        _Item(comma + 1, item.end, replace(num, start=comma + 1, value=second), "money", second,
              item.unit, "money.suffix", [*item.notes[1:], "the full-width comma lists two amounts"]),
    ]


def _merge_ranges(norm: str, items: list[_Item], eng: Engine) -> list[_Item]:
    """15 億至 20 億美元, $20-30 billion, 12 to 24 months: one claim with a value_max."""
    out: list[_Item] = []
    i = 0
    while i < len(items):
        a = items[i]
        if i + 1 < len(items):
            b = items[i + 1]
            between = norm[a.end : b.start]
            joiner = eng.range_joiners.match(between)
            lead = _skip_markup_left(norm, a.start)
            bound = eng.qual_before.before(norm, lead) if joiner else None
            if bound is not None:
                lead = _skip_markup_left(norm, bound[2])  # fell about $2 billion to $18 billion
            if joiner and eng.range_blockers.before(norm, lead) is not None:
                joiner = None  # "from $10 to $12", "slid 50 cents to $12.40": a change
            if joiner and joiner.group(1).lower() in eng.range_openers:
                opener = eng.range_openers[joiner.group(1).lower()]
                if opener.before(norm, _skip_markup_left(norm, a.start)) is None:
                    joiner = None
            if joiner and (b.kind is not None or a.kind is not None):
                same = a.kind is None or b.kind is None or (a.kind == b.kind and a.unit == b.unit)
                if same:
                    kind = b.kind or a.kind
                    unit = b.unit if b.kind else a.unit
                    lo = a.value
                    if a.num.magnitude == 1.0 and b.num.magnitude != 1.0:
                        lo = a.value * b.num.magnitude
                    elif a.kind is None and b.kind == "percent" and b.num.value and b.value != b.num.value:
                        lo = a.value * (b.value / b.num.value)  # 3至4成: 成 scales both ends
                    hi = b.value
                    if (lo > 0 and hi > lo * eng.move_range_ratio and eng.move_words is not None
                            and eng.move_words.before(norm, lead) is not None):
                        hi = -math.inf  # fell $2 billion to $18 billion: a change, then the level
                    if lo <= hi:
                        merged = _Item(a.start, b.end, a.num, kind, lo, unit,
                                       (b.rule if b.kind else a.rule), a.notes + b.notes + ["a range"],
                                       currency_word=b.currency_word or a.currency_word)
                        merged.num = replace(a.num, end=b.num.end)
                        merged.value_max = hi
                        out.append(merged)
                        i += 2
                        continue
        out.append(a)
        i += 1
    return out


def _qualifier_before(
    norm: str, start: int, eng: Engine, kind: str | None = None
) -> tuple[str | None, str | None]:
    pos = _skip_markup_left(norm, start)
    # "roughly a 27% stake": an article may sit between the qualifier and the number.
    m = eng.article_re.search(norm, max(0, pos - 4), pos)
    if m:
        pos = _skip_markup_left(norm, m.start())
    filler = eng.qual_fillers.before(norm, pos)
    if filler is not None and eng.qual_before.before(norm, filler[2]) is not None:
        pos = filler[2]  # 最高可達2000億: a verb may stand between the bound and the number
    hit = eng.qual_before.before(norm, pos)
    if hit is None:
        return None, None
    word, qual, wstart = hit
    if _is_latin(word[0]) and wstart > 0 and _is_latin(norm[wstart - 1]):
        return None, None
    if kind is not None and _key(word).lower() in eng.qual_not_for.get(kind, ()):
        return None, None  # "over five years" spans the years, it does not exceed them
    return str(qual), word


def _finish(text: str, norm: str, item: _Item, eng: Engine) -> Quantity:
    notes = list(item.notes)
    value_max = item.value_max
    qualifier = "exact"
    if value_max is not None:
        qualifier = "range"
    else:
        qual, word = _qualifier_before(norm, item.start, eng, item.kind)
        if qual:
            qualifier = qual
            notes.append(f"{word} makes it {qual}")
        else:
            after = eng.qual_after.after(norm, item.end, space=False)
            if after is not None:
                qualifier = str(after[1])
                notes.append(f"{after[0]} makes it {qualifier}")
        if item.num.approx_more and qualifier == "exact":
            qualifier = "more_than"
            notes.append("the written figure is a floor")
        if item.num.vague:
            qualifier = item.num.vague_qualifier or "more_than"
            notes.append("a vague magnitude; the value is its floor")
    kind = item.kind or "number"
    date = None
    value: float | None = _decimal(item.value)
    if value_max is not None:
        value_max = _decimal(value_max)
    if kind == "year":
        date = str(int(item.value))
    expl = f"{text[item.start:item.end]} → {format_value(item.value)}"
    if value_max is not None:
        expl += f" to {format_value(value_max)}"
    expl += f" {item.unit}"
    if notes:
        expl += " (" + "; ".join(notes) + ")"
    return Quantity(
        text=text[item.start : item.end],
        start=item.start,
        end=item.end,
        kind=kind,
        value=value,
        unit=item.unit if kind != "number" else "number",
        rule=item.rule,
        value_max=value_max,
        date=date,
        qualifier=qualifier,
        vague=item.num.vague,
        explanation=expl,
        currency_word=item.currency_word,
    )


def _vague_english(
    norm: str, text: str, eng: Engine, furniture: _Furniture, taken: _Spans
) -> list[Quantity]:
    """'billions of dollars', 'tens of billions of yen': vague money with a floor."""
    out: list[Quantity] = []
    if eng.vague_en_any is None or not eng.vague_en_any.found_in(norm):
        return out
    for rx, floor in eng.vague_en:
        for m in rx.finditer(norm):
            cur = eng.currency_suffix.after(norm, m.end())
            if cur is None or taken.overlaps(m.start(), cur[2]) or furniture.blocked(m.start()):
                continue
            taken.add(m.start(), cur[2])
            out.append(
                Quantity(text[m.start() : cur[2]], m.start(), cur[2], "money", floor, cur[1].code,
                         "money.vague_en", qualifier="more_than", vague=True,
                         explanation=f"{m.group()} is vague; the floor is {format_value(floor)}")
            )
    return out
