"""Periods: what a figure is about, at its precision, written or relative to the article's
date, in English, Simplified and Traditional Chinese. Companies and figures are invented."""

from __future__ import annotations

import datetime as dt

import pytest

from extractor import period_phrases as periods
from extractor.ingest import Article
from extractor.pipeline import process

PUBLISHED = dt.date(2025, 11, 12)

# (text, the period phrase's period, basis)
PHRASES = [
    ("in the third quarter of 2025", "2025-Q3", "explicit"),
    ("Q2 2024", "2024-Q2", "explicit"),
    ("2024 Q4", "2024-Q4", "explicit"),
    ("in the third quarter", "2025-Q3", "relative"),
    ("in the fourth quarter", "2025-Q4", "relative"),
    ("2025年第三季度", "2025-Q3", "explicit"),
    ("第三季", "2025-Q3", "relative"),
    ("2024年第四季", "2024-Q4", "explicit"),
    ("the July-September quarter", "2025-Q3", "relative"),
    ("7至9月", "2025-Q3", "relative"),
    ("2026年上半年", "2026-H1", "explicit"),
    ("the second half of 2026", "2026-H2", "explicit"),
    ("前三季", "2025-9M", "relative"),
    ("首三季", "2025-9M", "relative"),
    ("the first nine months", "2025-9M", "relative"),
    ("fiscal 2026", "2026", "explicit"),
    ("2026財年", "2026", "explicit"),
    ("今年", "2025", "relative"),
    ("去年", "2024", "relative"),
    ("last quarter", "2025-Q3", "relative"),
    ("上季度", "2025-Q3", "relative"),
    ("next quarter", "2026-Q1", "relative"),
]


@pytest.mark.parametrize(("text", "period", "basis"), PHRASES)
def test_period_phrase(text: str, period: str, basis: str) -> None:
    found = periods.find_periods(text, PUBLISHED)
    assert [(p.period, p.basis) for p in found] == [(period, basis)]


@pytest.mark.parametrize("text", ["Quarterly results are due soon.", "四季如春", "the half-hour show", "第三方支付"])
def test_no_period(text: str) -> None:
    assert periods.find_periods(text, PUBLISHED) == []


def _claims(text: str, published: str = "2025-11-12") -> dict[str, dict[str, object]]:
    rows = process(Article("p.md", text, 0, {"published": published}))
    return {str(c["text"]): c for c in rows.claims}


def test_a_figure_takes_the_quarter_of_its_clause() -> None:
    c = _claims("Northwind Motors delivered 124,000 vehicles in the third quarter, up 31% from 94,700 vehicles a year earlier, "
                "and 109,000 vehicles in the second quarter.")
    assert c["124,000 vehicles"]["period"] == "2025-Q3"
    assert c["94,700 vehicles"]["period"] == "2024-Q3"  # the comparison base, a year back
    assert c["31%"]["period"] == "2025-Q3"  # the growth is the later quarter's

    assert c["109,000 vehicles"]["period"] == "2025-Q2"


@pytest.mark.parametrize(("text", "current", "base"), [
    ("Bluefield reported third-quarter revenue of $9.1 billion, up 11% from $8.2 billion a year earlier.",
     "$9.1 billion", "$8.2 billion"),
    ("藍野半導體第三季營收新台幣950億元，較去年同期的新台幣820億元成長16%。", "新台幣950億元", "新台幣820億元"),
    ("北辰汽车第三季营收316亿元，同比增长21%，去年同期为261亿元。", "316亿元", "261亿元"),
])
def test_only_the_base_of_a_comparison_goes_a_year_back(text: str, current: str, base: str) -> None:
    c = _claims(text)
    assert c[current]["period"] == "2025-Q3"
    assert c[base]["period"] == "2024-Q3"
    growth = next(v for k, v in c.items() if k.endswith("%"))
    assert growth["period"] == "2025-Q3"


def test_chinese_year_earlier_and_nine_months() -> None:
    c = _claims("北辰汽车第三季度交付12.4万辆，去年同期为9.5万辆；前三季度累计交付31.2万辆。")
    assert c["12.4万辆"]["period"] == "2025-Q3"
    assert c["9.5万辆"]["period"] == "2024-Q3"
    assert c["31.2万辆"]["period"] == "2025-9M"


def test_a_flow_with_no_period_of_its_own_takes_the_ledes_quarter() -> None:
    text = ("# 藍野半導體第三季獲利成長\n\n"
            "藍野半導體12日公布第三季財報，營收新台幣950億元。\n\n"
            "毛利率為21.3%，較上季提升。\n")
    c = _claims(text)
    assert (c["21.3%"]["period"], c["21.3%"]["period_basis"]) == ("2025-Q3", "context")


