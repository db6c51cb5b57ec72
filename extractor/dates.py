"""Years and dates: the date rules' matches read as years, dates and periods, a month
without a year dated from the paragraph or the day of publication."""

from __future__ import annotations

import datetime as dt

from extractor.furniture import _Furniture, _Spans
from extractor.numbers import parse_zh
from extractor.quantity import Quantity
from extractor.rule_patterns import _Scanned
from extractor.rulebook import Engine


def _dates(
    norm: str,
    text: str,
    eng: Engine,
    published: dt.date | None,
    furniture: _Furniture,
    scanned: _Scanned | None = None,
) -> list[Quantity]:
    found: list[tuple[int, int, str, dict[str, str]]] = []
    taken = _Spans()
    matches = scanned or _Scanned(norm)
    for rid, rx in eng.date_patterns:
        for m in matches.matches(rx):
            groups = {k: v for k, v in m.groupdict().items() if v is not None}
            # A period is read whole (H1 2027, Q4 2024); other patterns start at their first group.
            first = m.start() if rid.startswith("period.") else min(m.start(k) for k in groups) if groups else m.start()
            s, e = first, m.end()
            if taken.overlaps(s, e) or furniture.blocked(s):
                continue
            taken.add(s, e)
            found.append((s, e, rid, groups))
    found.sort()
    out: list[Quantity] = []
    last_year: list[tuple[int, int]] = []  # (position, year) of every explicit year
    from extractor import periods  # it builds on this module

    for s, e, rid, g in found:
        if "day_alone" in g or "rel_year" in g or "year2" in g or len(g) > 1 and "year" in g and "month" not in g:
            q = periods.period(text, s, e, rid, g, published)
            if q is not None:
                out.append(q)
                if q.date and q.date[:4].isdigit() and "day_alone" not in g:
                    last_year.append((s, int(q.date[:4])))
            if q is not None or "day_alone" in g or "rel_year" in g or "year2" in g:
                continue
        year = _year_of(g)
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


def _year_of(g: dict[str, str]) -> int | None:
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
