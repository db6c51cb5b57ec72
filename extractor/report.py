"""The conflict report: every disagreement with its sides, quotes, sources and the
best-supported value, as text (a rich table in a terminal), Markdown, HTML or JSON.

The HTML report is one self-contained file (no network): article text is escaped and
each conflict carries a small SVG chart of each source's value over time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import math
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import click
import sqlite_utils

from extractor import sanitize
from extractor.conflicts import human_number
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
KIND_TITLES = {
    "translation_mismatch": "Translation mismatch",
    "contradiction": "Contradiction",
    "superseded": "Superseded (a later source revised it)",
    "proposal_vs_final": "Proposal vs final figure",
    "rounding": "Rounding",
    "extraction_doubt": "Possible extraction slip",
    "internal": "One article, two figures",
}


@dataclass
class Quote:
    claim_id: str
    side: str
    text: str
    value: str
    qualifier: str
    modality: str
    sentence: str
    mark_start: int
    mark_end: int
    outlet: str | None
    published: str | None
    url: str | None
    title: str | None
    path: str
    lang: str
    number: float | None


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

    def side(self, name: str) -> list[Quote]:
        return [q for q in self.quotes if q.side == name]


def _value_label(row: dict[str, Any]) -> str:
    if row["kind"] in ("year", "date"):
        return str(row["date"])
    v = row["value"]
    label = _num(v)
    if row["value_max"] is not None:
        label += f"–{_num(row['value_max'])}"
    unit = row["unit"]
    return f"{label} {unit}" if unit not in ("count",) else label


def _num(v: float | None) -> str:
    return "?" if v is None else human_number(v)


def load(db: sqlite_utils.Database) -> list[Entry]:
    """Every conflict with its quotes, most severe first."""
    if not db.table("conflicts").exists():
        return []
    entries: dict[str, Entry] = {}
    for r in db.query("select * from conflicts"):
        best = None
        if r["best_date"]:
            best = r["best_date"]
        elif r["best_value"] is not None:
            best = _num(r["best_value"]) + (f"–{_num(r['best_value_max'])}" if r["best_value_max"] is not None else "") + f" {r['unit']}"
        entries[r["id"]] = Entry(r["id"], r["kind"], r["severity"] or "medium", r["subject"], r["metric"],
                                 r["period"], r["summary"], best, r["confidence"] or 0.0)
    rows = db.query(
        """select cc.conflict_id, cc.side, c.id, c.text, c.kind, c.value, c.value_max, c.date, c.unit,
                  c.qualifier, c.modality, c.start, c.end, c.lang, s.text as sentence, s.start as s_start,
                  a.outlet, a.published, a.url, a.title, a.path
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
        entry.quotes.append(Quote(
            claim_id=r["id"], side=r["side"], text=r["text"], value=_value_label(r),
            qualifier=r["qualifier"], modality=r["modality"] or "asserted", sentence=sentence,
            mark_start=offset, mark_end=offset + (r["end"] - r["start"]), outlet=r["outlet"],
            published=r["published"], url=r["url"], title=r["title"], path=r["path"], lang=r["lang"],
            number=_plot_value(r),
        ))
    return sorted(entries.values(), key=lambda e: (e.kind == "extraction_doubt", SEVERITY_ORDER.get(e.severity, 9),
                                                   KIND_ORDER.index(e.kind) if e.kind in KIND_ORDER else 99,
                                                   e.subject, e.metric))


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
    name = q.outlet or (q.title or Path(q.path).name)
    return f"{name}, {q.published}" if q.published else name


# ---------------------------------------------------------------------------
# Text and Markdown.


def render_markdown(entries: list[Entry]) -> str:
    lines = ["# Conflict report", ""]
    if not entries:
        lines.append("No conflicts found among the figures that could be compared.")
        return "\n".join(lines) + "\n"
    lines.append(counts_line(entries) + ".")
    for e in entries:
        lines += ["", f"## {KIND_TITLES.get(e.kind, e.kind)}: {_md_escape(e.subject)}, "
                  f"{_md_escape(e.metric.replace('_', ' '))}", "",
                  _md_escape(e.summary), "", f"Best-supported value: **{_md_escape(e.best or 'undecided')}** "
                  f"(severity {e.severity}, confidence {e.confidence:.2f})", ""]
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
        name = KIND_PLURALS.get(kind, kind) if n != 1 else KIND_TITLES.get(kind, kind).split(" (")[0].lower()
        parts.append(f"{n} {name}")
    return ", ".join(parts)


def _counts(entries: list[Entry]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in entries:
        counts[e.kind] = counts.get(e.kind, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: KIND_ORDER.index(kv[0]) if kv[0] in KIND_ORDER else 99))


