"""Ingest past one machine: articles mapped over a Dask cluster, the database written here.

Extraction, attribution and the repost signature are pure functions of an article, so
they can run anywhere; what depends on earlier articles (is it stored already, is it a
repost of one, its rowid) is decided by this process, which writes the workers' rows in
file order exactly as `--jobs` does (parallel.write_in_order). The database is therefore
the one a single process makes, ids included.

    claims ingest archive/ --engine dask --jobs 2        # a local cluster, 2 worker processes
    DASK_SCHEDULER_ADDRESS=tcp://10.0.0.5:8786 claims ingest /shared/archive --engine dask

With a scheduler address (Dask's own `scheduler-address` setting or the variable above),
the workers of that cluster do the work; they must see the files at the same paths (a
shared file system) and have this package installed (`pip install 'claims[dask]'`). URLs
are fetched by the workers. The per-article time limit needs the main thread of a process,
which a Dask task does not have, so it does not apply on this engine.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlite_utils

from extractor import parallel, pipeline
from extractor.errors import EngineError

ENGINES = ("local", "dask")

@contextmanager
def dask_client(workers: int = 2, address: str | None = None) -> Iterator[Any]:
    """A client of the cluster at `address` (or Dask's configured scheduler address);
    without either, of a new local cluster of `workers` single-threaded processes."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise EngineError("--engine dask needs Dask: pip install 'claims[dask]' "
                          "(dask and distributed)") from None
    address = address or dask.config.get("scheduler-address", None)
    try:
        if address:
            with Client(address, timeout="20s") as client:
                yield client
            return
        # No dashboards (their ports may be taken), and Dask's own log lines only for errors.
        with LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                          dashboard_address=None, worker_dashboard_address=None,
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            yield client
    except OSError as exc:  # no scheduler there, or it went away
        raise EngineError(f"Dask scheduler {address or 'local cluster'}: {exc}") from None


def ingest_dask(
    paths: Iterable[str],
    db: sqlite_utils.Database,
    client: Any,
    overrides: dict[str, Any] | None = None,
    on_skip: Callable[[str], None] | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int = parallel.BATCH_SIZE,
    index_all: bool = False,
) -> pipeline.Summary:
    """Ingest files, folders and URLs into `db`, processing batches of articles on the
    workers of the Dask `client`; the result is the one `pipeline.ingest` gives."""
    paths = list(paths)
    if "-" in paths:  # standard input belongs to this process (find_files passes "-" through as given)
        return pipeline.ingest(paths, db, overrides=overrides, on_skip=on_skip, progress=progress,
                               index_all=index_all)
    summary, skip, files, given = parallel.plan(paths, overrides, on_skip)  # workers parse their own manifests
    # Workers may be on other machines, away from the database file: they get the ids it
    # already holds, once, and skip those articles' work.
    stored = frozenset(r[0] for r in db.execute("select id from articles")) if "articles" in db.table_names() \
        else frozenset()
    shared = client.scatter(stored, broadcast=True) if stored else frozenset()
    window = 2 * max(1, len(client.scheduler_info().get("workers", {})))

    def submit(batch: list[str]) -> Callable[[], list[parallel.Outcome]]:
        future = client.submit(parallel.work_batch, batch, given, None, None, index_all, shared, pure=False)
        return future.result

    parallel.write_in_order(db, files, submit, summary, skip, progress, batch_size, window)
    return summary
