"""What keeps the pages fast on a million claims shows what the joins and live counts
showed: the views' lookups, the facets counted at ingest (facet_counts), the agreement
between sources counted at ingest (agreement_by_source) and the entity query. Checked
on the small database of test_browse against the SQL those pages ran before."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import sqlite_utils
from datasette.app import Datasette

from extractor import datasette_plugin
from extractor.browse import (
    FACET_SQL,
    count_agreement,
    counts_current,
    create_views,
    load_metadata,
    precounted_facets,
    register_plugin,
)
from extractor.store import open_db

try:
    from tests.test_browse import ENTITIES_YAML, build_db
except ImportError:  # tests/ is not a package: pytest puts it on sys.path itself
    from test_browse import ENTITIES_YAML, build_db  # type: ignore[no-redef]

PRECOUNTED = precounted_facets(load_metadata())
FACETED_TABLES = sorted({table for table, _ in PRECOUNTED})

# As they were before the summaries and lookups (git history): what the pages must still show.
JOIN_CLAIMS_IN_CONTEXT = """
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
"""

JOIN_CONFLICT_SIDES = """
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
"""

AGREEMENT_QUERY = """
with per_article as (
  select article_id, count(*) as claims, 0 as corroborated, 0 as contradicted
  from claims
  group by article_id
  union all
  select c.article_id, 0, count(*), 0
  from (
    select distinct j.value as claim_id
    from corroborations r, json_each(r.claim_ids) j
    where r.sources > 1
  ) k
  join claims c on c.id = k.claim_id
  group by c.article_id
  union all
  select c.article_id, 0, 0, count(*)
  from (
    select distinct cc.claim_id
    from conflict_claims cc
    join conflicts f on f.id = cc.conflict_id
    where f.kind in ('contradiction', 'translation_mismatch') and cc.side = 'a'
  ) x
  join claims c on c.id = x.claim_id
  group by c.article_id
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

ENTITY_CLAIMS_QUERY = """
select
  c.id as claim_id,
  a.published,
  source_name(a.outlet, a.title, a.path, a.url) as source,
  c.subject,
  c.object,
  c.metric,
  c.text as claim,
  s.text as sentence,
  coalesce(c.date, c.value) as value,
  c.value_max,
  c.unit,
  c.qualifier,
  c.period,
  c.modality,
  a.url,
  c.start - s.start as mark_start,
  c."end" - s.start as mark_end
from claims c
join articles a on a.id = c.article_id
left join sentences s on s.id = c.sentence_id
where c.id in (
  select id from claims
  where subject in (select value from json_each(entity_aliases(:entity)))
  union
  select id from claims
  where object in (select value from json_each(entity_aliases(:entity)))
)
order by a.published, c.article_id, c.start
"""


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_db(tmp_path_factory.mktemp("scale") / "claims.db")


def _datasette(path: Path, **settings: Any) -> Datasette:
    register_plugin()
    return Datasette([str(path)], metadata=load_metadata(), settings=settings or None)


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def facets(
    ds: Datasette, loop: asyncio.AbstractEventLoop, path: str
) -> tuple[dict[str, list[tuple[Any, int]]], set[str]]:
    """A table page's facets as {column: [(value, count), ...]}, and the metadata's
    facets that it lacks (timed out: the JSON does not list those)."""
    response = loop.run_until_complete(ds.client.get(path))
    assert response.status_code == 200, response.text
    data = response.json()
    shown = {
        name: [(v["value"], v["count"]) for v in facet["results"]]
        for name, facet in data["facet_results"].items()
    }
    assert all(f["type"] == "column" for f in data["facet_results"].values())
    table = path.split("/")[2].split(".")[0]
    return shown, {c for t, c in PRECOUNTED if t == table} - set(shown)


def _first_column(db_path: Path, table: str) -> str:
    return next(iter(sqlite_utils.Database(db_path)[table].columns_dict))


# --- views -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("view", "joins"),
    [("claims_in_context", JOIN_CLAIMS_IN_CONTEXT), ("conflict_sides", JOIN_CONFLICT_SIDES)],
)
def test_views_show_what_their_joins_showed(db_path: Path, view: str, joins: str) -> None:
    conn = sqlite3.connect(db_path)
    rows = conn.execute(f"select * from {view}").fetchall()
    assert rows
    assert sorted(rows, key=repr) == sorted(conn.execute(joins).fetchall(), key=repr)


# --- facets counted at ingest -------------------------------------------------------------


def test_every_facet_is_precounted() -> None:
    tables = load_metadata()["databases"]["claims"]["tables"]
    for table, spec in tables.items():
        for facet in spec.get("facets") or []:
            assert isinstance(facet, dict) and list(facet) == ["precounted"], (table, facet)
    # Every shortcut counts a facet that metadata.yml has.
    assert set(FACET_SQL) <= set(PRECOUNTED)


