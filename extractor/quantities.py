"""Find numeric quantities in raw text, with exact character offsets.

Numbers are found in the text itself, never rebuilt from tokens. The engine knows no
language: words, units, currencies, qualifiers and exclusions all come from `rules/`.

    >>> [q.text for q in extract("微软已向 OpenAI 投入了超过 130 亿美元。")]
    ['130 亿美元']
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from typing import Any

from extractor import rules
from extractor.errors import RuleError
from extractor.numbers import (
    ARABIC,
    FULLWIDTH,
    format_value,
    numerals,
    parse_arabic,
    parse_en_words,
    parse_zh,
)

KINDS = ("money", "percent", "multiplier", "count", "year", "date", "duration", "number")
QUALIFIERS = ("exact", "more_than", "at_least", "about", "up_to", "less_than", "range")


@dataclass(frozen=True)
class Quantity:
    """One number with its unit, as written: where, what, how much, and which rule."""

    text: str
    start: int
    end: int
    kind: str
    value: float | None
    unit: str
    rule: str
    value_max: float | None = None
    date: str | None = None
    qualifier: str = "exact"
    vague: bool = False
    explanation: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["vague"] = int(self.vague)
        return d

    def public(self) -> dict[str, Any]:
        """The fields `claims extract` prints."""
        return {
            k: (int(v) if k == "vague" else v)
            for k, v in asdict(self).items()
            if k
            in (
                "text",
                "start",
                "end",
                "kind",
                "value",
                "value_max",
                "date",
                "unit",
                "qualifier",
                "vague",
            )
        }


# ---------------------------------------------------------------------------
# Word tables: match a word from a rule list right after or right before a position.


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _alternation(words: Iterable[str]) -> str:
    parts = []
    for w in sorted(set(words), key=len, reverse=True):
        p = re.escape(w)
        if w and _is_latin(w[-1]):
            p += r"(?![A-Za-z])"
        if w and _is_latin(w[0]):
            p = r"(?<![A-Za-z])" + p
        parts.append(p)
    return "|".join(parts) or r"(?!x)x"


class WordTable:
    """Words mapped to values; Latin words only match as whole words."""

    def __init__(self, entries: Mapping[str, Any], *, ignore_case: bool = True) -> None:
        self.ignore_case = ignore_case
        self.entries = {(k.lower() if ignore_case else k): v for k, v in entries.items()}
        flags = re.IGNORECASE if ignore_case else 0
        alt = _alternation(entries)
        self._after = re.compile(r"[ \t]?(" + alt + ")", flags)
        self._after_tight = re.compile("(" + alt + ")", flags)
        self._before = re.compile("(" + alt + r")[ \t]?$", flags)
        self.longest = max((len(k) for k in entries), default=0)

    def lookup(self, word: str) -> Any:
        return self.entries[word.lower() if self.ignore_case else word]

    def after(self, text: str, pos: int, *, space: bool = True) -> tuple[str, Any, int] | None:
        m = (self._after if space else self._after_tight).match(text, pos)
        if not m:
            return None
        return m.group(1), self.lookup(m.group(1)), m.end()

    def before(self, text: str, pos: int) -> tuple[str, Any, int] | None:
        window_start = max(0, pos - self.longest - 1)
        m = self._before.search(text[window_start:pos])
        if not m:
            return None
        return m.group(1), self.lookup(m.group(1)), window_start + m.start()


# ---------------------------------------------------------------------------
# The compiled rule set.


@dataclass
class UnitRule:
    id: str
    kind: str
    unit: str
    after: WordTable | None = None
    before: WordTable | None = None
    nouns: WordTable | None = None
    generic_nouns: WordTable | None = None
    followed_by: WordTable | None = None
    glued: bool = False
    nouns_only: bool = False
    min_value_without_noun: float = 0
    min_value: float = 0
    skip_numerals: frozenset[str] = frozenset()
    not_preceded_by: WordTable | None = None


@dataclass
class Engine:
    number_re: re.Pattern[str]
    date_patterns: list[tuple[str, re.Pattern[str]]]
    month_names: dict[str, int]
    year_range: tuple[int, int]
    line_exclusions: list[tuple[str, re.Pattern[str]]]
    span_exclusions: list[tuple[str, re.Pattern[str]]]
    not_numbers_re: re.Pattern[str]
    magnitudes: WordTable
    short_magnitudes: WordTable
    currency_prefix: WordTable
    currency_suffix: WordTable
    unit_rules: list[UnitRule]
    percent_words: tuple[str, WordTable] | None
    ago_zh: WordTable
    ago_en: WordTable
    qual_before: WordTable
    qual_after: WordTable
    range_joiners: re.Pattern[str]
    vague_prefix_qualifier: dict[str, str]
    vague_en: list[tuple[re.Pattern[str], float]]
    currency_names: dict[str, str] = field(default_factory=dict)


def _unit_rules() -> list[UnitRule]:
    data = rules.load("units")
    out: list[UnitRule] = []
    for kind in ("percent", "multiplier", "count", "duration"):
        entries = rules.require("units", data, kind, list)
        for entry in entries:
            if not isinstance(entry, dict) or "id" not in entry:
                raise RuleError(rules.path_of("units"), kind, "each rule needs an id")
            rid = str(entry["id"])
            if rid == "percent.fraction_word" or rid == "duration.ago":
                continue
            unit_default = {
                "percent": "percent",
                "multiplier": "multiplier",
                "count": "count",
                "duration": "years",
            }[kind]
            after = entry.get("after")
            after_table: WordTable | None = None
            if isinstance(after, list):
                after_table = WordTable({str(w): str(entry.get("unit", unit_default)) for w in after})
            elif isinstance(after, dict):
                after_table = WordTable({str(w): str(u) for w, u in after.items()})
            elif after is not None:
                raise RuleError(rules.path_of("units"), rid, "'after' must be a list or mapping")
            before = entry.get("before")
            nouns = entry.get("nouns")
            generic = entry.get("generic_nouns")
            followed = entry.get("followed_by")
            not_preceded = entry.get("not_preceded_by")
            out.append(
                UnitRule(
                    id=rid,
                    kind=kind,
                    unit=str(entry.get("unit", unit_default)),
                    after=after_table,
                    before=WordTable({str(w): True for w in before}) if before else None,
                    nouns=WordTable({str(w): True for w in nouns}) if nouns else None,
                    generic_nouns=WordTable({str(w): True for w in generic}) if generic else None,
                    followed_by=WordTable({str(w): True for w in followed}) if followed else None,
                    glued=bool(entry.get("glued", False)),
                    nouns_only=bool(entry.get("nouns_only", False)),
                    min_value_without_noun=float(entry.get("min_value_without_noun", 0)),
                    min_value=float(entry.get("min_value", 0)),
                    skip_numerals=frozenset(str(s).lower() for s in entry.get("skip_numerals", [])),
                    not_preceded_by=WordTable({str(w): True for w in not_preceded}) if not_preceded else None,
                )
            )
    return out


def _special_unit_entry(rule_id: str) -> dict[str, Any]:
    data = rules.load("units")
    for kind in ("percent", "duration"):
        for entry in data.get(kind, []):
            if isinstance(entry, dict) and entry.get("id") == rule_id:
                return entry
    return {}


@cache
def engine() -> Engine:
    """Compile every rule file once."""
    n = numerals()
    zd = re.escape("".join(n.zh_digits))
    zu = re.escape("".join(n.zh_units))
    zb = re.escape("".join(n.zh_big_units))
    pt = re.escape("".join(n.zh_points))
    zh_token = (
        rf"(?:(?P<vague>[数數几幾上])(?=[ \t]?[{zu}{zb}]))?"
        rf"(?:{ARABIC}|[{zd}{zu}])"
        rf"(?:[ \t]?[{zu}{zb}]|(?<=[{zd}{zu}{zb}])[{zd}]|(?<=[{zb}]){ARABIC}"
        rf"|[{pt}](?=[{zd}])|[ \t]?[多余餘](?=[ \t]?[{zu}{zb}]))*"
    )
    en_words = "|".join(re.escape(w) for w in n.en_words)
    en_token = (
        rf"(?<![A-Za-z])(?:a\s+(?=(?:{en_words})))?(?:{en_words})"
        rf"(?:(?:[ \t]+and[ \t]+|[ \t]*-[ \t]*|[ \t]+)(?:{en_words}))*(?![A-Za-z])"
    )
    number_re = re.compile(
        rf"(?P<zhpct>百分之|百分之[ \t])?(?P<zh>{zh_token})|(?P<en>{en_token})", re.IGNORECASE
    )

    dates = rules.load("dates")
    month_names = {str(k).lower(): int(v) for k, v in rules.require("dates", dates, "month_names", dict).items()}
    month_alt = "|".join(sorted((re.escape(m) for m in month_names), key=len, reverse=True))
    date_patterns = []
    for entry in rules.require("dates", dates, "patterns", list):
        rid = str(entry.get("id", "?"))
        pattern = str(rules.require("dates", entry, "pattern", str, rid))
        date_patterns.append((rid, rules.check_regex("dates", rid, pattern.replace("{month_name}", month_alt))))
    yr = dates.get("year_range", [1800, 2199])

    furn = rules.load("furniture")
    line_ex = [
        (str(e["id"]), re.compile(rules.check_regex("furniture", str(e["id"]), str(e["pattern"])).pattern, re.IGNORECASE | re.MULTILINE))
        for e in furn.get("lines", [])
    ]
    span_ex = [
        (str(e["id"]), rules.check_regex("furniture", str(e["id"]), str(e["pattern"])))
        for e in furn.get("spans", [])
    ]

    mags = rules.load("magnitudes")
    long_mags: dict[str, float] = {}
    short_mags: dict[str, float] = {}
    for entry in rules.require("magnitudes", mags, "magnitudes", list):
        target = short_mags if entry.get("needs_currency") else long_mags
        for w in rules.string_list("magnitudes", str(entry.get("words")), entry.get("words")):
            target[w] = float(entry["value"])
    vague = mags.get("vague", {})
    vague_zh = vague.get("zh", {}) if isinstance(vague, dict) else {}
    vague_en = [
        (re.compile(r"(?<![A-Za-z])" + re.escape(str(e["pattern"])) + r"(?![A-Za-z])", re.IGNORECASE), float(e["value"]))
        for e in (vague.get("en", []) if isinstance(vague, dict) else [])
    ]

    cur = rules.load("currencies")
    prefixes: dict[str, str] = {}
    suffixes: dict[str, str] = {}
    names: dict[str, str] = {}
    for entry in rules.require("currencies", cur, "currencies", list):
        code = str(rules.require("currencies", entry, "code", str))
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise RuleError(rules.path_of("currencies"), code, "code must be three capital letters (ISO 4217)")
        names[code] = str(entry.get("name", code))
        for p in rules.string_list("currencies", code, entry.get("prefixes", [])):
            prefixes.setdefault(p, code)
        for s in rules.string_list("currencies", code, entry.get("suffixes", [])):
            suffixes.setdefault(s, code)

    quals = rules.load("qualifiers")
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for qual, words in rules.require("qualifiers", quals, "before", dict).items():
        if qual not in QUALIFIERS:
            raise RuleError(rules.path_of("qualifiers"), f"before.{qual}", f"unknown qualifier; use one of {', '.join(QUALIFIERS)}")
        for w in rules.string_list("qualifiers", f"before.{qual}", words):
            before[w] = str(qual)
    for qual, words in rules.require("qualifiers", quals, "after", dict).items():
        if qual not in QUALIFIERS:
            raise RuleError(rules.path_of("qualifiers"), f"after.{qual}", "unknown qualifier")
        for w in rules.string_list("qualifiers", f"after.{qual}", words):
            after[w] = str(qual)
    joiners = rules.string_list("qualifiers", "range_joiners", quals.get("range_joiners", []))
    range_re = re.compile(r"^[ \t]*(?:" + _alternation(joiners) + r")[ \t]*$", re.IGNORECASE)

    pw = _special_unit_entry("percent.fraction_word")
    percent_words = None
    if pw.get("words"):
        percent_words = (str(pw["id"]), WordTable({str(k): float(v) for k, v in pw["words"].items()}))
    ago = _special_unit_entry("duration.ago")

    return Engine(
        number_re=number_re,
        date_patterns=date_patterns,
        month_names=month_names,
        year_range=(int(yr[0]), int(yr[1])),
        line_exclusions=line_ex,
        span_exclusions=span_ex,
        not_numbers_re=re.compile(_alternation(n.zh_not_numbers)),
        magnitudes=WordTable(long_mags),
        short_magnitudes=WordTable(short_mags, ignore_case=False),
        currency_prefix=WordTable(prefixes, ignore_case=False),
        currency_suffix=WordTable(suffixes),
        unit_rules=_unit_rules(),
        percent_words=percent_words,
        ago_zh=WordTable({str(w): True for w in ago.get("after_zh", [])}),
        ago_en=WordTable({str(w): True for w in ago.get("after_en", [])}),
        qual_before=WordTable(before),
        qual_after=WordTable(after),
        range_joiners=range_re,
        vague_prefix_qualifier={str(k): str(v) for k, v in (vague_zh.get("qualifier") or {}).items()},
        vague_en=vague_en,
        currency_names=names,
    )


def reset() -> None:
    """Recompile after rule files change."""
    rules.clear_cache()
    numerals.cache_clear()
    engine.cache_clear()


# ---------------------------------------------------------------------------
# Extraction.


@dataclass
class _Num:
    start: int
    end: int
    value: float
    source: str  # zh | en | arabic
    vague: bool = False
    vague_qualifier: str | None = None
    magnitude: float = 1.0
    approx_more: bool = False  # 十多万, 100余亿


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


class _Spans:
    """Sorted, non-overlapping intervals with a fast overlap test."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.starts, end - 1)
        return any(self.ends[j] > start for j in range(max(0, i - 3), i)) or (
            i > 3 and max(self.ends[: i - 3], default=0) > start
        )


