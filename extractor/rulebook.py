"""The compiled rule set: every rule file of `rules/` read, validated and compiled once
into an Engine that the readers of numbers, units and dates share."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from extractor import rules
from extractor.errors import RuleError
from extractor.numbers import numerals
from extractor.quantity import QUALIFIERS
from extractor.rule_patterns import RuleGroup, RulePattern
from extractor.scripts import fold
from extractor.word_tables import WordTable, _alternation, _is_latin, _key


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
    max_value: float = math.inf
    scale: float = 1.0
    digit_string_scale: float | None = None
    skip_numerals: frozenset[str] = frozenset()
    not_preceded_by: WordTable | None = None
    preceded_by: WordTable | None = None  # the number must follow one of these words


@dataclass
class WordRule:
    """Words that are a quantity on their own (一半 = 50%), maybe only after a word."""

    id: str
    words: WordTable
    preceded_by: WordTable | None = None
    kind: str = "percent"  # or multiplier: twice, 翻倍


@dataclass(frozen=True)
class Money:
    """What a currency word means: the ISO code and a scale (MUSD = 1 000 000 USD)."""

    code: str
    scale: float = 1.0


@dataclass
class Engine:
    start_re: re.Pattern[str]
    start_scan: re.Pattern[str]
    date_patterns: list[tuple[str, RulePattern]]
    month_names: dict[str, int]
    year_range: tuple[int, int]
    line_exclusions: list[tuple[str, RulePattern]]
    span_exclusions: list[tuple[str, RulePattern]]
    not_numbers_re: re.Pattern[str]
    not_numbers_latin: re.Pattern[str] | None  # one-day: whole words, found apart (fast)
    not_after_re: re.Pattern[str]
    article_re: re.Pattern[str]
    fraction_re: re.Pattern[str]
    fraction_first: frozenset[str]
    mixed_re: re.Pattern[str]
    mixed_first: frozenset[str]
    en_minus_re: re.Pattern[str]
    magnitudes: WordTable
    short_magnitudes: WordTable
    bare_magnitudes: WordTable
    currency_prefix: WordTable
    currency_prefix_exact: WordTable
    currency_suffix: WordTable
    currency_between: WordTable | None
    minor_units: WordTable
    minor_currencies: frozenset[str]
    minor_alone: WordTable
    generic_suffixes: frozenset[str]
    money_joiners: WordTable
    unit_rules: list[UnitRule]
    after_rules: list[UnitRule]
    before_rules: list[UnitRule]
    unit_first: frozenset[str]
    unit_last: frozenset[str]
    word_rules: list[WordRule]
    rate_rule: str
    ago_zh: WordTable
    ago_en: WordTable
    qual_before: WordTable
    qual_after: WordTable
    qual_not_for: dict[str, frozenset[str]]
    qual_fillers: WordTable
    range_blockers: WordTable
    range_joiners: re.Pattern[str]
    range_openers: dict[str, WordTable]
    vague_prefixes: dict[str, str]
    vague_en: list[tuple[re.Pattern[str], float]]
    vague_en_any: RulePattern | None
    currency_mentions: WordTable
    percent_mentions: WordTable
    currency_names: dict[str, str] = field(default_factory=dict)
    rule_groups: list[RuleGroup] = field(default_factory=list)
    move_words: WordTable | None = None  # rules/changes.yaml: a move before "X to Y"
    move_range_ratio: float = math.inf
    rules_near: dict[tuple[str, str, str], list[UnitRule]] = field(default_factory=dict)


def _table(words: Any, value: Any = True, **kw: Any) -> WordTable | None:
    return WordTable({str(w): value for w in words}, **kw) if words else None


def _unit_rules() -> tuple[list[UnitRule], list[WordRule], str]:
    data = rules.load("units")
    out: list[UnitRule] = []
    words: list[WordRule] = []
    rate_rule = "percent.rate"
    for section, kind in (("percent", "percent"), ("multiplier", "multiplier"), ("count", "count"),
                          ("duration", "duration"), ("points", "points"), ("energy", "measure")):
        if section not in data and kind in ("points", "measure"):
            continue
        entries = rules.require("units", data, section, list)
        for entry in entries:
            if not isinstance(entry, dict) or "id" not in entry:
                raise RuleError(rules.path_of("units"), kind, "each rule needs an id")
            rid = str(entry["id"])
            if entry.get("rate"):
                rate_rule = rid
                continue
            if "words" in entry:
                if not isinstance(entry["words"], dict):
                    raise RuleError(rules.path_of("units"), rid, "'words' must map words to values")
                words.append(WordRule(
                    rid,
                    WordTable({str(k): _number(rid, v) for k, v in entry["words"].items()}),
                    _table(entry.get("preceded_by")),
                    kind if kind in ("percent", "multiplier") else "percent",
                ))
                continue
            if rid == "duration.ago":
                continue
            unit_default = {
                "percent": "percent",
                "multiplier": "multiplier",
                "count": "count",
                "duration": "years",
                "points": "points",
                "measure": "number",
            }[kind]
            after = entry.get("after")
            after_table: WordTable | None = None
            if isinstance(after, list):
                after_table = WordTable({w: str(entry.get("unit", unit_default)) for w in fold(map(str, after))},
                                        flexible=True)
            elif isinstance(after, dict):
                after_table = WordTable({f: str(u) for w, u in after.items() for f in fold([str(w)])},
                                        flexible=True)
            elif after is not None:
                raise RuleError(rules.path_of("units"), rid, "'after' must be a list or mapping")
            before = entry.get("before")
            if before is not None and not isinstance(before, list):
                raise RuleError(rules.path_of("units"), rid, "'before' must be a list")
            dss = entry.get("digit_string_scale")
            out.append(
                UnitRule(
                    id=rid,
                    kind=kind,
                    unit=str(entry.get("unit", unit_default)),
                    after=after_table,
                    before=_table(before, flexible=True),
                    nouns=_table(fold(map(str, entry.get("nouns") or []))),
                    generic_nouns=_table(entry.get("generic_nouns")),
                    followed_by=_table(entry.get("followed_by")),
                    glued=bool(entry.get("glued", False)),
                    nouns_only=bool(entry.get("nouns_only", False)),
                    min_value_without_noun=_number(rid, entry.get("min_value_without_noun", 0)),
                    min_value=_number(rid, entry.get("min_value", 0)),
                    max_value=_number(rid, entry.get("max_value", math.inf)),
                    scale=_number(rid, entry.get("scale", 1)),
                    digit_string_scale=None if dss is None else _number(rid, dss),
                    skip_numerals=frozenset(str(s).lower() for s in entry.get("skip_numerals", [])),
                    not_preceded_by=_table(entry.get("not_preceded_by")),
                    preceded_by=_table(entry.get("preceded_by")),
                )
            )
    return out, words, rate_rule


def _number(rule: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleError(rules.path_of("units"), rule, f"expected a number, not {value!r}")
    return float(value)


def _special_unit_entry(rule_id: str) -> dict[str, Any]:
    data = rules.load("units")
    for kind in ("percent", "duration"):
        for entry in data.get(kind, []):
            if isinstance(entry, dict) and entry.get("id") == rule_id:
                return entry
    return {}


def _compile(name: str, rule: str, pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise RuleError(rules.path_of(name), rule, f"bad regular expression: {exc}") from None


def _entries(name: str, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise RuleError(rules.path_of(name), key, "expected a list of rules")
    for e in value:
        if not isinstance(e, dict) or "id" not in e or "pattern" not in e:
            raise RuleError(rules.path_of(name), f"{key}: {e!r}", "each rule needs an id and a pattern")
    return value


@cache
def engine() -> Engine:
    """Compile every rule file once."""
    n = numerals()

    mags = rules.load("magnitudes")
    long_mags: dict[str, float] = {}
    short_mags: dict[str, float] = {}
    bare_mags: dict[str, float] = {}
    for entry in rules.require("magnitudes", mags, "magnitudes", list):
        if not isinstance(entry, dict) or not isinstance(entry.get("value"), int | float):
            raise RuleError(rules.path_of("magnitudes"), str(entry), "each entry needs words and a numeric value")
        target = short_mags if entry.get("needs_currency") else long_mags
        for w in rules.string_list("magnitudes", str(entry.get("words")), entry.get("words")):
            target[w] = float(entry["value"])
            if entry.get("bare"):
                bare_mags[w] = float(entry["value"])
    vague = mags.get("vague", {})
    vague_zh = vague.get("zh", {}) if isinstance(vague, dict) else {}
    vague_qual = {str(k): str(v) for k, v in (vague_zh.get("qualifier") or {}).items()}
    vague_prefixes = {
        str(p): vague_qual.get(str(p), "more_than")
        for p in rules.string_list("magnitudes", "vague.zh.prefixes", vague_zh.get("prefixes", []))
    }
    vague_en = [
        (re.compile(r"(?<![A-Za-z])" + re.escape(str(e["pattern"])) + r"(?![A-Za-z])", re.IGNORECASE), float(e["value"]))
        for e in (vague.get("en", []) if isinstance(vague, dict) else [])
    ]
    # One scan tells whether any of them is in a text, which is seldom.
    vague_en_any = RulePattern(re.compile(
        r"(?<![A-Za-z])(?:" + "|".join(re.escape(str(e["pattern"])) for e in (vague.get("en", []) if isinstance(vague, dict) else []))
        + r")(?![A-Za-z])", re.IGNORECASE)) if vague_en else None

    zh_start = re.escape("".join([*n.zh_digits, *n.zh_units, *n.zh_big_units, *vague_prefixes]))
    half = re.escape("".join(n.zh_half))
    en_start = [*n.en_ones, *n.en_tens, *n.en_articles, *n.en_fraction_words]
    vulgar = re.escape("".join(n.vulgar_fractions))
    start = (
        rf"[{zh_start}]" + (rf"|[{half}]" if half else "")
        + (rf"|[{vulgar}]" if vulgar else "")
        + r"|\d|(?<![.\d])\.\d"
        + rf"|(?<![A-Za-z])(?:{'|'.join(sorted(map(re.escape, en_start), key=len, reverse=True))})(?![A-Za-z])"
    )
    start_re = re.compile(start, re.IGNORECASE)
    # The same search in one pass of the regex engine: runs of characters no number starts
    # with are skipped whole, and a word only where it begins (the English numerals are
    # whole words), so the rule is tried at far fewer places.
    can_start = rf"{zh_start}{half}{vulgar}\d.A-Za-z"
    start_scan = re.compile(
        rf"(?:[^{can_start}]++|(?!{start})(?:[A-Za-z]++|[{can_start}]))*+(?:(?P<start>{start})|\Z)",
        re.IGNORECASE,
    )

    dates = rules.load("dates")
    month_names = {str(k).lower(): int(v) for k, v in rules.require("dates", dates, "month_names", dict).items()}
    # Longest first, and grouped by first letter (j(?:anuary|une|…)|…): the same matches,
    # and the engine tries 8 branches at a word, not 24.
    by_first: dict[str, list[str]] = {}
    for m in sorted(month_names, key=len, reverse=True):
        by_first.setdefault(m[:1], []).append(m)
    month_alt = "|".join(
        re.escape(first) + "(?:" + "|".join(re.escape(m[1:]) for m in names) + ")"
        for first, names in by_first.items()
    ) if all(month_names) else "|".join(sorted((re.escape(m) for m in month_names), key=len, reverse=True))
    date_patterns = []
    for entry in rules.require("dates", dates, "patterns", list):
        rid = str(entry.get("id", "?")) if isinstance(entry, dict) else "?"
        if not isinstance(entry, dict):
            raise RuleError(rules.path_of("dates"), rid, "each pattern needs an id and a pattern")
        pattern = str(rules.require("dates", entry, "pattern", str, rid))
        date_patterns.append((rid, RulePattern(rules.check_regex("dates", rid, pattern.replace("{month_name}", month_alt)))))
    yr = dates.get("year_range", [1800, 2199])

    furn = rules.load("furniture")
    line_ex = [
        (str(e["id"]), RulePattern(_compile("furniture", str(e["id"]), str(e["pattern"]), re.IGNORECASE | re.MULTILINE)))
        for e in _entries("furniture", furn, "lines")
    ]
    span_ex = [
        (str(e["id"]), RulePattern(rules.check_regex("furniture", str(e["id"]), str(e["pattern"]))))
        for e in _entries("furniture", furn, "spans")
    ]

    cur = rules.load("currencies")
    prefixes: dict[str, Money] = {}
    exact_prefixes: dict[str, Money] = {}
    suffixes: dict[str, Money] = {}
    minors: dict[str, dict[str, float]] = {}
    mentions: dict[str, Money] = {}
    names: dict[str, str] = {}
    code_scales = cur.get("code_scales") or {}
    exact = set(rules.string_list("currencies", "case_sensitive", cur.get("case_sensitive", [])))
    for entry in rules.require("currencies", cur, "currencies", list):
        if not isinstance(entry, dict):
            raise RuleError(rules.path_of("currencies"), str(entry), "each currency needs a code")
        code = str(rules.require("currencies", entry, "code", str))
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise RuleError(rules.path_of("currencies"), code, "code must be three capital letters (ISO 4217)")
        names[code] = str(entry.get("name", code))
        for p in rules.string_list("currencies", code, entry.get("prefixes", [])):
            table = exact_prefixes if p in exact else prefixes
            table.setdefault(p, Money(code))
        for s in rules.string_list("currencies", code, entry.get("suffixes", [])):
            suffixes.setdefault(s, Money(code))
        for letter, scale in code_scales.items():
            suffixes.setdefault(f"{letter}{code}", Money(code, float(scale)))
            prefixes.setdefault(f"{letter}{code}", Money(code, float(scale)))
        minor = entry.get("minor") or {}
        if not isinstance(minor, dict):
            raise RuleError(rules.path_of("currencies"), f"{code}.minor", "expected a mapping word: fraction")
        for w, frac in minor.items():
            minors.setdefault(str(w), {})[code] = _number(code, frac)
        for m in rules.string_list("currencies", f"{code}.mentions", entry.get("mentions", [])):
            mentions.setdefault(m, Money(code))
    from extractor.currency import cldr_names  # it builds on this module

    for code, cldr_prefixes, cldr_suffixes in cldr_names():
        names.setdefault(code, code)
        for p in cldr_prefixes:
            if p.lower() not in {k.lower() for k in (*prefixes, *exact_prefixes)}:
                exact_prefixes[p] = Money(code)  # as CLDR writes it: A$ is not "a $"
        for sfx in cldr_suffixes:
            suffixes.setdefault(sfx, Money(code))
    between = rules.string_list("currencies", "between", cur.get("between", []))
    alone: dict[str, tuple[str, float]] = {}
    for w in rules.string_list("currencies", "minor_alone", cur.get("minor_alone", [])):
        if w not in minors:
            raise RuleError(rules.path_of("currencies"), f"minor_alone.{w}", "not a minor unit of any currency")
        code, share = next(iter(minors[w].items()))
        alone[w] = (code, share)
    generic = rules.string_list("currencies", "generic", cur.get("generic", []))
    joiners = rules.string_list("currencies", "joiners", cur.get("joiners", []))

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
    range_words = rules.string_list("qualifiers", "range_joiners", quals.get("range_joiners", []))
    range_re = re.compile(r"^[ \t]*(" + _alternation(range_words) + r")[ \t]*$", re.IGNORECASE)
    openers = quals.get("range_openers") or {}
    if not isinstance(openers, dict):
        raise RuleError(rules.path_of("qualifiers"), "range_openers", "expected a mapping joiner: [words]")
    range_openers = {
        str(j).lower(): WordTable({w: True for w in rules.string_list("qualifiers", f"range_openers.{j}", ws)})
        for j, ws in openers.items()
    }

    unit_rules, word_rules, rate_rule = _unit_rules()
    moves = rules.load("changes") if rules.path_of("changes").exists() else {}
    move_words = [w for d in ("down", "up") for w in rules.string_list("changes", d, moves.get(d, []))]
    ago = _special_unit_entry("duration.ago")
    sign = _special_unit_entry("percent.sign")

    return Engine(
        start_re=start_re,
        start_scan=start_scan,
        date_patterns=date_patterns,
        month_names=month_names,
        year_range=(int(yr[0]), int(yr[1])),
        line_exclusions=line_ex,
        span_exclusions=span_ex,
        not_numbers_re=re.compile(_alternation([w for w in n.zh_not_numbers if not _is_latin(w[:1])])),
        not_numbers_latin=re.compile(
            "|".join(re.escape(w) for w in sorted({w for w in n.zh_not_numbers if _is_latin(w[:1])}, key=len, reverse=True)),
            re.IGNORECASE) if any(_is_latin(w[:1]) for w in n.zh_not_numbers) else None,
        article_re=re.compile(r"(?:" + _alternation(n.en_articles) + r")[ \t]*$", re.IGNORECASE),
        not_after_re=re.compile(r"(?:" + _alternation(n.en_not_after) + r")[ \t]+$", re.IGNORECASE),
        fraction_re=re.compile(r"[ \t]*(?:" + _alternation(n.zh_fraction, flexible=True) + r")[ \t]*"),
        fraction_first=frozenset(w[0] for w in n.zh_fraction if w),
        mixed_re=re.compile(r"[ \t]*(?:" + _alternation(n.zh_mixed) + r")[ \t]*"),
        mixed_first=frozenset(w[0] for w in n.zh_mixed if w),
        en_minus_re=re.compile(r"(?:" + _alternation(n.en_minus) + r")[ \t]+$", re.IGNORECASE),
        magnitudes=WordTable(long_mags),
        short_magnitudes=WordTable(short_mags, ignore_case=False),
        bare_magnitudes=WordTable(bare_mags, ignore_case=False),
        currency_prefix=WordTable(prefixes, flexible=True),
        currency_prefix_exact=WordTable(exact_prefixes, ignore_case=False),
        currency_suffix=WordTable(suffixes, hyphen=True),
        currency_between=_table(between),
        minor_units=WordTable(minors),
        minor_currencies=frozenset(code for by_code in minors.values() for code in by_code),
        minor_alone=WordTable(alone, hyphen=True),
        generic_suffixes=frozenset(_key(w) for w in generic),
        money_joiners=WordTable({w: True for w in joiners}),
        unit_rules=unit_rules,
        after_rules=[r for r in unit_rules if r.before is None],
        before_rules=[r for r in unit_rules if r.before is not None],
        unit_first=frozenset(c for r in unit_rules for t in (r.after, r.nouns, r.generic_nouns)
                             if t is not None for c in t.first_chars),
        unit_last=frozenset(c for r in unit_rules if r.before is not None for c in r.before.last_chars),
        word_rules=word_rules,
        rate_rule=rate_rule,
        ago_zh=WordTable({str(w): True for w in ago.get("after_zh", [])}),
        ago_en=WordTable({str(w): True for w in ago.get("after_en", [])}),
        qual_before=WordTable(before),
        qual_after=WordTable(after),
        qual_fillers=WordTable({w: True for w in rules.string_list("qualifiers", "fillers", quals.get("fillers", []))}),
        range_blockers=WordTable({w: True for w in rules.string_list("qualifiers", "not_a_range_after", quals.get("not_a_range_after", []))}),
        qual_not_for={
            str(kind): frozenset(_key(w).lower() for w in rules.string_list("qualifiers", f"not_for.{kind}", ws))
            for kind, ws in (quals.get("not_for") or {}).items()
        },
        range_joiners=range_re,
        range_openers=range_openers,
        vague_prefixes=vague_prefixes,
        vague_en=vague_en,
        vague_en_any=vague_en_any,
        currency_mentions=WordTable(mentions),
        percent_mentions=WordTable({str(w): True for w in sign.get("mentions", [])}),
        currency_names=names,
        rule_groups=RuleGroup.of(rp for _, rp in [*date_patterns, *line_ex, *span_ex]),
        move_words=_table(move_words, flexible=True),
        move_range_ratio=float(moves["range_ratio"]) if isinstance(moves.get("range_ratio"), int | float) else math.inf,
    )


def reset() -> None:
    """Recompile after rule files change."""
    rules.clear_cache()
    numerals.cache_clear()
    engine.cache_clear()
