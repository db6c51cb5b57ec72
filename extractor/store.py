"""SQLite storage: the schema that Datasette users and every later stage rely on.

Writes are idempotent upserts on deterministic ids, so ingesting the same article twice
changes nothing.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.db import jsonify_if_needed

from extractor.errors import DatabaseError

if sys.platform != "win32":
    import fcntl

ARTICLE_COLUMNS: dict[str, Any] = {
    "id": str,
    "path": str,
    "url": str,
    "outlet": str,
    "title": str,
    "published": str,
    "published_approximate": int,
    "lang": str,
    "body_start": int,
    "text": str,
    "sha256": str,
    "chars": int,
    "duplicate_of": str,
    "ingested_at": str,
}

SENTENCE_COLUMNS: dict[str, Any] = {
    "id": str,
    "article_id": str,
    "start": int,
    "end": int,
    "lang": str,
    "text": str,
    "words": str,
}

CLAIM_COLUMNS: dict[str, Any] = {
    "id": str,
    "article_id": str,
    "sentence_id": str,
    "start": int,
    "end": int,
    "text": str,
    "kind": str,
    "value": float,
    "value_max": float,
    "date": str,
    "unit": str,
    "qualifier": str,
    "vague": int,
    "rule": str,
    "lang": str,
    "subject": str,
    "object": str,
    "metric": str,
    "measure": str,
    "period": str,
    "period_basis": str,
    "hedged": int,
    "modality": str,
    "confidence": float,
    "explanation": str,
    "direction": str,  # up or down for a change; falls are stored negative
    "currency_reason": str,  # why an ambiguous currency word (元, ¥) got its code
}

# What reading an article warned about (a date that is none, metadata ignored), kept with it.
NOTES = "article_notes"

CONFLICT_COLUMNS: dict[str, Any] = {
    "id": str,
    "kind": str,
    "subject": str,
    "metric": str,
    "period": str,
    "summary": str,
    "severity": str,
    "confidence": float,
    "best_value": float,
    "best_value_max": float,
    "best_date": str,
    "unit": str,
    "sources": int,
}

# One row per value a group's sources support: how many independent sources say it.
CORROBORATION_COLUMNS: dict[str, Any] = {
    "id": str,
    "subject": str,
    "metric": str,
    "unit": str,
    "value": str,
    "sources": int,
    "claims": int,
    "claim_ids": str,
    "outlets": str,
}

# Bookkeeping for incremental conflict detection: a group is recomputed only when its
# fingerprint (claim count and content) changes.
CONFLICT_GROUP_COLUMNS: dict[str, Any] = {
    "subject": str,
    "metric": str,
    "unit": str,
    "fingerprint": str,
    "sources": int,
    "values_json": str,
    "best": str,
}

# One row per alias of an organisation or person in an article: what the article wrote,
# how it was tied to the others, and the canonical name after linking across articles.
ENTITY_COLUMNS: dict[str, Any] = {
    "id": str,
    "name": str,
    "local_name": str,
    "kind": str,
    "alias": str,
    "key": str,
    "linking": int,
    "how": str,
    "of": str,
    "article_id": str,
    "linked": int,
}

CONFLICT_CLAIM_COLUMNS: dict[str, Any] = {
    "conflict_id": str,
    "claim_id": str,
    "side": str,
}


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (and create if needed) a claims database with the full schema.

    WAL lets Datasette read while an ingest writes, and an ingest killed at any moment
    leaves every article it committed whole and nothing of the one it was writing.
    """
    from extractor import duplicates

    try:
        db = sqlite_utils.Database(path)
        db.execute("PRAGMA busy_timeout=30000")
        _check_ours(db, path)  # before the first write: another application's file stays untouched
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        # First, so that the indexes go back in their places before init_schema adds any.
        _finish_abandoned_load(db)
        init_schema(db)
        duplicates.init(db)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path}: cannot use as a claims database ({exc})") from None
    return db