def render_text(entries: list[Entry], *, width: int | None = None, color: bool | None = None) -> str:
    """A rich table per conflict; plain text when not on a terminal."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    entries = [_for_terminal(e) for e in entries]  # nothing of an article's acts on the terminal
    console = Console(record=True, width=width or 110, force_terminal=color, no_color=color is False)
    if not entries:
        console.print("No conflicts found among the figures that could be compared.")
        return console.export_text(styles=bool(color))
    console.print(Text("Conflict report", style="bold"), "— " + counts_line(entries))
    for e in entries:
        table = Table(title=f"{KIND_TITLES.get(e.kind, e.kind)}: {e.subject} · {e.metric.replace('_', ' ')}",
                      caption=f"{e.summary}\nBest-supported: {e.best or 'undecided'}  (severity {e.severity})",
                      title_justify="left", caption_justify="left", show_lines=True, expand=True)
        table.add_column("side", width=4)
        table.add_column("value", width=18)
        table.add_column("quote", ratio=3)
        table.add_column("source", ratio=1)
        for q in e.quotes:
            quote = Text(_clip(q.sentence[: q.mark_start], 60, left=True))
            quote.append(q.sentence[q.mark_start : q.mark_end], style="bold reverse")
            quote.append(_clip(q.sentence[q.mark_end :], 60))
            table.add_row(q.side, f"{q.value}\n{q.modality}", quote, _source(q) + (f"\n{q.url}" if q.url else ""))
        console.print(table)
    return console.export_text(styles=bool(color))


def _clip(text: str, n: int, left: bool = False) -> str:
    if len(text) <= n:
        return text
    return "…" + text[-n:] if left else text[:n] + "…"


# ---------------------------------------------------------------------------
# HTML.

CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{margin-bottom:.2rem} .counts{color:#555}
section{border:1px solid #ddd;border-radius:8px;padding:1rem 1.2rem;margin:1.2rem 0}
section.high{border-left:6px solid #c0392b} section.medium{border-left:6px solid #e67e22}
section.low{border-left:6px solid #2980b9} section.info{border-left:6px solid #95a5a6}
.kind{font-size:.8rem;text-transform:uppercase;letter-spacing:.05em;color:#666}
table{border-collapse:collapse;width:100%;margin-top:.6rem} td,th{border-top:1px solid #eee;padding:.35rem .5rem;vertical-align:top;text-align:left}
mark{background:#ffe08a;padding:0 .1em} .side-a{color:#1f6feb} .side-b{color:#d1242f}
.best{font-weight:600} svg{width:100%;max-width:560px;height:auto;margin-top:.5rem} .muted{color:#777;font-size:.85rem}
"""


