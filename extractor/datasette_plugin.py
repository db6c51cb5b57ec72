"""Datasette plugin for claims.db: safe, highlighted cells and bilingual search helpers.

Registered through the ``datasette`` entry point in pyproject.toml (and by
``claims serve`` itself, so it also works from a source checkout). It depends only on
datasette, markupsafe, jieba and pyyaml, so the file can be copied into a
``--plugins-dir`` when a database is published.

SQL functions, for the canned queries in metadata.yml:

- ``segment_query(q)``: the query segmented with jieba like ``sentences.words``, each
  word quoted, ready for ``sentences_fts MATCH``.
- ``entity_aliases(name)``: a JSON array of the canonical name and every alias of the
  entity that ``name`` names (from rules/entities.yaml), or just ``name`` if unknown.
- ``source_name(outlet, title, path, url)``: what a page calls an article's source.

Facets of type ``precounted`` in metadata.yml are column facets whose counts for the
whole table come from the facet_counts table, which ``claims ingest`` fills (see
extractor/browse.py): counting a column of a million claims on every page view takes
longer than the page may. A filter on a column that a view looks up (conflict_sides?
subject=) gets the same condition on the view's key, which an index can answer.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import markupsafe
import yaml
from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import ColumnFacet
from datasette.utils import (
    escape_sqlite,
    path_with_added_args,
    path_with_removed_args,
    tilde_encode,
)

# Columns of views and canned queries that hold a sentence. The number to highlight is
# the row's mark_start/mark_end pair, else its claim_id's, else every claim of its
# sentence_id (those two cost a query per cell).
SENTENCE_COLUMNS = frozenset({"sentence", "quote"})
# Id columns of views and canned queries, which have no foreign keys of their own, link
# to the row they name.
ID_COLUMNS = {
    "claim_id": "claims",
    "conflict_id": "conflicts",
    "article_id": "articles",
    "sentence_id": "sentences",
}
VIEWS = frozenset({"claims_in_context", "conflict_sides"})
# Normalized values are plain floats (13000000000.0); shown with thousands separators.
VALUE_COLUMNS = frozenset({"value", "value_max", "best_value", "best_value_max"})
ENTITIES_ENV = "CLAIMS_ENTITIES"


def _load_display() -> Any:
    """extractor/display.py: from the package, or from beside this file in a published
    copy's plugins directory (where Datasette loads files without making them importable)."""
    try:
        from extractor import display
    except ImportError:
        import importlib.util

        spec = importlib.util.spec_from_file_location("claims_display", Path(__file__).with_name("display.py"))
        if spec is None or spec.loader is None:
            raise
        display = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(display)
    return display


display = _load_display()

_jieba_lock = threading.Lock()


# --- full-text search ----------------------------------------------------------------


def query_words(q: str) -> list[str]:
    """Segment a search query the way the index segments ``sentences.words``.

    That is extractor.segment.search_words (spaCy's blank pipelines, jieba for Chinese);
    a published copy without the extractor package falls back to plain ``jieba.lcut``,
    which spaCy's Chinese tokenizer wraps, so the words are the same.
    """
    try:
        from extractor.segment import search_words
    except ImportError:
        import jieba  # lazy: loading its dictionary takes a second

        jieba.setLogLevel(logging.WARNING)
        with _jieba_lock:  # jieba builds its dictionary on first use
            words = jieba.lcut(q)
    else:
        with _jieba_lock:  # spaCy's tokenizers are not meant to be shared by threads
            words = search_words(q).split(" ")
    # Punctuation-only words would become empty phrases that match nothing.
    return [w.strip() for w in words if any(ch.isalnum() for ch in w)]


def segment_query(q: str | None) -> str:
    """An FTS5 MATCH expression: every word of ``q`` must occur (implicit AND).

    Each word is quoted, so user input can never be read as FTS syntax (OR, NEAR, *).
    An empty query gives ``""``, which matches nothing instead of raising a syntax error.
    """
    words = query_words(q or "")
    if not words:
        return '""'
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


# --- entities --------------------------------------------------------------------------


