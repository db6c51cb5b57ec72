"""From an article to database rows: sentences, quantities, and their attribution."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from extractor import segment, store
from extractor.errors import ClaimsError
from extractor.ingest import Article, find_files, read_article
from extractor.quantities import Quantity, extract


@dataclass
class Rows:
    article: dict[str, Any]
    sentences: list[dict[str, Any]]
    claims: list[dict[str, Any]]


def process(article: Article) -> Rows:
    """Segment the article, extract every quantity and tie each to its sentence."""
    text = article.text
    sents = segment.sentences(text)
    toks = segment.words_many([s.text for s in sents], [s.lang for s in sents])
    aid = article.id
    sentence_rows = [
        {
            "id": f"{aid}:{s.start}",
            "article_id": aid,
            "start": s.start,
            "end": s.end,
            "lang": s.lang,
            "text": s.text,
            "words": " ".join(w),
        }
        for s, w in zip(sents, toks, strict=True)
    ]
    quantities = extract(text, published=article.published)
    starts = [s.start for s in sents]
    claim_rows = []
    for q in quantities:
        i = bisect.bisect_right(starts, q.start) - 1
        sent = sents[i] if i >= 0 and sents[i].end >= q.end else None
        claim_rows.append(claim_row(aid, q, sent))
    from extractor import attribute

    attribute.attribute_claims(article, sents, claim_rows)
    langs = {s.lang for s in sents}
    article_row = {
        "id": aid,
        "path": article.path,
        "url": article.meta.get("url"),
        "outlet": article.meta.get("outlet"),
        "title": article.meta.get("title"),
        "published": article.meta.get("published"),
        "published_approximate": 1 if article.meta.get("published_approximate") else 0,
        "lang": article.meta.get("lang") or ("mixed" if len(langs) > 1 else (langs.pop() if langs else None)),
        "body_start": article.body_start,
        "text": text,
        "sha256": article.sha256,
        "chars": len(text),
        "duplicate_of": None,
        "ingested_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }
    return Rows(article_row, sentence_rows, claim_rows)


def claim_row(article_id: str, q: Quantity, sent: segment.Sentence | None) -> dict[str, Any]:
    return {
        "id": f"{article_id}:{q.start}-{q.end}",
        "article_id": article_id,
        "sentence_id": f"{article_id}:{sent.start}" if sent else None,
        "start": q.start,
        "end": q.end,
        "text": q.text,
        "kind": q.kind,
        "value": q.value,
        "value_max": q.value_max,
        "date": q.date,
        "unit": q.unit,
        "qualifier": q.qualifier,
        "vague": int(q.vague),
        "rule": q.rule,
        "lang": sent.lang if sent else segment.language(q.text),
        "subject": None,
        "object": None,
        "metric": None,
        "period": None,
        "period_basis": None,
        "hedged": None,
        "modality": None,
        "confidence": None,
        "explanation": q.explanation,
    }


@dataclass
class Summary:
    new: int = 0
    seen: int = 0
    skipped: list[str] = field(default_factory=list)
    claims: int = 0
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        parts = [f"{self.new} new article{'s' if self.new != 1 else ''}", f"{self.seen} already seen"]
        parts.append(f"{self.claims} claims added")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        return ", ".join(parts)


def ingest(
    paths: Iterable[str],
    db: sqlite_utils.Database,
    *,
    overrides: dict[str, Any] | None = None,
    on_skip: Callable[[str], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Ingest files and folders into `db`; each article commits on its own."""
    summary = Summary()

    def skip(msg: str) -> None:
        summary.skipped.append(msg)
        if on_skip:
            on_skip(msg)

    files = list(find_files(paths, skip))
    for path in files:
        try:
            article = read_article(path, overrides if len(files) == 1 else None)
        except ClaimsError as exc:
            skip(str(exc.args[0]))
            continue
        for w in article.warnings:
            summary.warnings.append(f"{path}: {w}")
        if store.article_exists(db, article.id):
            summary.seen += 1
        else:
            rows = process(article)
            store.write_article(db, rows.article, rows.sentences, rows.claims)
            summary.new += 1
            summary.claims += len(rows.claims)
        if progress:
            progress(1)
    return summary


def after_ingest(db: sqlite_utils.Database) -> None:
    """Work that looks across articles: duplicates, conflicts, browse views."""
    import importlib

    for module, function in (("extractor.conflicts", "detect"), ("extractor.browse", "create_views")):
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue  # a stage that this checkout does not have yet
        getattr(mod, function)(db)
