"""A story retold by many outlets: conflicts list a bounded sample of the reference side,
and detection only redoes groups whose claims changed."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from extractor import conflicts, store

OUTLETS = 40


def _story(path: Path) -> sqlite_utils.Database:
    """40 outlets put Acme's valuation at $300 billion; three dissent, one of them twice."""
    db = store.open_db(path)
    values = {0: 2.5e11, 1: 3.6e11, 2: 3.6e11, 3: 1.5e11}
    for n in range(OUTLETS):
        aid = f"a{n:03d}"
        db.table("articles").insert({"id": aid, "path": f"{aid}.txt", "outlet": f"Outlet {n}", "text": "…",
                                     "published": "2025-03-01", "lang": "en"})
        db.table("claims").insert({
            "id": f"c{n:03d}", "article_id": aid, "start": 0, "end": 1, "text": f"${values.get(n, 3e11) / 1e9:g} billion", "kind": "money",
            "value": values.get(n, 3e11), "unit": "USD", "qualifier": "exact", "vague": 0, "lang": "en",
            "subject": "Acme", "metric": "valuation", "modality": "asserted", "confidence": 0.9,
        })
    return db


def test_reference_side_listed_up_to_a_limit(tmp_path: Path) -> None:
    db = _story(tmp_path / "story.db")
    assert conflicts.detect(db) == 1
    found = list(db.query("select * from conflicts order by id"))
    assert len(found) == 3  # one per dissenting figure
    for c in found:
        sides = {r["side"]: r["n"] for r in db.query(
            "select side, count(*) as n from conflict_claims where conflict_id = ? group by side", [c["id"]])}
        assert sides["b"] == conflicts.LISTED_PER_SIDE
        assert f"{OUTLETS - 4:,} claims give 300 billion USD; {conflicts.LISTED_PER_SIDE} of them are listed." in c["summary"]
        assert c["best_value"] == 3e11
        assert c["sources"] == OUTLETS - 4 + sides["a"]
    # The dissenting side is listed whole.
    assert {r["claim_id"] for r in db.query("select claim_id from conflict_claims where side = 'a'")} == {
        "c000", "c001", "c002", "c003"}


def test_listing_keeps_first_claim_and_every_figure() -> None:
    def claim(i: int, value: float, source: str) -> conflicts.Claim:
        return conflicts.Claim(
            id=f"c{i:02d}", article_id=source, sentence_id=None, source=source, published="2025-01-01", lang="en",
            subject="Acme", object=None, metric="valuation", unit="USD", kind="money", value=value, value_max=None,
            date=None, qualifier="about", vague=False, period=None, period_basis=None, modality="asserted",
            confidence=1.0, text="", outlet=None)

    side = [claim(i, 3e11, f"s{i % 3}") for i in range(20)] + [claim(20, 3.1e11, "s0"), claim(21, 2.9e11, "s9")]
    listed = conflicts._listed(side, 5)
    assert [c.id for c in listed] == ["c00", "c01", "c02", "c20", "c21"]
    assert conflicts._listed(side[:5], 5) == side[:5]


def test_only_changed_groups_are_redone(tmp_path: Path) -> None:
    db = _story(tmp_path / "story.db")
    db.table("claims").insert_all([
        {"id": f"o{n}", "article_id": f"a{n:03d}", "start": 0, "end": 1, "text": "o", "kind": "money",
         "value": 1e9 * (n + 1), "unit": "USD", "qualifier": "exact", "vague": 0, "lang": "en",
         "subject": "Other", "metric": "valuation", "modality": "asserted", "confidence": 0.9} for n in range(2)])
    assert conflicts.detect(db) == 2
    before = {t: list(db.query(f"select * from {t} order by 1, 2")) for t in ("conflicts", "conflict_claims")}
    assert conflicts.detect(db) == 0
    db.execute("update claims set value = 5e9 where id = 'o1'")
    assert conflicts.detect(db) == 1
    db.execute("update claims set subject = 'Elsewhere' where id = 'o1'")
    assert conflicts.detect(db) == 0  # a single claim is no group: its rows go
    assert db.execute("select count(*) from conflicts where subject = 'Other'").fetchone()[0] == 0
    assert db.execute("select count(*) from conflict_groups where subject = 'Other'").fetchone()[0] == 0
    db.execute("update claims set subject = 'Other', value = 2e9 where id = 'o1'")
    assert conflicts.detect(db) == 1
    assert conflicts.detect(db, full=True) == 2
    assert {t: list(db.query(f"select * from {t} order by 1, 2")) for t in ("conflicts", "conflict_claims")} == before