def entities_path() -> Path | None:
    """Where the entity aliases live: $CLAIMS_ENTITIES, beside this plugin, or rules/."""
    here = Path(__file__).resolve().parent
    candidates = [
        Path(os.environ[ENTITIES_ENV]) if os.environ.get(ENTITIES_ENV) else None,
        here / "entities.yaml",  # a published copy ships it next to the plugin
        here.parent / "rules" / "entities.yaml",
        Path.cwd() / "rules" / "entities.yaml",
    ]
    return next((p for p in candidates if p is not None and p.is_file()), None)


@lru_cache(maxsize=4)
def load_aliases(path: Path | None, mtime: float = 0.0) -> dict[str, list[str]]:
    """Map every name and alias (case-folded) to [canonical name, *aliases].

    Entries without a name are skipped rather than refused: browsing must keep working
    while rules/entities.yaml is being edited. The extractor validates the file strictly.
    ``mtime`` is part of the cache key, so an edited file is read again.
    """
    if path is None:
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if isinstance(data, dict):
        data = data.get("entities", [])
    table: dict[str, list[str]] = {}
    for entry in data if isinstance(data, list) else []:
        if not isinstance(entry, dict) or not entry.get("name"):
            continue
        names = [str(entry["name"])] + [str(a) for a in entry.get("aliases") or [] if a]
        names = list(dict.fromkeys(names))
        for name in names:
            table.setdefault(name.casefold(), names)
    return table


def entity_names(name: str | None) -> list[str]:
    """The canonical name and aliases of the entity called ``name``, in any language."""
    name = (name or "").strip()
    if not name:
        return []
    path = entities_path()
    aliases = load_aliases(path, path.stat().st_mtime if path else 0.0)
    names = aliases.get(name.casefold())
    return list(dict.fromkeys([*(names or []), name]))


def entity_aliases(name: str | None) -> str:
    return json.dumps(entity_names(name), ensure_ascii=False)


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.create_function("segment_query", 1, segment_query, deterministic=True)
    conn.create_function("entity_aliases", 1, entity_aliases)
    # What the pages call a source: the outlet, else the site, headline or file name.
    conn.create_function("source_name", 4, display.source_name, deterministic=True)


# --- facets counted at ingest ---------------------------------------------------------

PRECOUNTED = "precounted"
FACET_COUNTS_TABLE = "facet_counts"
AGREEMENT_TABLE = "agreement_by_source"
# Values kept per facet: enough for the largest facet a page can ask for (?_facet_size=max
# is max_returned_rows, 1000 unless changed), and one more to tell that there are more.
FACET_VALUES_KEPT = 1001


