"""`ingest --jobs N`: several processes give the same database as one."""

from __future__ import annotations

import shutil
import sqlite3
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
    repost = first.read_text(encoding="utf-8").replace("每经记者", "本报记者", 1) + "\n（转载自每日经济新闻）\n"
    (folder / "zz_repost.txt").write_text(repost, encoding="utf-8")  # a near copy: duplicate_of
    (folder / "short.md").write_text(
        "---\noutlet: Test Wire\npublished: 2025-10-29\n---\n"
        "Microsoft holds a stake of about 27% in OpenAI Group PBC, valued at $135 billion.\n"
        "微软持有 OpenAI 约 27% 的股份，价值约 1350 亿美元。\n",
        encoding="utf-8",
    )
    return folder


def _tables(db: sqlite_utils.Database) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for name in db.table_names():
        if name.endswith(("_fts_data", "_fts_idx")):
            continue  # FTS5's segment layout follows transaction boundaries; what it finds is below
        try:
            cursor = db.execute(f"select rowid, * from [{name}] order by rowid")
        except sqlite3.OperationalError:  # a WITHOUT ROWID table (FTS keeps some)
            cursor = db.execute(f"select * from [{name}] order by 1, 2")
        cols = [d[0] for d in cursor.description]
        out[name] = [{k: v for k, v in zip(cols, r, strict=True) if k not in VOLATILE} for r in cursor.fetchall()]
    for words in ("微软", "OpenAI", "27", "股份", "stake"):
        out[f"search {words}"] = [dict(r) for r in db.query(
            "select rowid, words from sentences_fts where sentences_fts match ? order by rowid", [f'"{words}"'])]
    assert any(out[f"search {w}"] for w in ("微软", "OpenAI"))
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
    assert (summary.new, summary.seen, summary.claims, summary.duplicates) == (
        want_summary.new, want_summary.seen, want_summary.claims, want_summary.duplicates)
    assert summary.skipped == want_summary.skipped == skipped
    assert summary.warnings == want_summary.warnings
    assert sum(seen) == len(list(folder.iterdir())) - 1  # every file but sources.yaml
    got = _tables(db)
    for name in want:
        assert got[name] == want[name], name
    assert summary.new == 7 and summary.seen == 1 and summary.duplicates == 1 and len(summary.skipped) == 1


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


def test_a_failing_article_is_skipped_in_a_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path)
    real = pipeline.process

    def fragile(article: Any, **options: Any) -> pipeline.Rows:
        if "Test Wire" in str(article.meta.get("outlet")):
            raise ValueError("boom")
        return real(article, **options)

    monkeypatch.setattr(pipeline, "process", fragile)  # forked workers inherit it
    db = store.open_db(tmp_path / "claims.db")
    summary = parallel.ingest_parallel([str(folder)], db, jobs=2, batch_size=2)
    assert any("unexpected ValueError: boom" in s for s in summary.skipped)
    assert summary.new == 6