def _furniture(text: str, eng: Engine) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    lines: list[tuple[int, int]] = []
    for _, rx in eng.line_exclusions:
        for m in rx.finditer(text):
            ls = text.rfind("\n", 0, m.start()) + 1
            le = text.find("\n", m.end())
            lines.append((ls, len(text) if le < 0 else le))
    spans = [(m.start(), m.end()) for _, rx in eng.span_exclusions for m in rx.finditer(text) if m.end() > m.start()]
    return lines, spans


def _blocked(start: int, end: int, lines: list[tuple[int, int]], spans: list[tuple[int, int]]) -> bool:
    for ls, le in lines:
        if ls <= start < le:
            return True
    # A claim is dropped when an exclusion covers it, unless the claim starts where the
    # exclusion does (RM5 is a currency, not a code name like GPT-3).
    return any(ss < end and se > start and ss < start for ss, se in spans)


def _skip_markup_left(text: str, pos: int) -> int:
    while pos > 0 and text[pos - 1] in " \t*_「『“\"'":
        pos -= 1
    return pos


def extract(
    text: str,
    *,
    published: dt.date | None = None,
    all_numbers: bool = False,
) -> list[Quantity]:
    """Every quantity in `text`, in order. `published` dates relative expressions."""
    eng = engine()
    norm = text.translate(FULLWIDTH)
    lines, spans = _furniture(norm, eng)
    taken = _Spans()
    out: list[Quantity] = []

    for q in _dates(norm, text, eng, published, lines, spans):
        out.append(q)
        taken.add(q.start, q.end)

    not_numbers = [(m.start(), m.end()) for m in eng.not_numbers_re.finditer(norm)]
    nn_starts = [s for s, _ in not_numbers]

    nums: list[_Num] = []
    for m in eng.number_re.finditer(norm):
        num = _read_number(m, norm)
        if num is None:
            continue
        i = bisect.bisect_right(nn_starts, num.start) - 1
        if i >= 0 and not_numbers[i][0] <= num.start < not_numbers[i][1]:
            continue
        nums.append(num)

    items: list[_Item] = []
    for num in nums:
        if items and num.start < items[-1].end:
            continue  # already read as part of the previous quantity
        item = _attach_unit(norm, num, eng, published)
        if item is None:
            continue
        if taken.overlaps(item.start, item.end) or _blocked(item.start, item.end, lines, spans):
            continue
        items.append(item)

    items = _merge_ranges(norm, items, eng)
    for item in items:
        if item.kind is None and not all_numbers:
            continue
        out.append(_finish(text, norm, item, eng))

    for q in _vague_english(norm, text, eng, lines, spans, taken):
        out.append(q)
    if eng.percent_words:
        rid, table = eng.percent_words
        for m in table._after_tight.finditer(norm):
            if taken.overlaps(m.start(), m.end()) or _blocked(m.start(), m.end(), lines, spans):
                continue
            if any(q.start < m.end() and m.start() < q.end for q in out):
                continue
            value = float(table.lookup(m.group(1)))
            qual, _ = _qualifier_before(norm, m.start(), eng)
            out.append(
                Quantity(text[m.start() : m.end()], m.start(), m.end(), "percent", value, "percent", rid,
                         qualifier=qual or "exact", explanation=f"{m.group(1)} means {format_value(value)}%")
            )
    out.sort(key=lambda q: (q.start, q.end))
    return out