class PrecountedFacet(ColumnFacet):
    """A column facet that reads its counts from facet_counts on an unfiltered page.

    The counts are used while the table has as many rows as when they were counted, so
    a page read during an ingest counts live instead. Once a filter (or a later page)
    applies, the facet counts live like Datasette's own, but all the live facets of a
    page share twice facet_time_limit_ms: the ones left when it runs out are reported
    as timed out, so a broad filter on a big table cannot hold a page for seconds.
    """

    type = PRECOUNTED

    def _unfiltered(self) -> bool:
        # Datasette builds the facets' SQL as "select ... from <table> <where>".
        return bool(self.table) and not self.params and self.sql.rstrip().endswith(
            f" from {escape_sqlite(self.table)}"
        )

    async def _stored(self) -> dict[str, list[list[Any]]]:
        try:
            result = await self.ds.execute(
                self.database,
                f"select column_name, table_rows, counts from [{FACET_COUNTS_TABLE}] "
                "where table_name = ?",
                [self.table],
            )
        except sqlite3.Error:  # a database from before facet_counts
            return {}
        return {
            column: json.loads(counts)
            for column, rows, counts in result.rows
            if self.row_count is None or rows == self.row_count
        }

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        facet_size = self.get_facet_size()
        stored = await self._stored() if self._unfiltered() else {}
        budget_ms = 2 * self.ds.setting("facet_time_limit_ms")
        started = time.monotonic()
        results, timed_out = [], []
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            values = stored.get(column)
            if values is None or (len(values) == FACET_VALUES_KEPT and len(values) <= facet_size):
                left_ms = int(budget_ms - (time.monotonic() - started) * 1000)
                try:
                    if left_ms < 1:
                        timed_out.append(column)
                        continue
                    values = await self._count(column, facet_size, left_ms)
                except QueryInterrupted:
                    timed_out.append(column)
                    continue
            results.append(
                await self._result(column, source_and_config["source"], values, facet_size)
            )
        return results, timed_out

    async def _count(self, column: str, facet_size: int, time_limit_ms: int) -> list[list[Any]]:
        sql = (
            f"select {escape_sqlite(column)} as value, count(*) as count from ({self.sql}) "
            f"where {escape_sqlite(column)} is not null "
            f"group by {escape_sqlite(column)} order by count desc, value limit {facet_size + 1}"
        )
        result = await self.ds.execute(
            self.database, sql, self.params, truncate=False, custom_time_limit=time_limit_ms
        )
        return [[row["value"], row["count"]] for row in result.rows]

    async def _result(
        self, column: str, source: str, values: list[list[Any]], facet_size: int
    ) -> dict[str, Any]:
        """The facet as Datasette's ColumnFacet reports it (and its page shows it)."""
        shown = values[:facet_size]
        labels = {}
        if self.table:  # a foreign key's values are shown by the label of their row
            labels = await self.ds.expand_foreign_keys(
                self.database, self.table, column, [v for v, _ in shown]
            )
        qs_pairs = self.get_querystring_pairs()
        column_qs = f"{column}__exact" if column.startswith("_") else column
        items = []
        for value, count in shown:
            selected = (column_qs, str(value)) in qs_pairs
            if selected:
                toggle = path_with_removed_args(self.request, {column_qs: str(value)})
            else:
                toggle = path_with_added_args(self.request, {column_qs: value})
            items.append(
                {
                    "value": value,
                    "label": labels.get((column, value), value),
                    "count": count,
                    "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(toggle)),
                    "selected": selected,
                }
            )
        return {
            "name": column,
            "type": "column",  # to the page and the API, this is a column facet
            "hideable": source != "metadata",
            "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet": column})),
            "results": items,
            "truncated": len(values) > facet_size,
        }


@hookimpl
def register_facet_classes() -> list[type]:
    return [PrecountedFacet]


# A filter on a column that a view looks up (extractor/browse.py), such as
# conflict_sides?subject=, cannot use an index: it would look up all two million sides.
# The same condition on the key the view looks the column up by can, so it is added.
# (Not for conflict_sides?outlet=: an outlet has too many claims for the index to pay.)
LOOKED_UP_FILTERS: dict[tuple[str, str], str] = {
    **{
        ("conflict_sides", view_column): (
            f"conflict_id in (select id from conflicts where {column} = {{}})"
        )
        for view_column, column in (
            ("conflict_kind", "kind"),
            ("severity", "severity"),
            ("subject", "subject"),
            ("metric", "metric"),
        )
    },
    ("claims_in_context", "outlet"): "article_id in (select id from articles where outlet = {})",
    ("claims_in_context", "published"): (
        "article_id in (select id from articles where published = {})"
    ),
}


@hookimpl
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> Any:
    from datasette.filters import FilterArguments

    clauses: list[str] = []
    params: dict[str, str] = {}
    for key in request.args:
        column, _, op = key.partition("__")
        template = LOOKED_UP_FILTERS.get((table, column))
        if template is None or op not in ("", "exact"):
            continue
        for value in request.args.getlist(key):
            name = f"looked_up_{len(params)}"
            clauses.append(template.format(f":{name}"))
            params[name] = value
    return FilterArguments(clauses, params) if clauses else None


# --- rendering -------------------------------------------------------------------------


# The most of a sentence a cell shows, and of a linked row's label.
SHOWN_CHARS = 1200
LABEL_CHARS = 120


