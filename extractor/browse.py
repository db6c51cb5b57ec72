"""Browse a claims database in Datasette: the views it shows and the `claims serve` command.

Table descriptions, facets, canned queries and the rest live in metadata.yml at the top
of the repository; the cell rendering and SQL functions live in datasette_plugin.py.
"""

from __future__ import annotations

import asyncio
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
VIEWS: dict[str, str] = {
    "claims_in_context": """
select
  c.id as claim_id,
  c.text as claim,
  s.text as sentence,
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
  a.outlet,
  a.published,
  a.title,
  a.url,
  c.article_id,
  c.sentence_id,
  c.start - s.start as mark_start,
  c."end" - s.start as mark_end
from claims c
join articles a on a.id = c.article_id
left join sentences s on s.id = c.sentence_id
""",
    "conflict_sides": """
select
  cc.conflict_id,
  cc.side,
  c.text as claim,
  s.text as quote,
  a.outlet,
  a.published,
  f.kind as conflict_kind,
  f.severity,
  f.subject,
  f.metric,
  f.period,
  c.value,
  c.value_max,
  c.unit,
  c.qualifier,
  c.date as claim_date,
  c.hedged,
  c.modality,
  c.lang,
  a.url,
  f.summary,
  cc.claim_id,
  c.article_id,
  c.start - s.start as mark_start,
  c."end" - s.start as mark_end
from conflict_claims cc
join conflicts f on f.id = cc.conflict_id
join claims c on c.id = cc.claim_id
join articles a on a.id = c.article_id
left join sentences s on s.id = c.sentence_id
""",
}


def create_views(db: sqlite_utils.Database) -> None:
    """Create (or re-create, so a changed definition takes effect) the browsing views."""
    for name, sql in VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)


def load_metadata(path: Path = METADATA_PATH) -> dict[str, Any]:
    metadata: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
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
    # Suggesting facets scans every column of a million-claim table on each page view;
    # the useful facets are configured in metadata.yml. The time limit leaves room for
    # the whole-database queries (sources_agreement) on large databases.
    ds = Datasette(
        [],
        metadata=load_metadata(metadata_path),
        settings={"suggest_facets": False, "sql_time_limit_ms": SQL_TIME_LIMIT_MS},
    )
    ds.remove_database("_memory")  # Datasette adds it when given no files
    ds.add_database(Database(ds, path=str(db_path), is_mutable=not immutable), name=DATABASE_NAME)
    return ds


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
@click.option("--port", default=8001, show_default=True, type=int, help="Port to bind.")
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
    path = Path(db_path)
    if not path.is_file():
        raise click.ClickException(f"no such database: {db_path} (run `claims ingest` first)")
    if not Path(metadata_path).is_file():
        raise click.ClickException(f"no such metadata file: {metadata_path}")
    if not immutable:
        # The views are part of what metadata.yml describes; an older database may lack them.
        create_views(sqlite_utils.Database(path))

    import uvicorn
    from datasette.utils import StartupError

    try:
        ds = make_datasette(path, immutable=immutable, metadata_path=Path(metadata_path))
    except StartupError as e:
        raise click.ClickException(str(e.args[0])) from e
    asyncio.run(ds.invoke_startup())
    # Load spaCy and jieba now rather than on the first search.
    from extractor.datasette_plugin import query_words

    query_words("软银 SoftBank")
    click.echo(f"Serving {path} at http://{host}:{port}/", err=True)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on")


if __name__ == "__main__":
    serve_command()