def _read_number(m: re.Match[str], norm: str) -> _Num | None:
    if m.group("zh"):
        s, e = m.span("zh")
        raw = m.group("zh")
        # Trailing spaces never belong to the number.
        while raw and raw[-1] in " \t":
            raw = raw[:-1]
            e -= 1
        vague = bool(m.group("vague"))
        body = raw[1:] if vague else raw
        if re.fullmatch(ARABIC, body):
            value = parse_arabic(body)
            source = "arabic"
        else:
            value = parse_zh(body)
            source = "zh"
        if value is None:
            return None
        num = _Num(s, e, value, source, vague=vague, approx_more=bool(re.search(r"[多余餘]", body)))
        if vague:
            num.vague_qualifier = engine().vague_prefix_qualifier.get(raw[0], "more_than")
        if m.group("zhpct"):
            num.start = m.start()
            num.source = "zhpct"
        if source == "arabic" and norm[s - 1 : s] in ("-", "−") and s >= 1 and not norm[s - 2 : s - 1].isalnum():
            num.start -= 1
            num.value = -value
        return num
    s, e = m.span("en")
    value = parse_en_words(m.group("en"))
    if value is None:
        return None
    return _Num(s, e, value, "en")


def _attach_unit(norm: str, num: _Num, eng: Engine, published: dt.date | None) -> _Item | None:
    start, end, value = num.start, num.end, num.value
    notes: list[str] = []
    kind: str | None = None
    unit = "number"
    rule = "number.bare"
    currency: str | None = None
    from_prefix = False

    if num.source == "zhpct":
        return _Item(start, end, num, "percent", value, "percent", "percent.zh_prefix", ["百分之 means percent"])

    pre = eng.currency_prefix.before(norm, start)
    if pre and (pre[2] == 0 or not norm[pre[2] - 1].isalpha() or not _is_latin(pre[0][0])):
        currency, start, from_prefix = pre[1], pre[2], True
        notes.append(f"{pre[0]} is {pre[1]}")

    if num.source in ("arabic", "en", "zh"):
        mag = eng.magnitudes.after(norm, end)
        if mag is None and currency:
            mag = eng.short_magnitudes.after(norm, end, space=True)
        if mag is None and not currency:
            short = eng.short_magnitudes.after(norm, end, space=False)
            if short is not None and eng.currency_suffix.after(norm, short[2]) is not None:
                mag = short
        if mag is not None:
            value *= float(mag[1])
            num.magnitude = float(mag[1])
            notes.append(f"{mag[0]} = {format_value(float(mag[1]))}")
            end = mag[2]
    elif num.source == "zh" and num.value >= 10000:
        pass

    suf = eng.currency_suffix.after(norm, end)
    if (suf is not None and not (suf[0] in ("元", "块", "塊") and currency)
            and (currency is None or suf[1] == currency)):
        currency = suf[1]
        notes.append(f"{suf[0]} is {suf[1]}")
        end = suf[2]
    if currency:
        return _Item(start, end, num, "money", value, currency,
                     "money.prefix" if from_prefix else "money.suffix", notes, from_prefix)

    for r in eng.unit_rules:
        hit = _match_unit_rule(norm, num, r, end, value, eng, published)
        if hit is not None:
            kind, unit, rule, end2, extra, value2 = hit
            return _Item(start, end2, num, kind, value2, unit, rule, notes + extra)
    return _Item(start, end, num, None, value, unit, rule, notes)


