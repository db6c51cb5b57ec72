"""Ingest with several processes: workers read and process articles, the parent writes.

Workers read each file, extract and attribute its claims and compute its repost
signature (the costly, independent work); the parent takes their rows in file order,
looks for an earlier copy of each article and writes it, a batch of articles per
transaction. So the database (ids, rowids, duplicate_of, counts, the summary) is the one
a single-process `pipeline.ingest` makes, bulk loading (store.bulk_load) included. At
most `2 * jobs` batches are in flight: memory grows with the batch size, not with the
corpus.

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

from extractor import duplicates, pipeline, store
from extractor.errors import ClaimsError, DatabaseError
from extractor.ingest import find_files, preload_manifests, printable, read_article

BATCH_SIZE = 16


@dataclass
class Outcome:
    """What a worker made of one file."""

    path: str
    skipped: str | None = None
    warnings: list[str] = field(default_factory=list)
    article_id: str | None = None
    rows: pipeline.Rows | None = None  # None when the database already had the article
    meta: dict[str, Any] = field(default_factory=dict)  # its metadata, to update a stored one
    bands: list[int] = field(default_factory=list)
    shape: duplicates.Shape | None = None  # the writer compares it with earlier articles


def work(path: str, overrides: dict[str, Any] | None, db_path: str | None,
         time_limit: float | None = pipeline.TIME_LIMIT, index_all: bool = False,
         stored: frozenset[str] = frozenset()) -> Outcome:
    """Read and process one file as pipeline.ingest does, without writing anything.
    An article in `stored`, or in the database at `db_path`, is read but not processed."""
    outcome = Outcome(path)
    try:
        with pipeline.deadline(time_limit, path):
            article = read_article(path, overrides)
            outcome.warnings = [f"{article.path}: {w}" for w in article.warnings]
            outcome.article_id = article.id
            outcome.meta = article.meta
            if article.id not in stored and (db_path is None or not _already_stored(db_path, article.id)):
                outcome.rows = pipeline.process(article, index_all=index_all)
                outcome.bands = duplicates.signature(article.text)
                outcome.shape = duplicates.shape(article.text)
    except ClaimsError as exc:
        outcome.skipped = str(exc.args[0])
    except Exception as exc:
        outcome.skipped = f"{path}: unexpected {type(exc).__name__}: {pipeline._one_line(exc)} (a bug; please report it)"
    return outcome


def work_batch(batch: list[str], overrides: dict[str, Any] | None, db_path: str | None,
               time_limit: float | None, index_all: bool, stored: frozenset[str] = frozenset()) -> list[Outcome]:
    """`work` on each file of a batch, in order: what one task of a worker does."""
    return [work(path, overrides, db_path, time_limit, index_all, stored) for path in batch]


def _already_stored(db_path: str, article_id: str) -> bool:
    try:
        return bool(_reader(db_path).execute("select 1 from articles where id = ?", [article_id]).fetchone())
    except sqlite3.Error:
        return False  # the parent checks again before it writes


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


def _warm_up() -> None:
    """Load jieba, spaCy and the rules once, so that forked workers share them."""
    from extractor import attribute, quantities, segment

    segment.words_many(["微软投资。", "Microsoft invested."], ["zh", "en"])
    quantities.extract("130 亿美元")
    attribute.lexicon()


def ingest_parallel(
    paths: Iterable[str],
    db: sqlite_utils.Database,
    jobs: int = 2,
    overrides: dict[str, Any] | None = None,
    on_skip: Callable[[str], None] | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    time_limit: float | None = pipeline.TIME_LIMIT,
    index_all: bool = False,
) -> pipeline.Summary:
    """Ingest files, folders and URLs into `db` with `jobs` worker processes; the result
    is the one `pipeline.ingest` gives (which is what runs for `jobs` 1 and for standard
    input). Each batch of articles commits on its own."""
    paths = list(paths)
    if jobs <= 1:
        return pipeline.ingest(paths, db, overrides=overrides, on_skip=on_skip, progress=progress,
                               time_limit=time_limit, index_all=index_all)
    if "-" in paths:  # standard input belongs to this process (find_files passes "-" through as given)
        return pipeline.ingest(paths, db, overrides=overrides, on_skip=on_skip, progress=progress,
                               time_limit=time_limit, index_all=index_all)
    summary, skip, files, given = plan(paths, overrides, on_skip)  # manifests parsed before the workers fork
    db_path = _db_path(db)
    _warm_up()
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ctx.Pool(jobs) as pool:

        def submit(batch: list[str]) -> Callable[[], list[Outcome]]:
            return pool.apply_async(work_batch, (batch, given, db_path, time_limit, index_all)).get

        write_in_order(db, files, submit, summary, skip, progress, batch_size, window=2 * jobs)
    return summary


def plan(paths: list[str], overrides: dict[str, Any] | None, on_skip: Callable[[str], None] | None,
         ) -> tuple[pipeline.Summary, Callable[[str], None], list[str], dict[str, Any] | None]:
    """What a many-process ingest does before any article: a summary, the `skip` reporter that
    fills it, the files to read, and the overrides they get (`--published` and the like apply
    only to a single file). The manifests are parsed here once, as one process reports them."""
    summary = pipeline.Summary()

    def skip(msg: str) -> None:
        summary.skipped.append(msg)
        if on_skip:
            on_skip(msg)

    files = list(find_files(paths, skip))
    summary.warnings += preload_manifests(files)
    return summary, skip, files, overrides if len(files) == 1 else None


def write_in_order(
    db: sqlite_utils.Database,
    files: list[str],
    submit: Callable[[list[str]], Callable[[], list[Outcome]]],
    summary: pipeline.Summary,
    skip: Callable[[str], None],
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    window: int = 4,
) -> None:
    """Hand batches of `files` to `submit` (which starts `work_batch` somewhere and returns
    a function that waits for its outcomes) and write the outcomes in file order, a batch
    per transaction, with at most `window` batches in flight. Any engine that can run a
    function elsewhere (a process pool, a Dask cluster) gets the one-process database."""
    stored: set[str] = set()

    def write(outcomes: list[Outcome]) -> None:
        with db.atomic():
            for o in outcomes:
                _write_one(db, o, summary, skip, stored)
                if progress:
                    progress(1)

    try:
        with store.bulk_load(db, len(files)), store.memory_journals(db):
            pending: deque[Callable[[], list[Outcome]]] = deque()
            for batch in _batches(files, batch_size):
                if len(pending) >= window:
                    write(pending.popleft()())
                pending.append(submit(batch))
            while pending:
                write(pending.popleft()())
    except sqlite3.OperationalError as exc:
        raise DatabaseError(f"committing: {exc}") from None


def _write_one(db: sqlite_utils.Database, o: Outcome, summary: pipeline.Summary,
               skip: Callable[[str], None], stored: set[str]) -> None:
    summary.warnings += o.warnings
    if o.skipped is not None:
        skip(o.skipped)
        return
    assert o.article_id is not None
    if o.rows is None or o.article_id in stored or store.article_exists(db, o.article_id):
        summary.seen += 1
        store.update_metadata(db, o.article_id, printable(o.path), o.meta)
        return
    rows = o.rows
    try:
        rows.article["duplicate_of"] = duplicates.original_of(db, o.article_id, rows.article["text"], o.bands, o.shape)
        store.write_article(db, rows.article, rows.sentences, rows.claims, bands=o.bands, entities=rows.entities,
                            notes=rows.notes)
    except sqlite3.OperationalError as exc:
        raise DatabaseError(f"writing {o.path}: {exc}") from None
    except Exception as exc:
        skip(f"{o.path}: unexpected {type(exc).__name__}: {pipeline._one_line(exc)} (a bug; please report it)")
        return
    stored.add(o.article_id)
    summary.new += 1
    summary.claims += len(rows.claims)
    summary.duplicates += rows.article["duplicate_of"] is not None


def default_jobs() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
