"""The periods a text names: quarters, halves, nine months, fiscal and calendar years.

Patterns and words come from `rules/periods.yaml`. `find_periods(text, published)`
returns each period phrase with the period it names at its precision (`2025-Q3`,
`2026-H1`, `2025-9M`, `2025`) and how it was read: `explicit` when the year is written,
`relative` when it comes from the article's date (今年, last quarter, "the third
quarter" in an article of November 2025). Attribution then gives a money, percent or
count claim the period its sentence or article states (see `attribute._period`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from extractor import rules
from extractor.errors import RuleError

if TYPE_CHECKING:
    from extractor.rule_patterns import RulePattern

PERIOD_KINDS = ("quarter", "half1", "half2", "nine_months", "year", "months", "first_months", "month")


@dataclass(frozen=True)
class PeriodMention:
    start: int
    end: int
    period: str
    basis: str  # explicit (year written) or relative (from the article's date)
    text: str


@dataclass(frozen=True)
class _Pattern:
    id: str
    period: str
    regex: re.Pattern[str]


@dataclass(frozen=True)
class PeriodRules:
    patterns: tuple[_Pattern, ...]
    quarter_words: dict[str, int]
    month_words: dict[str, int]
    relative_quarters: dict[str, int]
    relative_re: re.Pattern[str]
    relative_years: dict[str, int]
    year_earlier_re: re.Pattern[str]
    base_re: re.Pattern[str]
    now_re: re.Pattern[str]


def _mapping(data: dict[str, Any], key: str) -> dict[str, int]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise RuleError(rules.path_of("periods"), key, "expected a mapping of words to numbers")
    try:
        return {str(k).lower(): int(v) for k, v in value.items()}
    except (TypeError, ValueError):
        raise RuleError(rules.path_of("periods"), key, "every word needs a whole number") from None


def _words_re(words: list[str]) -> re.Pattern[str]:
    alts = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z])(?:{alts})(?![A-Za-z])" if alts else r"(?!x)x", re.IGNORECASE)


@cache
def period_rules() -> PeriodRules:
    data = rules.load("periods")
    patterns = []
    for i, p in enumerate(rules.require("periods", data, "patterns", list)):
        if not isinstance(p, dict) or "pattern" not in p:
            raise RuleError(rules.path_of("periods"), f"pattern {i + 1}", "each pattern needs `pattern`")
        pid = str(p.get("id", f"pattern {i + 1}"))
        kind = str(p.get("period", ""))
        if kind not in PERIOD_KINDS:
            raise RuleError(rules.path_of("periods"), pid, f"`period` must be one of {', '.join(PERIOD_KINDS)}")
        patterns.append(_Pattern(pid, kind, rules.check_regex("periods", pid, str(p["pattern"]))))
    rel_q = _mapping(data, "relative_quarters")
    rel_y = _mapping(data, "relative_years")
    return PeriodRules(
        patterns=tuple(patterns),
        quarter_words=_mapping(data, "quarter_words"),
        month_words=_mapping(data, "month_words"),
        relative_quarters=rel_q,
        relative_re=_words_re([*rel_q, *rel_y]),
        relative_years=rel_y,
        year_earlier_re=_words_re(rules.string_list("periods", "year_earlier", data.get("year_earlier") or [])),
        base_re=_words_re(rules.string_list("periods", "comparison_bases", data.get("comparison_bases") or [])),
        now_re=_words_re(rules.string_list("periods", "now_words", data.get("now_words") or [])),
    )


_MONTH_SPANS = {(1, 3): "Q1", (4, 6): "Q2", (7, 9): "Q3", (10, 12): "Q4", (1, 6): "H1", (7, 12): "H2", (1, 9): "9M"}
_ENDS = {"Q1": 3, "Q2": 6, "Q3": 9, "Q4": 12, "H1": 6, "H2": 12, "9M": 9}
_STARTS = {"Q1": 1, "Q2": 4, "Q3": 7, "Q4": 10, "H1": 1, "H2": 7, "9M": 1}


def _month(word: str | None, pr: PeriodRules) -> int | None:
    if not word:
        return None
    w = word.lower().rstrip(".")
    if w.isdigit():
        return int(w)
    return pr.month_words.get(w)


def _part(m: re.Match[str], kind: str, pr: PeriodRules) -> str | None:
    """The part of the year a match names: Q3, H1, 9M, or '' for a whole year."""
    groups = m.groupdict()
    if kind == "quarter":
        q = groups.get("q") or pr.quarter_words.get(str(groups.get("qw") or "").lower())
        return f"Q{q}" if q else None
    if kind == "half1":
        return "H1"
    if kind == "half2":
        return "H2"
    if kind == "nine_months":
        return "9M"
    if kind == "first_months":
        return _from_january(_month(groups.get("m2"), pr))
    if kind == "month":
        month = _month(groups.get("m2"), pr)
        return f"{month:02d}" if month is not None and 1 <= month <= 12 else None
    if kind == "months":
        m1, m2 = _month(groups.get("m1"), pr), _month(groups.get("m2"), pr)
        part = _MONTH_SPANS.get((m1, m2))  # type: ignore[arg-type]
        return part if part is not None or m1 != 1 else _from_january(m2)
    return ""


def _from_january(last: int | None) -> str | None:
    """January to month `last`: Q1, H1, 9M, the whole year (''), else YTD10 (the first ten
    months, which must not be read as October: "2025-10M" would prefix-match it)."""
    if last is None or not 1 < last <= 12:
        return None
    if last == 12:
        return ""
    return _MONTH_SPANS.get((1, last)) or f"YTD{last}"


def _latest_year(part: str, published: dt.date) -> int:
    """The year of the latest such part that has begun by the article's date (for the
    months from January, the year in which they have all passed)."""
    if part.startswith("YTD"):
        return published.year if int(part[3:]) < published.month else published.year - 1
    if part.isdigit():  # a month: the latest one that has begun
        return published.year if int(part) <= published.month else published.year - 1
    if part and _STARTS[part] > published.month:
        return published.year - 1
    return published.year


@cache
def _fast(regex: re.Pattern[str]) -> RulePattern:
    """The regex's scan that skips to where a match can start (quantities.RulePattern):
    exactly its finditer's matches, several times faster than trying every position."""
    from extractor.rule_patterns import RulePattern

    return RulePattern(regex)