# PRAGMA application_id of a claims database ("clms"): `file` names it, and open_db writes
# to no other database, save an empty one or one made before the mark (its tables say so).
APPLICATION_ID = 0x636C6D73
_OURS = {"articles": {"id", "path", "text", "sha256", "body_start"},
         "claims": {"id", "article_id", "start", "end", "kind", "value", "rule"}}


def _check_ours(db: sqlite_utils.Database, path: str | Path, mark: bool = True) -> None:
    """Raise DatabaseError unless the file is empty or a claims database; mark it as ours."""
    app_id = db.execute("PRAGMA application_id").fetchone()[0]
    if app_id == APPLICATION_ID:
        return
    tables = [r[0] for r in db.execute(
        "select name from sqlite_master where type in ('table', 'view') and name not like 'sqlite_%'").fetchall()]
    if app_id != 0:
        raise DatabaseError(f"{path}: the database of another application (application id {app_id}); "
                            "not changed. Give claims its own file with --db")
    if tables:
        have = {t: {r[1] for r in db.execute(f"PRAGMA table_info([{t}])").fetchall()} for t in _OURS if t in tables}
        if len(have) < len(_OURS) or any(not cols <= have[t] for t, cols in _OURS.items()):
            shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
            raise DatabaseError(f"{path}: not a claims database (it holds {shown}); not changed. "
                                "Give claims its own file with --db")
    if mark:
        with contextlib.suppress(sqlite3.OperationalError):  # read-only: a later write says so
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")


def open_readonly(path: str | Path) -> sqlite_utils.Database:
    """Open an existing claims database for reading only: no file beside it is created and
    nothing is written, so a database in a read-only folder (or someone else's file, which
    is refused) is left as it is."""
    if not Path(path).is_file():
        raise DatabaseError(f"{path}: no such database; run 'claims ingest' first")
    uri = Path(path).resolve().as_uri()
    try:
        try:
            conn = sqlite3.connect(f"{uri}?mode=ro", uri=True)
            conn.execute("select count(*) from sqlite_master").fetchone()
        except sqlite3.OperationalError:
            # A WAL database in a folder we cannot write to: its -shm cannot be made. No
            # writer can be at work there, so the file is read as it stands.
            conn = sqlite3.connect(f"{uri}?immutable=1", uri=True)
        db = sqlite_utils.Database(conn)
        _check_ours(db, path, mark=False)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path}: cannot read as a claims database ({exc})") from None
    return db


