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
    # A move still being weighed: every figure after it is a proposal.
    ("据知情人士透露，布伦尼克正酝酿裁员，拟裁减最多900个岗位，约占员工总数的近两成。", "两成", "proposed"),
    ("據知情人士透露，布倫尼克正醞釀裁員，擬裁減最多900個崗位，約佔員工總數的近兩成。", "兩成", "proposed"),
    ("Brennick Labs is weighing job cuts, about 15% of its staff, people familiar said.", "15%", "proposed"),
    # Outlooks: expected to, has a chance to, on track to
    ("法人看好布倫尼克第四季營收可望季增一成以上。", "一成", "estimated"),
    ("布伦尼克全年每股收益有机会挑战12元。", "12元", "estimated"),
    ("Brennick Labs is on track to ship 2 million units this year.", "2 million units", "estimated"),
    # Rows that must stay asserted: a valuation by analysts is not a forecast word, nor is
    # "considering" as "given".
    ("考虑到需求疲软，布伦尼克第三季营收下降12%。", "12%", "asserted"),
    ("分析师估值显示布伦尼克市值为81.2亿元", "81.2亿元", "asserted"),
    ("Brennick Labs reported revenue of $812 million, it said on Tuesday.", "$812 million", "asserted"),
    ("布倫尼克公布第三季每股盈餘3.48元", "3.48元", "asserted"),
]


@pytest.mark.parametrize(("text", "surface", "modality"), CASES)
def test_analyst_estimates(text: str, surface: str, modality: str) -> None:
    rows = process(Article("t.txt", text, 0, {"published": "2026-03-02"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    assert claim["modality"] == modality, claim["explanation"]