def find_periods(text: str, published: dt.date | None) -> list[PeriodMention]:
    """Every period phrase in `text`, left to right, not overlapping."""
    pr = period_rules()
    found: list[PeriodMention] = []
    for p in pr.patterns:
        for m in _fast(p.regex).finditer(text):
            part = _part(m, p.period, pr)
            if part is None:
                continue
            year_text = m.groupdict().get("year")
            if year_text:
                year = int(year_text) if len(year_text) == 4 else 2000 + int(year_text)
                basis = "explicit"
            elif published is not None and part:
                year, basis = _latest_year(part, published), "relative"
            else:
                continue
            period = f"{year}-{part}" if part else str(year)
            found.append(PeriodMention(m.start(), m.end(), period, basis, m.group()))
    if published is not None:
        # 去年 inside 去年同期 says "a year before the period named", not "last year".
        earlier = [(m.start(), m.end()) for m in _fast(pr.year_earlier_re).finditer(text)]
        for m in _fast(pr.relative_re).finditer(text):
            if any(a <= m.start() < b for a, b in earlier):
                continue
            word = m.group().lower()
            if word in pr.relative_quarters:
                q = (published.month - 1) // 3 + pr.relative_quarters[word]
                year, q = published.year + q // 4, q % 4 + 1
                found.append(PeriodMention(m.start(), m.end(), f"{year}-Q{q}", "relative", m.group()))
            else:
                found.append(PeriodMention(m.start(), m.end(), str(published.year + pr.relative_years[word]),
                                           "relative", m.group()))
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    out: list[PeriodMention] = []
    for f in found:
        if out and f.start < out[-1].end:
            continue
        out.append(f)
    return out


