"""What the report adds after the conflicts: differences the texts reconcile (listed apart,
each with its reason) and how many claims could not be compared at all, so that a short
conflict list never reads as "every figure agrees".
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from extractor.reconcile import REASON_TEXT

REASON_TITLES = {
    "rounding": "Rounding",
    "range": "Inside a range",
    "conversion": "Currency conversion",
    "total_vs_part": "Total and part",
    "different_period": "Different periods",
    "one_sentence": "One sentence",
}
# Shown in the text and Markdown reports; the rest are counted (all are in the database).
SHOWN = 50


@dataclass
class Reconciled:
    id: str
    reason: str
    subject: str
    metric: str
    period: str | None
    summary: str
    quotes: list[dict[str, Any]] = field(default_factory=list)


def load(db: sqlite_utils.Database) -> list[Reconciled]:
    if not db.table("reconciliations").exists():
        return []
    items = {r["id"]: Reconciled(r["id"], r["reason"], r["subject"], r["metric"], r["period"], r["summary"])
             for r in db.query("select * from reconciliations order by reason, subject, metric, id")}
    for r in db.query(
            "select rc.reconciliation_id, rc.side, c.text, a.outlet, a.published from reconciliation_claims rc "
            "join claims c on c.id = rc.claim_id join articles a on a.id = c.article_id order by a.published, c.start"):
        item = items.get(r["reconciliation_id"])
        if item is not None:
            item.quotes.append({"side": r["side"], "text": r["text"], "outlet": r["outlet"], "published": r["published"]})
    return list(items.values())


def silence(db: sqlite_utils.Database) -> str:
    """How many claims were left out of the comparison, and why, in one sentence."""
    from extractor import align, conflicts

    if not db.table("claims").exists():
        return ""
    return align.unattributed(db, conflicts._compared_metrics(), conflicts.fallback_metrics()).sentence()


def _sources(item: Reconciled) -> str:
    seen = dict.fromkeys(f"{q['text']} ({q['outlet'] or 'unknown outlet'}, {(q['published'] or '')[:10]})"
                         for q in item.quotes)
    return "; ".join(list(seen)[:6])


def render_text(items: list[Reconciled], note: str) -> str:
    lines = ["", f"Not conflicts ({len(items)}): differences the texts explain"] if items else [""]
    for item in items[:SHOWN]:
        lines.append(f"- [{REASON_TITLES.get(item.reason, item.reason)}] {item.summary}")
        lines.append(f"    {_sources(item)}")
    if len(items) > SHOWN:
        lines.append(f"  … and {len(items) - SHOWN} more (table `reconciliations`).")
    if note:
        lines += ["", note]
    return "\n".join(lines) + "\n"


def render_markdown(items: list[Reconciled], note: str) -> str:
    lines = [""]
    if items:
        lines += ["## Not conflicts: differences the texts explain", ""]
        for item in items[:SHOWN]:
            lines.append(f"- **{REASON_TITLES.get(item.reason, item.reason)}**: {item.summary} "
                         f"({_sources(item).replace('|', '/')})")
        if len(items) > SHOWN:
            lines.append(f"- … and {len(items) - SHOWN} more (table `reconciliations`).")
        lines.append("")
    if note:
        lines += [f"*{note}*", ""]
    return "\n".join(lines)


def render_html(items: list[Reconciled], note: str) -> str:
    esc = html.escape
    parts = []
    if items:
        parts.append(f"<h2 id=\"reconciled\">Not conflicts: differences the texts explain ({len(items)})</h2><ul>")
        for item in items:
            parts.append(f"<li><b>{esc(REASON_TITLES.get(item.reason, item.reason))}</b>: {esc(item.summary)} "
                         f"<span class=\"muted\">{esc(_sources(item))}</span></li>")
        parts.append("</ul>")
    if note:
        parts.append(f"<p class=\"muted\" id=\"unattributed\">{esc(note)}</p>")
    return "\n".join(parts)


def as_json(items: list[Reconciled], note: str) -> dict[str, Any]:
    return {"reconciled": [{"id": i.id, "reason": i.reason, "why": REASON_TEXT.get(i.reason, i.reason),
                            "subject": i.subject, "metric": i.metric, "period": i.period, "summary": i.summary,
                            "claims": i.quotes} for i in items],
            "unattributed": note}