def init_schema(db: sqlite_utils.Database) -> None:
    """Create the tables, foreign keys, indexes and full-text index if missing."""
    if not db.table("articles").exists():
        db.table("articles").create(ARTICLE_COLUMNS, pk="id", not_null={"text"})
        db.table("articles").create_index(["published"])
        db.table("articles").create_index(["outlet"])
        db.table("articles").create_index(["sha256"])
    if not db.table("sentences").exists():
        db.table("sentences").create(
            SENTENCE_COLUMNS, pk="id", foreign_keys=[("article_id", "articles", "id")]
        )
        db.table("sentences").create_index(["article_id", "start"])
        db.table("sentences").enable_fts(["words"], create_triggers=True, tokenize="unicode61")
    if not db.table("claims").exists():
        db.table("claims").create(
            CLAIM_COLUMNS,
            pk="id",
            foreign_keys=[
                ("article_id", "articles", "id"),
                ("sentence_id", "sentences", "id"),
            ],
        )
        for cols in (
            ["article_id", "start"],
            ["sentence_id"],
            ["metric"],
            ["kind"],
            ["unit"],
        ):
            db.table("claims").create_index(cols)
    else:  # a database from before a column was added gets it, empty
        have = {r[1] for r in db.execute("pragma table_info([claims])")}
        for col in CLAIM_COLUMNS.keys() - have:
            db.execute(f"alter table [claims] add column [{col}] text")
    if not db.table(NOTES).exists():
        db.execute(f"create table [{NOTES}] (article_id text not null references articles(id), note text not null, "
                   "primary key (article_id, note))")
    if not db.table("conflicts").exists():
        db.table("conflicts").create(CONFLICT_COLUMNS, pk="id")
        db.table("conflicts").create_index(["kind"])
        db.table("conflicts").create_index(["subject", "metric"])
    if not db.table("corroborations").exists():
        db.table("corroborations").create(CORROBORATION_COLUMNS, pk="id")
        db.table("corroborations").create_index(["subject", "metric"])
    if not db.table("conflict_groups").exists():
        db.table("conflict_groups").create(CONFLICT_GROUP_COLUMNS, pk=("subject", "metric", "unit"))
    if not db.table("entities").exists():
        db.table("entities").create(ENTITY_COLUMNS, pk="id")
        db.table("entities").create_index(["key", "linked"])
        db.table("entities").create_index(["name"])
        db.table("entities").create_index(["linked"])
        db.table("entities").create_index(["article_id"])
    if not db.table("conflict_claims").exists():
        db.table("conflict_claims").create(
            CONFLICT_CLAIM_COLUMNS,
            pk=("conflict_id", "claim_id"),
            foreign_keys=[
                ("conflict_id", "conflicts", "id"),
                ("claim_id", "claims", "id"),
            ],
        )
        db.table("conflict_claims").create_index(["claim_id"])
    from extractor import conflicts  # imports attribute's rules: only when a database is opened

    conflicts.init_tables(db)
    # Hot paths at a million claims: conflict grouping and the sources_agreement lookup,
    # entity_claims by subject or object (in article order, off the index), and the
    # claims and conflicts pages sorted by confidence.
    if db.table(BULK_MARKER).exists():
        return  # a bulk load is under way in another process: it puts the indexes back itself
    for table, cols in (
        ("claims", ["subject", "metric", "unit", "value"]),
        ("claims", ["subject", "article_id", "start"]),
        ("claims", ["object", "article_id", "start"]),
        ("claims", ["confidence"]),
        ("conflicts", ["confidence"]),
        ("articles", ["duplicate_of"]),
    ):
        db.table(table).create_index(cols, if_not_exists=True)
    # Indexes that a longer one above made redundant: each costs every insert a write.
    for name in ("idx_claims_subject_metric", "idx_claims_object"):
        db.execute(f"drop index if exists [{name}]")
    # The conflict report's order (metadata.yml), so its first thousand rows come off an index.
    db.execute(
        "create index if not exists idx_conflicts_report_order on conflicts ("
        "(case severity when 'high' then 0 when 'medium' then 1 when 'low' then 2 when 'info' then 3 else 4 end), "
        "confidence desc, id)"
    )


# Bulk loading. Keeping nine indexes on claims, two on sentences and the full-text index
# up to date row by row cost more than writing the rows; building them once, sorted, at
# the end of a large ingest costs a fraction of that. The dropped objects' SQL is kept in
# BULK_MARKER, in the same transaction that drops them, so that open_db after a crash
# puts them back (finish_bulk_load) and the database is never left without them.
BULK_MARKER = "_bulk_load"
# An ingest of this many files or more into a database that holds fewer articles than that
# loads in bulk; a smaller one keeps the indexes up to date as it writes.
BULK_MIN_FILES = 64
_BULK_TABLES = ("articles", "sentences", "claims", "article_bands")
# The triggers that sqlite-utils' enable_fts made to keep sentences_fts in step.
_FTS_TRIGGERS = ("sentences_ai", "sentences_ad", "sentences_au")


@dataclass(frozen=True)
class _Deferred:
    type: str  # 'index' or 'trigger'
    name: str
    sql: str


