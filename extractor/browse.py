"""Browse a claims database in Datasette: the views it shows and the `claims serve` command.

Table descriptions, facets, canned queries and the rest live in metadata.yml at the top
of the repository; the cell rendering and SQL functions live in datasette_plugin.py.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import click
import sqlite_utils
import yaml

METADATA_PATH = Path(__file__).resolve().parent.parent / "metadata.yml"
# The name metadata.yml describes the database under, and the one `claims serve` mounts.
DATABASE_NAME = "claims"
SQL_TIME_LIMIT_MS = 3000

# The plugin highlights [mark_start, mark_end) of the sentence/quote column (offsets of
# the number inside its sentence; the stylesheet hides the two columns on HTML pages).
#
# Each view reads one table (claims, conflict_claims) and looks up the rest through
# scalar subqueries on primary keys, never through joins: SQLite evaluates a subquery
# only for the columns a query uses, so the count on every view page and the facets
# on the driving table's columns read one table, not a join of a million rows. The
# foreign keys guarantee the lookups find their row, so the rows are those of the
# joins. The catch: a filter on a looked-up column (?outlet=) cannot use an index.
def _lookup(expr: str, table: str, key: str) -> str:
    return f"(select {expr} from {table} where id = {key})"


def _claim(expr: str) -> str:
    return _lookup(expr, "claims", "cc.claim_id")


def _claim_via(expr: str, table: str, key: str) -> str:
    # A column of the claim's article or sentence, for conflict_sides.
    return _claim(_lookup(expr, table, f"claims.{key}"))


VIEWS: dict[str, str] = {
    "claims_in_context": f"""
select
  c.id as claim_id,
  c.text as claim,
  {_lookup("text", "sentences", "c.sentence_id")} as sentence,
  c.subject,
  c.object,
  c.metric,
  c.value,
  c.value_max,
  c.unit,
  c.qualifier,
  c.date as claim_date,
  c.period,
  c.kind,
  c.hedged,
  c.modality,
  c.vague,
  c.lang,
  {_lookup("outlet", "articles", "c.article_id")} as outlet,
  {_lookup("published", "articles", "c.article_id")} as published,
  {_lookup("title", "articles", "c.article_id")} as title,
  {_lookup("url", "articles", "c.article_id")} as url,
  c.article_id,
  c.sentence_id,
  c.start - {_lookup("start", "sentences", "c.sentence_id")} as mark_start,
  c."end" - {_lookup("start", "sentences", "c.sentence_id")} as mark_end
from claims c
""",
    "conflict_sides": f"""
select
  cc.conflict_id,
  cc.side,
  {_claim("text")} as claim,
  {_claim_via("text", "sentences", "sentence_id")} as quote,
  {_claim_via("outlet", "articles", "article_id")} as outlet,
  {_claim_via("published", "articles", "article_id")} as published,
  {_lookup("kind", "conflicts", "cc.conflict_id")} as conflict_kind,
  {_lookup("severity", "conflicts", "cc.conflict_id")} as severity,
  {_lookup("subject", "conflicts", "cc.conflict_id")} as subject,
  {_lookup("metric", "conflicts", "cc.conflict_id")} as metric,
  {_lookup("period", "conflicts", "cc.conflict_id")} as period,
  {_claim("value")} as value,
  {_claim("value_max")} as value_max,
  {_claim("unit")} as unit,
  {_claim("qualifier")} as qualifier,
  {_claim("date")} as claim_date,
  {_claim("hedged")} as hedged,
  {_claim("modality")} as modality,
  {_claim("lang")} as lang,
  {_claim_via("url", "articles", "article_id")} as url,
  {_lookup("summary", "conflicts", "cc.conflict_id")} as summary,
  cc.claim_id,
  {_claim("article_id")} as article_id,
  {_claim('start - ' + _lookup("start", "sentences", "claims.sentence_id"))} as mark_start,
  {_claim('"end" - ' + _lookup("start", "sentences", "claims.sentence_id"))} as mark_end
