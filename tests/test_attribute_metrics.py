"""Metrics of business news at large, in English, Simplified and Traditional Chinese, and
the noun phrase kept for numbers no trigger names. Companies and figures are invented."""

from __future__ import annotations

import pytest

from extractor.attribute import lexicon
from extractor.ingest import Article
from extractor.pipeline import process

# (text, surface, metric)
CASES = [
    # production capacity, in energy or in units
    ("The new plant in Ostrava will have annual capacity of 12 gigawatt-hours.", "12 gigawatt-hours", "capacity"),
    ("北辰电池计划将年产能由目前的6GWh提升至11GWh。", "11GWh", "capacity"),
    ("北辰電池計劃將年產能由目前的6GWh提升至11GWh。", "6GWh", "capacity"),
    # an index's level against its move
    ("恒远科技指数收市跌1.8%，报4,215点。", "4,215点", "index_level"),
    ("恒遠科技指數收市跌1.8%，報4,215點。", "4,215點", "index_level"),
    ("The Meridian Composite fell 312.5 points on Tuesday.", "312.5 points", "index_change"),
    ("The Meridian Composite fell 1.9% and closed at 18,402.55.", "18,402.55", "index_level"),
    # an offer per share named by a proposal or an acquisition
    ("Tessaly's board rejected Corvane's first proposal of €19.00 per share in May.", "€19.00", "offer_price_per_share"),
    ("北辰控股提议以每股19欧元收购蓝野软件。", "19欧元", "offer_price_per_share"),
    ("北辰控股提議以每股19歐元收購藍野軟體。", "19歐元", "offer_price_per_share"),
    # an index as the actor of a move, and a percentage restating points
    ("The Meridian Composite fell 2.8% on Monday, while the Harbour 300 lost 1.9%.", "1.9%", "index_change"),
    ("The Harbour Industrial Average shed 612 points, or 1.4%, on Monday.", "1.4%", "index_change"),
    ("恒远指数收市跌352点或1.4%。", "1.4%", "index_change"),
    # share price, its change, an intraday move
    ("Northwind Motors shares closed at $41.20 on Tuesday.", "$41.20", "share_price"),
    ("Northwind Motors shares fell 8.4% on Tuesday.", "8.4%", "share_price_change"),
    # "Shares of X": X owns the shares, it is no object
    ("Shares of Northwind Motors fell 8.4% on Tuesday.", "8.4%", "share_price_change"),
    # a ticker in brackets does not part the shares from their move
    ("Shares of Northwind Motors (NASDAQ: NWM) fell 8.4% on Tuesday after the company reported "
     "third-quarter revenue of $2.1 billion.", "8.4%", "share_price_change"),
    ("北辰汽車（NWM.O）股價週二下跌8.4%，公司此前公布第三季營收21億美元。", "8.4%", "share_price_change"),
    ("北辰汽车股价收跌8.4%，收报41.2美元。", "8.4%", "share_price_change"),
    ("北辰汽車股價收跌8.4%，收報41.2美元。", "41.2美元", "share_price"),
    ("The stock fell as much as 11% to $38.90 in early trading.", "$38.90", "intraday_low"),
    ("北辰汽车盘中一度下挫11%。", "11%", "intraday_share_price_change"),
    # market value and its change
    ("北辰汽车市值蒸发约90亿美元。", "90亿美元", "market_cap_change"),
    ("Northwind Motors lost about $9 billion in market value on the day.", "$9 billion", "market_cap_change"),
    ("北辰汽車目前市值約1,200億美元。", "1,200億美元", "market_cap"),
    # equity vs enterprise value
    ("Including debt, the deal gives Tessaly an enterprise value of about €2.9 billion.", "€2.9 billion", "enterprise_value"),
    # revenue vs net vs operating income, EPS, margins
    ("Northwind Motors reported revenue of 31.5 billion yuan for the quarter.", "31.5 billion yuan", "revenue"),
    ("北辰汽车第二季净利润为12.6亿元。", "12.6亿元", "net_income"),
    ("藍野半導體第二季營業利益為新台幣88億元。", "新台幣88億元", "operating_income"),
    ("藍野半導體每股盈餘新台幣4.31元。", "新台幣4.31元", "eps"),
    # Hong Kong wording: 纯利 按年升, a dividend per share, an index's move in points
    ("科汶控股中期純利按年升18%至42.3億元。", "18%", "net_income_growth"),
    ("科汶控股中期纯利按年跌18%至42.3亿元。", "18%", "net_income_growth"),
    ("科汶控股每股派息0.35元。", "0.35元", "dividend"),
    ("The board declared a dividend of 24 cents a share.", "24 cents", "dividend"),
    ("恒远指数昨日收市跌352点，报25,012点。", "352点", "index_change"),
    ("恆遠指數昨日收市跌352點或1.4%，報25,012點。", "352點", "index_change"),
    ("The Meridian Composite shed 386.12 points to close at 19,907.40.", "386.12 points", "index_change"),
    # a per-share figure beside earnings words is EPS; the total beside it stays net income
    ("Net income rose to $2.1 billion, or $1.84 per share, from $640 million, or 57 cents a share.", "$1.84", "eps"),
    ("Net income rose to $2.1 billion, or $1.84 per share, from $640 million, or 57 cents a share.", "$2.1 billion", "net_income"),
    ("Net income rose to $2.1 billion, or $1.84 per share, from $640 million, or 57 cents a share.", "$640 million", "net_income"),
    ("北辰汽车第三季净利润28亿元，每股0.94元。", "0.94元", "eps"),
    ("藍野半導體第三季淨利新台幣350億元，每股1.35元。", "1.35元", "eps"),
    ("Gross margin widened to 21.3% in the quarter.", "21.3%", "gross_margin"),
    ("北辰汽车毛利率为16.2%。", "16.2%", "gross_margin"),
    # guidance vs actual
    ("For the third quarter, Bluefield forecast revenue of NT$95 billion to NT$99 billion.",
     "NT$95 billion to NT$99 billion", "guidance_revenue"),
    ("北辰汽车维持全年交付目标40万辆。", "40万辆", "guidance_deliveries"),
    ("北辰汽车第二季交付12.4万辆。", "12.4万辆", "deliveries"),
    # growth of a named flow beats a bare growth word
    ("北辰汽车第二季营收同比增长17.5%。", "17.5%", "revenue_growth"),
    ("Northwind delivered 124,000 vehicles, up 31% from a year earlier.", "31%", "deliveries_growth"),
    ("The app had 42 million monthly active users, up 9% from a year earlier.", "9%", "users_growth"),
    ("该应用月活跃用户达4200万，同比增长9%。", "9%", "users_growth"),
    ("該應用月活躍用戶達4200萬，按年增長9%。", "9%", "users_growth"),
    # a share sale: its proceeds before and after costs, and the price of the new shares
    ("Brevik Holdings raised gross proceeds of HK$2.4 billion from the placing.", "HK$2.4 billion", "gross_proceeds"),
    ("The net proceeds, about HK$2.36 billion, will fund new warehouses.", "HK$2.36 billion", "net_proceeds"),
    ("Brevik placed 120 million new shares at HK$20 per share.", "HK$20", "issue_price"),
    ("布雷控股完成配售，所得款项总额为24亿港元，所得款项净额约23.6亿港元。", "24亿港元", "gross_proceeds"),
    ("布雷控股完成配售，所得款项总额为24亿港元，所得款项净额约23.6亿港元。", "23.6亿港元", "net_proceeds"),
    ("布雷控股配售1.2億股新股，每股配售價20港元。", "20港元", "issue_price"),
    ("布雷控股完成24億港元配售。", "24億港元", "funding_round"),
    # Hong Kong results: a dividend per share beside EPS, contracted sales, gearing
    ("恒朗地產每股盈利1.08元，派中期息每股0.42元。", "0.42元", "dividend"),
    ("恒朗地產每股盈利1.08元，派中期息每股0.42元。", "1.08元", "eps"),
    ("恒朗地产上半年合约销售额约245亿元。", "245亿元", "contracted_sales"),
    ("集團淨負債比率維持在28.5%。", "28.5%", "net_gearing"),
    ("The group's net gearing ratio stood at 28.5% at the end of June.", "28.5%", "net_gearing"),
    # "valuing the company at": a valuation in a funding round, a price in a takeover
    ("Chip designer Yunshan Micro raised $210 million in a Series C round led by Redwood Partners, valuing the "
     "company at more than $1.7 billion.", "$1.7 billion", "valuation"),
    ("Tessaly agreed on Monday to be acquired by Corvane Holdings for €41.20 per share in cash, valuing the "
     "software maker at about €2.7 billion.", "€2.7 billion", "acquisition_price"),
    # a trigger past a clause break opens the next clause's figure
    ("晶片新創雲杉微完成C輪募資，金額達25億元人民幣，投後估值逾120億元人民幣。", "25億元人民幣", "funding_round"),
    ("芯片初创云杉微完成C轮融资，金额达25亿元人民币，投后估值超120亿元人民币。", "25亿元人民币", "funding_round"),
    # reported against adjusted profit, margins and cash flow
    ("北辰汽车前三季度归母净利润4.68亿元；扣非净利润4.12亿元，同比增长5.2%。", "4.12亿元", "adjusted_net_income"),
    ("北辰汽车前三季度归母净利润4.68亿元；扣非净利润4.12亿元，同比增长5.2%。", "4.68亿元", "net_income"),
    ("北辰汽车前三季度归母净利润4.68亿元；扣非净利润4.12亿元，同比增长5.2%。", "5.2%", "adjusted_net_income_growth"),
    ("Adjusted net income was $1.2 billion, while GAAP net income was $900 million.", "$1.2 billion", "adjusted_net_income"),
    ("Adjusted net income was $1.2 billion, while GAAP net income was $900 million.", "$900 million", "net_income"),
    ("北辰汽車第三季經營活動產生的現金流量淨額為12.3億元，淨利率8.99%。", "12.3億元", "operating_cash_flow"),
    ("北辰汽车第三季毛利率21.99%，净利率8.99%。", "8.99%", "net_margin"),
    ("Free cash flow rose to $2.3 billion in the quarter.", "$2.3 billion", "free_cash_flow"),
    # what a restructuring costs
    ("The restructuring will cost $310 million to $350 million, mostly in severance.",
     "$310 million to $350 million", "severance_cost"),
    ("科汶控股表示，此次重组费用约为3.1亿美元。", "3.1亿美元", "severance_cost"),
    ("科汶控股表示，此次重組將花費約3.1億美元成本。", "3.1億美元", "severance_cost"),
    # cash held and cash used
    ("The EV maker burned through $800 million in cash and ended the quarter with $6.1 billion in cash.",
     "$800 million", "cash_burn"),
    ("The EV maker burned through $800 million in cash and ended the quarter with $6.1 billion in cash.",
     "$6.1 billion", "cash_balance"),
    ("北辰汽车期末现金及现金等价物为61亿美元。", "61亿美元", "cash_balance"),
    ("北辰汽車第三季燒錢8億美元。", "8億美元", "cash_burn"),
    ("Northwind now expects to deliver 50,000 to 55,000 vehicles this year.", "50,000 to 55,000 vehicles",
     "guidance_deliveries"),
    # a per-share offer restated as the deal's total; a per-share metric never takes a billion
    ("Tessaly's board rebuffed Corvane Holdings' first proposal of €36.00 per share, or about €2.4 billion.",
     "€2.4 billion", "acquisition_price"),
    ("科汶控股最初提出每股36欧元、合计约24亿欧元的报价。", "24亿欧元", "acquisition_price"),
    # market value wiped off, jobs that could go
    ("Brevik shares plunged 12.5%, wiping $21 billion off the battery maker's value.", "$21 billion",
     "market_cap_change"),
    ("Local media reported that as many as 1,800 positions could go.", "1,800 positions", "layoffs"),
    # a listing: what it raised, how often each tranche was covered, the first trade
    ("星河物流今日在港交所主板掛牌，集資約46.5億港元。", "46.5億港元", "funding_round"),
    ("公開發售部分獲超額認購約1,250倍，國際配售獲約8倍認購。", "1,250倍", "oversubscription_public"),
    ("公开发售部分获超额认购约1250倍，国际配售获约8倍认购。", "8倍", "oversubscription_international"),
    ("The retail tranche was oversubscribed 1,250 times, the international offering 8 times.", "1,250 times",
     "oversubscription_public"),
    ("該股開報24.5港元，收報24.82港元。", "24.5港元", "opening_price"),
    ("該股開報24.5港元，收報24.82港元。", "24.82港元", "share_price"),
    ("The stock opened at HK$24.50 and closed at HK$24.82.", "HK$24.50", "opening_price"),
    # an economy's trade: exports, imports, the balance, their growth
    ("海关总署公布，10月出口同比增长8.3%，进口同比下降2.1%，贸易顺差为902亿美元。", "8.3%", "exports_growth"),
    ("海關總署公布，10月出口按年增長8.3%，進口按年下跌2.1%，貿易順差為902億美元。", "2.1%", "imports_growth"),
    ("海关总署公布，10月出口同比增长8.3%，进口同比下降2.1%，贸易顺差为902亿美元。", "902亿美元", "trade_balance"),
    ("Exports rose 8.3% in October while imports fell 2.1%, leaving a trade surplus of $90.2 billion.", "$90.2 billion",
     "trade_balance"),
    ("出口同比增长8.3%，其中对美国出口下降9.4%。", "9.4%", "bilateral_exports_growth"),
    ("出口同比增长8.3%，其中对美国出口下降9.4%。", "8.3%", "exports_growth"),
    ("Exports rose 8.3%, but exports to the United States fell 9.4%.", "9.4%", "bilateral_exports_growth"),
    ("中國10月出口按年增長8.3%，對美國出口下跌9.4%。", "9.4%", "bilateral_exports_growth"),
    ("中國10月出口按年增長8.3%，對美國出口下跌9.4%。", "8.3%", "exports_growth"),
    # a bank's half: pretax profit, net interest income, capital and return ratios, a buyback
    ("Harrowgate Bank reported a pretax profit of £2.1 billion, down 6% from a year earlier.", "£2.1 billion",
     "pretax_profit"),
    ("Harrowgate Bank reported a pretax profit of £2.1 billion, down 6% from a year earlier.", "6%",
     "pretax_profit_growth"),
    ("Net interest income slipped to £3.4 billion.", "£3.4 billion", "net_interest_income"),
    ("Its common equity tier 1 ratio stood at 14.2%.", "14.2%", "capital_ratio"),
    ("恒丰银行上半年净资产收益率为11.8%，核心一级资本充足率为14.2%。", "11.8%", "return_on_equity"),
    ("恆豐銀行上半年除稅前溢利為210億港元。", "210億港元", "pretax_profit"),
    ("The lender announced a £500 million share buyback.", "£500 million", "buyback"),
    ("董事会批准回购最多50亿港元股份。", "50亿港元", "buyback"),
    # a price cut and the price it leaves; orders taken
    ("北辰汽车宣布新款SUV降价2万元，降价后售价为22.98万元起。", "2万元", "price_change"),
    ("北辰汽车宣布新款SUV降价2万元，降价后售价为22.98万元起。", "22.98万元", "price"),
    ("北辰汽車新款SUV降價2萬元，上市首月訂單突破3.5萬台。", "3.5萬台", "orders"),
    ("Northwind cut prices by $2,000, and the model now has a list price of $39,990.", "$39,990", "price"),
    ("报告期内，公司研发投入2.45亿元，账上货币资金约18.6亿元。", "2.45亿元", "rd_expense"),
    ("报告期内，公司研发投入2.45亿元，账上货币资金约18.6亿元。", "18.6亿元", "cash_balance"),
    ("R&D spending rose to $1.2 billion in the quarter.", "$1.2 billion", "rd_expense"),
    # funds and what asset managers manage
    ("Crestline Partners has raised $3.2 billion for its fourth flagship fund.", "$3.2 billion", "fund_size"),
    ("Crestline Partners closed its fourth fund at $3.2 billion, above its $2.5 billion target.", "$2.5 billion", "fund_size"),
    ("Crestline now manages about $14 billion in assets.", "$14 billion", "assets_under_management"),
    ("红岭资本第四期美元基金完成募集，规模32亿美元。", "32亿美元", "fund_size"),
    ("紅嶺資本目前管理資產規模約140億美元。", "140億美元", "assets_under_management"),
    # people, money for them, tariffs and subsidies
    ("Corvane Holdings will cut 2,400 jobs, about 12% of its workforce.", "2,400 jobs", "layoffs"),
    ("科汶控股将裁减2400名员工。", "2400名员工", "layoffs"),
    ("The plant is expected to create 900 jobs.", "900 jobs", "jobs"),
    ("The plant will create 900 permanent jobs and about 2,500 construction jobs at peak.", "2,500 construction jobs",
     "construction_jobs"),
    ("新厂将创造900个长期岗位，施工高峰期另有约2500个施工岗位。", "2500个", "construction_jobs"),
    ("新廠將創造900個長期崗位，施工高峰期另有約2500個施工崗位。", "2500個", "construction_jobs"),
    ("科汶控股预计遣散费用约4.2亿港元。", "4.2亿港元", "severance_cost"),
    ("The government will impose a 15% tariff on imported modules.", "15%", "tariff_rate"),
    ("政府將提供最高300億日圓補貼。", "300億日圓", "subsidy"),
    # an acquisition's price, premium and offer per share
    ("Corvane offered €21.40 per share in cash for Tessaly.", "€21.40", "offer_price_per_share"),
    ("The deal values Tessaly at about €2.9 billion including debt.", "€2.9 billion", "enterprise_value"),
    ("Corvane will pay a $180 million break fee if regulators block the deal.", "$180 million", "termination_fee"),
    ("若交易未获批准，科汶需支付1.8亿美元分手费。", "1.8亿美元", "termination_fee"),
    ("若交易未獲批准，科汶須支付1.8億美元分手費。", "1.8億美元", "termination_fee"),
    ("The offer represents a premium of 28% to Tessaly's last close.", "28%", "acquisition_premium"),
]


