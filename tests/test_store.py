"""Bulk loading: a large ingest drops the secondary indexes and full-text triggers and
builds them once at the end; the database is the one row-by-row writing makes, and a
load that dies midway is finished by the next open_db."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from extractor import parallel, pipeline, store

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEARCHES = ("微软", "OpenAI", "27", "股份", "stake", "亿美元")


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    shutil.copytree(CORPUS, folder)
    first = sorted(folder.glob("*.txt"))[0]
    shutil.copy(first, folder / "zz_copy_of_first.txt")  # seen once
    repost = first.read_text(encoding="utf-8") + "\n（转载自每日经济新闻）\n"
    (folder / "zz_repost.txt").write_text(repost, encoding="utf-8")  # duplicate_of
    (folder / "short.md").write_text(
        "---\noutlet: Test Wire\npublished: 2025-10-29\n---\n"
        "Microsoft holds a stake of about 27% in OpenAI Group PBC, valued at $135 billion.\n"
        "微软持有 OpenAI 约 27% 的股份，价值约 1350 亿美元。\n",
        encoding="utf-8",
    )
    return folder


def _schema(db: sqlite_utils.Database) -> dict[str, Any]:
    """What a user or the query planner can tell apart: every object's SQL, and each
    table's indexes in the order SQLite considers them."""
    out: dict[str, Any] = {"objects": sorted(db.execute(
        "select type, name, tbl_name, sql from sqlite_master where name != ?", [store.BULK_MARKER]).fetchall())}
    for table in ("articles", "sentences", "claims", "article_bands"):
        out[f"indexes {table}"] = db.execute(f"select name, [unique] from pragma_index_list('{table}')").fetchall()
    return out


def _contents(db: sqlite_utils.Database) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for table in ("articles", "sentences", "claims", "article_bands"):
        cols = [c.name for c in db.table(table).columns if c.name != "ingested_at"]
        out[table] = db.execute(f"select rowid, {', '.join(f'[{c}]' for c in cols)} from [{table}] order by rowid").fetchall()
    for words in SEARCHES:
        out[f"search {words}"] = db.execute(
            "select rowid, round(rank, 9) from sentences_fts where sentences_fts match ? order by rank, rowid",
            [f'"{words}"']).fetchall()
    assert db.execute("select count(*) from articles where duplicate_of is not null").fetchone()[0] == 1
    assert any(out[f"search {w}"] for w in SEARCHES)
    db.execute("insert into sentences_fts (sentences_fts, rank) values ('integrity-check', 1)")
    return out


def _ingest(folder: Path, path: Path, jobs: int = 1, **kwargs: Any) -> sqlite_utils.Database:
    db = store.open_db(path)
    if jobs > 1:
        parallel.ingest_parallel([str(folder)], db, jobs=jobs, batch_size=2, **kwargs)
    else:
        pipeline.ingest([str(folder)], db, **kwargs)
    return db


@pytest.mark.parametrize(("bulk_min_files", "jobs"), [(1, 1), (1, 2), (10**9, 2)])
def test_a_bulk_load_gives_the_row_by_row_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk_min_files: int, jobs: int
) -> None:
    folder = _folder(tmp_path)
    monkeypatch.setattr(store, "BULK_MIN_FILES", 10**9)
    want = _ingest(folder, tmp_path / "rows.db")
    monkeypatch.setattr(store, "BULK_MIN_FILES", bulk_min_files)
    started: list[bool] = []
    real_start = store.start_bulk_load
    monkeypatch.setattr(store, "start_bulk_load", lambda db: started.append(True) or real_start(db))
    got = _ingest(folder, tmp_path / "bulk.db", jobs)
    assert started == ([True] if bulk_min_files == 1 else [])
    assert not got.table(store.BULK_MARKER).exists()
    assert _schema(got) == _schema(want)
    assert _contents(got) == _contents(want)


@pytest.mark.parametrize(
    ("files", "stored", "bulk"),
    [
        (63, 0, False),  # too few to be worth rebuilding the indexes
        (64, 0, True),
        (5000, 4999, True),
        (5000, 5000, False),  # as many stored as coming: keep them up to date row by row
        (100, 10**4, False),
    ],
)
def test_bulk_load_wanted(tmp_path: Path, files: int, stored: int, bulk: bool) -> None:
    db = store.open_db(tmp_path / "w.db")
    db.conn.executemany("insert into articles (id, text) values (?, '')", [(f"a{i}",) for i in range(stored)])
    assert store.bulk_load_wanted(db, files) is bulk