from conflict_claims cc
""",
}


# --- summaries: what the pages read instead of scanning a million claims -----------------

# Facets that metadata.yml marks `precounted` are counted here, at the end of every ingest;
# the plugin shows these counts on unfiltered pages and counts live once a filter applies.
# By default a facet counts its column of the table or view; these count the same thing
# without joining a million rows: a view's claim columns are the claims table's, and a
# conflict side's conflict, claim and article columns are counted once per conflict or
# per claim and article, weighted by the number of sides. Those weights are counted once,
# into temporary tables.
FACET_TEMP_TABLES: dict[str, str] = {
    "sides_per_conflict": (
        "select f.kind, f.severity, f.subject, f.metric, k.n "
        "from (select conflict_id, count(*) as n from conflict_claims group by conflict_id) k "
        "join conflicts f on f.id = k.conflict_id"
    ),
    "sides_per_claim_lang_article": (
        "select c.lang, c.article_id, sum(k.n) as n "
        "from (select claim_id, count(*) as n from conflict_claims group by claim_id) k "
        "join claims c on c.id = k.claim_id group by c.lang, c.article_id"
    ),
}


def _default_facet_sql(table: str, column: str) -> str:
    return (
        f"select [{column}] as value, count(*) as count from [{table}] "
        f"where [{column}] is not null group by [{column}]"
    )


def _conflict_facet_sql(column: str) -> str:
    return (
        f"select [{column}] as value, sum(n) as count from temp.sides_per_conflict "
        f"where [{column}] is not null group by [{column}]"
    )


FACET_SQL: dict[tuple[str, str], str] = {
    **{
        ("claims_in_context", column): _default_facet_sql("claims", column)
        for column in ("subject", "metric", "kind", "unit", "lang", "hedged", "modality")
    },
    ("claims_in_context", "outlet"): (
        "select a.outlet as value, sum(k.n) as count from "
        "(select article_id, count(*) as n from claims group by article_id) k "
        "join articles a on a.id = k.article_id where a.outlet is not null group by a.outlet"
    ),
    ("conflict_sides", "conflict_kind"): _conflict_facet_sql("kind"),
    **{("conflict_sides", c): _conflict_facet_sql(c) for c in ("severity", "subject", "metric")},
    ("conflict_sides", "side"): _default_facet_sql("conflict_claims", "side"),
    ("conflict_sides", "lang"): (
        "select lang as value, sum(n) as count from temp.sides_per_claim_lang_article "
        "where lang is not null group by lang"
    ),
    ("conflict_sides", "outlet"): (
        "select a.outlet as value, sum(k.n) as count from temp.sides_per_claim_lang_article k "
        "join articles a on a.id = k.article_id where a.outlet is not null group by a.outlet"
    ),
}


def precounted_facets(metadata: dict[str, Any]) -> list[tuple[str, str]]:
    """(table, column) of every facet that metadata.yml marks as precounted."""
    from extractor.datasette_plugin import PRECOUNTED

    tables = metadata.get("databases", {}).get(DATABASE_NAME, {}).get("tables", {})
    out = []
    for table, spec in tables.items():
        for facet in spec.get("facets") or []:
            if isinstance(facet, dict) and isinstance(facet.get(PRECOUNTED), str):
                out.append((table, facet[PRECOUNTED]))
    return out


def count_facets(db: sqlite_utils.Database, metadata: dict[str, Any] | None = None) -> None:
    """Fill the facet_counts table: for each precounted facet, its most frequent values
    (as many as the largest facet a page can ask for) and the rows of its table then."""
    from extractor.datasette_plugin import FACET_COUNTS_TABLE, FACET_VALUES_KEPT

    metadata = load_metadata() if metadata is None else metadata
    names = set(db.table_names()) | set(db.view_names())
    done: dict[str, str] = {}  # a view's facet may count exactly what a table's does
    rows: list[tuple[Any, ...]] = []
    temp: list[str] = []
    for table, column in precounted_facets(metadata):
        if table not in names or column not in db[table].columns_dict:
            continue
        sql = FACET_SQL.get((table, column)) or _default_facet_sql(table, column)
        for name, select in FACET_TEMP_TABLES.items():
            if f"temp.{name}" in sql and name not in temp:
                db.execute(f"drop table if exists temp.{name}")
                db.execute(f"create temp table {name} as {select}")
                temp.append(name)
        if sql not in done:
            values = db.execute(
                f"select value, count from ({sql}) order by count desc, value limit {FACET_VALUES_KEPT}"
            ).fetchall()
            done[sql] = json.dumps([list(v) for v in values], ensure_ascii=False)
        table_rows = db.execute(f"select count(*) from [{table}]").fetchone()[0]
        rows.append((table, column, table_rows, done[sql]))
    db.table(FACET_COUNTS_TABLE).create(
        {"table_name": str, "column_name": str, "table_rows": int, "counts": str},
        pk=("table_name", "column_name"),
        if_not_exists=True,
    )
    _replace_rows(db, FACET_COUNTS_TABLE, ["table_name", "column_name", "table_rows", "counts"], rows)
    for name in temp:
        db.execute(f"drop table temp.{name}")


# What the sources_agreement query shows, one row per source. A claim is corroborated
# when a corroboration that two or more independent sources give lists it, contradicted
# when it stands on the dissenting side of a contradiction or translation mismatch: the
# side that the best-supported figure contradicts. (The best-supported side is listed
# only in part, and its claims are the ones other sources agree with.)
AGREEMENT_SQL = """
with per_article as (
  select
    article_id,
    count(*) as claims,
    sum(id in (
      select j.value from corroborations r, json_each(r.claim_ids) j where r.sources > 1
    )) as corroborated,
    sum(id in (
      select cc.claim_id from conflicts f join conflict_claims cc on cc.conflict_id = f.id
      where f.kind in ('contradiction', 'translation_mismatch') and cc.side = 'a'
    )) as contradicted
  from claims not indexed
  group by article_id
)
select
  source,
  articles,
  claims,
  corroborated,
  contradicted,
  round(100.0 * corroborated / nullif(corroborated + contradicted, 0), 1) as agree_percent