def _match_unit_rule(
    norm: str, num: _Num, r: UnitRule, end: int, value: float, eng: Engine, published: dt.date | None
) -> tuple[str, str, str, int, list[str], float] | None:
    numeral = norm[num.start : num.end].strip().lower()
    if numeral in r.skip_numerals:
        return None
    if r.not_preceded_by is not None and r.not_preceded_by.before(norm, num.start) is not None:
        return None
    if r.before is not None and r.after is None:
        return None
    if r.nouns_only:
        noun = r.nouns.after(norm, end) if r.nouns else None
        if noun is None:
            return None
        return r.kind, r.unit, r.id, noun[2], [f"counts {noun[0]}"], value
    if r.after is None:
        if r.nouns is not None and r.kind == "count":
            noun = r.nouns.after(norm, end)
            if noun is not None:
                return r.kind, r.unit, r.id, noun[2], [f"counts {noun[0]}"], value
            if r.generic_nouns is not None:
                g = r.generic_nouns.after(norm, end)
                if g is not None and value >= r.min_value:
                    return r.kind, r.unit, r.id, g[2], [f"counts {g[0]}"], value
        return None
    hit = r.after.after(norm, end, space=not r.glued)
    if hit is None:
        return None
    word, unit, stop = hit
    if r.glued and stop < len(norm) and (norm[stop].isalnum()):
        return None
    if r.followed_by is not None and r.followed_by.after(norm, _skip_spaces(norm, stop)) is None:
        return None
    notes = [f"{word} makes it {r.kind}"]
    if r.kind == "duration":
        # A four-digit number before 年 is a year, read by the date rules.
        if num.source == "arabic" and 1000 <= value < 3000 and unit == "years" and not _is_latin(word[-1]):
            return None
        ago = (eng.ago_en if _is_latin(word[-1]) else eng.ago_zh).after(norm, _skip_spaces(norm, stop) if _is_latin(word[-1]) else stop, space=_is_latin(word[-1]))
        if ago is not None and published is not None and unit == "years":
            year = published.year - int(value)
            return "year", "year", "duration.ago", ago[2], [f"{format_value(value)} years before {published.isoformat()}"], float(year)
        return "duration", unit, r.id, stop, notes, value
    if r.kind == "count":
        noun = r.nouns.after(norm, stop, space=True) if r.nouns else None
        if noun is not None:
            return "count", r.unit, r.id, noun[2], notes + [f"counts {noun[0]}"], value
        if value < r.min_value_without_noun:
            return None
        return "count", r.unit, r.id, stop, notes, value
    return r.kind, unit, r.id, stop, notes, value


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def _merge_ranges(norm: str, items: list[_Item], eng: Engine) -> list[_Item]:
    """15 億至 20 億美元, $20-30 billion, 12 to 24 months: one claim with a value_max."""
    out: list[_Item] = []
    i = 0
    while i < len(items):
        a = items[i]
        if i + 1 < len(items):
            b = items[i + 1]
            between = norm[a.end : b.start]
            if eng.range_joiners.match(between) and (b.kind is not None or a.kind is not None):
                same = a.kind is None or b.kind is None or (a.kind == b.kind and a.unit == b.unit)
                if same:
                    kind = b.kind or a.kind
                    unit = b.unit if b.kind else a.unit
                    lo = a.value
                    if a.num.magnitude == 1.0 and b.num.magnitude != 1.0:
                        lo = a.value * b.num.magnitude
                    hi = b.value
                    if lo <= hi:
                        merged = _Item(a.start, b.end, a.num, kind, lo, unit,
                                       (b.rule if b.kind else a.rule), a.notes + b.notes + ["a range"])
                        merged.num = replace(a.num, end=b.num.end)
                        merged.value_max = hi
                        out.append(merged)
                        i += 2
                        continue
        out.append(a)
        i += 1
    return out


