"""Attribution on sentences from outlets and stories other than the seeds."""

from __future__ import annotations

import datetime as dt

import pytest

from extractor.ingest import Article
from extractor.pipeline import process

CASES = [
    # (text, surface, subject, object, metric, hedged)
    ("截至目前,亚马逊已向 Anthropic 累计投资 80 亿美元。", "80 亿美元", "Amazon", "Anthropic", "investment_total", False),
    ("亞馬遜迄今已累計投資 Anthropic 約 80 億美元。", "80 億美元", "Amazon", "Anthropic", "investment_total", False),
    ("Amazon has invested a total of $8 billion in Anthropic so far.", "$8 billion", "Amazon", "Anthropic", "investment_total", False),
    ("2023 年,谷歌向 Anthropic 投资 20 亿美元。", "20 亿美元", "Google", "Anthropic", "investment", False),
    ("英伟达的估值达到 4 万亿美元。", "4 万亿美元", "Nvidia", None, "valuation", False),
    ("輝達市值一度突破 5 兆美元。", "5 兆美元", "Nvidia", None, "market_cap", False),
    ("据知情人士透露,软银提议持有该合资公司约 40% 的股份。", "40%", "SoftBank", None, "stake", True),
    ("SoftBank will hold a 35% stake in the joint venture, the companies said.", "35%", "SoftBank", None, "stake", False),
    ("Meta agreed to acquire Quillfire Robotics for $12.6 billion.", "$12.6 billion", "Meta", "Quillfire Robotics", "acquisition_price", False),
    ("甲骨文预计明年营收将增长 20%。", "20%", "Oracle", None, "revenue_growth", True),
    ("腾讯拟投资 5 亿美元建设数据中心。", "5 亿美元", "Tencent", None, "investment_total", True),
    ("华为去年研发投入约 1800 亿元人民币。", "1800 亿元人民币", "Huawei", None, "rd_expense", False),
    ("The deal gives Microsoft rights to OpenAI's models until 2032.", "2032", "Microsoft", "OpenAI", "ip_rights_until", False),
    ("若收购失败,软银将损失 20 亿美元融资。", "20 亿美元", "SoftBank", None, "funding_at_risk", True),
    ("台積電今年資本支出預計達 400 億美元。", "400 億美元", "TSMC", None, "capex", True),
    ("阿里巴巴拥有超过二十万名员工。", "二十万名员工", "Alibaba", None, "employees", False),
]


@pytest.mark.parametrize(("text", "surface", "subject", "obj", "metric", "hedged"), CASES)
def test_attribution(text: str, surface: str, subject: str | None, obj: str | None, metric: str, hedged: bool) -> None:
    rows = process(Article("t.txt", text, 0, {"published": "2025-06-01"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    assert claim["metric"] == metric, claim["explanation"]
    if subject is not None:
        assert claim["subject"] == subject, claim["explanation"]
    if obj is not None:
        assert claim["object"] == obj, claim["explanation"]
    assert bool(claim["hedged"]) is hedged, claim["explanation"]
    assert claim["modality"] in ("asserted", "reported", "estimated", "planned", "proposed", "conditional")
    assert claim["explanation"]


def test_period_from_relative_year_and_article_date() -> None:
    rows = process(Article("t.txt", "华为去年研发投入约 1800 亿元人民币。微软持股 27%。", 0, {"published": "2025-06-01"}))
    by_text = {c["text"]: c for c in rows.claims}
    assert by_text["1800 亿元人民币"]["period"] == "2024"
    assert by_text["1800 亿元人民币"]["period_basis"] == "relative"
    assert by_text["27%"]["period"] == "2025-06"
    assert by_text["27%"]["period_basis"] == "article"


def test_month_without_year_takes_year_from_paragraph() -> None:
    text = "时间回到 2023 年。11 月,OpenAI 董事会突然解雇了首席执行官。"
    rows = process(Article("t.txt", text, 0, {"published": dt.date(2025, 5, 1).isoformat()}))
    month = next(c for c in rows.claims if c["text"] == "11 月")
    assert month["date"] == "2023-11"


def test_person_stands_for_company() -> None:
    rows = process(Article("t.txt", "黄仁勋表示,公司将在未来四年投入 5000 亿美元。", 0, {"published": "2025-06-01"}))
    claim = next(c for c in rows.claims if c["unit"] == "USD")
    assert claim["subject"] == "Nvidia"