def highlight(text: str, spans: Iterable[Sequence[Any]]) -> markupsafe.Markup:
    """Escape ``text`` without its Markdown markup and wrap each [start, end) span in <mark>.

    Spans that are out of range or overlap an earlier one are ignored, so bad offsets
    can only lose a highlight, never break the escaping.
    """
    # Markdown markup (**bold**, [links](...)) is the source file's, not the sentence's:
    # it goes, and the spans move with the characters they mark.
    text, moved = display.plain(text, list(spans))
    clean = sorted(span for span in moved if span is not None)
    lead, tail = "", ""
    if len(text) > SHOWN_CHARS:
        # A 478 KB "sentence" (a table pasted as one line) made pages of hundreds of MB:
        # a window around the first highlight is shown, and how long the whole is.
        lo = max(0, (clean[0][0] if clean else 0) - SHOWN_CHARS // 6)
        hi = min(len(text), lo + SHOWN_CHARS)
        clean = [(a - lo, b - lo) for a, b in clean if lo <= a and b <= hi]
        lead = "… " if lo > 0 else ""
        tail = f" … ({len(text):,} characters in all)" if hi < len(text) else ""
        text = text[lo:hi]
    # Escaped pieces joined as plain strings: Markup.format is slow on a thousand rows.
    out = [lead]
    pos = 0
    for start, end in clean:
        if start < pos:
            continue
        out.append(_esc(text[pos:start]))
        out.append(f"<mark>{_esc(text[start:end])}</mark>")
        pos = end
    out.append(_esc(text[pos:]))
    out.append(_esc(tail))
    return markupsafe.Markup("".join(out))


def _esc(value: Any) -> str:
    return str(markupsafe.escape(value))


def _html(template: str, *args: Any) -> markupsafe.Markup:
    """``Markup(template).format(*args)``, each argument escaped alike, without Markup's
    formatter, which is slow in pure Python: the conflict report's thousand rows called it
    four times each (a fifth of the page's time)."""
    return markupsafe.Markup(template.format(*map(markupsafe.escape, args)))


def _row_value(row: Any, key: str) -> Any:
    try:
        return row[key]
    except (IndexError, KeyError, TypeError):
        return None


def _row_span(row: Any) -> list[Sequence[Any]]:
    start, end = _row_value(row, "mark_start"), _row_value(row, "mark_end")
    return [] if start is None or end is None else [(start, end)]


# Offsets of claims in their sentence, for one claim or for every claim of a sentence;
# both look-ups use an index (the primary key, claims.sentence_id).
_SPANS_SQL = (
    'select c.start - s.start, c."end" - s.start from claims c '
    "join sentences s on s.id = c.sentence_id where c.{key} = ?"
)


def _highlight_claims(
    datasette: Any, database: str, text: str, key: str, value: Any
) -> Callable[[], Awaitable[markupsafe.Markup]]:
    """Highlight the claim ``id = value`` or every claim ``sentence_id = value``."""

    async def inner() -> markupsafe.Markup:
        result = await datasette.get_database(database).execute(_SPANS_SQL.format(key=key), [value])
        return highlight(text, [tuple(r) for r in result.rows])

    return inner


def _link(url: Any, label: str) -> markupsafe.Markup:
    # Only http(s) URLs become links: a javascript: URL in an article must stay text.
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        return markupsafe.Markup(f'<a href="{_esc(url)}">{_esc(label)}</a>')
    return markupsafe.escape(label)


def render_sides(value: str) -> markupsafe.Markup | None:
    """The conflict report's ``sides`` column: a JSON list of sides, one <li> each: the
    side, the number as written, its source (outlet, else headline or file name) and
    date, then the quote with the number highlighted."""
    try:
        sides = json.loads(value)
    except ValueError:
        return None
    if not isinstance(sides, list):
        return None
    items = []
    for side in sides:
        if not isinstance(side, dict):
            continue
        # source_name never parses the URL: http://[oops must not make the page a 500.
        name = display.source_name(
            _str(side.get("outlet")), _str(side.get("title")), _str(side.get("path")), _str(side.get("url"))
        )
        source = f"{name}, {side.get('published')}" if side.get("published") else name
        quote = highlight(
            str(side.get("quote") or side.get("claim") or ""),
            [(side.get("mark_start"), side.get("mark_end"))],
        )
        items.append(
            f"<li><span class=\"side side-{_esc(side.get('side') or '')}\">{_esc(side.get('side') or '')}</span> "
            f"<strong class=\"claim\">{_esc(display.plain(str(side.get('claim') or ''))[0])}</strong> "
            f"<span class=\"source\">{_link(side.get('url'), source)}</span><br>{quote}</li>"
        )
    return markupsafe.Markup(f'<ul class="conflict-sides">{"".join(items)}</ul>')


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def format_value(value: float, unit: Any) -> str:
    """13000000000.0 as 13,000,000,000; a year stays 2032, a fraction keeps its digits."""
    if unit == "year" and float(value).is_integer():
        return str(int(value))
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.10g}"


