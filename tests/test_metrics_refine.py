"""Classes of metric misses, in English, Simplified and Traditional Chinese, with rows that
must not get the metric. Companies, people and figures are invented.

Each table row is (text, surface, metric): the claim whose text is `surface` measures `metric`.
"""

from __future__ import annotations

import pytest

from extractor.ingest import Article
from extractor.pipeline import process


def _metric(text: str, surface: str) -> tuple[str, str]:
    rows = process(Article("r.txt", text, 0, {"published": "2025-07-20"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    return claim["metric"], claim["explanation"]


# A change right after a figure is the change of that figure (metrics.refine).
CHANGE_OF_PREVIOUS = [
    ("Larkspur Motors delivered 84,300 vehicles in the quarter, up 17.9% year on year, on revenue of 9.1 billion yuan.",
     "17.9%", "deliveries_growth"),
    ("岚桥汽车第二季度交付64210辆，同比增长31.7%，营收188亿元。", "31.7%", "deliveries_growth"),
    ("嵐橋汽車第二季交付64210輛，按年增長31.7%，營收188億元。", "31.7%", "deliveries_growth"),
    ("嵐橋電子第二季淨收益42.6億元新台幣（約合人民幣9.9億元），年增18.3%。", "18.3%", "net_income_growth"),
    ("岚桥电子第二季度净收益42.6亿元新台币（约合人民币9.9亿元），同比增长18.3%。", "18.3%", "net_income_growth"),
    ("Start-ups in the sector raised a combined $3.7 billion in the first half, up 22% from a year earlier.",
     "22%", "funding_growth"),
    ("上半年机器人初创企业融资总额约260亿元，同比增长22%。", "22%", "funding_growth"),
    ("上半年機器人初創企業融資總額約260億元，按年增長22%。", "22%", "funding_growth"),
]

# Rows that must not take the change of the figure before them.
NOT_CHANGE_OF_PREVIOUS = [
    ("岚桥汽车交付64210辆。毛利率为14.1%。", "14.1%", "deliveries_growth"),
    ("Larkspur Motors delivered 84,300 vehicles; gross margin was 14.1%.", "14.1%", "deliveries_growth"),
    ("嵐橋汽車營收188億元，淨利同比增長9.4%。", "9.4%", "revenue_growth"),
]

# A count whose own noun says what it counts; facilities with what is said of them.
COUNTED_NOUNS = [
    ("Quenby Semiconductor will build four new fabs and two packaging plants in Ohio.", "four new fabs", "new_fabs"),
    ("Quenby Semiconductor will build four new fabs and two packaging plants in Ohio.", "two packaging plants", "new_packaging_plants"),
    ("The expansion will bring its total to seven fabs in the state.", "seven fabs", "fabs_total"),
    ("The first of the two original fabs began trial production in May.", "two original fabs", "fabs_first_phase"),
    ("澄川半导体将新建4座晶圆厂和2座研发中心。", "4座", "new_fabs"),
    ("澄川半导体将新建4座晶圆厂和2座研发中心。", "2座", "new_rd_centers"),
    ("澄川半導體首期2座晶圓廠已於去年量產。", "2座", "fabs_first_phase"),
    ("按照规划，澄川在当地的晶圆厂将增至7座。", "7座", "fabs_total"),
    ("澄川軟體在全球11個國家設有據點。", "11個國家", "countries"),
    ("澄川软件在全球11个国家设有办事处。", "11个国家", "countries"),
    ("Quenby Software sells its tools in 23 countries.", "23 countries", "countries"),
]

NOT_COUNTED_NOUNS = [
    ("澄川在中国有14家门店。", "14家门店", "countries"),
    ("澄川半导体目前有2600名员工。", "2600名员工", "countries"),
    ("Quenby will cut 1,200 jobs at two plants.", "1,200 jobs", "new_plants"),
]

# The day a statement was made, apart from the day it is about.
STATEMENT_DAYS = [
    ("The trade ministry said on March 9 that the levy will take effect on June 1.", "March 9", "event_date"),
    ("The trade ministry said on March 9 that the levy will take effect on June 1.", "June 1", "effective_date"),
    ("商务部3月9日表示，新关税将于6月1日起实施。", "3月9日", "event_date"),
    ("商務部3月9日表示，新關稅將於6月1日起實施。", "6月1日", "effective_date"),
]

# Words of business news the metrics did not know, each against what it was read as.
VOCABULARY = [
    # the year a company was founded
    ("Founded in 2016, Quenby Software now has 900 staff.", "2016", "founded_year"),
    ("岚桥智能成立于2016年，总部位于苏州。", "2016年", "founded_year"),
    ("嵐橋智能成立於2016年，總部位於新竹。", "2016年", "founded_year"),
    # customers that are businesses, apart from users
    ("Its models serve over 1,400 enterprise customers.", "1,400 enterprise customers", "enterprise_customers"),
    ("目前产品月活跃用户超过900万，企业客户逾1400家。", "1400家", "enterprise_customers"),
    ("目前產品月活躍用戶超過900萬，企業客戶逾1400家。", "900萬", "users"),
    # the money put in for a stake is a tranche, whatever valuation follows
    ("Halvard Capital will put in $300 million for a stake of roughly 4%, at a post-money valuation of $7 billion.",
     "$300 million", "funding_tranche"),
    ("据知情人士透露，贺岭资本曾提出以4亿美元换取约7%股权，对应估值约57亿美元。", "4亿美元", "funding_tranche"),
    ("據知情人士透露，賀嶺資本曾提出以4億美元換取約7%股權，對應估值約57億美元。", "57億美元", "valuation"),
    # shares a person owns
    ("The founder, who owns about 41 million shares, declined to comment.", "41 million shares", "shares_held"),
    # a fall in a fortune
    ("Its founder saw his net worth fall by $1.3 billion to $9.6 billion.", "$1.3 billion", "net_worth_change"),
    # net income, operating income and margin in Hong Kong and mainland wording
    ("岚桥电子第三季度实现净收益57.2亿元新台币。", "57.2亿元新台币", "net_income"),
    ("期內經營溢利為61.8億元新台幣，經營利潤率約8.7%。", "61.8億元新台幣", "operating_income"),
    ("期內經營溢利為61.8億元新台幣，經營利潤率約8.7%。", "8.7%", "operating_margin"),
    ("管理層預期第四季收益介乎610億至650億元新台幣。", "610億至650億元新台幣", "guidance_revenue"),
    # an acquisition's total named apart from its price per share, and a cash price per share
    ("北辰控股将以每股17.2欧元现金收购蓝野软件，交易总额约16亿欧元。", "16亿欧元", "acquisition_price"),
    ("北辰控股將以每股17.2歐元現金收購藍野軟體，交易總額約16億歐元。", "16億歐元", "acquisition_price"),
    ("- Price: €17.20 per share in cash; equity value about €1.6 billion.", "€17.20", "offer_price_per_share"),
    ("- 价格：每股17.20欧元现金，股权价值约16亿欧元。", "17.20欧元", "offer_price_per_share"),
    # a close named apart from an intraday move, and an index's close apart from a share's
    ("澄川股价盘中一度跌7.2%，收盘跌4.4%。", "4.4%", "share_price_change"),
    ("澄川股價盤中一度跌7.2%，收市跌4.4%。", "7.2%", "intraday_share_price_change"),
    ("恒远科技指数收市跌1.3%，报3,904点。", "1.3%", "index_change"),
    ("Closing drop / 收盤跌幅: 12.6%, the steepest in a decade.", "12.6%", "share_price_change"),
    # the staff a company has, near a word of cuts
    ("After the cuts Quenby will have about 9,800 employees.", "9,800 employees", "employees"),
    ("澄川约有5200名员工，至少三年内不裁员。", "5200名员工", "employees"),
    ("澄川約有5200名員工，至少三年內不裁員。", "5200名員工", "employees"),
    ("Quenby will cut 1,200 jobs this year.", "1,200 jobs", "layoffs"),
]


# An amount and its conversion take the better-read metric of the two; an amount received
# with no word of its own carries on the subsidy or funding named just before it.
MONEY_CARRIED_ON = [
    ("The government will spend ¥620 billion ($4.1 billion) over four years subsidising chip output, under an "
     "agreement with local firms.", "¥620 billion", "subsidy"),
    ("政府将在未来三年投入3600亿日元（约合人民币172亿元）补贴本土芯片生产。", "3600亿日元", "subsidy"),
    ("政府將在未來三年投入3600億日圓（約新台幣760億元）補貼本土晶片生產。", "3600億日圓", "subsidy"),
    ("The ¥620 billion subsidy programme is unchanged. Kinta Electric will receive up to ¥210 billion, or about "
     "$1.4 billion, toward a new plant.", "¥210 billion", "subsidy"),
    ("The ¥620 billion subsidy programme is unchanged. Kinta Electric will receive up to ¥210 billion, or about "
     "$1.4 billion, toward a new plant.", "$1.4 billion", "subsidy"),
    ("政府将提供总额3600亿日元补贴，其中金田电机可获得1200亿日元，森野化学则可获得800亿日元。", "800亿日元", "subsidy"),
    ("政府將提供總額3600億日圓補貼，其中金田電機可獲得1200億日圓。", "1200億日圓", "subsidy"),
]

# The gap between two figures; a share-price move in money; a target labelling vehicles;
# a share of the company; a trigger that belongs to a nearer figure; a repeated figure.
MORE = [
    ("The gap between the two carmakers' quarterly deliveries narrowed to about 4,100 units.", "4,100 units",
     "deliveries_gap"),
    ("两家公司单季交付量差距已缩小至约4100辆。", "4100辆", "deliveries_gap"),
    ("兩家公司單季交付量差距已縮小至約4100輛。", "4100輛", "deliveries_gap"),
    ("受消息激勵，澄川股價8日上漲14元，漲幅2.1%，以682元作收。", "14元", "share_price_change"),
    ("受消息激勵，澄川股價8日上漲14元，漲幅2.1%，以682元作收。", "682元", "share_price"),
    ("受消息提振，澄川股价8日上涨14元，以682元收盘。", "14元", "share_price_change"),
    ("Quenby shares fell $2.10 to $41.20 on Tuesday.", "$2.10", "share_price_change"),
    ("- Full-year target: 270,000-290,000 vehicles, unchanged.", "270,000-290,000 vehicles", "guidance_deliveries"),
    ("全年目標：27萬至29萬輛，維持不變。", "27萬至29萬輛", "guidance_deliveries"),
    ("全年目标：27万至29万辆，维持不变。", "27万至29万辆", "guidance_deliveries"),
    ("Halvard proposed putting in $450 million for roughly 6% of the company.", "6%", "stake"),
    ("The headline round size of $900m includes a RMB1.5bn commitment from a state fund.", "$900m", "funding_round"),
    ("Startups raised a combined $2.6 billion in the first half of 2025, up 41% from a year earlier.", "41%",
     "funding_growth"),
    ("• Closing drop / 收盤跌幅: 12.6%, the steepest in a decade. 下跌12.6%，十年來最大單日跌幅。", "12.6%",
     "share_price_change"),
]

NOT_MORE = [
    ("澄川股價昨日以漲停價96.5元作收。", "96.5元", "share_price_change"),
    ("The difference, the company said, was small; revenue rose to $3.2 billion.", "$3.2 billion", "revenue_gap"),
]

NOT_CARRIED_ON = [
    ("Kinta Electric posted revenue of ¥900 billion. It will receive ¥40 billion from the sale of a unit.",
     "¥40 billion", "revenue"),
    ("金田电机营收9000亿日元。该公司将获得400亿日元。", "400亿日元", "revenue"),
]


@pytest.mark.parametrize(("text", "surface", "metric"), MORE + MONEY_CARRIED_ON + CHANGE_OF_PREVIOUS + COUNTED_NOUNS + STATEMENT_DAYS + VOCABULARY)
def test_metric(text: str, surface: str, metric: str) -> None:
    got, why = _metric(text, surface)
    assert got == metric, why


@pytest.mark.parametrize(("text", "surface", "metric"), NOT_MORE + NOT_CHANGE_OF_PREVIOUS + NOT_COUNTED_NOUNS + NOT_CARRIED_ON)
def test_not_metric(text: str, surface: str, metric: str) -> None:
    got, why = _metric(text, surface)
    assert got != metric, why
