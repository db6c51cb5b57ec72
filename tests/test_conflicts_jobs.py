"""Detection in several processes, and a full run's index rebuild, write what one process
writes, leaving the schema and its planner statistics as they were."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import sqlite_utils

from extractor import conflicts, store

TABLES = ("conflicts", "conflict_claims", "corroborations", "conflict_groups")


def _many_groups(path: Path) -> sqlite_utils.Database:
    """30 companies' valuations and stakes, told by 12 outlets that often disagree."""
    rng = random.Random(7)
    db = store.open_db(path)
    db.table("articles").insert_all([
        {"id": f"a{n:02d}", "path": f"a{n:02d}.txt", "outlet": f"Outlet {n}", "text": "…", "lang": "en",
         "published": f"2025-0{1 + n % 9}-01", "duplicate_of": "a00" if n == 11 else None} for n in range(12)])
    claims = []
    for company in range(30):
        for n in range(rng.randint(1, 25)):
            metric, unit, base = rng.choice([("valuation", "USD", 3e11), ("stake", "percent", 35.0)])
            claims.append({
                "id": f"c{company:02d}-{n:02d}", "article_id": f"a{rng.randrange(12):02d}", "start": n, "end": n + 1,
                "text": "x", "kind": "money" if unit == "USD" else "percent",
                "value": base * rng.choice([1, 1, 1, 1.2, 0.5, 10]), "unit": unit,
                "qualifier": rng.choice(["exact", "exact", "about", "more_than"]), "vague": 0,
                "lang": rng.choice(["en", "zh"]), "subject": f"Company {company}", "metric": metric,
                "modality": rng.choice(["asserted", "asserted", "proposed"]),
                "confidence": rng.choice([0.3, 0.8, 0.9]),
            })
    db.table("claims").insert_all(claims)
    return db


def _tables(db: sqlite_utils.Database) -> dict[str, list[tuple]]:
    return {t: db.execute(f"select * from [{t}] order by rowid").fetchall() for t in TABLES}


@pytest.mark.parametrize("full", [True, False])
def test_jobs_write_what_one_process_writes(tmp_path: Path, full: bool) -> None:
    one, two = _many_groups(tmp_path / "one.db"), _many_groups(tmp_path / "two.db")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(conflicts, "CHUNK_CLAIMS", 7)  # many runs of a few groups each
        assert conflicts.detect(two, full=full, jobs=2) == conflicts.detect(one, full=full) > 20
    assert _tables(two) == _tables(one)
    assert sum(map(len, _tables(one).values())) > 100


def test_jobs_fall_back_inside_the_callers_transaction(tmp_path: Path) -> None:
    """Workers could not see claims the caller has not committed: one process does it all."""
    found = []
    for name, jobs in (("two.db", 2), ("one.db", 1)):
        db = _many_groups(tmp_path / name)
        conflicts.detect(db)
        db.execute("begin")
        db.execute("update claims set value = value * 3 where subject = 'Company 3'")
        assert conflicts.detect(db, jobs=jobs) == 2  # its valuation and its stake
        db.conn.commit()
        found.append(_tables(db))
    assert found[0] == found[1]


def test_full_run_keeps_indexes_and_their_statistics(tmp_path: Path) -> None:
    db = _many_groups(tmp_path / "claims.db")
    conflicts.detect(db)
    db.execute("analyze")
    db.conn.commit()

    def schema() -> tuple[list[tuple], list[tuple]]:
        return (db.execute("select type, name, tbl_name, sql from sqlite_master order by name").fetchall(),
                db.execute("select tbl, idx, stat from sqlite_stat1 order by tbl, idx").fetchall())

    before, rows = schema(), _tables(db)
    assert any(idx == "idx_conflict_claims_claim_id" for _, idx, _ in before[1])
    conflicts.detect(db, full=True)
    assert schema() == before
    assert _tables(db) == rows
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_full_run_writes_what_the_temporary_tables_publish(tmp_path: Path) -> None:
    """A full run in one process writes straight into the emptied tables; an incremental
    run from nothing goes through temporary tables. The rows are the same, in order."""
    direct, staged = _many_groups(tmp_path / "direct.db"), _many_groups(tmp_path / "staged.db")
    assert conflicts.detect(direct, full=True) == conflicts.detect(staged) > 20
    assert _tables(direct) == _tables(staged)
    assert not direct.conn.in_transaction


def test_full_run_that_fails_keeps_the_old_rows(tmp_path: Path) -> None:
    db = _many_groups(tmp_path / "claims.db")
    conflicts.detect(db)
    before = _tables(db)
    db.execute("update claims set value = value * 3 where subject = 'Company 3'")
    db.conn.commit()
    calls = []

    def failing(*args: object) -> None:
        calls.append(args)
        if len(calls) == 5:
            raise RuntimeError("disk full")
        real(*args)  # type: ignore[arg-type]

    real = conflicts._recompute
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(conflicts, "_recompute", failing)
        with pytest.raises(RuntimeError):
            conflicts.detect(db, full=True)
    assert not db.conn.in_transaction
    assert _tables(db) == before
    assert db.execute("select count(*) from sqlite_master where name = 'idx_conflict_claims_claim_id'").fetchone()[0] == 1
    conflicts.detect(db, full=True)
    assert _tables(db) != before