CSS = """
details.column-descriptions > summary { cursor: pointer; color: #555; margin: 0.3em 0 0.6em; }
dl.column-descriptions { columns: 24em auto; column-gap: 2em; font-size: 0.85em; }
dl.column-descriptions dt { break-after: avoid; }
dl.column-descriptions dd { margin: 0 0 0.4em 1em; break-before: avoid; }
mark { background: #fde047; padding: 0 0.1em; font-weight: 600; word-break: keep-all; }
.rows-and-columns td.col-sentence, .rows-and-columns td.col-quote { min-width: 24em; }
.rows-and-columns td.col-outlet { min-width: 8em; }
.rows-and-columns td.col-claim, .rows-and-columns td.col-published { white-space: nowrap; }
/* A foreign key shows its row's label; the raw id after it means nothing to a reader. */
.rows-and-columns td > a + em { display: none; }
.rows-and-columns td.col-sentence_id { min-width: 20em; }
/* Offsets that place the highlight: data for the JSON API, noise on the page. */
.rows-and-columns .col-mark_start, .rows-and-columns .col-mark_end { display: none; }
/* The conflict report: five columns that fit a laptop's screen, the quotes wrapped. */
.query-conflict_report .rows-and-columns { width: 100%; table-layout: auto; }
.query-conflict_report .rows-and-columns .col-conflict_id,
.query-conflict_report .rows-and-columns .col-severity,
.query-conflict_report .rows-and-columns .col-best_value_max,
.query-conflict_report .rows-and-columns .col-best_date,
.query-conflict_report .rows-and-columns .col-unit { display: none; }
.query-conflict_report td.col-kind { min-width: 8em; }
.query-conflict_report td.col-what { min-width: 9em; max-width: 14em; }
.query-conflict_report td.col-best_value { font-weight: 600; min-width: 7em; }
.query-conflict_report td.col-summary { min-width: 14em; max-width: 22em; }
.query-conflict_report td.col-sides { min-width: 26em; overflow-wrap: anywhere; }
.severity { font-size: 0.8em; text-transform: uppercase; letter-spacing: 0.04em; color: #666; }
.severity-high { color: #b91c1c; }
ul.conflict-sides { margin: 0; padding-left: 0; list-style: none; }
ul.conflict-sides li { margin: 0 0 0.5em; }
ul.conflict-sides .side { display: inline-block; min-width: 1.2em; font-weight: 700; }
ul.conflict-sides .side-a { color: #1f6feb; } ul.conflict-sides .side-b { color: #d1242f; }
ul.conflict-sides .source { color: #444; }
/* Facets as compact paragraphs, so the rows start on the first screen. */
body.table .facet-results { display: grid; grid-template-columns: repeat(auto-fill, minmax(17em, 1fr)); gap: 0 1.5em; }
body.table .facet-info { width: auto; margin: 0 0 0.5em; }
body.table .facet-info-name { margin: 0 0 0.1em; }
body.table .facet-info ul { padding: 0; margin: 0; }
body.table .facet-info ul li { display: inline-block; white-space: nowrap; margin-right: 0.7em; font-size: 0.9em; }
.table-claims td.col-explanation { min-width: 26em; } .table-conflicts td.col-summary { min-width: 24em; } .table-claims td.col-article_id { min-width: 14em; }
@media (max-width: 700px) {
  .query-conflict_report td.col-sides { min-width: 16em; }
  .query-conflict_report td.col-summary { min-width: 10em; }
}
"""