def _qualifier_before(norm: str, start: int, eng: Engine) -> tuple[str | None, str | None]:
    pos = _skip_markup_left(norm, start)
    # "roughly a 27% stake": an article may sit between the qualifier and the number.
    m = re.search(r"(?<![A-Za-z])(?:a|an)$", norm[max(0, pos - 4) : pos])
    if m:
        pos = _skip_markup_left(norm, max(0, pos - 4) + m.start())
    hit = eng.qual_before.before(norm, pos)
    if hit is None:
        return None, None
    word, qual, wstart = hit
    if _is_latin(word[0]) and wstart > 0 and _is_latin(norm[wstart - 1]):
        return None, None
    return str(qual), word


def _finish(text: str, norm: str, item: _Item, eng: Engine) -> Quantity:
    notes = list(item.notes)
    value_max = item.value_max
    qualifier = "exact"
    if value_max is not None:
        qualifier = "range"
    else:
        qual, word = _qualifier_before(norm, item.start, eng)
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
            notes.append("多/余 makes it more_than")
        if item.num.vague:
            qualifier = item.num.vague_qualifier or "more_than"
            notes.append("a vague magnitude; the value is its floor")
    kind = item.kind or "number"
    date = None
    value: float | None = item.value
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
    )


def _vague_english(
    norm: str, text: str, eng: Engine, lines: list[tuple[int, int]], spans: list[tuple[int, int]], taken: _Spans
) -> list[Quantity]:
    """'billions of dollars', 'tens of billions of yen': vague money with a floor."""
    out: list[Quantity] = []
    for rx, floor in eng.vague_en:
        for m in rx.finditer(norm):
            tail = re.match(r"[ \t]+of[ \t]+", norm[m.end() :])
            if not tail:
                continue
            cur = eng.currency_suffix.after(norm, m.end() + tail.end() - 1)
            if cur is None or taken.overlaps(m.start(), cur[2]) or _blocked(m.start(), cur[2], lines, spans):
                continue
            taken.add(m.start(), cur[2])
            out.append(
                Quantity(text[m.start() : cur[2]], m.start(), cur[2], "money", floor, str(cur[1]),
                         "money.vague_en", qualifier="more_than", vague=True,
                         explanation=f"{m.group()} is vague; the floor is {format_value(floor)}")
            )
    return out


