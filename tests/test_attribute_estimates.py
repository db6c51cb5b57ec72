"""Analysts' estimates and consensus figures are estimates, the results set against them
are not. Fictional company and figures, English, Simplified and Traditional."""

from __future__ import annotations

import pytest

from extractor.ingest import Article
from extractor.pipeline import process

CASES = [
    # (text, surface, modality)
    ("Brennick Labs posted EPS of NT$3.48, above the NT$3.20 average estimate of analysts.", "NT$3.20", "estimated"),
    ("Brennick Labs posted EPS of NT$3.48, above the NT$3.20 average estimate of analysts.", "NT$3.48", "asserted"),
    ("Analysts had expected revenue of $812 million for Brennick Labs.", "$812 million", "estimated"),
    ("The consensus figure for Brennick Labs was $812 million.", "$812 million", "estimated"),
    ("法人估布伦尼克第三季EPS约3.2元", "3.2元", "estimated"),
    ("法人普遍估布倫尼克第三季EPS約3.2元", "3.2元", "estimated"),
    ("市场预期布伦尼克第三季营收为81.2亿元", "81.2亿元", "estimated"),
    ("市場共識為布倫尼克第三季營收81.2億元", "81.2億元", "estimated"),
    # Rows that must stay asserted: a valuation by analysts is not a forecast word.
    ("分析师估值显示布伦尼克市值为81.2亿元", "81.2亿元", "asserted"),
    ("Brennick Labs reported revenue of $812 million, it said on Tuesday.", "$812 million", "asserted"),
    ("布倫尼克公布第三季每股盈餘3.48元", "3.48元", "asserted"),
]


@pytest.mark.parametrize(("text", "surface", "modality"), CASES)
def test_analyst_estimates(text: str, surface: str, modality: str) -> None:
    rows = process(Article("t.txt", text, 0, {"published": "2026-03-02"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    assert claim["modality"] == modality, claim["explanation"]
