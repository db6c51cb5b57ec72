"""The shortcuts of detection give what the plain per-claim definitions give: a list's
figures, conflict ids, the listed sample, and comparing a class of alike claims once."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor import conflicts, store
from extractor.conflicts import Claim, Figures


def claim(i: int, value: float | None = 3e11, *, source: str = "s0", lang: str = "en", sentence: str | None = None,
          published: str | None = "2025-01-01", modality: str = "asserted", qualifier: str = "exact",
          obj: str | None = None, period: str | None = None, basis: str | None = None, confidence: float = 1.0,
          metric: str = "valuation", cid: str | None = None) -> Claim:
    return Claim(
        id=cid or f"c{i:03d}", article_id=source, sentence_id=sentence, source=source, published=published, lang=lang,
        subject="Acme", object=obj, metric=metric, unit="USD", kind="money", value=value, value_max=None, date=None,
        qualifier=qualifier, vague=False, period=period, period_basis=basis, modality=modality, confidence=confidence)


LISTS = {
    "one": [claim(0)],
    "mixed": [claim(0, 3e11, source="s1", obj="Beta", period="2024", published=None, confidence=0.3),
              claim(1, 0.0, source="s2", modality="proposed", obj="", period="2025", published="2025-02-01"),
              claim(2, None, source="s1", obj="Alpha", confidence=0.75, cid="b-002"),
              claim(3, 3.1e11, source="s3", modality="planned", qualifier="about", published="")],
    "all tentative": [claim(i, 2e9 + i, modality="proposed", source=f"s{i % 2}") for i in range(5)],
    "non-ascii ids": [claim(0, cid="声明-1"), claim(1, cid="c\"2"), claim(2, cid="a-0")],
    "many": [claim(i, 3e11 + (i % 7) * 1e9, source=f"s{i % 13}", published=f"2025-01-{1 + i % 28:02d}")
             for i in range(300)],
}


def labels(claims: list[Claim]) -> str:
    return " / ".join(sorted({c.label for c in claims})[:3])


@pytest.mark.parametrize("name", LISTS)
def test_figures_match_per_claim_definitions(name: str) -> None:
    claims = LISTS[name]
    f = Figures(claims)
    assert f.claims is claims
    assert f.ids_json == json.dumps(sorted(c.id for c in claims))
    assert f.sources == {c.source for c in claims}
    assert f.latest == max(c.published or "" for c in claims)
    assert f.label == labels(claims)
    assert f.tentative_labels == {c.label for c in claims if c.tentative}
    assert f.final_labels == {c.label for c in claims if not c.tentative}
    assert f.objects == {c.object for c in claims if c.object}
    assert f.periods == {c.period for c in claims if c.period}
    assert f.first_value == next((c.value for c in claims if c.value), None)
    assert f.confidences == [c.confidence for c in claims]
    assert f.listed == _listed_reference(claims)


@pytest.mark.parametrize(("a", "b"), [("one", "mixed"), ("mixed", "non-ascii ids"), ("all tentative", "many")])
@pytest.mark.parametrize("kind", ["contradiction", "superseded", "proposal_vs_final"])
def test_conflict_id_and_description_match_plain_lists(a: str, b: str, kind: str) -> None:
    left, right = LISTS[a], LISTS[b]
    shared = conflicts.Conflict(kind, "Acme 公司", "valuation", "USD", left, right, b_figures=Figures(right))
    plain = conflicts.Conflict(kind, "Acme 公司", "valuation", "USD", left, right)
    key = json.dumps([kind, "Acme 公司", "valuation", "USD", sorted(c.id for c in left), sorted(c.id for c in right)])
    assert shared.id == plain.id == hashlib.sha256(key.encode()).hexdigest()[:16]
    side_a, side_b = conflicts.Side(left), conflicts.Side(right)
    described = conflicts._describe(shared, side_a, side_b)
    claims = left + right
    assert described.confidence == round(sum(c.confidence for c in claims) / len(claims), 2)
    if kind == "proposal_vs_final":
        tentative = labels([c for c in claims if c.tentative])
        final = labels([c for c in claims if not c.tentative])
        assert f"as {tentative} but stated as {final}." in described.summary


def _listed_reference(claims: list[Claim], limit: int = conflicts.LISTED_PER_SIDE) -> list[Claim]:
    """`_listed` as first written: one pass over the claims per kind of pick."""
    if len(claims) <= limit:
        return claims
    chosen: dict[int, None] = {0: None}
    for pick in (lambda c: c.label, lambda c: c.source, lambda c: c.id):
        seen = {pick(claims[i]) for i in chosen}
        for i, c in enumerate(claims):
            if len(chosen) >= limit:
                break
            if pick(c) not in seen:
                seen.add(pick(c))
                chosen[i] = None
    return [claims[i] for i in sorted(chosen)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 6), st.integers(0, 3)), min_size=1, max_size=40),
       st.integers(1, 12))
def test_listed_matches_reference(spec: list[tuple[int, int, int]], limit: int) -> None:
    claims = [claim(i, 1e9 * (1 + v), source=f"s{s}", cid=f"c{i:02d}-{d}") for i, (v, s, d) in enumerate(spec)]
    assert conflicts._listed(claims, limit) == _listed_reference(claims, limit)


def _found(metric: str, claims: list[Claim], *, arrays: bool, classes: bool = True) -> list[tuple]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(conflicts, "ARRAY_PAIRS", 0 if arrays else 10**9)
        if not classes:  # every column its own class
            mp.setattr(conflicts, "_column_classes", lambda a, b, *_: (np.arange(len(b.low)), np.arange(len(b.low))))
        sides = conflicts.sides_of(claims)
        return [(c.kind, [x.id for x in c.a], [x.id for x in c.b], c.summary, c.severity, c.confidence)
                for c in conflicts.compare(sides, "Acme", metric, "USD")]


# Best-supported sides whose claims differ only where one dissenting claim can tell them
# apart (a shared source, a shared sentence, a date between or equal to theirs): each
# such claim must be compared on its own.
CENTER = [claim(i, 3e11, source=f"s{i}", published=f"2025-0{1 + i % 5}-01", sentence=f"t{i}") for i in range(10)]
CASES = {
    "shared source, other language": ("valuation", CENTER + [claim(20, 1e11, source="s3", lang="zh")]),
    "shared sentence": ("valuation", CENTER + [claim(20, 1e11, source="x", sentence="t4")]),
    "dates between, running total": ("investment_total", [
        claim(i, 3e11, source=f"s{i}", published=f"2025-0{1 + i % 5}-01", metric="investment_total") for i in range(10)
    ] + [claim(20, 1e11, source="x", published="2025-03-01", metric="investment_total"),
         claim(21, 1e11, source="y", published="2025-02-15", metric="investment_total")]),
    "same date, changeable term": ("valuation", CENTER + [claim(20, 1e11, source="x", published="2025-02-01")]),
    "explicit periods": ("investment", [claim(i, 3e11, source=f"s{i}", period=f"202{i % 3}", basis="explicit",
                                              metric="investment") for i in range(8)]
                         + [claim(20, 1e11, period="2021", basis="explicit", metric="investment")]),
    "low confidence and proposals": ("valuation", CENTER + [claim(20, 1e11, confidence=0.3),
                                                          claim(21, 1e11, modality="proposed", source="s2")]),
}


@pytest.mark.parametrize("name", CASES)
def test_column_classes_compare_like_each_claim(name: str) -> None:
    metric, claims = CASES[name]
    pairs = _found(metric, claims, arrays=False)
    assert pairs
    assert _found(metric, claims, arrays=True) == pairs
    assert _found(metric, claims, arrays=True, classes=False) == pairs


def test_group_claims_come_in_stored_order(tmp_path: Path) -> None:
    """The claims query reads in index order; a group's claims are put back in rowid order."""
    db = store.open_db(tmp_path / "order.db")
    db.table("articles").insert({"id": "a", "path": "a.txt", "text": "…", "published": "2025-01-01", "lang": "en"})
    values = [5e9, 1e9, 3e9, 2e9, 4e9]
    db.table("claims").insert_all([
        {"id": f"z{9 - n}", "article_id": "a", "start": n, "end": n + 1, "text": "x", "kind": "money",
         "value": v, "unit": "USD", "qualifier": "exact", "vague": 0, "lang": "en", "subject": "Acme",
         "metric": "valuation", "modality": "asserted", "confidence": 0.9} for n, v in enumerate(values)])
    db.conn.create_function("_conflict_fingerprint", 2, lambda n, ids: f"{n}:{ids}", deterministic=True)
    db.execute("create temp table _conflict_dirty as select 'Acme' as subject, 'valuation' as metric, "
               "'USD' as unit, 'f' as fingerprint")
    db.execute("create temp table _conflict_sources as select id, id as source, published, outlet from articles")
    [(key, _, found)] = list(conflicts._dirty_groups(db))
    assert key == ("Acme", "valuation", "USD")
    assert [c.value for c in found] == values


@pytest.mark.parametrize("values", [[], ["a"], ["c001", "声明", 'q"uote', "back\\slash", "tab\there", "\x00", "é"]])
def test_json_shortcuts_write_what_json_dumps_writes(values: list[str]) -> None:
    assert conflicts._json_strings(values) == json.dumps(values)
    assert conflicts._json_prefix("Acme 公司", "valuation", None) + '"x"]' == json.dumps(["Acme 公司", "valuation", None, "x"])