# ---------------------------------------------------------------------------
# Years and dates.


def _dates(
    norm: str,
    text: str,
    eng: Engine,
    published: dt.date | None,
    lines: list[tuple[int, int]],
    spans: list[tuple[int, int]],
) -> list[Quantity]:
    found: list[tuple[int, int, str, dict[str, str]]] = []
    taken = _Spans()
    for rid, rx in eng.date_patterns:
        for m in rx.finditer(norm):
            groups = {k: v for k, v in m.groupdict().items() if v is not None}
            first = min(m.start(k) for k in groups) if groups else m.start()
            s, e = first, m.end()
            if taken.overlaps(s, e) or _blocked(s, e, lines, spans):
                continue
            taken.add(s, e)
            found.append((s, e, rid, groups))
    found.sort()
    out: list[Quantity] = []
    last_year: list[tuple[int, int]] = []  # (position, year) of every explicit year
    for s, e, rid, g in found:
        year = _year_of(g, eng)
        if year is not None and not (eng.year_range[0] <= year <= eng.year_range[1]):
            continue
        month = _month_of(g, eng)
        day = int(g["day"]) if "day" in g else None
        if month is not None and not 1 <= month <= 12:
            continue
        if day is not None and not 1 <= day <= 31:
            continue
        note = ""
        if year is None:
            year, note = _context_year(norm, s, last_year, published)
        else:
            last_year.append((s, year))
        if month is None:
            if year is None:
                continue
            out.append(Quantity(text[s:e], s, e, "year", float(year), "year", rid, date=str(year),
                                explanation=f"{text[s:e]} → the year {year}"))
            continue
        if year is None:
            iso = f"--{month:02d}" + (f"-{day:02d}" if day else "")
        else:
            iso = f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")
            if day is not None:
                try:
                    dt.date(year, month, day)
                except ValueError:
                    continue
        out.append(Quantity(text[s:e], s, e, "date", None, "date", rid, date=iso,
                            explanation=f"{text[s:e]} → {iso}{note}"))
    return out


def _year_of(g: dict[str, str], eng: Engine) -> int | None:
    if "year" in g:
        return int(g["year"])
    if "year_zh" in g:
        v = parse_zh(g["year_zh"])
        return int(v) if v is not None else None
    return None


def _month_of(g: dict[str, str], eng: Engine) -> int | None:
    if "month" in g:
        return int(g["month"])
    if "month_name" in g:
        return eng.month_names.get(g["month_name"].lower().rstrip("."))
    return None


def _context_year(
    norm: str, pos: int, years: list[tuple[int, int]], published: dt.date | None
) -> tuple[int | None, str]:
    """The year a month without one refers to: the last year named earlier in the same
    paragraph, else the year of publication."""
    para_start = norm.rfind("\n", 0, pos) + 1
    for ypos, year in reversed(years):
        if ypos < para_start:
            break
        if ypos < pos:
            return year, f" (year from the {year} earlier in the paragraph)"
    if published is not None:
        return published.year, f" (year from the article's date {published.isoformat()})"
    return None, ""
