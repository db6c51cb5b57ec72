"""Modality the hedge words alone do not give: a start or completion dated after the
article that reports it is a plan (`future_is_planned` in rules/hedges.yaml)."""

from __future__ import annotations

import datetime as dt
from functools import cache

from extractor import rules


@cache
def _future_planned() -> frozenset[str]:
    data = rules.load("hedges")
    return frozenset(rules.string_list("hedges", "future_is_planned", data.get("future_is_planned") or []))


def planned_by_date(metric: str | None, date: str | None, published: dt.date | None) -> bool:
    """Whether a date claim of a scheduled metric lies after the article's date: 2026-H2,
    2028, 2026-06-30 are compared by where they start (a half or quarter by its first month)."""
    if not metric or metric not in _future_planned() or not date or published is None:
        return False
    start = _start(date)
    return start is not None and start > published


def _start(date: str) -> dt.date | None:
    year = date[:4]
    if not year.isdigit():
        return None
    rest = date[5:]
    month = 1
    if rest[:1] == "H" and rest[1:2].isdigit():
        month = 1 + 6 * (int(rest[1]) - 1)
    elif rest[:1] == "Q" and rest[1:2].isdigit():
        month = 1 + 3 * (int(rest[1]) - 1)
    elif rest[:2].isdigit():
        month = int(rest[:2])
    day = int(date[8:10]) if len(date) >= 10 and date[8:10].isdigit() else 1
    try:
        return dt.date(int(year), month, day)
    except ValueError:
        return None