# The page script: column descriptions folded away (the data first), the conflict
# report's kind as a choice of the kinds, and the claims table's columns in the order a
# reader needs them, each claim named by its number as written rather than its id.
SCRIPT = """
(function () {
  var dl = document.querySelector("dl.column-descriptions");
  if (dl && !dl.closest("details")) {
    var details = document.createElement("details");
    details.className = "column-descriptions";
    var summary = document.createElement("summary");
    summary.textContent = "What each column means (" + dl.querySelectorAll("dt").length + ")";
    dl.parentNode.insertBefore(details, dl);
    details.appendChild(summary);
    details.appendChild(dl);
  }
  var kinds = %(kinds)s;
  var input = document.querySelector("body.query-conflict_report form input[name=kind]");
  if (input) {
    var select = document.createElement("select");
    select.name = "kind";
    select.id = input.id;
    kinds.forEach(function (k) {
      var option = document.createElement("option");
      option.value = k[0];
      option.textContent = k[1];
      option.selected = input.value === k[0];
      select.appendChild(option);
    });
    input.replaceWith(select);
  }
  // Tables whose rows a reader knows by a column rather than their id: the link shows that
  // column (the id becomes its title), and the reader's columns come first.
  var tables = %(tables)s;
  var kindTitles = %(kind_titles)s;
  function column(cell) { var m = cell.className.match(/col-([A-Za-z0-9_]+)/); return m ? m[1] : ""; }
  Object.keys(tables).forEach(function (name) {
    var table = document.querySelector("body.table-" + name + " table.rows-and-columns");
    if (!table) return;
    var spec = tables[name];
    table.querySelectorAll("tr").forEach(function (tr) {
      var cells = Array.prototype.slice.call(tr.children);
      var byName = {};
      cells.forEach(function (c) { byName[column(c)] = c; });
      var label = byName[spec.label], id = byName.id;
      if (label && id) {
        var link = id.querySelector("a");
        if (link && id.tagName === "TD") {
          var text = label.textContent.trim();
          link.title = link.textContent;
          link.textContent = kindTitles[text] || text || link.textContent;
        }
        if (link && id.tagName === "TH") { link.textContent = spec.header; }
        label.style.display = "none";
      }
      spec.order.forEach(function (c) { if (byName[c]) tr.appendChild(byName[c]); });
      cells.forEach(function (c) { if (spec.order.indexOf(column(c)) < 0) tr.appendChild(c); });
    });
  });
})();
"""
# Tables a reader knows by a column rather than an id, and their columns in the order of
# the reader's questions: for a claim, which number, about whom, measuring what, how much,
# when, and the sentence it stands in; for a conflict, what kind, about what, which value.
READER_TABLES = {
    "claims": {"label": "text", "header": "claim",
               "order": ["id", "text", "subject", "metric", "value", "value_max", "unit", "date", "period",
                         "kind", "qualifier", "modality", "sentence_id", "article_id", "object", "hedged"]},
    "conflicts": {"label": "kind", "header": "conflict",
                  "order": ["id", "kind", "subject", "metric", "period", "best_value", "summary", "severity",
                            "confidence", "sources"]},
}


@hookimpl
def extra_body_script() -> str:
    kinds = [["", "all kinds"]] + [[k, f"{v} ({k})"] for k, v in KIND_TITLES.items()]
    return SCRIPT % {"kinds": json.dumps(kinds, ensure_ascii=False),
                     "tables": json.dumps(READER_TABLES), "kind_titles": json.dumps(KIND_TITLES)}


async def _css() -> Any:
    from datasette.utils.asgi import Response

    return Response(CSS, content_type="text/css; charset=utf-8")


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/claims\.css$", _css)]


@hookimpl
def extra_css_urls() -> list[str]:
    # Column descriptions in columns, not one long list above the table.
    return ["/-/claims.css"]