def _deferrable(db: sqlite_utils.Database) -> list[_Deferred]:
    """The objects a bulk load drops, in schema order: the indexes made by `create index`
    on the tables an ingest writes, and the full-text triggers. A table with a unique one
    keeps all of its indexes: that is a constraint the load must go on checking, and
    recreating only the others would change the order SQLite considers them in."""
    marks = ",".join("?" * len(_BULK_TABLES))
    keep = {table for table in _BULK_TABLES if db.execute(
        "select 1 from pragma_index_list(?) where origin = 'c' and [unique]", [table]).fetchone()}
    return [
        _Deferred(type_, name, sql)
        for type_, name, table, sql in db.execute(
            f"select type, name, tbl_name, sql from sqlite_master where type in ('index', 'trigger') "
            f"and sql is not null and tbl_name in ({marks}) order by rowid", _BULK_TABLES,
        ).fetchall()
        if (type_ == "index" and table not in keep) or (type_ == "trigger" and name in _FTS_TRIGGERS)
    ]


def bulk_load_wanted(db: sqlite_utils.Database, files: int) -> bool:
    """Whether an ingest of `files` files should load in bulk: many, into a database that
    holds fewer articles than that, where rebuilding the indexes costs less than
    maintaining them."""
    if files < BULK_MIN_FILES:
        return False
    return bool(db.execute("select count(*) from articles").fetchone()[0] < files)


def start_bulk_load(db: sqlite_utils.Database) -> None:
    """Drop the secondary indexes and full-text triggers of the ingested tables, noting
    them in BULK_MARKER in the same transaction. finish_bulk_load puts them back."""
    if db.table(BULK_MARKER).exists():
        return  # another load is under way, or one crashed and open_db has not run since
    deferred = _deferrable(db)
    # Dropping an index drops its ANALYZE statistics; they come back with it.
    stats = dict(db.execute("select idx, stat from sqlite_stat1").fetchall()) if _has_table(db, "sqlite_stat1") else {}
    with db.atomic():
        db.execute(f"create table [{BULK_MARKER}] (seq integer primary key, type text, name text, sql text, stat text)")
        db.conn.executemany(f"insert into [{BULK_MARKER}] (type, name, sql, stat) values (?, ?, ?, ?)",
                            [(d.type, d.name, d.sql, stats.get(d.name)) for d in deferred])
        for d in deferred:
            db.execute(f"drop {d.type} [{d.name}]")


def finish_bulk_load(db: sqlite_utils.Database) -> None:
    """Recreate what start_bulk_load dropped, in its order (so the schema lists the same
    indexes of each table in the same order), and rebuild the full-text index from the
    sentences. Does nothing if no bulk load is unfinished; safe to run again if
    interrupted, since it all commits at once."""
    if not db.table(BULK_MARKER).exists():
        return
    with db.atomic():
        existing = {r[0] for r in db.execute("select name from sqlite_master")}
        restats = False
        for name, sql, stat in db.execute(f"select name, sql, stat from [{BULK_MARKER}] order by seq").fetchall():
            if name not in existing:
                db.execute(sql)
                if stat is not None and "sqlite_stat1" in existing:
                    db.execute("insert into sqlite_stat1 (tbl, idx, stat) select tbl_name, name, ? from sqlite_master "
                               "where name = ?", [stat, name])
                    restats = True
        if "sentences_fts" in existing:
            db.execute("insert into [sentences_fts] ([sentences_fts]) values ('rebuild')")
        db.execute(f"drop table [{BULK_MARKER}]")
    if restats:
        db.execute("analyze sqlite_schema")  # the planner rereads the statistics; nothing is measured


@contextlib.contextmanager
def bulk_load(db: sqlite_utils.Database, files: int) -> Iterator[bool]:
    """Load in bulk if bulk_load_wanted says so and no other process is: yields whether
    it does. The caller commits its writes before the block ends; then the indexes are
    rebuilt, also when the block raises (if that fails too, the next open_db does it)."""
    if not bulk_load_wanted(db, files):
        yield False
        return
    with _load_lock(db) as mine:
        if not mine:  # another process is loading in bulk: write alongside it, row by row
            yield False
            return
        finish_bulk_load(db)  # one whose process died
        start_bulk_load(db)
        try:
            yield True
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                finish_bulk_load(db)
            raise
        finish_bulk_load(db)


