"""Browsing claims.db in Datasette: every page and canned query through Datasette's own
test client, against a small bilingual database built here."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import sqlite_utils
from click.testing import CliRunner
from datasette.app import Datasette

from extractor import datasette_plugin, segment
from extractor.browse import (
    METADATA_PATH,
    VIEWS,
    create_views,
    load_metadata,
    make_datasette,
    register_plugin,
    serve_command,
)
from extractor.store import open_db

SCRIPT = "<script>window.pwned = true; alert(1)</script>"

ENTITIES_YAML = """\
- name: Microsoft
  kind: company
  aliases: [微软, 微軟, MSFT]
- name: SoftBank
  kind: company
  aliases: [软银, 軟銀, SoftBank Group]
"""


def _words(text: str, lang: str) -> str:
    return " ".join(segment.words(text, lang))  # as the pipeline indexes sentences


def _article(
    db: sqlite_utils.Database,
    article_id: str,
    *,
    outlet: str | None,
    published: str,
    lang: str,
    title: str,
    url: str | None,
    sentences: list[tuple[str, str]],
    claims: list[dict[str, Any]],
) -> None:
    """Insert an article made of ``sentences`` (lang, text) and claims given by their
    surface text, which is located in the article to get real offsets."""
    text = "\n".join(t for _, t in sentences)
    sentence_rows = []
    pos = 0
    for i, (s_lang, s_text) in enumerate(sentences):
        start = text.index(s_text, pos)
        pos = start + len(s_text)
        sentence_rows.append(
            {
                "id": f"{article_id}:s{i}",
                "article_id": article_id,
                "start": start,
                "end": pos,
                "lang": s_lang,
                "text": s_text,
                "words": _words(s_text, s_lang),
            }
        )
    claim_rows = []
    for claim in claims:
        start = text.index(claim["text"])
        sentence = next(s for s in sentence_rows if s["start"] <= start < s["end"])
        claim_rows.append(
            {
                "article_id": article_id,
                "sentence_id": sentence["id"],
                "start": start,
                "end": start + len(claim["text"]),
                "lang": sentence["lang"],
                "qualifier": "exact",
                "vague": 0,
                "hedged": 0,
                "modality": "asserted",
                "confidence": 0.9,
                "rule": "test",
                **claim,
            }
        )
    db["articles"].insert(
        {
            "id": article_id,
            "path": f"corpus/{article_id}.txt",
            "url": url,
            "outlet": outlet,
            "title": title,
            "published": published,
            "published_approximate": 0,
            "lang": lang,
            "body_start": 0,
            "text": text,
            "sha256": article_id * 4,
            "chars": len(text),
            "ingested_at": "2025-01-01T00:00:00Z",
        }
    )
    db["sentences"].insert_all(sentence_rows)
    db["claims"].insert_all(claim_rows)


def build_db(path: Path) -> Path:
    """A small claims database: Chinese, English and mixed articles, two conflicts, and
    an article whose text and title try to run a script."""
    db = open_db(path)
    _article(
        db,
        "nbd",
        outlet="每日经济新闻",
        published="2025-05-12",
        lang="zh",
        title="OpenAI 与微软被曝正重新谈判合作协议",
        url="https://www.nbd.com.cn/articles/openai.html",
        sentences=[
            ("zh", "截至目前，微软已向 OpenAI 投入了超过 130 亿美元。"),
            ("zh", "为解锁新一轮融资，尤其是软银等巨头的300亿美元潜在投资。"),
        ],
        claims=[
            {
                "id": "nbd:c1",
                "text": "130 亿美元",
                "kind": "money",
                "value": 13e9,
                "unit": "USD",
                "qualifier": "more_than",
                "subject": "Microsoft",
                "object": "OpenAI",
                "metric": "investment_total",
            },
            {
                "id": "nbd:c2",
                "text": "300亿美元",
                "kind": "money",
                "value": 30e9,
                "unit": "USD",
                "subject": "SoftBank",
                "object": "OpenAI",
                "metric": "investment",
                "hedged": 1,
                "modality": "planned",
            },
        ],
    )
    _article(
        db,
        "geo",
        outlet=None,
        published="2026-05-08",
        lang="mixed",
        title="OpenAI与微软修订合作后",
        url="https://geo.example/openai-microsoft",
        sentences=[
            ("zh", "微软累计投资13亿美元"),
            ("en", "Microsoft has invested $13 Billion in OpenAI since 2019."),
        ],
        claims=[
            {
                "id": "geo:c1",
                "text": "13亿美元",
                "kind": "money",
                "value": 1.3e9,
                "unit": "USD",
                "subject": "Microsoft",
                "object": "OpenAI",
                "metric": "investment_total",
            },
            {
                "id": "geo:c2",
                "text": "$13 Billion",
                "kind": "money",
                "value": 13e9,
                "unit": "USD",
                "subject": "Microsoft",
                "object": "OpenAI",
                "metric": "investment_total",
            },
            {
                "id": "geo:c3",
                "text": "2019",
                "kind": "year",
                "value": 2019,
                "unit": "year",
                "subject": "Microsoft",
                "metric": "investment_start",
            },
        ],
    )
    _article(
        db,
        "evil",
        outlet="Evil Wire",
        published="2025-06-18",
        lang="en",
        title=f"SoftBank news {SCRIPT}",
        url="javascript:alert(1)",
        sentences=[("en", f"SoftBank will invest $30 billion in OpenAI {SCRIPT}.")],
        claims=[
            {
                "id": "evil:c1",
                "text": "$30 billion",
                "kind": "money",
                "value": 30e9,
                "unit": "USD",
                "subject": "SoftBank",
                "object": "OpenAI",
                "metric": "investment",
            }
        ],
    )
    db["conflicts"].insert_all(
        [
            {
                "id": "k-translation",
                "kind": "translation_mismatch",
                "subject": "Microsoft",
                "metric": "investment_total",
                "summary": "The Chinese text says 13亿美元 but its own English version says $13 Billion.",
                "severity": "high",
                "confidence": 0.95,
                "best_value": 13e9,
                "unit": "USD",
                "sources": 1,
            },
            {
                "id": "k-contradiction",
                "kind": "contradiction",
                "subject": "Microsoft",
                "metric": "investment_total",
                "summary": "geo puts Microsoft's investment at 13亿美元, nbd at more than 130 亿美元: ten times more.",
                "severity": "medium",
                "confidence": 0.8,
                "best_value": 13e9,
                "unit": "USD",
                "sources": 2,
            },
        ]
    )
    # Agreement as the conflict checker records it: 300亿美元 = $30 billion, and
    # 130 亿美元 = $13 Billion, each stated by two sources.
    db["corroborations"].insert_all(
        [
            {
                "id": "r-softbank",
                "subject": "SoftBank",
                "metric": "investment",
                "unit": "USD",
                "value": "30 billion USD",
                "sources": 2,
                "claims": 2,
                "claim_ids": json.dumps(["evil:c1", "nbd:c2"]),
                "outlets": "Evil Wire, 每日经济新闻",
            },
            {
                "id": "r-microsoft",
                "subject": "Microsoft",
                "metric": "investment_total",
                "unit": "USD",
                "value": "13 billion USD",
                "sources": 2,
                "claims": 2,
                "claim_ids": json.dumps(["geo:c2", "nbd:c1"]),
                "outlets": "每日经济新闻",
            },
            {
                "id": "r-alone",
                "subject": "Microsoft",
                "metric": "investment_total",
                "unit": "USD",
                "value": "1.3 billion USD",
                "sources": 1,
                "claims": 1,
                "claim_ids": json.dumps(["geo:c1"]),
                "outlets": "",
            },
        ]
    )
    db["conflict_claims"].insert_all(
        [
            {"conflict_id": "k-translation", "claim_id": "geo:c1", "side": "a"},
            {"conflict_id": "k-translation", "claim_id": "geo:c2", "side": "b"},
            {"conflict_id": "k-contradiction", "claim_id": "geo:c1", "side": "a"},
            {"conflict_id": "k-contradiction", "claim_id": "nbd:c1", "side": "b"},
        ]
    )
    create_views(db)
    db.close()
    return path


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Named claims.db so that Datasette's own naming matches metadata.yml.
    return build_db(tmp_path_factory.mktemp("browse") / "claims.db")


@pytest.fixture(scope="module")
def entities_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rules") / "entities.yaml"
    path.write_text(ENTITIES_YAML, encoding="utf-8")
    return path


@pytest.fixture
def get(
    db_path: Path, entities_file: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str], httpx.Response]]:
    """GET a path from Datasette serving the test database with metadata.yml."""
    monkeypatch.setenv(datasette_plugin.ENTITIES_ENV, str(entities_file))
    register_plugin()
    ds = Datasette([str(db_path)], metadata=load_metadata())
    loop = asyncio.new_event_loop()

    def fetch(path: str) -> httpx.Response:
        return loop.run_until_complete(ds.client.get(path))

    yield fetch
    loop.close()


def get_json(get: Callable[[str], httpx.Response], path: str) -> list[dict[str, Any]]:
    """Rows of a table, view or canned query page as a list of dicts."""
    base, _, qs = path.partition("?")
    response = get(f"{base}.json?_shape=array&{qs}")
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


def query_json(
    get: Callable[[str], httpx.Response], name: str, **params: str
) -> list[dict[str, Any]]:
    return get_json(get, f"/claims/{name}?" + urlencode(params))


def assert_script_escaped(html: str) -> None:
    assert SCRIPT not in html
    assert "<script>window.pwned" not in html


# --- metadata --------------------------------------------------------------------------


def test_metadata_describes_every_table_and_column(db_path: Path) -> None:
    metadata = load_metadata()
    for key in ("title", "description_html", "license", "source"):
        assert metadata.get(key), key
    tables = metadata["databases"]["claims"]["tables"]
    db = sqlite_utils.Database(db_path)
    names = [t for t in db.table_names() if not t.startswith("sentences_fts_")] + db.view_names()
    for name in names:
        assert tables.get(name, {}).get("description"), f"{name} has no description in metadata.yml"
        if name == "sentences_fts":
            continue
        columns = tables[name].get("columns", {})
        missing = [c for c in db[name].columns_dict if not columns.get(c)]
        assert not missing, f"{name}: no description for {missing}"
        # Described in the order the page shows them.
        assert list(columns) == list(db[name].columns_dict), name


def test_metadata_units_are_explained() -> None:
    claims = load_metadata()["databases"]["claims"]["tables"]["claims"]["columns"]
    assert "ISO 4217" in claims["unit"]
    assert "亿 = 1e8" in claims["value"] and "billion = 1e9" in claims["value"]


def test_metadata_queries_have_titles_and_descriptions() -> None:
    queries = load_metadata()["databases"]["claims"]["queries"]
    assert set(queries) == {
        "conflict_report",
        "entity_claims",
        "metric_over_time",
        "search",
        "sources_agreement",
    }
    for name, query in queries.items():
        assert query.get("title") and query.get("description") and query.get("sql"), name


# --- pages -----------------------------------------------------------------------------


def test_index_page(get: Callable[[str], httpx.Response]) -> None:
    html = get("/").text
    assert "Numeric claims in Chinese and English news" in html
    assert 'href="/claims/conflict_report"' in html
    assert "Apache-2.0" in html


def test_database_page_lists_tables_views_and_queries(
    get: Callable[[str], httpx.Response],
) -> None:
    html = get("/claims").text
    for name in ("articles", "sentences", "claims", "conflicts", "conflict_claims"):
        assert f'href="/claims/{name}"' in html
    for view in VIEWS:
        assert f'href="/claims/{view}"' in html
    for title in (
        "Conflict report",
        "All claims about an entity",
        "One metric over time",
        "Search sentences (Chinese or English)",
        "Sources and how often they agree",
    ):
        assert title in html


@pytest.mark.parametrize(
    ("table", "facets", "expected"),
    [
        ("articles", ["outlet", "lang"], "每日经济新闻"),
        ("sentences", ["lang"], "软银等巨头"),
        (
            "claims",
            ["subject", "metric", "kind", "unit", "lang", "hedged", "modality"],
            "300亿美元",
        ),
        ("conflicts", ["kind", "severity", "subject", "metric"], "translation_mismatch"),
        ("conflict_claims", ["side"], "k-translation"),
        (
            "corroborations",
            ["subject", "metric"],
            '<a href="/claims/claims/evil~3Ac1">evil:c1</a>, <a href="/claims/claims/nbd~3Ac2">nbd:c2</a>',
        ),
        (
            "claims_in_context",
            ["subject", "metric", "kind", "unit", "lang", "hedged", "modality", "outlet"],
            "<mark>130 亿美元</mark>",
        ),
        (
            "conflict_sides",
            ["conflict_kind", "subject", "metric", "outlet"],
            "<mark>$13 Billion</mark>",
        ),
    ],
)
def test_table_page(
    get: Callable[[str], httpx.Response], table: str, facets: list[str], expected: str
) -> None:
    response = get(f"/claims/{table}")
    assert response.status_code == 200
    html = response.text
    assert expected in html
    metadata = load_metadata()["databases"]["claims"]["tables"][table]
    assert metadata["description"].split()[0] in html
    assert '<dl class="column-descriptions">' in html
    for facet in facets:
        assert f'data-column="{facet}"' in html and f"facet-{facet}" in html, facet
    assert_script_escaped(html)


def test_stylesheet(get: Callable[[str], httpx.Response]) -> None:
    assert '<link rel="stylesheet" href="/-/claims.css">' in get("/claims/claims").text
    css = get("/-/claims.css")
    assert css.headers["content-type"].startswith("text/css")
    assert "dl.column-descriptions" in css.text and "mark" in css.text


def test_default_sort(get: Callable[[str], httpx.Response]) -> None:
    articles = get_json(get, "/claims/articles")
    assert [a["published"] for a in articles] == ["2026-05-08", "2025-06-18", "2025-05-12"]


def test_claim_links_to_article_and_sentence(get: Callable[[str], httpx.Response]) -> None:
    html = get("/claims/claims?id=nbd:c2").text
    # Links carry the label column of the row they point to.
    # (the id only as the link's title: it means nothing to a reader)
    assert '<a href="/claims/articles/nbd" title="nbd">OpenAI 与微软被曝正重新谈判合作协议</a>' in html
    assert '<a href="/claims/sentences/nbd~3As1" title="nbd:s1">为解锁新一轮融资' in html


def test_conflict_links_to_its_claims(get: Callable[[str], httpx.Response]) -> None:
    html = get("/claims/conflict_claims?conflict_id=k-translation").text
    assert 'href="/claims/conflicts/k-translation"' in html
    assert '<a href="/claims/conflicts/k-translation" title="k-translation">The Chinese text says' in html
    assert '<a href="/claims/claims/geo~3Ac1" title="geo:c1">13亿美元</a>' in html
    assert '<a href="/claims/claims/geo~3Ac2" title="geo:c2">$13 Billion</a>' in html
    # A conflict's own page lists the claims that link to it.
    assert "conflict_claims" in get("/claims/conflicts/k-translation").text


def test_sentences_table_highlights_every_claim(get: Callable[[str], httpx.Response]) -> None:
    html = get("/claims/sentences/nbd:s1").text
    assert "软银等巨头的<mark>300亿美元</mark>潜在投资" in html
    html = get("/claims/sentences?id=geo:s1").text
    assert "invested <mark>$13 Billion</mark> in OpenAI since <mark>2019</mark>." in html


@pytest.mark.parametrize(
    ("claim_id", "expected"),
    [
        ("geo:c2", "invested <mark>$13 Billion</mark> in OpenAI since 2019."),
        ("geo:c3", "invested $13 Billion in OpenAI since <mark>2019</mark>."),
    ],
)
def test_claim_pages_highlight_only_their_claim(
    get: Callable[[str], httpx.Response], claim_id: str, expected: str
) -> None:
    assert expected in get(f"/claims/claims_in_context?claim_id={claim_id}").text
    assert expected in get("/claims/entity_claims?entity=Microsoft").text


def test_article_text_is_escaped(get: Callable[[str], httpx.Response]) -> None:
    for path in ("/claims/articles/evil", "/claims/articles", "/claims/sentences"):
        html = get(path).text
        assert "&lt;script&gt;window.pwned = true; alert(1)&lt;/script&gt;" in html, path
        assert_script_escaped(html)
    # A javascript: URL is shown, never linked.
    assert 'href="javascript:' not in get("/claims/articles/evil").text


def test_claims_in_context_view(get: Callable[[str], httpx.Response]) -> None:
    rows = get_json(get, "/claims/claims_in_context?claim_id=nbd:c1")
    assert len(rows) == 1
    row = rows[0]
    assert row["outlet"] == "每日经济新闻" and row["published"] == "2025-05-12"
    assert row["url"] == "https://www.nbd.com.cn/articles/openai.html"
    assert row["sentence"] == "截至目前，微软已向 OpenAI 投入了超过 130 亿美元。"
    html = get("/claims/claims_in_context?claim_id=nbd:c1").text
    assert "投入了超过 <mark>130 亿美元</mark>。" in html
    assert 'href="/claims/articles/nbd"' in html  # id columns link to their rows


def test_conflict_sides_view_has_one_row_per_side(get: Callable[[str], httpx.Response]) -> None:
    rows = get_json(get, "/claims/conflict_sides?conflict_id=k-translation&_sort=side")
    assert [(r["side"], r["claim"]) for r in rows] == [("a", "13亿美元"), ("b", "$13 Billion")]
    assert rows[1]["quote"] == "Microsoft has invested $13 Billion in OpenAI since 2019."
    assert len(get_json(get, "/claims/conflict_sides")) == 4


def test_create_views_is_idempotent(tmp_path: Path) -> None:
    path = build_db(tmp_path / "claims.db")
    db = sqlite_utils.Database(path)
    create_views(db)
    create_views(db)
    assert set(VIEWS) <= set(db.view_names())
    assert db.execute("select count(*) from claims_in_context").fetchone()[0] == 6


# --- canned queries --------------------------------------------------------------------


def test_conflict_report(get: Callable[[str], httpx.Response]) -> None:
    rows = query_json(get, "conflict_report")
    assert [r["conflict_id"] for r in rows] == ["k-translation", "k-contradiction"]
    sides = json.loads(rows[0]["sides"])
    assert [s["claim"] for s in sides] == ["13亿美元", "$13 Billion"]
    html = get("/claims/conflict_report").text
    assert "its own English version says $13 Billion" in html
    assert "微软累计投资<mark>13亿美元</mark>" in html
    assert "Microsoft has invested <mark>$13 Billion</mark> in OpenAI since 2019." in html
    assert 'href="/claims/conflicts/k-translation"' in html
    assert '<a href="https://geo.example/openai-microsoft">geo.example, 2026-05-08</a>' in html


def test_conflict_report_filters_by_kind(get: Callable[[str], httpx.Response]) -> None:
    rows = query_json(get, "conflict_report", kind="contradiction")
    assert [r["conflict_id"] for r in rows] == ["k-contradiction"]


@pytest.mark.parametrize(
    ("entity", "claims"),
    [
        ("软银", {"nbd:c2", "evil:c1"}),
        ("軟銀", {"nbd:c2", "evil:c1"}),
        ("softbank", {"nbd:c2", "evil:c1"}),
        ("SoftBank", {"nbd:c2", "evil:c1"}),
        ("微软", {"nbd:c1", "geo:c1", "geo:c2", "geo:c3"}),
        ("OpenAI", {"nbd:c1", "nbd:c2", "geo:c1", "geo:c2", "evil:c1"}),  # as object
        ("Nobody", set()),
        ("", set()),
    ],
)
def test_entity_claims(get: Callable[[str], httpx.Response], entity: str, claims: set[str]) -> None:
    rows = query_json(get, "entity_claims", entity=entity)
    assert {r["claim_id"] for r in rows} == claims


def test_entity_claims_without_entities_file(
    get: Callable[[str], httpx.Response], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(datasette_plugin, "entities_path", lambda: None)
    assert {r["claim_id"] for r in query_json(get, "entity_claims", entity="SoftBank")} == {
        "nbd:c2",
        "evil:c1",
    }
    assert query_json(get, "entity_claims", entity="软银") == []
    html = get("/claims/entity_claims?entity=SoftBank").text
    assert "软银等巨头的<mark>300亿美元</mark>潜在投资" in html


def test_metric_over_time(get: Callable[[str], httpx.Response]) -> None:
    rows = query_json(get, "metric_over_time", subject="微软", metric="investment_total")
    assert [(r["published"], r["claim"]) for r in rows] == [
        ("2025-05-12", "130 亿美元"),
        ("2026-05-08", "13亿美元"),
        ("2026-05-08", "$13 Billion"),
    ]
    # An article without an outlet is named by its site.
    assert [r["source"] for r in rows] == ["每日经济新闻"] + [
        "geo.example"
    ] * 2
    everything = query_json(get, "metric_over_time", subject="SoftBank")
    assert {r["metric"] for r in everything} == {"investment"}
    html = get("/claims/metric_over_time?subject=Microsoft&metric=investment_total").text
    assert "<mark>$13 Billion</mark>" in html


@pytest.mark.parametrize(
    ("q", "sentences"),
    [
        ("软银", {"nbd:s1"}),
        ("SoftBank", {"evil:s0"}),
        ("softbank invest", {"evil:s0"}),
        ("微软 投资", {"geo:s0"}),  # every word must occur: nbd:s0 has 投入, not 投资
        ("投资", {"nbd:s1", "geo:s0"}),
        ("微软累计投资", {"geo:s0"}),
        ('" OR NEAR(', set()),  # FTS syntax is quoted away, not an error
        ("", set()),
    ],
)
def test_search(get: Callable[[str], httpx.Response], q: str, sentences: set[str]) -> None:
    rows = query_json(get, "search", q=q)
    assert {r["sentence_id"] for r in rows} == sentences


def test_search_page_highlights_numbers(get: Callable[[str], httpx.Response]) -> None:
    html = get("/claims/search?q=软银").text
    assert "尤其是软银等巨头的<mark>300亿美元</mark>潜在投资" in html
    html = get("/claims/search?q=SoftBank").text
    assert "SoftBank will invest <mark>$30 billion</mark> in OpenAI" in html
    assert_script_escaped(html)


def test_sources_agreement(get: Callable[[str], httpx.Response]) -> None:
    rows = {r["source"]: r for r in query_json(get, "sources_agreement")}
    assert set(rows) == {"每日经济新闻", "geo.example", "Evil Wire"}
    nbd = rows["每日经济新闻"]
    # 300亿美元 is corroborated by Evil Wire's $30 billion, and geo's $13 Billion by nbd's
    # 130 亿美元. geo's 13亿美元 dissents from that better-supported figure: it is the
    # contradicted claim, not nbd's.
    assert (nbd["claims"], nbd["corroborated"], nbd["contradicted"]) == (2, 2, 0)
    assert nbd["agree_percent"] == pytest.approx(100.0)
    geo = rows["geo.example"]
    assert (geo["claims"], geo["corroborated"], geo["contradicted"]) == (3, 1, 1)  # its 13亿美元 only
    html = get("/claims/sources_agreement").text
    assert "Sources and how often they agree" in html and "Evil Wire" in html


@pytest.mark.parametrize(
    "path",
    [
        "/claims/conflict_report",
        "/claims/entity_claims",
        "/claims/metric_over_time",
        "/claims/search",
        "/claims/sources_agreement",
    ],
)
def test_every_query_page_renders_empty_form(
    get: Callable[[str], httpx.Response], path: str
) -> None:
    response = get(path)
    assert response.status_code == 200
    assert "<h1" in response.text
    assert (
        "fts5: syntax error" not in response.text and 'class="message-error"' not in response.text
    )


# --- the plugin's parts ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("软银", '"软银"'),
        ("软银 SoftBank", '"软银" "SoftBank"'),
        ('say "hi"', '"say" "hi"'),
        ("OR", '"OR"'),
        ("，。", '""'),
        ("", '""'),
        (None, '""'),
    ],
)
def test_segment_query(q: str | None, expected: str) -> None:
    assert datasette_plugin.segment_query(q) == expected


def test_segment_query_without_the_extractor_package(monkeypatch: pytest.MonkeyPatch) -> None:
    # A published copy ships only the plugin file: plain jieba gives the same words.
    monkeypatch.setitem(sys.modules, "extractor.segment", None)
    assert datasette_plugin.segment_query("OpenAI与软银，合作") == '"OpenAI" "与" "软银" "合作"'


def test_segment_query_as_sql_function() -> None:
    conn = sqlite3.connect(":memory:")
    datasette_plugin.prepare_connection(conn)
    assert (
        conn.execute("select segment_query('OpenAI与软银')").fetchone()[0] == '"OpenAI" "与" "软银"'
    )


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        ("投入了超过 130 亿美元。", [(6, 13)], "投入了超过 <mark>130 亿美元</mark>。"),
        ("a <b> 5%", [(6, 8)], "a &lt;b&gt; <mark>5%</mark>"),
        ("<i>5</i>", [(3, 4)], "&lt;i&gt;<mark>5</mark>&lt;/i&gt;"),
        ("1 and 2", [(6, 7), (0, 1)], "<mark>1</mark> and <mark>2</mark>"),
        ("1 and 2", [(0, 3), (2, 5)], "<mark>1 a</mark>nd 2"),  # overlap dropped
        ("12", [(1, 9), (-1, 1), (None, 1), ("x", 2)], "12"),  # bad offsets ignored
    ],
)
def test_highlight(text: str, spans: list[Any], expected: str) -> None:
    assert str(datasette_plugin.highlight(text, spans)) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (13e9, "USD", "13,000,000,000"),
        (2032.0, "year", "2032"),
        (23.4, "percent", "23.4"),
        (1234567.5, "CNY", "1,234,567.5"),
        (3, None, "3"),
    ],
)
def test_format_value(value: float, unit: str | None, expected: str) -> None:
    assert datasette_plugin.format_value(value, unit) == expected


def test_values_shown_with_separators(get: Callable[[str], httpx.Response]) -> None:
    html = get("/claims/claims?id=nbd:c1").text
    assert "13,000,000,000" in html
    assert get_json(get, "/claims/claims?id=nbd:c1")[0]["value"] == 13e9  # the data is unchanged


def test_entity_names(entities_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(datasette_plugin.ENTITIES_ENV, str(entities_file))
    assert datasette_plugin.entity_names("軟銀") == [
        "SoftBank",
        "软银",
        "軟銀",
        "SoftBank Group",
    ]
    assert datasette_plugin.entity_names("Acme") == ["Acme"]
    assert datasette_plugin.entity_names(" ") == []


# --- the command -------------------------------------------------------------------------


def test_serve_help_has_an_example() -> None:
    result = CliRunner().invoke(serve_command, ["--help"])
    assert result.exit_code == 0
    assert "claims serve --db claims.db" in result.output
    assert "--immutable" in result.output and "--host" in result.output


def test_serve_missing_database_is_one_line(tmp_path: Path) -> None:
    from extractor.cli import cli

    result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "nope.db")])
    assert result.exit_code == 2
    # The one error format of every command (extractor/errors.py), not click's "Error: ...".
    assert result.output.strip().splitlines() == [
        f"error: [E400] {tmp_path / 'nope.db'}: no such database; run 'claims ingest' first"
    ]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "host", "port", "immutable"),
    [
        ([], "127.0.0.1", 8001, False),
        (["--host", "0.0.0.0", "--port", "9000"], "0.0.0.0", 9000, False),
        (["--immutable"], "127.0.0.1", 8001, True),
    ],
)
def test_serve_runs_datasette(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    host: str,
    port: int,
    immutable: bool,
) -> None:
    import uvicorn

    path = tmp_path / "seed.db"
    open_db(path).close()  # no views yet
    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: served.update(app=app, **kwargs))
    result = CliRunner().invoke(serve_command, ["--db", str(path), *args])
    assert result.exit_code == 0, result.output
    assert (served["host"], served["port"]) == (host, port)
    # A read-only copy is never written to; a working database gets its views.
    assert bool(sqlite_utils.Database(path).view_names()) is not immutable


def test_make_datasette_mounts_any_file_as_claims(tmp_path: Path) -> None:
    path = build_db(tmp_path / "seed.db")
    ds = make_datasette(path, immutable=True, metadata_path=METADATA_PATH)
    assert list(ds.databases) == ["_internal", "claims"]
    assert not ds.databases["claims"].is_mutable
    assert ds.setting("suggest_facets") is False
    loop = asyncio.new_event_loop()
    try:
        response = loop.run_until_complete(ds.client.get("/claims/conflict_report"))
    finally:
        loop.close()
    assert response.status_code == 200
    assert "<mark>$13 Billion</mark>" in response.text


# --- what a reader sees (issue 13) ------------------------------------------------------


def test_markdown_markup_never_shows_in_a_highlighted_sentence() -> None:
    text = "据报道，**微软**累计投资**13亿美元**。"
    start = text.index("13亿美元")
    html = str(datasette_plugin.highlight(text, [(start, start + len("13亿美元"))]))
    assert html == "据报道，微软累计投资<mark>13亿美元</mark>。"


@pytest.mark.parametrize(
    ("value", "shown"),
    [("2019..2019-07", "2019 to Jul 2019"), ("2026..2030", "2026–2030"), ("2025-Q3", "Q3 2025")],
)
def test_periods_read_as_words(value: str, shown: str) -> None:
    cell = datasette_plugin.render_cell(row={"period": value}, value=value, column="period",
                                        table="claims", database="claims", datasette=None)
    assert cell == shown


@pytest.mark.parametrize(
    ("row", "shown"),
    [
        ({"best_value": 13e9, "best_value_max": None, "best_date": None, "unit": "USD"}, "13,000,000,000 USD"),
        ({"best_value": 3000.0, "best_value_max": None, "best_date": None, "unit": "count"}, "3,000"),
        ({"best_value": None, "best_value_max": None, "best_date": "2032", "unit": "year"}, "2032"),
        ({"best_value": None, "best_value_max": None, "best_date": None, "unit": "USD"}, "undecided"),
    ],
)
def test_best_value_reads_with_its_unit_or_undecided(row: dict[str, Any], shown: str) -> None:
    assert datasette_plugin.render_best(row) == shown


def test_serve_describes_the_database_it_serves(db_path: Path) -> None:
    from extractor.browse import describe

    text = describe(sqlite_utils.Database(db_path))
    assert text.startswith("3 articles from 2 outlets (")
    assert "published 12 May 2025 to 8 May 2026" in text and "2 conflicts" in text
    ds = make_datasette(db_path)
    assert ds.metadata("source") == text
    html = _page(ds, "/claims/claims")
    assert "Seed corpus" not in html and "3 articles from 2 outlets" in html


def _page(ds: Any, path: str) -> str:
    loop = asyncio.new_event_loop()
    try:
        return str(loop.run_until_complete(ds.client.get(path)).text)
    finally:
        loop.close()


def test_conflict_report_page_names_the_kind_and_hides_ids(get: Callable[[str], httpx.Response]) -> None:
    html = get("/claims/conflict_report").text
    assert '<a href="/claims/conflicts/k-translation">Translation mismatch</a>' in html
    assert "13,000,000,000 USD" in html
    assert "Microsoft · investment total" in html
    # The page script turns the kind box into a choice of the kinds.
    assert 'body.query-conflict_report form input[name=kind]' in html and '"translation_mismatch"' in html


def test_published_plugin_loads_display_from_beside_itself(tmp_path: Path) -> None:
    """A published copy has no extractor package: the plugin reads display.py beside it."""
    import shutil
    import subprocess

    root = Path(datasette_plugin.__file__).parent
    for name in ("datasette_plugin.py", "display.py"):
        shutil.copy(root / name, tmp_path / name)
    code = (
        "import runpy, sys; sys.modules['extractor'] = None; "  # as if the package were not installed
        "m = runpy.run_path('datasette_plugin.py'); "
        "print(m['highlight']('a **5%** b', [(4, 6)]))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "a <mark>5%</mark> b"