# A value that thousands of claims support (a syndicated figure) would otherwise make a
# cell of thousands of links, and a page of a hundred such rows takes seconds to render.
CLAIM_LINKS_SHOWN = 10


def render_claim_ids(
    value: str, datasette: Any, database: str, row: Any = None
) -> markupsafe.Markup | None:
    """A JSON list of claim ids (corroborations.claim_ids) as links to the claims: the
    first CLAIM_LINKS_SHOWN, then how many more, linked to the row's JSON that has all."""
    try:
        ids = json.loads(value)
    except ValueError:
        return None
    if not isinstance(ids, list):
        return None
    links = [
        markupsafe.Markup('<a href="{}">{}</a>').format(
            datasette.urls.row(database, "claims", tilde_encode(str(i))), i
        )
        for i in ids[:CLAIM_LINKS_SHOWN]
    ]
    more = len(ids) - CLAIM_LINKS_SHOWN
    if more > 0:
        label = f"and {more:,} more"
        row_id = _row_value(row, "id")
        if isinstance(row_id, str):
            url = datasette.urls.row(database, "corroborations", tilde_encode(row_id)) + ".json"
            links.append(markupsafe.Markup('<a href="{}">{}</a>').format(url, label))
        else:
            links.append(markupsafe.escape(label))
    return markupsafe.Markup(", ").join(links)


# What the conflict kinds are called on the pages (the report's titles, extractor/report.py).
KIND_TITLES = {
    "translation_mismatch": "Translation mismatch",
    "contradiction": "Contradiction",
    "superseded": "Superseded",
    "proposal_vs_final": "Proposal vs final",
    "rounding": "Rounding",
    "extraction_doubt": "Possible extraction slip",
    "internal": "One article, two figures",
}


def id_label(column: str, row: Any) -> str:
    """A readable name for a link to a claim, conflict, article or sentence: what the row
    says about it (the number as written, the kind, the headline), the id only as its title."""
    candidates = {
        "claim_id": ("claim",),
        "conflict_id": ("conflict_kind", "kind"),
        "article_id": ("title", "source", "outlet"),
        "sentence_id": (),
    }[column]
    for key in candidates:
        label = _row_value(row, key)
        if isinstance(label, str) and label.strip():
            label = display.plain(label)[0]
            return KIND_TITLES.get(label, label) if column == "conflict_id" else label
    return {"claim_id": "claim", "conflict_id": "conflict", "article_id": "article",
            "sentence_id": "sentence"}[column]


def _has(row: Any, key: str) -> bool:
    try:
        keys = row.keys()
    except AttributeError:
        return False
    return key in keys


def render_best(row: Any) -> str:
    """The conflict report's best-supported value: '13,000,000,000 USD', a date, or
    'undecided' when no side has the better support."""
    date = _row_value(row, "best_date")
    if isinstance(date, str) and date:
        return date
    value = _row_value(row, "best_value")
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "undecided"
    unit = _row_value(row, "unit")
    label = format_value(value, unit)
    high = _row_value(row, "best_value_max")
    if isinstance(high, int | float) and not isinstance(high, bool):
        label += f"–{format_value(high, unit)}"
    return label if unit in (None, "count", "year") else f"{label} {unit}"


