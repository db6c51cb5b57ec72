"""Table tests for the classes of claims of issue 12, in English, Simplified and Traditional
Chinese, with rows that must yield no claim. Every company, figure and outlet here is
invented for these tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from extractor.quantities import extract

DAY = dt.date(2025, 6, 12)


def rows(text: str, source: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    return [(q.text, q.value if q.date is None or q.kind != "date" else q.date, q.unit)
            for q in extract(text, published=DAY, source=source)]


# --- counts: any classifier, any English noun phrase, number words -----------------------
COUNTS = [
    ("沐川重工计划新建4座船坞和2艘货轮。", [("4座", 4.0, "count"), ("2艘", 2.0, "count")]),
    ("沐川重工計劃新建4座船塢，月產能達6萬片。", [("4座", 4.0, "count"), ("6萬片", 60000.0, "count")]),
    ("該航空公司訂購了9架客機，成交2.7萬張。", [("9架", 9.0, "count"), ("2.7萬張", 27000.0, "count")]),
    ("Brindle Robotics will ship 640 inspection drones.", [("640 inspection drones", 640.0, "count")]),
    ("The plan adds 45,000 warehouse jobs and 1.5 million vehicles.",
     [("45,000 warehouse jobs", 45000.0, "count"), ("1.5 million vehicles", 1500000.0, "count")]),
    ("Brindle will open four new depots.", [("four new depots", 4.0, "count")]),
    ("Kestwell sold 2.5m units and has 3bn users.",
     [("2.5m units", 2500000.0, "count"), ("3bn users", 3000000000.0, "count")]),
    ("目前该平台月活跃用户超过4200万。", [("4200万", 42000000.0, "count")]),
    ("該平台員工達1.3萬。", [("1.3萬", 13000.0, "count")]),
    # Rule words are matched in both scripts (OpenCC folds them): 辆次 is listed, 輛次 found.
    ("連假期間疏運車輛共1,500輛次。", [("1,500輛次", 1500.0, "count")]),
    # A figure with no noun counts the things its sentence names.
    ("Quillon shipped 9,300 scooters, up from 7,450 a year earlier.",
     [("9,300 scooters", 9300.0, "count"), ("7,450", 7450.0, "count")]),
    ("Quillon will keep its workforce of about 2,600 in Lyon.", [("2,600", 2600.0, "count")]),
    ("Of the stores being closed, about 140 are in Spain.", [("140", 140.0, "count")]),
    ("The number of store closures stands at 380.", [("380", 380.0, "count")]),
    ("Quillon's shares rose to 152 from 131.", []),
    # Fractions are shares: two-thirds of, a quarter of, 三分之二.
    ("Kestwell will cut two-thirds of its depots.", [("two-thirds", 66.6666666666667, "percent")]),
    ("A quarter of revenue comes from Europe.", [("A quarter", 25.0, "percent")]),
    ("约四分之一的营收来自海外。", [("四分之一", 25.0, "percent")]),
    # Multiples written as words.
    ("Orders nearly tripled, and sales were twice the forecast.",
     [("tripled", 3.0, "multiplier"), ("twice", 2.0, "multiplier")]),
    ("净利润同比翻倍。", [("翻倍", 2.0, "multiplier")]),
    ("The bid values Orrin at 14 times earnings.", [("14 times", 14.0, "multiplier")]),
    # No claim: a small count of actors refers back to them; an article "one"; "the quarter".
    ("Two companies declined to comment.", []),
    ("两家公司均未回应。", []),
    ("一位高管表示不予置评。", []),
    ("One of the founders left.", []),
    ("Sales rose in the quarter.", []),
    ("Orlen Freight filed for Chapter 11 protection.", []),
    ("The RTX 5090 cards sold out.", []),
    ("It posted a double-digit rise.", []),
]


@pytest.mark.parametrize("text,expected", COUNTS)
def test_counts(text: str, expected: list[tuple[Any, ...]]) -> None:
    assert rows(text) == expected


# --- periods at their precision ------------------------------------------------------------
PERIODS = [
    ("Orlen Freight expects a profit in Q3 2026.", [("Q3 2026", "2026-Q3", "date")]),
    ("Orlen Freight expects a profit in the second half of 2028.", [("second half of 2028", "2028-H2", "date")]),
    ("Sales rose in H1 2024 and in the first nine months of 2024.",
     [("H1 2024", "2024-H1", "date"), ("first nine months of 2024", "2024-9M", "date")]),
    ("奥伦物流预计2026年第三季扭亏。", [("2026年第三季", "2026-Q3", "date")]),
    ("奧倫物流2028年下半年投產，2025年首三季營收創高。",
     [("2028年下半年", "2028-H2", "date"), ("2025年首三季", "2025-9M", "date")]),
    ("FY2027 guidance was kept.", [("FY2027", 2027.0, "year")]),
    ("Margins fell in 3Q25 and will recover in 1H26.", [("3Q25", "2025-Q3", "date"), ("1H26", "2026-H1", "date")]),
    ("Q4 FY26 sales", [("Q4 FY26", "2026-Q4", "date")]),
    # A part of a relative year only anchors other figures: the attribution reads it.
    ("奧倫物流今年第四季轉盈。", []),
    ("Output is targeted for 2029, later than the 2028 goal.",
     [("2029", 2029.0, "year"), ("2028", 2028.0, "year")]),
    # A day alone takes the month nearest the article's date (2025-06-12).
    ("奧倫物流10日宣布增資。", [("10日", "2025-06-10", "date")]),
    ("奥伦物流30日公布方案。", [("30日", "2025-05-30", "date")]),
    ("项目将于明年3月底完工。", [("明年3月", "2026-03", "date")]),
    # No claim: a span of days, a yen amount, the first half with no year.
    ("岚峰成交额达到20日均值的两倍。", [("两倍", 2.0, "multiplier")]),
    ("该基金7日年化收益率为2.4%。", [("2.4%", 2.4, "percent")]),
    ("Results for the first half were mixed.", []),
]


@pytest.mark.parametrize("text,expected", PERIODS)
def test_periods(text: str, expected: list[tuple[Any, ...]]) -> None:
    assert rows(text) == expected


# --- currency by region ------------------------------------------------------------------
TAIWAN = {"outlet": "台灣晨報", "url": "https://example.org/news/1"}
MAINLAND = {"outlet": "北京商讯", "url": "https://example.org/news/2"}
CURRENCY = [
    ("鈞達電機每股盈餘6.41元，股價收218元。", TAIWAN, [("6.41元", 6.41, "TWD"), ("218元", 218.0, "TWD")]),
    ("钧达电机净利润12.6亿元。", MAINLAND, [("12.6亿元", 1260000000.0, "CNY")]),
    # The text itself: Traditional script with Taiwan words.
    ("鈞達電機股價收218元，台股加權指數下跌。", None, [("218元", 218.0, "TWD")]),
    ("钧达电机营收为7320.5亿元新台币。", MAINLAND, [("7320.5亿元新台币", 732050000000.0, "TWD")]),
    ("Tokyo's Hoshida Cable booked ¥82 billion in Japan.", None, [("¥82 billion", 82000000000.0, "JPY")]),
    ("Beijing's Jinlu Retail booked ¥82 billion in China.", None, [("¥82 billion", 82000000000.0, "CNY")]),
    ("Hoshida paid €1.25 billion and 4.3億日圓.", None,
     [("€1.25 billion", 1250000000.0, "EUR"), ("4.3億日圓", 430000000.0, "JPY")]),
    # Any ISO 4217 currency by its CLDR names and symbols (Babel), in both scripts.
    ("Ferrow paid 75 Swiss francs and ₹120 crore.", None,
     [("75 Swiss francs", 75.0, "CHF"), ("₹120 crore", 1200000000.0, "INR")]),
    ("费罗支付了4500万印度卢比和8亿越南盾。", None,
     [("4500万印度卢比", 45000000.0, "INR"), ("8亿越南盾", 800000000.0, "VND")]),
    ("費羅支付了4500萬印度盧比。", None, [("4500萬印度盧比", 45000000.0, "INR")]),
    # No claim: a currency name with no amount; "a $" is no Australian dollar.
    ("新台幣走強。", TAIWAN, []),
    ("It was a $5 gift.", None, [("$5", 5.0, "USD")]),
]


@pytest.mark.parametrize("text,source,expected", CURRENCY)
def test_currency_by_region(text: str, source: dict[str, Any] | None, expected: list[tuple[Any, ...]]) -> None:
    assert rows(text, source) == expected


def test_bare_yuan_keeps_its_reason() -> None:
    (q,) = extract("鈞達電機每股盈餘6.41元。", source=TAIWAN)
    assert q.unit == "TWD" and q.currency_reason and "台灣晨報" in q.currency_reason


# --- points, basis points, percentage points, EPS ----------------------------------------
POINTS = [
    ("恒指收报21,436.7点。", [("21,436.7点", 21436.7, "points")]),
    ("The Brindle 40 index closed at 9,812.55 points.", [("9,812.55 points", 9812.55, "points")]),
    ("The lender raised rates by 40 basis points.", [("40 basis points", 0.4, "percentage_points")]),
    ("毛利率提升2.4個百分點。", [("2.4個百分點", 2.4, "percentage_points")]),
    ("法人預估每股盈餘4.27元。", [("4.27元", 4.27, "TWD")]),
    # No claim: a time of day, "a little".
    ("会议3点开始，价格高了一点。", []),
]


@pytest.mark.parametrize("text,expected", POINTS)
def test_points(text: str, expected: list[tuple[Any, ...]]) -> None:
    assert rows(text, TAIWAN) == expected


# --- signed changes -------------------------------------------------------------------------
CHANGES = [
    ("岚峰科技股价下跌3.7%。", [("3.7%", -3.7, "percent", "down")]),
    ("嵐峰科技股價盤中重挫逾8%。", [("8%", -8.0, "percent", "down")]),
    ("Larkfield shares jumped 12.5%.", [("12.5%", 12.5, "percent", "up")]),
    ("The sell-off erased roughly $41 billion from Larkfield's worth.",
     [("$41 billion", -41000000000.0, "USD", "down")]),
    ("Larkfield shares fell 9%, wiping $7 billion from its market worth.",
     [("9%", -9.0, "percent", "down"), ("$7 billion", -7000000000.0, "USD", "down")]),
    ("The Brindle 40 shed 215.4 points, or 1.3%, ending at 16,402.10 points.",
     [("215.4 points", -215.4, "points", "down"), ("1.3%", -1.3, "percent", "down"),
      ("16,402.10 points", 16402.1, "points", None)]),
    ("The fund's assets fell by $1.1 billion to $9.8 billion.",
     [("$1.1 billion", -1100000000.0, "USD", "down"), ("$9.8 billion", 9800000000.0, "USD", None)]),
    ("岚峰矿业市值缩水约320亿美元（约合人民币2290亿元）。",
     [("320亿美元", -32000000000.0, "USD", "down"), ("人民币2290亿元", -229000000000.0, "CNY", "down")]),
    ("关税将拉低整体毛利率2至3个百分点。", [("2至3个百分点", -2.0, "percentage_points", "down")]),
    ("The Brindle Composite fell 2.6% to 8,455.30.",
     [("2.6%", -2.6, "percent", "down"), ("8,455.30", 8455.3, "points", None)]),
    ("With a third of its value gone, the firm is worth $9 billion.",
     [("a third", -33.3333333333333, "percent", "down"), ("$9 billion", 9000000000.0, "USD", None)]),
    ("Larkfield posted a 6% year-on-year decline and revenue decreased 4%.",
     [("6%", -6.0, "percent", "down"), ("4%", -4.0, "percent", "down")]),
    ("岚峰指数收低0.8%，净利润大增45%。", [("0.8%", -0.8, "percent", "down"), ("45%", 45.0, "percent", "up")]),
    ("嵐峰電子10月營收季增8.2%，年減3.6%。", [("10月", None, "date", None), ("8.2%", 8.2, "percent", "up"),
                                        ("3.6%", -3.6, "percent", "down")]),
    ("The Stoxx 600 slipped 0.4% to 512.35.", [("0.4%", -0.4, "percent", "down"), ("512.35", 512.35, "points", None)]),
    # A net loss is a positive figure of its metric; an index that lost points fell.
    ("Larkfield lost $2.3 billion last year.", [("$2.3 billion", 2300000000.0, "USD", None)]),
    ("嵐峰去年淨虧損23億元。", [("23億元", 2300000000.0, "CNY", None)]),
    # No direction: a level after 至/to; a share of a cut is its size.
    ("岚峰把年费从88港元下调到81港元。", [("88港元", 88.0, "HKD", None), ("81港元", 81.0, "HKD", None)]),
    ("The airline will trim its fleet plan by up to 25%.", [("25%", 25.0, "percent", None)]),
]


@pytest.mark.parametrize("text,expected", CHANGES)
def test_signed_changes(text: str, expected: list[tuple[Any, ...]]) -> None:
    got = [(q.text, q.value, q.unit, q.direction) for q in extract(text, published=DAY)]
    assert got == expected


def test_a_qualifier_applies_to_the_magnitude() -> None:
    (q,) = extract("股價跌逾6.5%。")
    assert (q.value, q.qualifier, q.direction) == (-6.5, "more_than", "down")


@pytest.mark.parametrize("text,qualifier", [
    ("Sales have passed $300 million.", "more_than"),
    ("营收已超越2000亿元。", "more_than"),
    ("The council passed 14 bills.", "exact"),
])
def test_a_threshold_passed_is_a_floor(text: str, qualifier: str) -> None:
    (q,) = extract(text)
    assert q.qualifier == qualifier


def test_unsigned_when_asked() -> None:
    (q,) = extract("股价下跌3.7%。", signed=False)
    assert (q.value, q.direction) == (3.7, None)


# --- exact values --------------------------------------------------------------------------
EXACT = [
    ("约新台幣3.01兆元", 3010000000000.0),
    ("营收7320.6亿元", 732060000000.0),
    ("It raised 4.35 billion yuan.", 4350000000.0),
    ("員工1.1萬人", 11000.0),
]


@pytest.mark.parametrize("text,value", EXACT)
def test_exact_decimal_values(text: str, value: float) -> None:
    (q,) = extract(text)
    assert q.value == value  # equal, not approximately


# --- not claims ----------------------------------------------------------------------------
NOT_CLAIMS = [
    "Shares of Qorvane Labs (4417.TW) rose.",
    "宏晟光電（06123.HK）公布業績。",
    "BRLX.O was halted.",
    "嘉禾精密（6633）跌停。",
    "The Zephyr-7b model runs on A350neo jets.",
    "Call 02-2345-6789 for details.",
    "Traders called it a one-day wonder.",
    "股价一度走高，市场看法一致。",
    "相关阅读：\n· 家电企业上调报价约6%\n· 新款扫地机售价2999元",
    "Related: Memory makers' $3 trillion run meets a wall",
    "More stories\n- Brindle shares rise 4%\n- Orlen raises $3 billion",
    "【延伸閱讀】嵐峰物流倉儲面積三年擴大4成",
    "The firm raised its price to 1,250.50.",
    "Updated: March 4, 2026 9:15 a.m. ET",
    "更新时间：2026-03-04 09:15",
]


@pytest.mark.parametrize("text", NOT_CLAIMS)
def test_not_claims(text: str) -> None:
    assert rows(text) == []


def test_rule_words_fold_to_both_scripts() -> None:
    from extractor.scripts import fold

    assert set(fold(["新台币", "yuan"])) >= {"新台币", "新臺幣", "yuan"}