from (
  select
    source_name(a.outlet, a.title, a.path, a.url) as source,
    count(distinct a.id) as articles,
    coalesce(sum(p.claims), 0) as claims,
    coalesce(sum(p.corroborated), 0) as corroborated,
    coalesce(sum(p.contradicted), 0) as contradicted
  from articles a
  left join per_article p on p.article_id = a.id
  where a.duplicate_of is null
  group by source
)
order by claims desc, source
"""


def count_agreement(db: sqlite_utils.Database) -> None:
    """Fill the agreement_by_source table that the sources_agreement query reads."""
    from extractor.datasette_plugin import AGREEMENT_TABLE
    from extractor.display import source_name

    db.conn.create_function("source_name", 4, source_name, deterministic=True)
    rows = db.execute(AGREEMENT_SQL).fetchall()
    columns = ["source", "articles", "claims", "corroborated", "contradicted", "agree_percent"]
    db.table(AGREEMENT_TABLE).create(
        {"source": str, "articles": int, "claims": int, "corroborated": int,
         "contradicted": int, "agree_percent": float},
        pk="source",
        if_not_exists=True,
    )
    _replace_rows(db, AGREEMENT_TABLE, columns, rows)


def _replace_rows(
    db: sqlite_utils.Database, table: str, columns: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """Replace a summary's rows in one transaction: a page never sees it half written."""
    with db.conn:
        db.conn.execute(f"delete from [{table}]")
        db.conn.executemany(
            f"insert into [{table}] ({', '.join(columns)}) "
            f"values ({', '.join('?' for _ in columns)})",
            rows,
        )