def test_a_market_figure_takes_the_ledes_day() -> None:
    text = ("NEW YORK, Nov. 11 - Northwind Motors shares fell 8.4% on the day.\n\n"
            "The stock closed at $41.20, its lowest since May.\n")
    c = _claims(text)
    assert c["$41.20"]["period"] == "2025-11-11"
    assert c["$41.20"]["period_basis"] == "context"


def test_a_flow_prefers_the_quarter_to_the_day_it_was_reported() -> None:
    c = _claims("On Nov. 11, Northwind Motors said third-quarter revenue rose to 31.5 billion yuan.")
    assert c["31.5 billion yuan"]["period"] == "2025-Q3"


@pytest.mark.parametrize(("text", "surface"), [
    ("Shares of Northwind Motors fell 8.4% to $41.20 after it reported third-quarter revenue of $2.1 billion.", "8.4%"),
    ("Shares of Northwind Motors fell 8.4% to $41.20 after it reported third-quarter revenue of $2.1 billion.", "$41.20"),
    ("北辰汽车公布第三季营收后，股价收跌8.4%，报41.2美元。", "8.4%"),
    ("北辰汽車公布第三季營收後，股價收跌8.4%，報41.2美元。", "41.2美元"),
])
def test_a_days_move_is_not_the_quarter_of_the_results_beside_it(text: str, surface: str) -> None:
    c = _claims(text)
    assert c[surface]["period"] == "2025-11", c[surface]["explanation"]


@pytest.mark.parametrize(("text", "surface"), [
    ("北辰微电子成立于2019年，目前员工约800人，其中研发人员占比超过70%。", "800人"),
    ("北辰微电子成立于2019年，目前员工约800人，其中研发人员占比超过70%。", "70%"),
    ("北辰微電子成立於2019年，現在員工約800人。", "800人"),
    ("Founded in 2019, Northwind Robotics currently employs about 800 people.", "800 people"),
])
def test_now_puts_a_figure_at_the_article_not_an_earlier_year(text: str, surface: str) -> None:
    c = _claims(text)
    assert c[surface]["period"] == "2025-11", c[surface]["explanation"]


@pytest.mark.parametrize(("text", "surface", "period"), [
    ("鴻準累計前10月營收2,874億元，年增9.1%。", "2,874億元", "2025-YTD10"),
    ("鸿准1-10月累计营收2874亿元，同比增长9.1%。", "2874亿元", "2025-YTD10"),
    ("Revenue for the first 10 months rose 9.1% to NT$287.4 billion.", "NT$287.4 billion", "2025-YTD10"),
    ("Revenue for the first ten months of 2024 rose 9.1% to NT$287.4 billion.", "NT$287.4 billion", "2024-YTD10"),
    ("鴻準10月營收312.5億元，月增8.2%。", "312.5億元", "2025-10"),
    ("鸿准前9个月营收2100亿元。", "2100亿元", "2025-9M"),
])
def test_months_from_january_are_a_running_total_not_the_last_month(text: str, surface: str, period: str) -> None:
    assert _claims(text)[surface]["period"] == period


@pytest.mark.parametrize(("text", "surface", "period", "value"), [
    ("恒朗地產公布截至6月底止中期業績，營業額按年倒退12%至186.4億元。", "186.4億元", "2025-H1", 18640000000.0),
    ("恒朗地產公布截至6月底止中期業績，營業額按年倒退12%至186.4億元。", "12%", "2025-H1", -12.0),
    ("恒朗地产公布中期业绩，纯利31.2亿元。", "31.2亿元", "2025-H1", 3120000000.0),
    ("Henglang Properties reported an interim profit of HK$3.12 billion.", "HK$3.12 billion", "2025-H1", 3120000000.0),
])
def test_interim_results_are_the_first_half(text: str, surface: str, period: str, value: float) -> None:
    c = _claims(text)[surface]
    assert (c["period"], c["value"]) == (period, value), c["explanation"]


@pytest.mark.parametrize(("text", "surface", "period"), [
    ("Exports rose 8.3% in October from a year earlier.", "8.3%", "2025-10"),
    ("Sales in December rose 4%.", "4%", "2024-12"),  # the latest December by 12 November 2025
    ("Deliveries for May were 41,000 vehicles.", "41,000 vehicles", "2025-05"),
])
def test_a_month_named_without_its_year(text: str, surface: str, period: str) -> None:
    assert _claims(text)[surface]["period"] == period


def test_the_ledes_period_a_year_back() -> None:
    text = ("# 蓝湾生物上半年亏损扩大\n\n蓝湾生物科技股份有限公司披露上半年业绩。\n\n"
            "归属于上市公司股东的净亏损3.2亿元，上年同期亏损2.1亿元。\n")
    c = _claims(text, "2025-08-29")
    assert (c["3.2亿元"]["period"], c["2.1亿元"]["period"]) == ("2025-H1", "2024-H1")
