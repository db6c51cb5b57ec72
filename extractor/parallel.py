"""Ingest with several processes: workers read and process articles, the parent writes.

Workers return rows; the parent writes them in file order, a batch of articles per
transaction, so the database (ids, rowids, counts, the summary) is the same as after a
single-process `pipeline.ingest`. At most `2 * jobs` batches are in flight, so memory
grows with the batch size, not with the corpus.

    from extractor import parallel, store
    summary = parallel.ingest_parallel(["corpus/"], store.open_db("claims.db"), jobs=2)
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import sqlite_utils

from extractor import store
from extractor.errors import ClaimsError
from extractor.ingest import find_files, read_article
from extractor.pipeline import Rows, Summary, process

BATCH_SIZE = 32


@dataclass
class Outcome:
    """What a worker made of one file."""

    path: str
    skipped: str | None = None
    warnings: list[str] = field(default_factory=list)
    article_id: str | None = None
    rows: Rows | None = None  # None when the article was already in the database


def work(
    path: str,
    overrides: dict[str, Any] | None,
    db_path: str | None,
    known: Callable[[str], bool] | None = None,
) -> Outcome:
    """Read and process one file; skip the processing when the database (or `known`)
    already has the article."""
    try:
        article = read_article(path, overrides)
    except ClaimsError as exc:
        return Outcome(path, skipped=str(exc.args[0]))
    outcome = Outcome(path, warnings=list(article.warnings), article_id=article.id)
    if known is not None and known(article.id):
        return outcome
    if db_path is None or not _already_stored(db_path, article.id):
        outcome.rows = process(article)
    return outcome


def _warm_up() -> None:
    from extractor import attribute, quantities, segment

    segment.words_many(["微软投资。", "Microsoft invested."], ["zh", "en"])
    quantities.extract("130 亿美元")
    attribute.lexicon()


def _work_batch(batch: list[tuple[str, dict[str, Any] | None]], db_path: str | None) -> list[Outcome]:
    return [work(path, overrides, db_path) for path, overrides in batch]


def _already_stored(db_path: str, article_id: str) -> bool:
    try:
        return bool(_reader(db_path).execute("select 1 from articles where id = ?", [article_id]).fetchone())
    except sqlite3.Error:
        return False


@cache
def _reader(db_path: str) -> sqlite3.Connection:
    # One read-only connection per worker process; WAL lets it read while the parent writes.
    return sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)


def _db_path(db: sqlite_utils.Database) -> str | None:
    row = db.execute("select file from pragma_database_list where name = 'main'").fetchone()
    return row[0] if row and row[0] else None


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def ingest_parallel(
    paths: Iterable[str],
    db: sqlite_utils.Database,
    jobs: int = 2,
    overrides: dict[str, Any] | None = None,
    on_skip: Callable[[str], None] | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> Summary:
    """Ingest files and folders into `db` with `jobs` worker processes (1: in this
    process); the result is the same as `pipeline.ingest`. Each batch of articles
    commits on its own."""
    summary = Summary()

    def skip(msg: str) -> None:
        summary.skipped.append(msg)
        if on_skip:
            on_skip(msg)

    files = list(find_files(paths, skip))
    given = overrides if len(files) == 1 else None
    if "-" in files:
        jobs = 1  # standard input belongs to this process
    db_path = _db_path(db)
    written: set[str] = set()

    def write(outcomes: list[Outcome], in_process: bool = False) -> None:
        new: list[Rows] = []
        for o in outcomes:
            if o.skipped is not None:
                skip(o.skipped)
                continue
            summary.warnings += [f"{o.path}: {w}" for w in o.warnings]
            assert o.article_id is not None
            if o.rows is None or (not in_process and (o.article_id in written or store.article_exists(db, o.article_id))):
                summary.seen += 1
            else:
                written.add(o.article_id)
                new.append(o.rows)
                summary.new += 1
                summary.claims += len(o.rows.claims)
        write_batch(db, new)
        if progress:
            progress(len(outcomes))

    if jobs <= 1:
        for batch in _batches(files, batch_size):
            outcomes = []
            for path in batch:
                o = work(path, given, None, known=lambda aid: aid in written or store.article_exists(db, aid))
                outcomes.append(o)
                if o.rows is not None and o.article_id is not None:
                    written.add(o.article_id)  # a second copy later in this batch is seen
            write(outcomes, in_process=True)
        return summary

    _warm_up()  # load jieba, spaCy and the rules once; forked workers share them

    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ctx.Pool(jobs) as pool:
        pending: deque[Any] = deque()
        for batch in _batches(files, batch_size):
            if len(pending) >= 2 * jobs:
                write(pending.popleft().get())
            pending.append(pool.apply_async(_work_batch, ([(p, given) for p in batch], db_path)))
        while pending:
            write(pending.popleft().get())
    return summary


def write_batch(db: sqlite_utils.Database, batch: list[Rows]) -> None:
    """Write several articles with their sentences and claims in one transaction, table
    by table, in article order."""
    if not batch:
        return
    with db.atomic():
        db.table("articles").upsert_all((r.article for r in batch), pk="id")
        db.table("sentences").upsert_all((s for r in batch for s in r.sentences), pk="id")
        db.table("claims").upsert_all((c for r in batch for c in r.claims), pk="id")


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
