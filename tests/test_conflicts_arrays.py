"""Comparing a group with arrays finds exactly what comparing it pair by pair finds."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor import conflicts
from extractor.conflicts import Claim

METRICS = ["valuation", "investment_total", "investment", "contract_until"]


@st.composite
def claim_groups(draw: st.DrawFn) -> tuple[str, list[Claim]]:
    metric = draw(st.sampled_from(METRICS))
    dated = metric == "contract_until"
    n = draw(st.integers(2, 40))
    claims = []
    for i in range(n):
        article = draw(st.integers(0, 6))
        value = None if dated else draw(st.sampled_from([0.0, 2e9, 2.2e9, 3e9, 3.15e9, 4e9, 8e8, 8e9, 1.5e10, -5.0]))
        qualifier = draw(st.sampled_from(["exact", "exact", "about", "more_than", "up_to", "range"]))
        claims.append(Claim(
            id=f"c{i:03d}", article_id=f"a{article}",
            sentence_id=draw(st.sampled_from([None, f"a{article}:0", f"a{article}:1"])),
            source=f"a{article % 4}", published=draw(st.sampled_from([None, "", "2024-01-02", "2024-05-01", "2025-03-03"])),
            lang=draw(st.sampled_from(["zh", "en"])), subject="Acme", object=None, metric=metric,
            unit="date" if dated else "USD", kind="year" if dated else "money",
            value=value, value_max=(value * 1.2 if value is not None and qualifier == "range" else None),
            date=draw(st.sampled_from(["2028", "2030", "2030-06"])) if dated else None,
            qualifier=qualifier if not dated else "exact", vague=draw(st.booleans()) and not dated,
            period=draw(st.sampled_from([None, "2024", "2024-Q1", "2025"])),
            period_basis=draw(st.sampled_from(["explicit", "article", None])),
            modality=draw(st.sampled_from(["asserted", "asserted", "proposed", "estimated"])),
            confidence=draw(st.sampled_from([0.3, 0.8, 1.0])), text=f"claim {i}", outlet=None,
        ))
    return metric, claims


def _found(metric: str, claims: list[Claim]) -> list[tuple]:
    sides = conflicts.sides_of(claims)
    return [(c.kind, [x.id for x in c.a], [x.id for x in c.b], c.summary, c.severity, c.confidence)
            for c in conflicts.compare(sides, "Acme", metric, "USD")]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(claim_groups(), st.integers(1, 64))
def test_arrays_match_pairs(group: tuple[str, list[Claim]], block: int) -> None:
    metric, claims = group
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(conflicts, "ARRAY_PAIRS", 10**9)
        by_pairs = _found(metric, claims)
        mp.setattr(conflicts, "ARRAY_PAIRS", 0)
        mp.setattr(conflicts, "BLOCK_PAIRS", block)  # blocks that cut sides apart
        by_arrays = _found(metric, claims)
    assert by_arrays == by_pairs