def counts_current(db: sqlite_utils.Database, metadata: dict[str, Any] | None = None) -> bool:
    """Whether the summaries exist, cover every precounted facet, and were counted when
    each table had as many rows as now."""
    from extractor.datasette_plugin import AGREEMENT_TABLE, FACET_COUNTS_TABLE

    metadata = load_metadata() if metadata is None else metadata
    if not (db[FACET_COUNTS_TABLE].exists() and db[AGREEMENT_TABLE].exists()):
        return False
    stored = {
        (table, column): rows
        for table, column, rows in db.execute(
            f"select table_name, column_name, table_rows from [{FACET_COUNTS_TABLE}]"
        ).fetchall()
    }
    names = set(db.table_names()) | set(db.view_names())
    rows_now: dict[str, int] = {}
    for table, column in precounted_facets(metadata):
        if table not in names:
            continue
        if table not in rows_now:
            rows_now[table] = db.execute(f"select count(*) from [{table}]").fetchone()[0]
        if stored.get((table, column)) != rows_now[table]:
            return False
    return True


def create_views(db: sqlite_utils.Database, recount: bool = True) -> None:
    """Create (or re-create, so a changed definition takes effect) the browsing views,
    and count what the pages show from summaries (facets, agreement between sources).

    Runs at the end of every ingest, after conflict detection. With ``recount=False``
    (`claims serve`) the summaries are counted only if they are missing or out of date:
    at a million claims counting takes a quarter of a minute."""
    for name, sql in VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)
    if recount or not counts_current(db):
        count_facets(db)
        count_agreement(db)


def describe(db: sqlite_utils.Database) -> str:
    """What the database holds, in one line for the page footer: its articles, outlets
    and publication dates ('37 articles from 12 outlets (A, B, C and 9 more), published
    2 Jan 2025 to 30 Jun 2025; 823 claims, 14 conflicts')."""
    from extractor.display import date_words, plural

    if not db["articles"].exists():
        return "An empty claims database"
    articles, first, last = db.execute(
        "select count(*), min(published), max(published) from articles where duplicate_of is null"
    ).fetchone()
    outlets = [r[0] for r in db.execute(
        "select outlet from articles where duplicate_of is null and coalesce(outlet, '') != '' "
        "group by outlet order by count(*) desc, outlet limit 4"
    ).fetchall()]
    n_outlets = db.execute(
        "select count(distinct outlet) from articles where duplicate_of is null and coalesce(outlet, '') != ''"
    ).fetchone()[0]
    text = plural(articles, "article")
    if n_outlets:
        names = ", ".join(outlets[:3]) + (f" and {n_outlets - 3:,} more" if n_outlets > 3 else "")
        text += f" from {plural(n_outlets, 'outlet')} ({names})"
    if first and last:
        text += f", published {date_words(first)}" + (f" to {date_words(last)}" if last != first else "")
    counts = []
    for table, word in (("claims", "claim"), ("conflicts", "conflict")):
        if db[table].exists():
            counts.append(plural(db.execute(f"select count(*) from [{table}]").fetchone()[0], word))
    return text + ("; " + ", ".join(counts) if counts else "")


def load_metadata(path: Path = METADATA_PATH) -> dict[str, Any]:
    # libyaml's loader where there is one: the pure-Python one took 0.1 s of every ingest.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    metadata: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    return metadata


def register_plugin() -> None:
    """Register datasette_plugin unless its entry point already did (a source checkout
    that was never pip-installed has no entry point)."""
    from datasette.plugins import pm

    from extractor import datasette_plugin

    if not pm.is_registered(datasette_plugin):
        pm.register(datasette_plugin, name="claims")