@pytest.mark.parametrize(("text", "surface", "metric"), CASES)
def test_metric(text: str, surface: str, metric: str) -> None:
    rows = process(Article("m.txt", text, 0, {"published": "2025-07-20"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    assert claim["metric"] == metric, claim["explanation"]


# An amount in brackets is the same amount in another currency: same metric and subject.
CONVERSIONS = [
    ("北辰汽车第二季营收315亿元（约合43.9亿美元）。", "315亿元", "43.9亿美元"),
    ("Net income rose to NT$8.6 billion (about US$281 million).", "NT$8.6 billion", "US$281 million"),
    ("科汶控股预计遣散费用约4.2亿港元，约合3.9亿元人民币。", "4.2亿港元", "3.9亿元人民币"),
]


@pytest.mark.parametrize(("text", "first", "converted"), CONVERSIONS)
def test_conversion_takes_the_metric_of_what_it_converts(text: str, first: str, converted: str) -> None:
    rows = process(Article("c.txt", text, 0, {"published": "2025-07-20"}))
    by_text = {c["text"]: c for c in rows.claims}
    for key in ("metric", "subject", "period"):
        assert by_text[converted][key] == by_text[first][key], by_text[converted]["explanation"]


# (text, surface, measure): no trigger names the number, so its noun phrase is kept.
MEASURES = [
    ("The lab put its training bill at about $64 million.", "$64 million", "training bill"),
    ("北辰汽车的研发人员规模约3200人。", "3200人", "研发人员规模"),
    ("The order backlog stood at 4,300 units.", "4,300 units", "order backlog"),
]


@pytest.mark.parametrize(("text", "surface", "measure"), MEASURES)
def test_measure(text: str, surface: str, measure: str) -> None:
    rows = process(Article("q.txt", text, 0, {"published": "2025-07-20"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    assert claim["measure"] == measure, claim["explanation"]


def test_a_named_metric_has_no_measure() -> None:
    rows = process(Article("q.txt", "北辰汽车第二季营收315亿元。", 0, {"published": "2025-07-20"}))
    assert rows.claims[0]["metric"] == "revenue" and rows.claims[0]["measure"] is None


@pytest.mark.parametrize(("text", "surface", "metric"), [
    ("Gross margin widened to 21.3%, an improvement of 140 basis points.", "140 basis points", "gross_margin_change"),
    ("北辰汽车毛利率为16.2%，同比提升1.1个百分点。", "1.1个百分点", "gross_margin_change"),
    ("北辰汽车毛利率为16.2%，同比提升1.1个百分点。", "16.2%", "gross_margin"),
])
def test_a_change_in_points_is_not_the_level(text: str, surface: str, metric: str) -> None:
    rows = process(Article("g.txt", text, 0, {"published": "2025-07-20"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    assert claim["metric"] == metric, claim["explanation"]


# (text, surface, metric): growth over the previous quarter is another figure than growth
# over a year: by a word of the previous quarter, or measured from the quarter before.
SEQUENTIAL = [
    ("北辰汽车第三季度交付新车9.2万辆，同比增长31.5%，环比增长12.4%。", "12.4%", "deliveries_growth_qoq"),
    ("北辰汽车第三季度交付新车9.2万辆，同比增长31.5%，环比增长12.4%。", "31.5%", "deliveries_growth"),
    ("北辰汽車第三季營收按季增長8.2%至315億元。", "8.2%", "revenue_growth_qoq"),
    ("Northwind's third-quarter revenue rose 8.2% sequentially to $4.1 billion.", "8.2%", "revenue_growth_qoq"),
    ("Northwind delivered 92,000 vehicles in the third quarter. Deliveries rose 12.4% from the 81,850 units "
     "handed over in the second quarter.", "12.4%", "deliveries_growth_qoq"),
    ("Northwind delivered 92,000 vehicles in the third quarter, up 31.5% from 69,960 a year earlier.", "31.5%",
     "deliveries_growth"),
]


@pytest.mark.parametrize(("text", "surface", "metric"), SEQUENTIAL)
def test_growth_over_the_previous_quarter(text: str, surface: str, metric: str) -> None:
    rows = process(Article("s.txt", text, 0, {"published": "2025-10-20"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    assert claim["metric"] == metric, claim["explanation"]


# What may stand between a comparison word and the figure it leads to: a short modifier
# ending in 的 (高于两周前公布的), or "the"; not a clause of its own.
@pytest.mark.parametrize(("gap", "leads"), [
    ("), up from the ", True),
    ("（约合人民币8.8亿元），高于两周前公布的", True),
    ("（約合人民幣8.8億元），高於兩週前公布的", True),
    ("，较去年同期的", True),
    ("，高于市场预期，全年营收", False),
    ("，比去年多出", False),
])
def test_a_comparison_word_leads_past_a_short_modifier(gap: str, leads: bool) -> None:
    assert (lexicon().comparison_re.search(gap[-16:]) is not None) == leads