def year_earlier(text: str, start: int, end: int) -> re.Match[str] | None:
    """A "a year earlier" / 去年同期 in text[start:end]."""
    return period_rules().year_earlier_re.search(text, start, end)


def shift_year(period: str, years: int) -> str:
    """2025-Q3 → 2024-Q3 for years=-1."""
    head, sep, tail = period.partition("-")
    if not head.isdigit():
        return period
    return f"{int(head) + years}{sep}{tail}"


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    period: str
    basis: str
    text: str


def choose(text: str, pos: tuple[int, int], sentence: tuple[int, int], clause: tuple[int, int],
           dated: list[dict[str, Any]], mentions: list[PeriodMention], flow: bool = False,
           change: bool = False, market: bool = False) -> tuple[str, str, str] | None:
    """(period, basis, note) for a figure at `pos`: the period named nearest it in its
    clause, else the last one named before it in its sentence. `dated` are the date
    claims of the sentence, `mentions` its period phrases. A comparison base ("from
    110,000 a year earlier", 去年同期) is moved a year back, unless a comparison base opens
    between it and the phrase (the base is another figure: "$9.1 billion, up 11% from $8.2
    billion a year earlier") or it is a `change` (the growth is the later period's). A `flow` (revenue, deliveries)
    is about a quarter or year rather than the day a date in its sentence names (the day
    it was reported), when the sentence names both; a `market` figure (a close, a day's
    move) is about a day, never a quarter or a year."""
    (s, e), (ss, se), (cs, ce) = pos, sentence, clause
    cands = [_Candidate(o["start"], o["end"], str(o["date"]), "explicit", str(o["text"])) for o in dated]
    cands += [_Candidate(m.start, m.end, m.period, m.basis, m.text) for m in mentions if ss <= m.start and m.end <= se]
    if flow and any(_spans_time(x.period) for x in cands):
        cands = [x for x in cands if _spans_time(x.period)]
    elif market:
        # A close or a day's move is one day's: the quarter of the results that moved it
        # ("fell 17% after reporting first-quarter revenue") is not its period.
        cands = [x for x in cands if not _spans_time(x.period)]
    in_clause = [x for x in cands if cs <= x.start < ce]
    pick: _Candidate | None = None
    if in_clause:
        pick = min(in_clause, key=lambda x: (min(abs(x.start - e), abs(s - x.end)), x.start))
    else:
        before = [x for x in cands if x.end <= s]
        pick = max(before, key=lambda x: x.end) if before else None
        if pick is not None and not flow and period_rules().now_re.search(text, pick.end, s):
            return None  # "成立于2019年，目前员工约800人": as of the article, not that year
    if pick is None:
        return None
    period, note = pick.period, f"period {pick.period} from {pick.text!r}"
    shifted = None if change else own_year_earlier(text, s, e, cs, ce)
    if shifted is not None:
        period = shift_year(period, -1)
        note += f", a year back ({shifted.group()!r})"
    return period, pick.basis, note


def own_year_earlier(text: str, s: int, e: int, cs: int, ce: int) -> re.Match[str] | None:
    """The "a year earlier" phrase that goes with the figure at text[s:e]: right after it,
    unless a comparison base opens between them ("138,000, up 25% from 110,000 a year
    earlier": the phrase is 110,000's), or just before it."""
    after = year_earlier(text, e, min(ce, e + 40))
    if after is not None and not period_rules().base_re.search(text, e, after.start()):
        return after
    return year_earlier(text, max(cs, s - 12), s)


def _spans_time(period: str) -> bool:
    """A quarter, half, nine months or year, not a month or a day."""
    return period.isdigit() or bool(re.fullmatch(r"\d{4}-(?:Q[1-4]|H[12]|9M|YTD\d\d?)", period))


def context_period(mentions: list[PeriodMention], lede_end: int) -> PeriodMention | None:
    """The part-year period the headline and lede name first (a quarter's results): the
    period of figures that name none of their own."""
    for m in mentions:
        if m.start >= lede_end:
            return None
        if "-" in m.period:
            return m
    return None