@contextlib.contextmanager
def memory_journals(db: sqlite_utils.Database) -> Iterator[None]:
    """Keep SQLite's temporary files in memory while articles are written: each row an
    upsert writes checks its foreign keys in a statement journal of its own, and in a
    temporary file those cost a third of writing the rows. Outside the block the setting
    is as it was, so sorts of large queries and index builds still spill to disk (memory
    stays bounded). Changing the setting drops temporary tables, so with any it does nothing."""
    previous = db.execute("PRAGMA temp_store").fetchone()[0]
    if previous == 2 or db.conn.in_transaction or db.execute("select 1 from sqlite_temp_master").fetchone():
        yield
        return
    db.execute("PRAGMA temp_store=MEMORY")
    try:
        yield
    finally:
        if not db.conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                db.execute(f"PRAGMA temp_store={int(previous)}")


def _finish_abandoned_load(db: sqlite_utils.Database) -> None:
    """Finish a bulk load whose process died; leave one that is still running to finish itself."""
    if db.table(BULK_MARKER).exists():
        with _load_lock(db) as mine:
            if mine:
                finish_bulk_load(db)


@contextlib.contextmanager
def _load_lock(db: sqlite_utils.Database) -> Iterator[bool]:
    """Take the database's bulk-load lock unless another process holds it: yields whether
    this one has it. It is an flock on a file beside the database, which the kernel
    releases when its process dies, however it dies: a marker without a lock is a load
    that nobody will finish. (Not the database file itself: closing another descriptor of
    it would drop SQLite's own locks.)"""
    row = db.execute("select file from pragma_database_list where name = 'main'").fetchone()
    if sys.platform == "win32" or not row or not row[0]:
        yield True  # in memory no other process can load; without flock, assume none does
        return
    lock = Path(f"{row[0]}-bulk")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield True  # a folder we cannot write to: the database will say so
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            with contextlib.suppress(OSError):
                lock.unlink()
    finally:
        os.close(fd)


@contextlib.contextmanager
def writer_lock(path: str | Path, on_wait: Any = None) -> Iterator[None]:
    """Hold the database's writer lock for a whole ingest: a second ingest into the same
    file waits for the first to finish (calling `on_wait` once), so that two at once give
    the database two runs one after the other give, and no 'database is locked' midway.
    An flock on a file beside the database, released by the kernel however the process
    ends."""
    if sys.platform == "win32" or str(path) == ":memory:":
        yield
        return
    lock = Path(f"{path}-ingest")
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            yield  # a folder we cannot write to: the database will say so
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
                on_wait = None
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except OSError:
            same = False
        if same:
            break
        os.close(fd)  # the holder removed that file as it finished: take the new one
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()
        os.close(fd)


def article_exists(db: sqlite_utils.Database, article_id: str) -> bool:
    return bool(db.execute("select 1 from articles where id = ?", [article_id]).fetchone())


# The metadata a manifest, front matter or flags give, which a later ingest may correct.
_META_COLUMNS = ("url", "outlet", "title", "published")


def update_metadata(db: sqlite_utils.Database, article_id: str, path: str, meta: dict[str, Any]) -> bool:
    """Give a stored article the metadata its file is read with now, where that says
    something new (a fixed sources.yaml, say); its conflict groups are then compared again.
    The same text from another file keeps the first file's metadata. Whether anything changed."""
    row = db.execute(f"select {', '.join(_META_COLUMNS)} from articles where id = ? and path = ?",
                     [article_id, path]).fetchone()
    if row is None:
        return False
    changes = {k: str(meta[k]) for k, old in zip(_META_COLUMNS, row, strict=True)
               if meta.get(k) is not None and str(meta[k]) != old}
    if not changes:
        return False
    conn = db.conn
    savepoint = conn.in_transaction
    conn.execute("SAVEPOINT meta" if savepoint else "BEGIN")
    try:
        conn.execute(f"update articles set {', '.join(f'[{k}] = ?' for k in changes)} where id = ?",
                     [*changes.values(), article_id])
        if _has_table(db, "conflict_groups"):  # dates and outlets decide verdicts: recompute its groups
            conn.execute("delete from conflict_groups where (subject, metric, unit) in "
                         "(select subject, metric, unit from claims where article_id = ?)", [article_id])
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK TO meta" if savepoint else "ROLLBACK")
            if savepoint:
                conn.execute("RELEASE meta")
        raise
    conn.execute("RELEASE meta" if savepoint else "COMMIT")
    return True