def _short_label_link(datasette: Any, database: str, table: str | None, column: str,
                      value: dict[str, Any]) -> Callable[[], Awaitable[markupsafe.Markup | None]]:
    """A foreign key shown by its row's label, as Datasette links it, but the label cut
    to LABEL_CHARS: the whole sentence as the label of each claim made pages enormous."""

    async def inner() -> markupsafe.Markup | None:
        if table is None:
            return None
        fks = await datasette.get_database(database).foreign_keys_for_table(table)
        other = next((fk["other_table"] for fk in fks if fk["column"] == column), None)
        if other is None:
            return None
        label = value["label"][:LABEL_CHARS] + "…"
        url = datasette.urls.row(database, other, tilde_encode(str(value["value"])))
        return markupsafe.Markup('<a href="{}">{}</a>&nbsp;<em>{}</em>').format(url, label, value["value"])

    return inner


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Any:
    if column == "best_value" and table in (None, "conflicts") and _has(row, "best_date"):
        return render_best(row)
    if column in VALUE_COLUMNS and isinstance(value, int | float) and not isinstance(value, bool):
        return format_value(value, _row_value(row, "unit"))
    if isinstance(value, dict) and column in ID_COLUMNS and isinstance(value.get("label"), str):
        # A foreign key Datasette expanded to its row's label (a sentence, a headline):
        # the label without Markdown markup and cut to LABEL_CHARS (a whole sentence as
        # each claim's label made pages enormous), the id only as the link's title.
        label = display.plain(value["label"])[0] or str(value.get("value"))
        if len(label) > LABEL_CHARS:
            label = label[:LABEL_CHARS] + "…"
        url = datasette.urls.row(database, ID_COLUMNS[column], tilde_encode(str(value.get("value"))))
        return _html('<a href="{}" title="{}">{}</a>', url, value.get("value"), label)
    if isinstance(value, dict) and isinstance(value.get("label"), str) and len(value["label"]) > LABEL_CHARS:
        return _short_label_link(datasette, database, table, column, value)
    if not isinstance(value, str):
        return None
    if column == "period":
        return display.period_words(value)
    if column == "kind" and table is None and isinstance(_row_value(row, "conflict_id"), str):
        # The conflict report's kind names the conflict and links to it.
        url = datasette.urls.row(database, "conflicts", tilde_encode(_row_value(row, "conflict_id")))
        severity = _row_value(row, "severity")
        return _html(
            '<a href="{}">{}</a>{}', url, KIND_TITLES.get(value, value),
            _html('<br><span class="severity severity-{0}">{0}</span>', severity)
            if isinstance(severity, str) else "",
        )
    if column in SENTENCE_COLUMNS:
        span = _row_span(row)
        if span:
            return highlight(value, span)
        for key, id_column in (("id", "claim_id"), ("sentence_id", "sentence_id")):
            if _row_value(row, id_column) is not None:
                return _highlight_claims(
                    datasette, database, value, key, _row_value(row, id_column)
                )
        return highlight(value, [])
    if column == "sides" and table is None:
        return render_sides(value)
    if column == "summary" and table is None:
        # Keep the one-line explanation readable beside the wide sides column.
        return _html('<div style="min-width: 14em">{}</div>', value)
    if column in ID_COLUMNS and (table is None or table in VIEWS):
        url = datasette.urls.row(database, ID_COLUMNS[column], tilde_encode(value))
        return _html('<a href="{}" title="{}">{}</a>', url, value, id_label(column, row))
    if column == "claim_ids":
        return render_claim_ids(value, datasette, database, row)
    if table == "sentences" and column == "text":
        return _highlight_claims(datasette, database, value, "sentence_id", _row_value(row, "id"))
    # Anything else, article text included, is left to Datasette, which escapes (and
    # truncates) every value a plugin does not render.
    return None


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    """A bad ?_sort= (a column that is not there, a stray quote) is the reader's mistake:
    Datasette answers it with its own message but as a 500, which reads as a broken
    server. It is answered as a 400."""

    def wrap(app: Any) -> Any:
        async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
            query = scope.get("query_string", b"") if scope.get("type") == "http" else b""
            if b"_sort" not in query:
                await app(scope, receive, send)
                return

            held: list[dict[str, Any]] = []  # a 500's start, until its body says why
            body: list[bytes] = []

            async def send_400(message: dict[str, Any]) -> None:
                if message.get("type") == "http.response.start" and message.get("status") == 500:
                    held.append(message)
                    return
                if held and message.get("type") == "http.response.body":
                    body.append(message.get("body", b""))
                    if message.get("more_body"):
                        return
                    whole = b"".join(body)
                    status = 400 if b"Cannot sort" in whole else 500
                    await send({**held.pop(), "status": status})
                    await send({"type": "http.response.body", "body": whole})
                    return
                await send(message)

            await app(scope, receive, send_400)

        return wrapped

    return wrap