def make_datasette(
    db_path: str | Path, immutable: bool = False, metadata_path: Path = METADATA_PATH
) -> Any:
    """A Datasette instance for one claims database with this project's metadata and
    plugin: what `claims serve` runs, importable for tests and notebooks.

    The database is always mounted as ``claims``, whatever the file is called, so the
    metadata and the links in it apply to seed.db as much as to claims.db.
    """
    from datasette.app import Database, Datasette

    register_plugin()
    metadata = load_metadata(metadata_path)
    # The footer's "Data source" describes this database, whichever it is.
    try:
        metadata["source"] = describe(sqlite_utils.Database(sqlite3.connect(
            f"file:{Path(db_path).resolve()}?mode=ro", uri=True)))
        metadata.pop("source_url", None)
    except sqlite3.Error:
        pass  # Datasette reports an unusable file itself
    # Suggesting facets scans every column of a million-claim table on each page view;
    # the useful facets are configured in metadata.yml. The time limit leaves room for
    # the whole-database queries (sources_agreement) on large databases.
    ds = Datasette(
        [],
        metadata=metadata,
        settings={"suggest_facets": False, "sql_time_limit_ms": SQL_TIME_LIMIT_MS},
    )
    ds.remove_database("_memory")  # Datasette adds it when given no files
    ds.add_database(Database(ds, path=str(db_path), is_mutable=not immutable), name=DATABASE_NAME)
    return ds


def _readable(path: Path) -> bool:
    import sqlite3

    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            conn.execute("select count(*) from sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return True


def _writable(path: Path) -> bool:
    import os

    return os.access(path, os.W_OK) and os.access(path.resolve().parent, os.W_OK | os.X_OK)


@click.command()
@click.option(
    "--db",
    "db_path",
    default="claims.db",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Claims database to serve.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535), help="Port to bind.")
@click.option(
    "--immutable",
    is_flag=True,
    help="Serve read-only and never write to the file (for a published copy).",
)
@click.option(
    "--metadata",
    "metadata_path",
    default=str(METADATA_PATH),
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Datasette metadata file.",
)
def serve_command(db_path: str, host: str, port: int, immutable: bool, metadata_path: str) -> None:
    """Browse claims and conflicts in Datasette.

    Serves the database with its views, facets, canned queries (conflict report,
    claims about an entity, a metric over time, full-text search in Chinese or
    English, how often sources agree) and highlighted sentences.

    Example:

        claims serve --db claims.db --port 8001
    """
    from extractor.errors import DatabaseError, UsageError

    path = Path(db_path)
    if not path.is_file():
        raise DatabaseError(f"{db_path}: no such database; run 'claims ingest' first")
    if not Path(metadata_path).is_file():
        raise UsageError(f"{metadata_path}: no such metadata file")
    from extractor import store

    store.open_readonly(path).conn.close()  # refuses another application's database, untouched
    read_only = not immutable and not _writable(path)
    if read_only:
        # Nothing can be written (the views are not refreshed); WAL readers need its -shm
        # beside the database, and without one the file is served as it stands.
        immutable = not _readable(path)
        click.echo(f"note: {path} or its folder is read-only; serving it read-only"
                   + (" (--immutable)" if immutable else ""), err=True)
    if not immutable and not read_only:
        # The views are part of what metadata.yml describes; an older database may lack
        # them, and the counts its pages show.
        create_views(sqlite_utils.Database(path), recount=False)

    import uvicorn
    from datasette.utils import StartupError

    try:
        ds = make_datasette(path, immutable=immutable, metadata_path=Path(metadata_path))
    except StartupError as e:
        raise DatabaseError(str(e.args[0])) from e
    asyncio.run(ds.invoke_startup())
    # Load spaCy and jieba now rather than on the first search.
    from extractor.datasette_plugin import query_words

    query_words("软银 SoftBank")
    click.echo(f"Serving {path} at http://{host}:{port}/", err=True)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on")


if __name__ == "__main__":  # python -m extractor.browse ...: `claims serve`, errors in one line
    import sys

    from extractor.cli import cli

    cli(["serve", *sys.argv[1:]])