@pytest.mark.parametrize(("table", "column"), PRECOUNTED)
def test_precounted_facet_counts_what_a_group_by_counts(
    db_path: Path, table: str, column: str
) -> None:
    conn = sqlite3.connect(db_path)
    table_rows, counts = conn.execute(
        "select table_rows, counts from facet_counts where table_name = ? and column_name = ?",
        [table, column],
    ).fetchone()
    live = conn.execute(
        f"select [{column}], count(*) from [{table}] where [{column}] is not null "
        "group by 1 order by 2 desc, 1"
    ).fetchall()
    assert live and json.loads(counts) == [list(r) for r in live]
    assert table_rows == conn.execute(f"select count(*) from [{table}]").fetchone()[0]


@pytest.mark.parametrize("table", FACETED_TABLES)
def test_stored_facets_equal_live_facets(
    db_path: Path, loop: asyncio.AbstractEventLoop, table: str
) -> None:
    # A filter that every row passes makes the page count live.
    ds = _datasette(db_path)
    everything = f"{_first_column(db_path, table)}__not=~nothing~"
    stored, timed_out = facets(ds, loop, f"/claims/{table}.json")
    live, live_timed_out = facets(ds, loop, f"/claims/{table}.json?{everything}")
    assert not timed_out and not live_timed_out
    assert stored == live
    assert set(stored) == {c for t, c in PRECOUNTED if t == table}


def test_unfiltered_page_reads_facet_counts_until_the_table_changes(
    tmp_path: Path, loop: asyncio.AbstractEventLoop
) -> None:
    path = build_db(tmp_path / "claims.db")
    db = sqlite_utils.Database(path)
    db.execute(
        "update facet_counts set counts = '[[\"Counted\", 99]]' "
        "where table_name = 'claims' and column_name = 'subject'"
    )
    db.conn.commit()
    ds = _datasette(path)
    assert facets(ds, loop, "/claims/claims.json")[0]["subject"] == [("Counted", 99)]
    assert "Counted" in loop.run_until_complete(ds.client.get("/claims/claims")).text
    # A filter counts live.
    assert facets(ds, loop, "/claims/claims.json?kind=money")[0]["subject"] == [
        ("Microsoft", 3),
        ("SoftBank", 2),
    ]
    # A claim written since (an ingest under way) makes the stored counts stale.
    db["claims"].insert({**db["claims"].get("nbd:c1"), "id": "nbd:c9", "start": 1})
    db.conn.commit()
    subjects = facets(ds, loop, "/claims/claims.json")[0]["subject"]
    assert subjects == [("Microsoft", 5), ("SoftBank", 2)]
    # So does a database from before facet_counts.
    db["facet_counts"].drop()
    assert facets(ds, loop, "/claims/claims.json")[0]["subject"] == subjects


def test_live_facets_share_the_time_limit(db_path: Path, loop: asyncio.AbstractEventLoop) -> None:
    ds = _datasette(db_path, facet_time_limit_ms=0)
    shown, _ = facets(ds, loop, "/claims/claims.json?kind=money")
    assert shown == {}
    html = loop.run_until_complete(ds.client.get("/claims/claims?kind=money")).text
    assert "These facets timed out: subject, metric, kind, unit, lang, hedged, modality" in html
    # The whole table's counts are read, not counted: no limit applies.
    shown, timed_out = facets(ds, loop, "/claims/claims.json")
    assert shown["kind"] == [("money", 5), ("year", 1)] and not timed_out


