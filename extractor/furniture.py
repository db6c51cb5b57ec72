"""Page furniture: the lines and spans of a text that hold no claim (copyright lines,
datelines, URLs, code names), found once per text."""

from __future__ import annotations

import bisect

from extractor.rule_patterns import _Scanned
from extractor.rulebook import Engine


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
        return i > 0 and self.ends[i - 1] > start


class _Furniture:
    """What is not a claim: whole lines and spans, found once per text."""

    def __init__(self, text: str, eng: Engine, scanned: _Scanned | None = None) -> None:
        found = scanned or _Scanned(text)
        lines: list[tuple[int, int]] = []
        for _, rx in eng.line_exclusions:
            for m in found.matches(rx):
                ls = text.rfind("\n", 0, m.start()) + 1
                le = text.find("\n", m.end())
                lines.append((ls, len(text) if le < 0 else le))
        self.lines = _merge(lines)
        self.line_starts = [s for s, _ in self.lines]
        spans = sorted((m.start(), m.end()) for _, rx in eng.span_exclusions for m in found.matches(rx) if m.end() > m.start())
        self.spans = spans
        self.span_starts = [s for s, _ in spans]
        # the furthest end among spans starting at or before each index
        self.span_reach: list[int] = []
        reach = -1
        for _, e in spans:
            reach = max(reach, e)
            self.span_reach.append(reach)

    def blocked(self, start: int) -> bool:
        """Whether a claim starting at `start` lies in page furniture."""
        i = bisect.bisect_right(self.line_starts, start) - 1
        if i >= 0 and self.lines[i][0] <= start < self.lines[i][1]:
            return True
        # A claim is dropped when an exclusion covers it, unless the claim starts where the
        # exclusion does (RM5 is a currency, not a code name like H20).
        j = bisect.bisect_left(self.span_starts, start) - 1
        return j >= 0 and self.span_reach[j] > start


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out
