"""Where conflict detection's rows wait before they replace the old ones: in memory per
run of groups (`_Rows`, what a worker process returns), or in temporary tables that are
upserted into the real ones in one pass at the end (`_Writer`). A full run in one process
writes straight into the tables it emptied, in the transaction it commits at the end
(`_Writer(direct=True)`): the same rows, without the second copy."""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlite_utils

# Rows buffered before they are written.
FLUSH_ROWS = 20000
# SQLite's page cache while the rows are published (KiB): the key indexes of a million
# claims' conflict links (about 30 MB) stay in memory.
PUBLISH_CACHE_KIB = 64 * 1024


class _Rows:
    """The rows of some groups, table by table, in the order made."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in _Writer.TABLES}

    def add(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        self.rows[table] += rows


class _Writer(_Rows):
    """Collects the rows of many groups in temporary tables (appends, no indexes, no
    write-ahead log), then upserts them into the real tables in one pass, in order."""

    # Each table's primary key, then its columns in the order rows are given.
    TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
        "conflicts": (("id",), ("id", "kind", "subject", "metric", "period", "summary", "severity", "confidence",
                                "unit", "best_value", "best_value_max", "best_date", "sources", "undecided", "why")),
        "conflict_claims": (("conflict_id", "claim_id"), ("conflict_id", "claim_id", "side")),
        "corroborations": (("id",), ("id", "subject", "metric", "unit", "value", "sources", "claims", "claim_ids",
                                     "outlets")),
        "conflict_groups": (("subject", "metric", "unit"), ("subject", "metric", "unit", "fingerprint", "sources",
                                                            "values_json", "best")),
        "reconciliations": (("id",), ("id", "reason", "subject", "metric", "unit", "period", "summary")),
        "reconciliation_claims": (("reconciliation_id", "claim_id"), ("reconciliation_id", "claim_id", "side")),
    }

    def __init__(self, db: sqlite_utils.Database, direct: bool = False) -> None:
        """`direct`: the tables were emptied in the transaction still open, and each flush
        upserts into them; their secondary indexes are dropped now (no statement may be
        running) and built again, sorted, by `publish`."""
        super().__init__()
        self.db = db
        self.buffered = 0
        self.direct = direct
        self.rebuilt: list[tuple[str, list[tuple[Any, ...]]]] = []
        self.cache_size: int | None = None
        if direct:
            self.cache_size = _grow_cache(db.conn)
            for table in self.TABLES:
                self.rebuilt += _drop_indexes(db.conn, table)
            return
        for table, (_, cols) in self.TABLES.items():
            names = ", ".join(f"[{c}]" for c in cols)
            db.conn.execute(f"create temp table {self.temp_name(table)} ({names})")

    @staticmethod
    def temp_name(table: str) -> str:
        return f"_conflict_out_{table}"

    def add(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        self.rows[table] += rows
        self.buffered += len(rows)
        if self.buffered >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        for table, rows in self.rows.items():
            if rows:
                keys, cols = self.TABLES[table]
                marks = ", ".join("?" for _ in cols)
                if self.direct:
                    sql = f"insert into [{table}] ({', '.join(f'[{c}]' for c in cols)}) values ({marks}) " + _upsert(keys, cols)
                else:
                    sql = f"insert into temp.{self.temp_name(table)} values ({marks})"
                self.db.conn.executemany(sql, rows)
                self.rows[table] = []
        self.buffered = 0

    def publish(self, rebuild_indexes: bool = False) -> None:
        """Upsert the collected rows (insert, or update on the primary key) in the order made.

        `rebuild_indexes` (for tables just emptied) drops each table's secondary indexes
        first and builds them again after: building an index sorts once, where inserts in
        hash order touch every page (a full run on a million claims writes 800,000 links).
        A direct writer has written its rows: its indexes are built again."""
        conn = self.db.conn
        if self.direct:
            self.flush()
            try:
                _restore_indexes(conn, self.rebuilt)
            finally:
                if self.cache_size is not None:
                    conn.execute(f"pragma cache_size = {self.cache_size}")
            return
        cache_size = _grow_cache(conn)
        try:
            self._publish(conn, rebuild_indexes)
        finally:
            conn.execute(f"pragma cache_size = {cache_size}")

    def _publish(self, conn: sqlite3.Connection, rebuild_indexes: bool) -> None:
        for table, (keys, cols) in self.TABLES.items():
            names = ", ".join(f"[{c}]" for c in cols)
            rebuilt = _drop_indexes(conn, table) if rebuild_indexes else []
            conn.execute(
                f"insert into [{table}] ({names}) select {names} from temp.{self.temp_name(table)} where true order by rowid "
                + _upsert(keys, cols))
            _restore_indexes(conn, rebuilt)


def _upsert(keys: tuple[str, ...], cols: tuple[str, ...]) -> str:
    """The clause that makes an insert an upsert on the primary key."""
    rest = [c for c in cols if c not in keys]
    return (f"on conflict ({', '.join(f'[{k}]' for k in keys)}) do "
            + (f"update set {', '.join(f'[{c}] = excluded.[{c}]' for c in rest)}" if rest else "nothing"))


def _grow_cache(conn: sqlite3.Connection) -> int:
    """Raise SQLite's page cache to at least PUBLISH_CACHE_KIB; returns the setting to put back.

    Rows come in the order made, not their keys' (conflict ids are digests): with SQLite's
    default 2 MB page cache, each insert into a key index of a million claims' links reads
    its page again. Pages are held only as they are used."""
    cache_size = conn.execute("pragma cache_size").fetchone()[0]  # pages, or KiB when negative
    kib = -cache_size if cache_size < 0 else cache_size * conn.execute("pragma page_size").fetchone()[0] // 1024
    conn.execute(f"pragma cache_size = {-max(kib, PUBLISH_CACHE_KIB)}")
    return int(cache_size)


def _restore_indexes(conn: sqlite3.Connection, dropped: list[tuple[str, list[tuple[Any, ...]]]]) -> None:
    """Build again the indexes `_drop_indexes` dropped, with their planner statistics."""
    for sql, stats in dropped:
        conn.execute(sql)
        if stats:
            conn.executemany("insert into sqlite_stat1 (tbl, idx, stat) values (?, ?, ?)", stats)


def _drop_indexes(conn: sqlite3.Connection, table: str) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Drop `table`'s own indexes (not those of its keys); returns each one's SQL and the
    planner statistics dropping it deleted, to be put back as they were. Nothing is
    dropped where sqlite_stat4 holds samples that could not be put back."""
    if conn.execute("select 1 from sqlite_master where name = 'sqlite_stat4'").fetchone():
        return []
    has_stats = conn.execute("select 1 from sqlite_master where name = 'sqlite_stat1'").fetchone() is not None
    dropped = []
    for name, sql in conn.execute("select name, sql from sqlite_master where type = 'index' and tbl_name = ? "
                                  "and sql is not null order by name", [table]).fetchall():
        stats = conn.execute("select tbl, idx, stat from sqlite_stat1 where idx = ?", [name]).fetchall() if has_stats else []
        conn.execute(f"drop index [{name}]")
        dropped.append((sql, stats))
    return dropped
