"""Attribution: who a number is about, what it measures, when, and how sure the text is."""

from __future__ import annotations

from typing import Any

from extractor.ingest import Article
from extractor.segment import Sentence


def attribute_claims(article: Article, sentences: list[Sentence], claims: list[dict[str, Any]]) -> None:
    """Fill subject, object, metric, period, hedged and modality on each claim row."""
    return None
