"""SQLite storage: the schema that Datasette users and every later stage rely on.

Writes are idempotent upserts on deterministic ids, so ingesting the same article twice
changes nothing.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable
from functools import cache
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.db import jsonify_if_needed

from extractor.errors import DatabaseError

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
    "period": str,
    "period_basis": str,
    "hedged": int,
    "modality": str,
    "confidence": float,
    "explanation": str,
}

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
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        init_schema(db)
        duplicates.init(db)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path}: cannot use as a claims database ({exc})") from None
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
    if not db.table("conflicts").exists():
        db.table("conflicts").create(CONFLICT_COLUMNS, pk="id")
        db.table("conflicts").create_index(["kind"])
        db.table("conflicts").create_index(["subject", "metric"])
    if not db.table("corroborations").exists():
        db.table("corroborations").create(CORROBORATION_COLUMNS, pk="id")
        db.table("corroborations").create_index(["subject", "metric"])
    if not db.table("conflict_groups").exists():
        db.table("conflict_groups").create(CONFLICT_GROUP_COLUMNS, pk=("subject", "metric", "unit"))
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
    # Hot paths at a million claims: conflict grouping and the sources_agreement lookup,
    # entity_claims by subject or object (in article order, off the index), and the
    # claims and conflicts pages sorted by confidence.
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


def article_exists(db: sqlite_utils.Database, article_id: str) -> bool:
    return bool(db.execute("select 1 from articles where id = ?", [article_id]).fetchone())


def write_article(
    db: sqlite_utils.Database,
    article: dict[str, Any],
    sentences: Iterable[dict[str, Any]],
    claims: Iterable[dict[str, Any]],
    bands: Iterable[int] = (),
) -> None:
    """Write one article with its sentences, claims and duplicate-finding bands in a
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
