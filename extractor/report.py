"""The conflict report: every disagreement with its sides, quotes, sources and the
best-supported value, as text (a rich table in a terminal), Markdown, HTML or JSON.

The HTML report is one self-contained file (no network): article text is escaped and
each conflict carries a small SVG chart of each source's value over time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import io
import math
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import click
import sqlite_utils

from extractor import sanitize
from extractor.conflicts import human_number
from extractor.display import cells, period_words, plain, source_name, window, wrap
from extractor.errors import DatabaseError, OutputError

KIND_ORDER = ["translation_mismatch", "contradiction", "superseded", "proposal_vs_final", "internal", "rounding",
              "extraction_doubt"]
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}
KIND_PLURALS = {
    "translation_mismatch": "translation mismatches",
    "contradiction": "contradictions",
    "superseded": "superseded figures",
    "proposal_vs_final": "proposals against final figures",
    "rounding": "rounding differences",
    "extraction_doubt": "possible extraction slips",
    "internal": "articles giving two figures for one thing",
}
KIND_SINGULAR = {
    "translation_mismatch": "translation mismatch",
    "contradiction": "contradiction",
    "superseded": "superseded figure",
    "proposal_vs_final": "proposal against a final figure",
    "rounding": "rounding difference",
    "extraction_doubt": "possible extraction slip",
    "internal": "article giving two figures for one thing",
}
KIND_TITLES = {
    "translation_mismatch": "Translation mismatch",
    "contradiction": "Contradiction",
    "superseded": "Superseded (a later source revised it)",
    "proposal_vs_final": "Proposal vs final figure",
    "rounding": "Rounding",
    "extraction_doubt": "Possible extraction slip",
    "internal": "One article, two figures",
}


# The report's order, most severe first: one definition, which the conflict_report page
# of metadata.yml repeats word for word (a test holds them together) and an index of
# store.py serves. Within a severity, the conflicts the checker is surest of come first.
REPORT_ORDER = (
    "case severity when 'high' then 0 when 'medium' then 1 when 'low' then 2 when 'info' then 3 else 4 end, "
    "confidence desc, id"
)
UNDECIDED = "undecided"
NO_CONFLICTS = "No conflicts found among the figures that could be compared."


@dataclass
class Quote:
    claim_id: str
    side: str
    text: str
    value: str
    qualifier: str
    modality: str
    sentence: str  # the whole sentence, Markdown markup removed
    mark_start: int
    mark_end: int
    outlet: str | None
    published: str | None
    url: str | None
    title: str | None
    path: str
    lang: str
    number: float | None
    sentence_id: str | None = None
    source: str = ""  # the outlet, else the headline or the file's name


@dataclass
class Entry:
    id: str
    kind: str
    severity: str
    subject: str
    metric: str
    period: str | None
    summary: str
    best: str | None
    confidence: float
    quotes: list[Quote] = field(default_factory=list)
    unit: str | None = None
    best_number: float | None = None
    why: str | None = None  # the evidence that grouped these claims, and why the difference stands

    def side(self, name: str) -> list[Quote]:
        return [q for q in self.quotes if q.side == name]

    @property
    def what(self) -> str:
        """'Microsoft · investment total · 2019 to Jul 2019'"""
        parts = [self.subject or "?", (self.metric or "?").replace("_", " ")]
        if self.period:
            parts.append(period_words(self.period))
        return " · ".join(parts)


def with_unit(label: str, unit: str | None) -> str:
    """'3,000' for a count (the count is the unit), '13 billion USD', '20 percent'."""
    if unit == "multiplier":
        return f"{label}×"
    return label if not unit or unit in ("count", "year", "date") else f"{label} {unit}"


def _value_label(row: dict[str, Any]) -> str:
    if row["kind"] in ("year", "date"):
        return str(row["date"])
    label = _num(row["value"])
    if row["value_max"] is not None:
        label += f"–{_num(row['value_max'])}"
    return with_unit(label, row["unit"])


def _num(v: float | None) -> str:
    return "?" if v is None else human_number(v)


def load(db: sqlite_utils.Database) -> list[Entry]:
    """Every conflict with its quotes, most severe first (REPORT_ORDER)."""
    if not db.table("conflicts").exists():
        return []
    entries: dict[str, Entry] = {}
    for r in db.query(f"select * from conflicts order by {REPORT_ORDER}"):
        best = None
        if r["best_date"]:
            best = r["best_date"]
        elif r["best_value"] is not None:
            best = _num(r["best_value"]) + (f"–{_num(r['best_value_max'])}" if r["best_value_max"] is not None else "")
            best = with_unit(best, r["unit"])
        entries[r["id"]] = Entry(r["id"], r["kind"], r["severity"] or "medium", r["subject"], r["metric"],
                                 r["period"], r["summary"], best, r["confidence"] or 0.0, unit=r["unit"],
                                 best_number=_best_number(r), why=r.get("why"))
    rows = db.query(
        """select cc.conflict_id, cc.side, c.id, c.text, c.kind, c.value, c.value_max, c.date, c.unit,
                  c.qualifier, c.modality, c.start, c.end, c.lang, c.sentence_id, s.text as sentence,
                  s.start as s_start, a.outlet, a.published, a.url, a.title, a.path
           from conflict_claims cc
           join claims c on c.id = cc.claim_id
           join articles a on a.id = c.article_id
           left join sentences s on s.id = c.sentence_id
           order by a.published, c.start"""
    )
    for r in rows:
        entry = entries.get(r["conflict_id"])
        if entry is None:
            continue
        sentence = r["sentence"] or r["text"]
        offset = (r["start"] - r["s_start"]) if r["s_start"] is not None else 0
        sentence, (span,) = plain(sentence, [(offset, offset + (r["end"] - r["start"]))])
        if span is None:  # offsets that do not fit the sentence: quote the number alone
            sentence, span = plain(r["text"])[0], (0, len(plain(r["text"])[0]))
        entry.quotes.append(Quote(
            claim_id=r["id"], side=r["side"], text=r["text"], value=_value_label(r),
            qualifier=r["qualifier"], modality=r["modality"] or "asserted", sentence=sentence,
            mark_start=span[0], mark_end=span[1], outlet=r["outlet"],
            published=r["published"], url=r["url"], title=r["title"], path=r["path"], lang=r["lang"],
            number=_plot_value(r), sentence_id=r["sentence_id"],
            source=source_name(r["outlet"], r["title"], r["path"], r["url"]),
        ))
    return list(entries.values())


def _best_number(r: dict[str, Any]) -> float | None:
    if r["best_date"]:
        return _plot_value({"kind": "date", "date": r["best_date"]})
    return r["best_value"]


def _plot_value(r: dict[str, Any]) -> float | None:
    if r["kind"] in ("year", "date"):
        date = str(r["date"] or "")
        try:
            year = int(date[:4])
        except ValueError:
            return None
        month = int(date[5:7]) if len(date) >= 7 and date[5:7].isdigit() else 6
        return year + (month - 1) / 12
    return r["value"]


def _source(q: Quote) -> str:
    name = q.source or source_name(q.outlet, q.title, q.path, q.url)
    return f"{name}, {q.published}" if q.published else name


# ---------------------------------------------------------------------------
# Text and Markdown.


def render_markdown(entries: list[Entry], *, about: str | None = None) -> str:
    lines = ["# Conflict report", ""] + ([_md_escape(about) + ".", ""] if about else [])
    if not entries:
        lines.append(NO_CONFLICTS)
        return "\n".join(lines) + "\n"
    lines.append(counts_line(entries) + ".")
    for e in entries:
        lines += ["", f"## {KIND_TITLES.get(e.kind, e.kind)}: {_md_escape(e.what)}", "",
                  _md_escape(e.summary), "", f"Best-supported value: **{_md_escape(e.best or UNDECIDED)}** "
                  f"(severity {e.severity}, confidence {e.confidence:.2f})", ""]
        if e.why:
            lines += [f"*{_md_escape(e.why)}*", ""]
        lines += ["| side | value | quote | source |", "|---|---|---|---|"]
        for q in e.quotes:
            quote = _md_escape(q.sentence[: q.mark_start]) + "**" + _md_escape(q.sentence[q.mark_start : q.mark_end]) + "**" + _md_escape(q.sentence[q.mark_end :])
            src = sanitize.md_link(_md_escape(_source(q)), q.url)
            lines.append(f"| {_md_escape(q.side)} | {_md_escape(q.value)} ({_md_escape(q.modality)}) | {quote} | {src} |")
    return "\n".join(lines) + "\n"


def _md_escape(text: str | None) -> str:
    return sanitize.md_escape(str(text or ""))


def counts_line(entries: list[Entry]) -> str:
    """'1 translation mismatch, 6 contradictions, …'"""
    parts = []
    for kind, n in _counts(entries).items():
        name = KIND_PLURALS.get(kind, kind) if n != 1 else KIND_SINGULAR.get(kind, kind)
        parts.append(f"{n} {name}")
    return ", ".join(parts)


def _counts(entries: list[Entry]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in entries:
        counts[e.kind] = counts.get(e.kind, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: KIND_ORDER.index(kv[0]) if kv[0] in KIND_ORDER else 99))


def render_text(entries: list[Entry], *, width: int | None = None, color: bool | None = None,
                about: str | None = None) -> str:
    """A rich table per conflict, rendered once into a string. With colour the number is
    shown in reverse video; without (piped, or written to a file) it is in [brackets].
    Each quote is a window of its sentence centred on the number; the claim's id finds
    the whole sentence (`claims serve`: /claims/claims/ID, or the HTML report)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    entries = [_for_terminal(e) for e in entries]  # nothing of an article's acts on the terminal
    buffer = io.StringIO()
    # Every string goes in as a Text, never as rich markup: "[" in an article is text.
    console = Console(file=buffer, width=width or 110, force_terminal=bool(color), no_color=not color,
                      color_system="standard" if color else None, highlight=False, emoji=False, markup=False)
    if not entries:
        if about:
            console.print(Text(sanitize.terminal_safe(about, newlines=False), style="dim"))
        console.print(NO_CONFLICTS)
        return buffer.getvalue()
    console.print(Text("Conflict report", style="bold"), Text("— " + counts_line(entries)))
    if about:
        console.print(Text(sanitize.terminal_safe(about, newlines=False), style="dim"))
    for e in entries:
        title = Text(f"{KIND_TITLES.get(e.kind, e.kind)}: ", style="bold")
        title.append(e.what)
        best = Text("Best-supported: ")
        best.append(e.best or UNDECIDED, style="bold")
        best.append(f"  (severity {e.severity}, confidence {e.confidence:.2f})")
        caption = Text(e.summary + "\n").append_text(best)
        if e.why:
            caption.append("\n" + e.why, style="dim")
        table = Table(title=title, caption=caption,
                      title_justify="left", caption_justify="left", show_lines=True)
        # Widths fixed here, so the quote can be wrapped here without splitting its number.
        total = max(width or 110, 60) - 13  # five borders and a space either side of four columns
        quote_cells = max((total - 4 - 16) * 2 // 3, 20)
        table.add_column("side", width=4, no_wrap=True)
        table.add_column("value", width=16)
        table.add_column("quote", width=quote_cells, no_wrap=True)
        table.add_column("source", width=total - 4 - 16 - quote_cells, overflow="fold")
        for q in e.quotes:
            number = q.sentence[q.mark_start : q.mark_end] if color else f"[{q.sentence[q.mark_start : q.mark_end]}]"
            # Two lines of the quote column: narrower windows until the wrapped quote fits.
            budget = 2 * quote_cells - cells(number) - 2
            while True:
                cut_left, before, _, after, cut_right = window(q.sentence, q.mark_start, q.mark_end, budget)
                lines = wrap([(cut_left + before, False), (number, True), (after + cut_right, False)], quote_cells)
                if len(lines) <= 2 or budget <= 0:
                    break
                budget -= 8
            quote = Text()
            for i, line in enumerate(lines):
                if i:
                    quote.append("\n")
                for piece, is_number in line:
                    quote.append(piece, style="bold reverse" if is_number and color else "")
            source = Text(_source(q))
            if q.url:
                source.append("\n" + q.url)
            source.append(f"\nclaim {q.claim_id}", style="dim")
            table.add_row(Text(q.side), Text(f"{q.value}\n{q.modality}"), quote, source)
        console.print(table)
    console.print(Text("Quotes are cut around the number; the claim id opens the whole sentence in "
                       "`claims serve` (/claims/claims/ID), and `--format html` shows every sentence whole.",
                       style="dim"))
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# HTML.

CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;max-width:72rem;margin:1.5rem auto;padding:0 1rem;color:#222;line-height:1.45}
h1{margin-bottom:.2rem} .counts{color:#555;margin-top:0}
section{border:1px solid #ddd;border-radius:8px;padding:.8rem 1.1rem;margin:1.1rem 0}
section.high{border-left:6px solid #c0392b} section.medium{border-left:6px solid #e67e22}
section.low{border-left:6px solid #2980b9} section.info{border-left:6px solid #95a5a6}
.kind{font-size:.8rem;text-transform:uppercase;letter-spacing:.05em;color:#666}
h2{font-size:1.2rem;margin:.2rem 0 .4rem}
section{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,420px);column-gap:1.5rem}
section>.text{grid-column:1} section>figure{grid-column:2;grid-row:1 / span 2;margin:0;align-self:start}
section>table,section>.why{grid-column:1 / -1}
figure svg{width:100%;height:auto} figcaption{font-size:.75rem;color:#666}
table{border-collapse:collapse;width:100%;margin-top:.6rem} td,th{border-top:1px solid #eee;padding:.35rem .5rem;vertical-align:top;text-align:left}
td.quote{overflow-wrap:anywhere} td.value{white-space:nowrap}
mark{background:#ffe08a;padding:0 .1em;font-weight:600;word-break:keep-all} .side-a{color:#1f6feb} .side-b{color:#d1242f}
.best{font-weight:600;font-size:1.05rem} .date{white-space:nowrap} .muted{color:#777;font-size:.85rem}
td.quote .src{display:none;color:#555;font-size:.85rem;margin-top:.2rem}
@media (max-width:640px){body{margin:.8rem auto;padding:0 .6rem} td,th{padding:.3rem .25rem;font-size:.9rem}
 section{display:block;padding:.6rem .7rem} section>figure{margin-top:.6rem} h1{font-size:1.6rem}
 th.source,td.source{display:none} td.quote .src{display:block} td.value{white-space:normal;min-width:5.5em}}
"""
SIDE_COLORS = {"a": "#1f6feb", "b": "#d1242f"}


def render_html(entries: list[Entry], *, generated: str | None = None, about: str | None = None) -> str:
    esc = html.escape
    parts = ["<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
             "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">",
             "<title>Conflict report</title><style>", CSS, "</style></head><body>",
             "<h1>Conflict report</h1>"]
    parts.append(f"<p class=\"counts\">{esc(counts_line(entries)) or esc(NO_CONFLICTS)}"
                 + (f" · generated {esc(generated)}" if generated else "") + "</p>")
    if about:
        parts.append(f"<p class=\"muted\">{esc(about)}</p>")
    for e in entries:
        parts.append(f"<section class=\"{esc(e.severity)}\" id=\"c-{esc(e.id)}\">")
        parts.append("<div class=\"text\">")
        parts.append(f"<div class=\"kind\">{esc(KIND_TITLES.get(e.kind, e.kind))} · severity {esc(e.severity)}</div>")
        parts.append(f"<h2>{esc(e.what)}</h2>")
        parts.append(f"<p class=\"best\">Best-supported value: {esc(e.best or UNDECIDED)}</p>")
        parts.append(f"<p>{esc(e.summary)}</p></div>")
        parts.append("<table><tr><th>side</th><th>value</th><th>quote</th><th class=\"source\">source</th></tr>")
        for q in e.quotes:
            src = esc(q.source or _source(q)) + (f", <span class=\"date\">{esc(q.published)}</span>" if q.published else "")
            if q.url and q.url.startswith(("http://", "https://")):
                src = f"<a href=\"{esc(q.url, quote=True)}\" rel=\"noopener noreferrer\">{src}</a>"
            quote = (esc(q.sentence[: q.mark_start]) + "<mark>" + esc(q.sentence[q.mark_start : q.mark_end])
                     + "</mark>" + esc(q.sentence[q.mark_end :]) + f"<span class=\"src\">{src}</span>")
            parts.append(f"<tr id=\"q-{esc(q.claim_id, quote=True)}\"><td class=\"side-{esc(q.side)}\">{esc(q.side)}</td>"
                         f"<td class=\"value\">{esc(q.value)}<br><span class=\"muted\">{esc(q.modality)}</span></td>"
                         f"<td class=\"quote\" lang=\"{esc(q.lang or '')}\">{quote}</td><td class=\"source\">{src}</td></tr>")
        parts.append("</table>")
        if e.why:  # the evidence, after what a reader checks first
            parts.append(f"<p class=\"why muted\">{esc(e.why)}</p>")
        parts.append(_chart(e))  # after the quotes on a phone, beside the summary on a wider screen
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


@dataclass
class _Point:
    day: int  # proleptic ordinal of the publication date
    y: float
    side: str
    label: str  # the value as the source gives it
    source: str


def _points(e: Entry) -> list[_Point]:
    """One mark per source and value: a source that repeats a figure is one mark."""
    seen: dict[tuple[str, str, float], _Point] = {}
    for q in e.quotes:
        if q.number is None or not q.published:
            continue
        try:
            day = dt.date.fromisoformat(q.published[:10]).toordinal()
        except ValueError:
            continue
        key = (q.source, q.published[:10], q.number)
        if key not in seen:
            seen[key] = _Point(day, q.number, q.side, q.value, q.source)
    return sorted(seen.values(), key=lambda p: (p.day, p.y))


def _chart(e: Entry, width: int = 420, height: int = 190) -> str:
    """Value against publication date: one mark per source (blue: side a, red: side b),
    the best-supported value as a dashed line, both axes titled."""
    points = _points(e)
    if not points:
        return ""
    dated = e.unit in ("year", "date")
    ys = [p.y for p in points] + ([e.best_number] if e.best_number is not None else [])
    log = not dated and min(ys) > 0 and max(ys) / min(ys) > 20
    fy = (lambda v: math.log10(v)) if log else (lambda v: v)
    days = [p.day for p in points]
    span = max(days) - min(days)
    pad = max(2, round(span * 0.08))
    x0, x1 = min(days) - pad, max(days) + pad
    y0, y1 = fy(min(ys)), fy(max(ys))
    if y0 == y1:
        y0, y1 = y0 - (abs(y0) * 0.1 or 1), y1 + (abs(y1) * 0.1 or 1)
    ypad = (y1 - y0) * 0.15
    y0, y1 = y0 - ypad, y1 + ypad
    left, right, top, bottom = 70, 12, 24, 44

    def px(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * (width - left - right)

    def py(y: float) -> float:
        return top + (1 - (fy(y) - y0) / (y1 - y0)) * (height - top - bottom)

    esc = html.escape
    unit_title = {"year": "year", "date": "date", "count": "count"}.get(e.unit or "", e.unit or "value")
    y_title = f"{(e.metric or 'value').replace('_', ' ')} ({unit_title})" + (", log scale" if log else "")
    svg = [f"<figure><svg viewBox=\"0 0 {width} {height}\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" "
           f"aria-label=\"{esc(y_title, quote=True)} by publication date\" font-family=\"system-ui,sans-serif\">",
           f"<line x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - right}\" y2=\"{height - bottom}\" stroke=\"#999\"/>",
           f"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{height - bottom}\" stroke=\"#999\"/>",
           f"<text x=\"{left - 5}\" y=\"11\" font-size=\"11\" fill=\"#444\">{esc(y_title)}</text>",
           f"<text x=\"{(left + width - right) / 2:.0f}\" y=\"{height - 4}\" font-size=\"11\" fill=\"#444\" "
           f"text-anchor=\"middle\">publication date</text>"]
    # Value ticks: each distinct value once, skipping those that would overlap.
    labels = {p.y: p.label for p in points}
    last_y = 1e9
    for v in sorted(labels, reverse=True):
        if abs(py(v) - last_y) < 12:
            continue
        last_y = py(v)
        text = labels[v] if dated else _num(v) + ("%" if e.unit == "percent" else "")
        svg.append(f"<text x=\"{left - 5}\" y=\"{py(v) + 3.5:.1f}\" font-size=\"11\" text-anchor=\"end\" fill=\"#555\">{esc(text)}</text>")
    # Date ticks at each publication date; those too close to the last one drop a line.
    last_x, row = -1e9, 0
    for day in sorted(set(days)):
        x = px(day)
        row = (row + 1) % 2 if x - last_x < 62 else 0
        if x - last_x < 62 and row == 0:
            continue  # a third label this close would overlap both
        last_x = x if row == 0 else last_x
        label = dt.date.fromordinal(day).strftime("%-d %b %Y")
        svg.append(f"<line x1=\"{x:.1f}\" y1=\"{height - bottom}\" x2=\"{x:.1f}\" y2=\"{height - bottom + 3}\" stroke=\"#999\"/>"
                   f"<text x=\"{x:.1f}\" y=\"{height - bottom + 13 + 10 * row}\" font-size=\"9.5\" text-anchor=\"middle\" fill=\"#555\">{label}</text>")
    if e.best_number is not None:
        yb = py(e.best_number)
        svg.append(f"<line x1=\"{left}\" y1=\"{yb:.1f}\" x2=\"{width - right}\" y2=\"{yb:.1f}\" stroke=\"#2e7d32\" "
                   f"stroke-dasharray=\"5 3\"/><text x=\"{width - right - 2}\" y=\"{yb - 4:.1f}\" font-size=\"11\" "
                   f"text-anchor=\"end\" fill=\"#2e7d32\">best-supported: {esc(e.best or '')}</text>")
    # Sources of one day spread sideways, so each stays visible.
    by_day: dict[int, int] = {}
    for p in points:
        n = by_day.get(p.day, 0)
        by_day[p.day] = n + 1
        x = px(p.day) + (n % 2 * 2 - 1) * 5 * ((n + 1) // 2)
        tip = esc(f"{p.source}, {dt.date.fromordinal(p.day).isoformat()}: {p.label} (side {p.side})")
        color = SIDE_COLORS.get(p.side, "#444")
        shape = (f"<circle cx=\"{x:.1f}\" cy=\"{py(p.y):.1f}\" r=\"5\"" if p.side != "b" else
                 f"<rect x=\"{x - 4.5:.1f}\" y=\"{py(p.y) - 4.5:.1f}\" width=\"9\" height=\"9\"")
        svg.append(f"{shape} fill=\"{color}\" fill-opacity=\".8\" class=\"mark side-{esc(p.side)}\"><title>{tip}</title>"
                   + ("</circle>" if p.side != "b" else "</rect>"))
    svg.append("</svg>")
    legend = (f"<figcaption><span style=\"color:{SIDE_COLORS['a']}\">●</span> side a · "
              f"<span style=\"color:{SIDE_COLORS['b']}\">■</span> side b, one mark per source"
              + ("; dashed: the best-supported value" if e.best_number is not None else f"; {UNDECIDED}")
              + "</figcaption></figure>")
    return "".join(svg) + legend


def render_json(entries: list[Entry]) -> str:
    return sanitize.json_dumps([asdict(e) for e in entries], indent=2)


def render(db: sqlite_utils.Database, fmt: str, *, color: bool | None = None, width: int | None = None) -> str:
    entries = load(db)
    if fmt == "json":
        return render_json(entries)
    from extractor.browse import describe

    about = describe(db)  # what the report covers: its articles, outlets and dates
    from extractor import reconciled

    # After the conflicts: the differences the texts reconcile, and what was not compared.
    items, note = reconciled.load(db), reconciled.silence(db)
    if fmt == "markdown":
        return render_markdown(entries, about=about) + reconciled.render_markdown(items, note)
    if fmt == "html":
        page = render_html(entries, generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), about=about)
        return page.replace("</body></html>", reconciled.render_html(items, note) + "\n</body></html>")
    return render_text(entries, color=color, width=width, about=about) + sanitize.terminal_safe(
        reconciled.render_text(items, note))


@click.command()
@click.option("--db", "db_path", default="claims.db", show_default=True, help="SQLite database file.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "html", "json"]), default="text",
              show_default=True, help="Output format.")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), help="Write to this file instead of standard output.")
def report_command(db_path: str, fmt: str, out: str | None) -> None:
    """Print the conflict report: every disagreement, its sides, quotes and sources.

    Example: claims report --format html --out report.html
    """
    if not Path(db_path).exists():
        raise DatabaseError(f"{db_path}: no such database; run 'claims ingest' first")
    from extractor import store

    db = store.open_readonly(db_path)  # reading needs no write access to the database or its folder
    # Colour and the terminal's width on a terminal; plain text, numbers in [brackets], when
    # piped or written to a file.
    color = out is None and sys.stdout.isatty()
    width = shutil.get_terminal_size((110, 24)).columns if color else None
    text = render(db, fmt, color=color, width=width)
    if fmt == "html":  # HTML escaping leaves control characters as they are
        text = sanitize.terminal_safe(text)
    if out:
        _write_whole(Path(out), text)
        click.echo(f"wrote {out}")
    else:
        click.echo(text, nl=not text.endswith("\n"))


def _write_whole(path: Path, text: str) -> None:
    """Write `text` to `path` whole or not at all: a full disk or a missing folder is one
    line, and leaves no truncated report behind (nor changes an older one)."""
    import os
    import tempfile

    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent if str(path.parent) else ".")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the report ({exc.strerror or exc})") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _for_terminal(e: Entry) -> Entry:
    """The entry with control characters shown as escapes (no escape sequence, carriage
    return or bell from an article reaches the terminal). render_text hands rich every
    string as a Text, so nothing is read as rich markup."""
    from dataclasses import replace

    def plain(text: str | None) -> str | None:
        return None if text is None else sanitize.terminal_safe(text, newlines=False)

    quotes = []
    for q in e.quotes:
        before, mark, after = (sanitize.terminal_safe(part, newlines=False) for part in
                               (q.sentence[: q.mark_start], q.sentence[q.mark_start : q.mark_end], q.sentence[q.mark_end :]))
        quotes.append(replace(q, sentence=before + mark + after, mark_start=len(before), mark_end=len(before) + len(mark),
                              side=plain(q.side) or "", value=plain(q.value) or "", modality=plain(q.modality) or "",
                              outlet=plain(q.outlet), published=plain(q.published), url=plain(q.url),
                              title=plain(q.title), path=plain(q.path) or "", source=plain(q.source) or "",
                              claim_id=plain(q.claim_id) or ""))
    return replace(e, subject=plain(e.subject) or "", metric=plain(e.metric) or "", summary=plain(e.summary) or "",
                   best=plain(e.best), period=plain(e.period), why=plain(e.why), quotes=quotes)