def test_unique_indexes_and_other_triggers_stay(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "u.db")
    db.execute("create unique index claims_unique_text on claims (article_id, text, id)")
    db.execute("create trigger claims_note after insert on claims begin select 1; end")
    before = _schema(db)
    store.start_bulk_load(db)
    names = {r[0] for r in db.execute("select name from sqlite_master")}
    assert {"claims_unique_text", "claims_note", "sqlite_autoindex_claims_1"} <= names
    assert "idx_claims_metric" in names  # its table has a unique index: all of them stay
    assert not names & {"idx_articles_outlet", "idx_sentences_article_id_start", "sentences_ai", "sentences_au"}
    store.start_bulk_load(db)  # already loading: nothing more
    store.finish_bulk_load(db)
    assert _schema(db) == before
    store.finish_bulk_load(db)  # nothing to finish
    assert _schema(db) == before


def test_an_interrupted_bulk_load_rebuilds_before_it_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path)
    monkeypatch.setattr(store, "BULK_MIN_FILES", 1)
    monkeypatch.setattr(pipeline, "COMMIT_EVERY", 1)
    fresh = _schema(store.open_db(tmp_path / "fresh.db"))
    db = store.open_db(tmp_path / "i.db")
    done: list[int] = []

    def progress(n: int) -> None:
        done.append(n)
        if len(done) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pipeline.ingest([str(folder)], db, progress=progress)
    assert _schema(db) == fresh
    assert db.execute("select count(*) from articles").fetchone()[0] == 3
    fts = db.execute("select count(*) from sentences_fts where sentences_fts match 'OpenAI'").fetchone()[0]
    assert fts == db.execute("select count(*) from sentences where words like '%OpenAI%'").fetchone()[0] > 0


# Run in a child process: ingest in bulk, committing every article, and die by SIGKILL
# after the third, with the indexes dropped and no chance to rebuild them.
_KILLED = """
import os, signal, sys
from extractor import pipeline, store
store.BULK_MIN_FILES = 1
pipeline.COMMIT_EVERY = 1
done = []
def progress(n):
    done.append(n)
    if len(done) == 3:
        os.kill(os.getpid(), signal.SIGKILL)
pipeline.ingest([sys.argv[1]], store.open_db(sys.argv[2]), progress=progress)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_bulk_load_killed_midway_is_finished_by_the_next_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path)
    path = tmp_path / "k.db"
    child = subprocess.run([sys.executable, "-c", _KILLED, str(folder), str(path)], cwd=ROOT, capture_output=True)
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()

    conn = sqlite3.connect(path)  # what the kill left: three whole articles, no indexes, a marker
    assert conn.execute("select count(*) from articles").fetchone()[0] == 3
    names = {r[0] for r in conn.execute("select name from sqlite_master")}
    assert store.BULK_MARKER in names and "idx_claims_metric" not in names and "sentences_ai" not in names
    assert conn.execute("select count(*) from sentences_fts where sentences_fts match 'OpenAI'").fetchone()[0] == 0
    conn.close()

    assert Path(f"{path}-bulk").exists()  # its lock file, no longer locked by anyone
    db = store.open_db(path)
    assert not Path(f"{path}-bulk").exists()
    assert _schema(db) == _schema(store.open_db(tmp_path / "fresh.db"))
    assert db.execute("select count(*) from sentences_fts where sentences_fts match 'OpenAI'").fetchone()[0] > 0
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    db.execute("insert into sentences_fts (sentences_fts, rank) values ('integrity-check', 1)")

    # And ingesting again gives the database of one uninterrupted run.
    monkeypatch.setattr(store, "BULK_MIN_FILES", 1)
    pipeline.ingest([str(folder)], db)
    want = _ingest(folder, tmp_path / "clean.db")
    assert _schema(db) == _schema(want)
    assert _contents(db) == _contents(want)


def test_a_load_under_way_in_another_connection_is_left_to_finish_itself(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    db = store.open_db(path)
    fresh = _schema(db)
    with store.bulk_load(db, store.BULK_MIN_FILES) as bulk:
        assert bulk and (tmp_path / "l.db-bulk").exists()
        other = store.open_db(path)  # as `claims report` would, while the ingest runs
        assert other.table(store.BULK_MARKER).exists()
        assert "idx_claims_confidence" not in {r[0] for r in other.execute("select name from sqlite_master")}
        with store.bulk_load(other, 10**6) as other_bulk:  # a second large ingest
            assert not other_bulk
    assert _schema(db) == _schema(other) == fresh
    assert not (tmp_path / "l.db-bulk").exists()


def test_analyze_statistics_come_back_with_their_indexes(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "a.db")
    db.conn.executemany("insert into articles (id, text, outlet) values (?, '', ?)", [(f"a{i}", f"o{i % 7}") for i in range(50)])
    db.conn.commit()
    db.execute("analyze")
    stats = sorted(db.execute("select tbl, idx, stat from sqlite_stat1").fetchall())
    assert ("articles", "idx_articles_outlet", "50 8") in stats
    store.start_bulk_load(db)
    assert not db.execute("select 1 from sqlite_stat1 where idx = 'idx_articles_outlet'").fetchall()
    store.finish_bulk_load(db)
    assert sorted(db.execute("select tbl, idx, stat from sqlite_stat1").fetchall()) == stats
