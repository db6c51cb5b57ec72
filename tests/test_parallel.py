"""`ingest --jobs N`: several processes give the same database as one."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from extractor import parallel, pipeline, store

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
# Columns that say when, not what.
VOLATILE = {"ingested_at"}


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    shutil.copytree(CORPUS, folder)
    first = sorted(folder.glob("*.txt"))[0]
    shutil.copy(first, folder / "zz_copy_of_first.txt")  # the same text twice: seen once
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")  # skipped
    (folder / "short.md").write_text(
        "---\noutlet: Test Wire\npublished: 2025-10-29\n---\n"
        "Microsoft holds a stake of about 27% in OpenAI Group PBC, valued at $135 billion.\n"
        "微软持有 OpenAI 约 27% 的股份，价值约 1350 亿美元。\n",
        encoding="utf-8",
    )
    return folder


def _tables(db: sqlite_utils.Database) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for name in ("articles", "sentences", "claims", "sentences_fts"):
        rows = db.execute(f"select rowid, * from [{name}] order by rowid").fetchall()
        cols = [d[0] for d in db.execute(f"select rowid, * from [{name}] limit 0").description]
        out[name] = [{k: v for k, v in zip(cols, r, strict=True) if k not in VOLATILE} for r in rows]
    return out


def _single(folder: Path, path: Path) -> tuple[pipeline.Summary, dict[str, list[dict[str, Any]]]]:
    db = store.open_db(path)
    summary = pipeline.ingest([str(folder)], db)
    return summary, _tables(db)


@pytest.mark.parametrize(("jobs", "batch_size"), [(2, 2), (2, 32), (1, 3)])
def test_jobs_give_the_single_process_database(tmp_path: Path, jobs: int, batch_size: int) -> None:
    folder = _folder(tmp_path)
    want_summary, want = _single(folder, tmp_path / "single.db")
    db = store.open_db(tmp_path / "parallel.db")
    skipped: list[str] = []
    seen: list[int] = []
    summary = parallel.ingest_parallel([str(folder)], db, jobs=jobs, on_skip=skipped.append,
                                       progress=seen.append, batch_size=batch_size)
    assert (summary.new, summary.seen, summary.claims) == (want_summary.new, want_summary.seen, want_summary.claims)
    assert summary.skipped == want_summary.skipped == skipped
    assert summary.warnings == want_summary.warnings
    assert sum(seen) == len(list(folder.iterdir())) - 1  # every file but sources.yaml
    got = _tables(db)
    for name in want:
        assert got[name] == want[name], name
    assert summary.new == 6 and summary.seen == 1 and len(summary.skipped) == 1


def test_ingesting_again_adds_nothing(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    db = store.open_db(tmp_path / "claims.db")
    first = parallel.ingest_parallel([str(folder)], db, jobs=2, batch_size=2)
    before = _tables(db)
    again = parallel.ingest_parallel([str(folder)], db, jobs=2, batch_size=2)
    assert again.new == 0 and again.claims == 0 and again.seen == first.new + first.seen
    assert _tables(db) == before


def test_memory_database_works_in_process_and_in_workers() -> None:
    for jobs in (1, 2):
        db = sqlite_utils.Database(memory=True)
        store.init_schema(db)
        summary = parallel.ingest_parallel([str(CORPUS)], db, jobs=jobs)
        assert summary.new == 5 and db.table("claims").count == summary.claims > 0
