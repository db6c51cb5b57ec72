"""Periods at the precision written: quarters (2025-Q3), halves (2026-H2), the months of a
year to date (2025-9M), a day written alone (23日) and a month in a relative year (明年6月).

The patterns are in rules/dates.yaml; this module turns their named groups into values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from extractor import rules
from extractor.errors import RuleError
from extractor.quantities import Quantity


@dataclass(frozen=True)
class PeriodWords:
    numbers: dict[str, int]
    relative_years: dict[str, int]
    day_alone: bool


@cache
def words() -> PeriodWords:
    data = rules.load("dates")
    raw = data.get("period_words") or {}
    rel = data.get("relative_years") or {}
    if not isinstance(raw, dict) or not isinstance(rel, dict):
        raise RuleError(rules.path_of("dates"), "period_words", "expected a mapping word: number")
    numbers: dict[str, int] = {}
    for k, v in raw.items():
        if isinstance(v, bool) or not isinstance(v, int):
            raise RuleError(rules.path_of("dates"), f"period_words.{k}", "expected a whole number")
        numbers[str(k).lower()] = v
    for d in "123456789":
        numbers.setdefault(d, int(d))
    return PeriodWords(numbers, {str(k): int(v) for k, v in rel.items()}, bool(data.get("day_alone", True)))


def _number(g: dict[str, str], *keys: str) -> int | None:
    w = words()
    for k in keys:
        if k in g:
            return w.numbers.get(g[k].strip().lower())
    return None


def part_of_year(g: dict[str, str]) -> str | None:
    """The part of a year a match names: Q3, H2, 9M; None when it names none."""
    if "quarter_first" in g:
        return "Q1"
    q = _number(g, "quarter", "quarter_word", "quarter_num")
    if q is not None:
        return f"Q{q}" if 1 <= q <= 4 else None
    h = _number(g, "half", "half_num", "half_word")
    if h is not None:
        return f"H{h}" if h in (1, 2) else None
    n = _number(g, "quarters_to_date")
    months = n * 3 if n is not None else _number(g, "months_to_date")
    if months is None:
        return None
    if not 1 < months < 12:
        return None
    return {3: "Q1", 6: "H1", 9: "9M"}.get(months, f"YTD{months}")


def relative_year(g: dict[str, str], published: dt.date | None) -> int | None:
    """明年 in 明年6月: the year counted from the article's date."""
    if "rel_year" not in g or published is None:
        return None
    offset = words().relative_years.get(g["rel_year"])
    return None if offset is None else published.year + offset


def day_alone(day: int, published: dt.date | None) -> str | None:
    """23日 alone: the date with that day nearest the article's date (this month, the one
    before or the one after)."""
    if published is None or not words().day_alone:
        return None
    best: dt.date | None = None
    for shift in (0, -1, 1):
        month = published.month + shift
        year = published.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        try:
            d = dt.date(year, month, day)
        except ValueError:
            continue
        if best is None or abs((d - published).days) < abs((best - published).days):
            best = d
    return best.isoformat() if best else None


def period(text: str, s: int, e: int, rid: str, g: dict[str, str], published: dt.date | None) -> Quantity | None:
    """A quarter, half, year to date, day alone or month of a relative year, as a date claim."""
    how = ""
    if "day_alone" in g:
        iso = day_alone(int(g["day_alone"]), published)
        how = f" (the day nearest the article's date {published})"
    else:
        if "rel_year" in g:
            year = relative_year(g, published)
            how = f" ({g['rel_year']} counted from {published})"
        else:
            year = int(g["year"]) if "year" in g else 2000 + int(g["year2"]) if "year2" in g else None
        part = f"{int(g['month']):02d}" if "month" in g and 1 <= int(g["month"]) <= 12 else part_of_year(g)
        if year is not None and part is None and "year2" in g and len(g) == 1:
            return Quantity(text[s:e], s, e, "year", float(year), "year", rid, date=str(year),
                            explanation=f"{text[s:e]} → the year {year}")
        iso = None if year is None or part is None else f"{year:04d}-{part}"
    if iso is None:
        return None
    return Quantity(text[s:e], s, e, "date", None, "date", rid, date=iso, explanation=f"{text[s:e]} → {iso}{how}")