def render_html(entries: list[Entry], *, generated: str | None = None) -> str:
    esc = html.escape
    parts = ["<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
             "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">",
             "<title>Conflict report</title><style>", CSS, "</style></head><body>",
             "<h1>Conflict report</h1>"]
    parts.append(f"<p class=\"counts\">{esc(counts_line(entries)) or 'No conflicts.'}"
                 + (f" · generated {esc(generated)}" if generated else "") + "</p>")
    for e in entries:
        parts.append(f"<section class=\"{esc(e.severity)}\" id=\"c-{esc(e.id)}\">")
        parts.append(f"<div class=\"kind\">{esc(KIND_TITLES.get(e.kind, e.kind))} · severity {esc(e.severity)}</div>")
        parts.append(f"<h2>{esc(e.subject)} · {esc(e.metric.replace('_', ' '))}</h2>")
        parts.append(f"<p>{esc(e.summary)}</p>")
        parts.append(f"<p class=\"best\">Best-supported value: {esc(e.best or 'undecided')}</p>")
        parts.append(_chart(e))
        parts.append("<table><tr><th>side</th><th>value</th><th>quote</th><th>source</th></tr>")
        for q in e.quotes:
            quote = (esc(q.sentence[: q.mark_start]) + "<mark>" + esc(q.sentence[q.mark_start : q.mark_end])
                     + "</mark>" + esc(q.sentence[q.mark_end :]))
            src = esc(_source(q))
            if q.url and q.url.startswith(("http://", "https://")):
                src = f"<a href=\"{esc(q.url, quote=True)}\" rel=\"noopener noreferrer\">{src}</a>"
            parts.append(f"<tr><td class=\"side-{esc(q.side)}\">{esc(q.side)}</td><td>{esc(q.value)}<br>"
                         f"<span class=\"muted\">{esc(q.modality)}</span></td><td lang=\"{esc(q.lang)}\">{quote}</td><td>{src}</td></tr>")
        parts.append("</table></section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _chart(e: Entry, width: int = 560, height: int = 170) -> str:
    """Each source's value over time: one dot per quote, x = publication date."""
    points = []
    for q in e.quotes:
        if q.number is None or not q.published:
            continue
        try:
            day = dt.date.fromisoformat(q.published[:10])
        except ValueError:
            continue
        points.append((day.toordinal(), q.number, q))
    if not points:
        return ""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    log = min(ys) > 0 and max(ys) / min(ys) > 20
    fy = (lambda v: math.log10(v)) if log else (lambda v: v)
    x0, x1 = min(xs) - 15, max(xs) + 15
    y0, y1 = fy(min(ys)), fy(max(ys))
    if y0 == y1:
        y0, y1 = y0 - 1, y1 + 1
    pad = (y1 - y0) * 0.15
    y0, y1 = y0 - pad, y1 + pad
    left, right, top, bottom = 70, 20, 15, 30

    def px(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * (width - left - right)

    def py(y: float) -> float:
        return top + (1 - (fy(y) - y0) / (y1 - y0)) * (height - top - bottom)

    svg = [f"<svg viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"values over time\" xmlns=\"http://www.w3.org/2000/svg\">",
           f"<line x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - right}\" y2=\"{height - bottom}\" stroke=\"#999\"/>",
           f"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{height - bottom}\" stroke=\"#999\"/>"]
    for v in sorted(set(ys)):
        label = html.escape(_num(v) if e.quotes[0].value[:4] != str(int(v)) else str(int(v)))
        svg.append(f"<text x=\"{left - 6}\" y=\"{py(v) + 4:.1f}\" font-size=\"10\" text-anchor=\"end\" fill=\"#555\">{label}</text>")
    last_x = -1e9
    for ordinal in sorted(set(xs)):
        if px(ordinal) - last_x < 70:
            continue  # labels this close would overlap
        last_x = px(ordinal)
        svg.append(f"<text x=\"{px(ordinal):.1f}\" y=\"{height - 12}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#555\">{dt.date.fromordinal(ordinal).isoformat()}</text>")
    colors = {"a": "#1f6feb", "b": "#d1242f"}
    for x, y, q in points:
        tip = html.escape(f"{_source(q)}: {q.value}")
        svg.append(f"<circle cx=\"{px(x):.1f}\" cy=\"{py(y):.1f}\" r=\"5\" fill=\"{colors.get(q.side, '#444')}\" fill-opacity=\".75\"><title>{tip}</title></circle>")
    svg.append("</svg>")
    return "".join(svg)


def render_json(entries: list[Entry]) -> str:
    return sanitize.json_dumps([asdict(e) for e in entries], indent=2)


def render(db: sqlite_utils.Database, fmt: str, *, color: bool | None = None) -> str:
    from extractor import reconciled

    entries = load(db)
    if fmt == "json":
        return render_json(entries)
    # After the conflicts: the differences the texts reconcile, and what was not compared.
    items, note = reconciled.load(db), reconciled.silence(db)
    if fmt == "markdown":
        return render_markdown(entries) + reconciled.render_markdown(items, note)
    if fmt == "html":
        page = render_html(entries, generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))
        return page.replace("</body></html>", reconciled.render_html(items, note) + "\n</body></html>")
    return render_text(entries, color=color) + reconciled.render_text(items, note)


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
    color = None if out is None and sys.stdout.isatty() else False
    text = render(db, fmt, color=color)
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
    return or bell from an article reaches the terminal), and rich's markup escaped in the
    strings rich reads as markup (all but the quoted sentence, which is a Text)."""
    from dataclasses import replace

    from rich.markup import escape

    def plain(text: str | None) -> str | None:
        return None if text is None else escape(sanitize.terminal_safe(text, newlines=False))

    quotes = []
    for q in e.quotes:
        before, mark, after = (sanitize.terminal_safe(part, newlines=False) for part in
                               (q.sentence[: q.mark_start], q.sentence[q.mark_start : q.mark_end], q.sentence[q.mark_end :]))
        quotes.append(replace(q, sentence=before + mark + after, mark_start=len(before), mark_end=len(before) + len(mark),
                              side=plain(q.side) or "", value=plain(q.value) or "", modality=plain(q.modality) or "",
                              outlet=plain(q.outlet), published=plain(q.published), url=plain(q.url),
                              title=plain(q.title), path=plain(q.path) or ""))
    return replace(e, subject=plain(e.subject) or "", metric=plain(e.metric) or "", summary=plain(e.summary) or "",
                   best=plain(e.best), quotes=quotes)