def write_article(
    db: sqlite_utils.Database,
    article: dict[str, Any],
    sentences: Iterable[dict[str, Any]],
    claims: Iterable[dict[str, Any]],
    bands: Iterable[int] = (),
    entities: Iterable[dict[str, Any]] = (),
    notes: Iterable[str] = (),
) -> None:
    """Write one article with its sentences, claims, entities and duplicate-finding bands in a
    single transaction: after a crash the article is there whole or not at all.

    Rows go through prepared upserts (insert, or update on the same id): sqlite-utils'
    upsert_all spent most of its time on per-row bookkeeping, not in SQLite.
    """
    from extractor import duplicates

    band_list = list(dict.fromkeys(bands))
    conn = db.conn
    savepoint = conn.in_transaction  # as db.atomic() does, without its per-call name and lookups
    conn.execute("SAVEPOINT article" if savepoint else "BEGIN")
    try:
        _upsert(db, "articles", [article])
        _upsert(db, "sentences", sentences if isinstance(sentences, list) else list(sentences))
        _upsert(db, "claims", claims if isinstance(claims, list) else list(claims))
        _upsert(db, "entities", entities if isinstance(entities, list) else list(entities))
        if notes:
            conn.executemany(f"insert or ignore into [{NOTES}] (article_id, note) values (?, ?)",
                             [(article["id"], n) for n in notes])
        if band_list and _has_table(db, duplicates.TABLE):
            conn.executemany(f"insert or ignore into [{duplicates.TABLE}] (band, article_id) values (?, ?)",
                             [(b, article["id"]) for b in band_list])
    except BaseException:
        if conn.in_transaction:  # an error may have ended the transaction already
            conn.execute("ROLLBACK TO article" if savepoint else "ROLLBACK")
            if savepoint:
                conn.execute("RELEASE article")
        raise
    conn.execute("RELEASE article" if savepoint else "COMMIT")


def _upsert(db: sqlite_utils.Database, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    cols = tuple(rows[0])
    values: list[Any] | None = None
    if all(len(r) == len(cols) for r in rows):
        with contextlib.suppress(KeyError):  # a row with other keys: the general way below
            get = itemgetter(*cols)  # a C call per row, not a Python call per value
            values = [get(r) for r in rows] if len(cols) > 1 else [(get(r),) for r in rows]
    if values is None or not set(map(type, chain.from_iterable(values))) <= _PLAIN:
        values = [[_value(r.get(c)) for c in cols] for r in rows]
    db.conn.executemany(_upsert_sql(table, cols), values)


# Types SQLite binds as they are; anything else goes through _value, as it always has.
_PLAIN = frozenset({str, int, float, bytes, bool, type(None)})


@cache
def _upsert_sql(table: str, cols: tuple[str, ...]) -> str:
    rest = [c for c in cols if c != "id"]
    return (f"insert into [{table}] ({', '.join(f'[{c}]' for c in cols)}) values ({', '.join('?' for _ in cols)}) "
            f"on conflict ([id]) do update set {', '.join(f'[{c}] = excluded.[{c}]' for c in rest)}")


def _value(v: Any) -> Any:
    return v if v is None or isinstance(v, (str, int, float, bytes)) else jsonify_if_needed(v)


def _has_table(db: sqlite_utils.Database, name: str) -> bool:
    return bool(db.execute("select 1 from sqlite_master where type = 'table' and name = ?", [name]).fetchone())