def test_facet_size_beyond_the_stored_values_counts_live(
    tmp_path: Path, loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(datasette_plugin, "FACET_VALUES_KEPT", 2)
    path = build_db(tmp_path / "claims.db")  # keeps 2 values per facet
    assert len(json.loads(sqlite_utils.Database(path).execute(
        "select counts from facet_counts where table_name = 'claims' and column_name = 'metric'"
    ).fetchone()[0])) == 2
    ds = _datasette(path)
    metrics = facets(ds, loop, "/claims/claims.json?_facet_size=5")[0]["metric"]
    assert metrics == [("investment_total", 3), ("investment", 2), ("investment_start", 1)]
    assert facets(ds, loop, "/claims/claims.json?_facet_size=1")[0]["metric"] == metrics[:1]


def test_create_views_counts_the_same_twice(tmp_path: Path) -> None:
    path = build_db(tmp_path / "claims.db")
    db = sqlite_utils.Database(path)
    before = list(db["facet_counts"].rows), list(db["agreement_by_source"].rows)
    create_views(db)
    assert (list(db["facet_counts"].rows), list(db["agreement_by_source"].rows)) == before


# --- agreement between sources ------------------------------------------------------------


def test_agreement_table_equals_the_query_it_replaces(tmp_path: Path) -> None:
    path = build_db(tmp_path / "claims.db")
    db = sqlite_utils.Database(path)
    # A syndicated copy (left out), an article without claims, and a claim that two
    # corroborations and both conflicts list (counted once each way).
    nbd = db["articles"].get("nbd")
    db["articles"].insert({**nbd, "id": "copy", "sha256": "copy", "duplicate_of": "nbd"})
    db["articles"].insert({**nbd, "id": "empty", "sha256": "empty", "outlet": "Quiet Post"})
    db["claims"].insert({**db["claims"].get("nbd:c2"), "id": "copy:c2", "article_id": "copy"})
    db["corroborations"].insert(
        {"id": "r-twice", "subject": "Microsoft", "metric": "investment_total", "unit": "USD",
         "value": "13 billion USD", "sources": 3, "claims": 1,
         "claim_ids": json.dumps(["geo:c2", "copy:c2"]), "outlets": ""}
    )
    count_agreement(db)
    stored = db.execute(
        "select source, articles, claims, corroborated, contradicted, agree_percent "
        "from agreement_by_source order by claims desc, source"
    ).fetchall()
    assert stored == db.execute(AGREEMENT_QUERY).fetchall()
    assert ("Quiet Post", 1, 0, 0, 0, None) in stored
    assert {row[0] for row in stored} == {
        "每日经济新闻", "geo.example", "Evil Wire", "Quiet Post"
    }


# --- claims about an entity ---------------------------------------------------------------


@pytest.fixture
def entity_conn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[sqlite3.Connection]:
    entities = tmp_path / "entities.yaml"
    entities.write_text(ENTITIES_YAML, encoding="utf-8")
    monkeypatch.setenv(datasette_plugin.ENTITIES_ENV, str(entities))
    path = build_db(tmp_path / "claims.db")
    db = sqlite_utils.Database(path)
    # 600 more claims about SoftBank, more than the page shows.
    template = db["claims"].get("evil:c1")
    db["claims"].insert_all(
        {**template, "id": f"evil:x{i:03d}", "start": template["start"] + (i % 7)}
        for i in range(600)
    )
    conn = sqlite3.connect(path)
    datasette_plugin.prepare_connection(conn)
    yield conn
    conn.close()


@pytest.mark.parametrize("entity", ["软银", "SoftBank", "微软", "OpenAI", "Nobody", ""])
def test_entity_claims_shows_the_first_500_of_what_it_showed(
    entity_conn: sqlite3.Connection, entity: str
) -> None:
    sql = load_metadata()["databases"]["claims"]["queries"]["entity_claims"]["sql"]
    rows = entity_conn.execute(sql, {"entity": entity}).fetchall()
    before = entity_conn.execute(ENTITY_CLAIMS_QUERY, {"entity": entity}).fetchall()
    assert rows == before[:500]
    assert len(rows) == min(len(before), 500)


# --- long cells ---------------------------------------------------------------------------


def test_corroboration_links_its_first_claims_and_counts_the_rest(
    tmp_path: Path, loop: asyncio.AbstractEventLoop
) -> None:
    path = build_db(tmp_path / "claims.db")
    db = sqlite_utils.Database(path)
    ids = ["evil:c1"] + [f"wire:c{i}" for i in range(24)]
    db["corroborations"].insert(
        {"id": "r-wire", "subject": "SoftBank", "metric": "investment", "unit": "USD",
         "value": "30 billion USD", "sources": 25, "claims": 25,
         "claim_ids": json.dumps(ids), "outlets": ""}
    )
    db.conn.commit()
    ds = _datasette(path)
    html = loop.run_until_complete(ds.client.get("/claims/corroborations?id=r-wire")).text
    assert '<a href="/claims/claims/evil~3Ac1">evil:c1</a>' in html
    assert html.count('href="/claims/claims/wire~3Ac') == datasette_plugin.CLAIM_LINKS_SHOWN - 1
    assert '<a href="/claims/corroborations/r-wire.json">and 15 more</a>' in html
    data = loop.run_until_complete(ds.client.get("/claims/corroborations/r-wire.json")).json()
    row = dict(zip(data["columns"], data["rows"][0], strict=True))
    assert json.loads(row["claim_ids"]) == ids  # the JSON has them all


# --- when the summaries are counted ---------------------------------------------------------


def test_serve_counts_only_what_is_missing_or_out_of_date(tmp_path: Path) -> None:
    path = build_db(tmp_path / "claims.db")
    db = sqlite_utils.Database(path)
    assert counts_current(db)
    db.execute("update agreement_by_source set claims = 99")
    db.conn.commit()
    create_views(db, recount=False)  # as `claims serve` does: counts are current
    assert db.execute("select max(claims) from agreement_by_source").fetchone()[0] == 99
    db["claims"].insert({**db["claims"].get("nbd:c1"), "id": "nbd:c9", "start": 1})
    db.conn.commit()
    assert not counts_current(db)
    create_views(db, recount=False)
    assert counts_current(db)
    nbd = db.execute("select claims from agreement_by_source where source = '每日经济新闻'")
    assert nbd.fetchone()[0] == 3
    db["facet_counts"].drop()
    assert not counts_current(db)
    create_views(db, recount=False)
    assert counts_current(db)


# --- rendering a thousand rows ----------------------------------------------------------------


def test_render_sides_escapes_every_field() -> None:
    sides = [
        {"side": "<a>", "claim": "<b>5%</b>", "quote": "x <i>5%</i> y", "mark_start": 5,
         "mark_end": 7, "outlet": 'O"utlet', "published": "2025", "url": 'https://e.x/?a="1"&b'},
        {"side": "b", "claim": "6", "quote": None, "url": "javascript:alert(1)", "outlet": "W"},
    ]
    html = str(datasette_plugin.render_sides(json.dumps(sides)))
    assert html == (
        '<ul class="conflict-sides"><li><span class="side side-&lt;a&gt;">&lt;a&gt;</span> '
        '<strong class="claim">&lt;b&gt;5%&lt;/b&gt;</strong> '
        '<span class="source"><a href="https://e.x/?a=&#34;1&#34;&amp;b">O&#34;utlet, 2025</a></span><br>'
        "x &lt;i&gt;<mark>5%</mark>&lt;/i&gt; y</li>"
        '<li><span class="side side-b">b</span> <strong class="claim">6</strong> '
        '<span class="source">W</span><br>6</li></ul>'
    )


# --- no full scans ----------------------------------------------------------------------------

# A stored table read whole, not through an index (aliases as the queries name them).
FULL_SCAN = re.compile(
    r"^SCAN (claims|articles|sentences|conflicts|conflict_claims|corroborations|[acsx]|cc)$"
)


@pytest.mark.parametrize("name", list(load_metadata()["databases"]["claims"]["queries"]))
def test_canned_queries_read_through_indexes(tmp_path: Path, name: str) -> None:
    # Plans on an empty database with the schema's indexes: as on a million claims.
    db = open_db(tmp_path / "claims.db")
    create_views(db)
    conn = sqlite3.connect(tmp_path / "claims.db")
    datasette_plugin.prepare_connection(conn)
    sql = load_metadata()["databases"]["claims"]["queries"][name]["sql"]
    params = {"kind": "", "entity": "Microsoft", "subject": "Microsoft", "metric": "", "q": "微软"}
    plan = [row[3] for row in conn.execute(f"explain query plan {sql}", params)]
    assert not [step for step in plan if FULL_SCAN.match(step)], plan


def test_a_precounted_facet_value_filters_the_page(
    db_path: Path, loop: asyncio.AbstractEventLoop
) -> None:
    ds = _datasette(db_path)
    html = loop.run_until_complete(ds.client.get("/claims/claims_in_context")).text
    assert '<a href="http://localhost/claims/claims_in_context?outlet=Evil+Wire">Evil Wire</a> 1' in html
    html = loop.run_until_complete(ds.client.get("/claims/claims_in_context?outlet=Evil+Wire")).text
    assert "1 row where outlet = &#34;Evil Wire&#34;" in html
    # The selected value, counted live, with the link that removes it.
    assert (
        '<li>Evil Wire &middot; 1 <a href="http://localhost/claims/claims_in_context" '
        'class="cross">&#x2716;</a></li>'
    ) in html


@pytest.mark.parametrize(("view", "column"), list(datasette_plugin.LOOKED_UP_FILTERS))
def test_filter_on_a_looked_up_column_shows_the_same_rows(
    db_path: Path, loop: asyncio.AbstractEventLoop, view: str, column: str
) -> None:
    # The condition added on the key must not change which rows match.
    conn = sqlite3.connect(db_path)
    values = [r[0] for r in conn.execute(f"select distinct {column} from {view}") if r[0]]
    assert values
    ds = _datasette(db_path)
    for value in [*values, "nothing"]:
        for key in (column, f"{column}__exact"):
            qs = urlencode({key: value, "_shape": "array", "_size": "max"})
            response = loop.run_until_complete(ds.client.get(f"/claims/{view}.json?{qs}"))
            rows = [tuple(r.values()) for r in response.json()]
            expected = conn.execute(f"select * from {view} where {column} = ?", [value]).fetchall()
            assert sorted(rows, key=repr) == sorted(expected, key=repr), (key, value)
    # The page's count reads through the index on the key.
    clause = datasette_plugin.LOOKED_UP_FILTERS[(view, column)].format(":v")
    plan = [r[3] for r in conn.execute(
        f"explain query plan select count(*) from {view} where {column} = :v and {clause}",
        {"v": values[0]},
    )]
    assert plan[0].startswith("SEARCH"), plan
