"""Generalization table: real-style sentences from outlets and wordings other than the
seed corpus (Taiwan and Hong Kong press, mainland press, English wires), each with every
claim it should yield as (surface, kind, value, unit, qualifier). Years and dates give
their ISO date in the value column.

Rows that expect nothing are page furniture, code names, ordinals and contact lines.
"""

from __future__ import annotations

import copy
import datetime as dt
import re

import pytest

from extractor.quantities import (
    RuleGroup,
    RulePattern,
    WordTable,
    _by_first_letter,
    _Scanned,
    engine,
    extract,
    numbers,
)

PUBLISHED = dt.date(2025, 10, 28)

Row = tuple[str, list[tuple[str, str, float | str | None, str, str]]]

TRADITIONAL: list[Row] = [
    ('鴻準累計前10月營收2,874億元，年增9.1%。', [('2,874億元', 'money', 287400000000.0, 'TWD', 'exact'), ('9.1%', 'percent', 9.1, 'percent', 'exact')]),
    ('輝達市值一度突破5兆美元。', [('5兆美元', 'money', 5000000000000.0, 'USD', 'more_than')]),
    ('公司計劃在四年內投入一萬五千億元。', [('四年', 'duration', 4.0, 'years', 'up_to'), ('一萬五千億元', 'money', 1500000000000.0, 'CNY', 'exact')]),
    ('鴻海今年第三季營收達新台幣1.85兆元，年增逾20%。', [('新台幣1.85兆元', 'money', 1850000000000.0, 'TWD', 'exact'), ('20%', 'percent', 20.0, 'percent', 'more_than')]),
    ('台積電將在美國亞利桑那州追加投資1000億美元。', [('1000億美元', 'money', 100000000000.0, 'USD', 'exact')]),
    ('金管會表示，國內銀行對中國大陸曝險約新台幣2.1兆元。', [('新台幣2.1兆元', 'money', 2100000000000.0, 'TWD', 'about')]),
    ('國泰金前三季稅後純益達新台幣1026億元。', [('新台幣1026億元', 'money', 102600000000.0, 'TWD', 'exact')]),
    ('港府預計今年財政赤字約1000億港元。', [('1000億港元', 'money', 100000000000.0, 'HKD', 'about')]),
    ('騰訊控股斥資約25億港元回購股份。', [('25億港元', 'money', 2500000000.0, 'HKD', 'about')]),
    ('長和系旗下港口業務作價228億美元出售。', [('228億美元', 'money', 22800000000.0, 'USD', 'exact')]),
    ('日本軟銀集團向OpenAI追加投資225 億美元。', [('225 億美元', 'money', 22500000000.0, 'USD', 'exact')]),
    ('該公司去年虧損4兆1300億元。', [('4兆1300億元', 'money', 4130000000000.0, 'CNY', 'exact')]),
    ('台灣出口連續十二個月成長，9月出口值年增逾三成。', [('十二個月', 'duration', 12.0, 'months', 'exact'), ('9月', 'date', '2025-09', 'date', 'exact'), ('三成', 'percent', 30.0, 'percent', 'more_than')]),
    ('中央銀行將重貼現率調升半個百分點至2%。', [('半個百分點', 'percent', 0.5, 'percentage_points', 'exact'), ('2%', 'percent', 2.0, 'percent', 'exact')]),
    ('本次融資金額在15 億至 20 億美元之間。', [('15 億至 20 億美元', 'money', 1500000000.0, 'USD', 'range')]),
    ('超過二十萬名員工將受到影響。', [('二十萬名員工', 'count', 200000.0, 'count', 'more_than')]),
    ('蘋果公司在美國的投資承諾達5000億美元，約合新台幣15兆元。', [('5000億美元', 'money', 500000000000.0, 'USD', 'exact'), ('新台幣15兆元', 'money', 15000000000000.0, 'TWD', 'about')]),
    ('香港金管局動用約15億港元入市，港元匯率維持在7.85。', [('15億港元', 'money', 1500000000.0, 'HKD', 'about')]),
    ("台積電董事會核准約225 億美元的資本預算。", [("225 億美元", "money", 22500000000.0, "USD", "about")]),
    ("該集團旗下員工逾二十萬人，去年營收1.26兆元。", [("二十萬人", "count", 200000.0, "count", "more_than"), ("1.26兆元", "money", 1260000000000.0, "CNY", "exact")]),
    ("日圓貶值，日本企業海外獲利增至1.2兆日圓。", [("1.2兆日圓", "money", 1200000000000.0, "JPY", "exact")]),
    ("歐盟將提供80億歐元補貼，為期六年。", [("80億歐元", "money", 8000000000.0, "EUR", "exact"), ("六年", "duration", 6.0, "years", "exact")]),
    ("港交所今年集資額最高可達2000億港元。", [("2000億港元", "money", 200000000000.0, "HKD", "up_to")]),
    ("公司股價在兩年內上漲了逾3倍。", [("兩年", "duration", 2.0, "years", "up_to"), ("3倍", "multiplier", 3.0, "multiplier", "more_than")]),
    ("央行宣布調升利率半個百分點。", [("半個百分點", "percent", 0.5, "percentage_points", "exact")]),
    ("台灣出口連續十二個月成長，9月出口值年增逾三成。", [("十二個月", "duration", 12.0, "months", "exact"), ("9月", "date", "2025-09", "date", "exact"), ("三成", "percent", 30.0, "percent", "more_than")]),
]

SIMPLIFIED: list[Row] = [
    # a report's name is no length of time
    ('公司8月28日晚间披露半年报，营收1.86亿元。', [('8月28日', 'date', '2025-08-28', 'date', 'exact'), ('1.86亿元', 'money', 186000000.0, 'CNY', 'exact')]),
    # the end of a range of months is a period, not a date of that month
    ('今年1-10月累计交付41.6万辆。', [('41.6万辆', 'count', 416000.0, 'count', 'exact')]),
    ('公司7至9月营收为30亿元，10月营收12亿元。', [('30亿元', 'money', 3000000000.0, 'CNY', 'exact'), ('10月', 'date', '2025-10', 'date', 'exact'), ('12亿元', 'money', 1200000000.0, 'CNY', 'exact')]),
    ('该公司裁员百分之二十。', [('百分之二十', 'percent', 20.0, 'percent', 'exact')]),
    ('两年前，该公司的估值不到三百亿美元。', [('两年前', 'year', '2023', 'year', 'exact'), ('三百亿美元', 'money', 30000000000.0, 'USD', 'less_than')]),
    ('六年前公司还只有三十名员工。', [('六年前', 'year', '2019', 'year', 'exact'), ('三十名员工', 'count', 30.0, 'count', 'exact')]),
    ('比亚迪上半年营收3712.81亿元，同比增长33.04%。', [('3712.81亿元', 'money', 371281000000.0, 'CNY', 'exact'), ('33.04%', 'percent', 33.04, 'percent', 'exact')]),
    ('小米集团第三季度经调整净利润约113亿元人民币。', [('113亿元人民币', 'money', 11300000000.0, 'CNY', 'about')]),
    ('华为去年研发投入1797亿元，占收入的20.8%。', [('1797亿元', 'money', 179700000000.0, 'CNY', 'exact'), ('20.8%', 'percent', 20.8, 'percent', 'exact')]),
    ('阿里巴巴宣布未来三年投入超过3800亿元建设云和AI基础设施。', [('三年', 'duration', 3.0, 'years', 'exact'), ('3800亿元', 'money', 380000000000.0, 'CNY', 'more_than')]),
    ('据报道，字节跳动估值约为3000亿美元左右。', [('3000亿美元', 'money', 300000000000.0, 'USD', 'about')]),
    ('特斯拉上海超级工厂今年交付约95万辆汽车。', [('95万辆', 'count', 950000.0, 'count', 'about')]),
    ('该基金规模高达2.5万亿元。', [('2.5万亿元', 'money', 2500000000000.0, 'CNY', 'up_to')]),
    ('京东将招聘1万名快递员，月薪最高可达2万元。', [('1万名', 'count', 10000.0, 'count', 'exact'), ('2万元', 'money', 20000.0, 'CNY', 'up_to')]),
    ('市场规模预计在2030年达到1，350亿元。', [('2030年', 'year', '2030', 'year', 'exact'), ('1，350亿元', 'money', 135000000000.0, 'CNY', 'exact')]),
    ('公司股价较发行价上涨了10倍。', [('10倍', 'multiplier', 10.0, 'multiplier', 'exact')]),
    ('约合人民币1000亿元的投资计划于2025年10月28日公布。', [('人民币1000亿元', 'money', 100000000000.0, 'CNY', 'about'), ('2025年10月28日', 'date', '2025-10-28', 'date', 'exact')]),
    ('5月11日，公司宣布完成新一轮融资，规模达数十亿美元。', [('5月11日', 'date', '2025-05-11', 'date', 'exact'), ('数十亿美元', 'money', 1000000000.0, 'USD', 'more_than')]),
    ('据悉，这笔交易价值至少100亿美元。', [('100亿美元', 'money', 10000000000.0, 'USD', 'at_least')]),
    ('马来西亚将投资250亿令吉发展数据中心。', [('250亿令吉', 'money', 25000000000.0, 'MYR', 'exact')]),
    ('欧盟对该公司处以５亿欧元罚款，约占其全球营收的２７％。', [('５亿欧元', 'money', 500000000.0, 'EUR', 'exact'), ('２７％', 'percent', 27.0, 'percent', 'exact')]),
    ('日本政府拟投入1.5万亿日元支持半导体产业。', [('1.5万亿日元', 'money', 1500000000000.0, 'JPY', 'exact')]),
    ('该公司第二季度亏损约合1.2亿美金。', [('1.2亿美金', 'money', 120000000.0, 'USD', 'about')]),
    ('国家统计局数据显示，10月份CPI同比上涨0.2%，较上月回落0.1个百分点。', [('10月', 'date', '2025-10', 'date', 'exact'), ('0.2%', 'percent', 0.2, 'percent', 'exact'), ('0.1个百分点', 'percent', -0.1, 'percentage_points', 'exact')]),
    ('该项目总投资超过100亿元，预计3年内建成。', [('100亿元', 'money', 10000000000.0, 'CNY', 'more_than'), ('3年', 'duration', 3.0, 'years', 'up_to')]),
    ('截至2018 年 3 月，平台注册用户已突破5000万人。', [('2018 年 3 月', 'date', '2018-03', 'date', 'exact'), ('5000万人', 'count', 50000000.0, 'count', 'more_than')]),
    ('全球有数百亿美元的资金流入该领域。', [('数百亿美元', 'money', 10000000000.0, 'USD', 'more_than')]),
    ('该行计划在未来12至18个月内裁员约5%。', [('12至18个月', 'duration', 12.0, 'months', 'range'), ('5%', 'percent', 5.0, 'percent', 'about')]),
    ('据路透社报道，该交易估值在150亿至200亿美元之间。', [('150亿至200亿美元', 'money', 15000000000.0, 'USD', 'range')]),
    ('腾讯去年营收6090亿元人民币，同比增长近10%。', [('6090亿元人民币', 'money', 609000000000.0, 'CNY', 'exact'), ('10%', 'percent', 10.0, 'percent', 'about')]),
    ("微软已向 OpenAI 投入了超过 130 亿美元。", [("130 亿美元", "money", 13000000000.0, "USD", "more_than")]),
    ("该公司营收达130亿美元，拥有二十万名员工。", [("130亿美元", "money", 13000000000.0, "USD", "exact"), ("二十万名员工", "count", 200000.0, "count", "exact")]),
    ("公司裁员二十余人，股价较去年增长了100多倍。", [("二十余人", "count", 20.0, "count", "more_than"), ("100多倍", "multiplier", 100.0, "multiplier", "more_than")]),
    ("集团2019年营收约800亿元人民币，六年间增长了两倍。", [("2019年", "year", "2019", "year", "exact"), ("800亿元人民币", "money", 80000000000.0, "CNY", "about"), ("六年间", "duration", 6.0, "years", "exact"), ("两倍", "multiplier", 2.0, "multiplier", "exact")]),
    ("收购价为每股10港币，较前一交易日溢价近三成。", [("10港币", "money", 10.0, "HKD", "exact"), ("三成", "percent", 30.0, "percent", "about")]),
    ("日本央行买入1兆円国债。", [("1兆円", "money", 1000000000000.0, "JPY", "exact")]),
    ("该行持有逾60亿美元资产，另有RMB 50亿元贷款。", [("60亿美元", "money", 6000000000.0, "USD", "more_than"), ("RMB 50亿元", "money", 5000000000.0, "CNY", "exact")]),
    ("台积电上季度营收约新台币9000亿元，合约300亿美元。", [("新台币9000亿元", "money", 900000000000.0, "TWD", "about"), ("300亿美元", "money", 30000000000.0, "USD", "about")]),
    ("该项目预计两年后投产，总投资超过¥300亿。", [("两年", "duration", 2.0, "years", "exact"), ("¥300亿", "money", 30000000000.0, "CNY", "more_than")]),
    ("这一年，公司亏损了不到1亿元。", [("1亿元", "money", 100000000.0, "CNY", "less_than")]),
    ("两家报价分别为$20，300美元。", [("$20", "money", 20.0, "USD", "exact"), ("300美元", "money", 300.0, "USD", "exact")]),
]

ENGLISH: list[Row] = [
    # how often an offering was covered; "three times" alone is a frequency
    ('The retail tranche was oversubscribed 1,250 times.', [('1,250 times', 'multiplier', 1250.0, 'multiplier', 'exact')]),
    # a spelled number after a large scale starts the next phrase, it is not added to the amount
    ('Assets grew to $14 billion, up from $9 billion two years ago.', [('$14 billion', 'money', 14000000000.0, 'USD', 'exact'), ('$9 billion', 'money', 9000000000.0, 'USD', 'exact'), ('two years ago', 'year', '2023', 'year', 'exact')]),
    ('Sales reached 3 million units three quarters after launch.', [('3 million units', 'count', 3000000.0, 'count', 'exact')]),
    ('Microsoft has invested more than $13 billion in OpenAI since 2019.', [('$13 billion', 'money', 13000000000.0, 'USD', 'more_than'), ('2019', 'year', '2019', 'year', 'exact')]),
    ('SoftBank agreed to invest up to $40 billion, Reuters reported on Oct. 28, 2025.', [('$40 billion', 'money', 40000000000.0, 'USD', 'up_to'), ('Oct. 28, 2025', 'date', '2025-10-28', 'date', 'exact')]),
    ('The company raised US$6.6bn at a valuation of $157bn.', [('US$6.6bn', 'money', 6600000000.0, 'USD', 'exact'), ('$157bn', 'money', 157000000000.0, 'USD', 'exact')]),
    ("Nvidia's market value topped $5 trillion for the first time.", [('$5 trillion', 'money', 5000000000000.0, 'USD', 'exact')]),
    ('Revenue rose 20 percent to €500 million in the quarter.', [('20 percent', 'percent', 20.0, 'percent', 'exact'), ('€500 million', 'money', 500000000.0, 'EUR', 'exact')]),
    ('Toyota expects operating profit of 3.8 trillion yen for the year ending March 2026.', [('3.8 trillion yen', 'money', 3800000000000.0, 'JPY', 'exact'), ('March 2026', 'date', '2026-03', 'date', 'exact')]),
    ('The deal is worth nearly $13 billion, people familiar with the matter said.', [('$13 billion', 'money', 13000000000.0, 'USD', 'about')]),
    ('Analysts expect capital spending of $20-30 billion next year.', [('$20-30 billion', 'money', 20000000000.0, 'USD', 'range')]),
    ('The chipmaker plans a 10-fold increase in output over five years.', [('10-fold', 'multiplier', 10.0, 'multiplier', 'exact'), ('five years', 'duration', 5.0, 'years', 'exact')]),
    ('Shares jumped as much as 12% in early trading.', [('12%', 'percent', 12.0, 'percent', 'up_to')]),
    ('The bank cut its forecast by 25 basis points.', [('25 basis points', 'percent', -0.25, 'percentage_points', 'exact')]),
    ('HSBC will cut about 10,000 jobs over the next 12 to 24 months.', [('10,000 jobs', 'count', 10000.0, 'count', 'about'), ('12 to 24 months', 'duration', 12.0, 'months', 'range')]),
    ('The rollout is due by Dec. 31, the company said.', [('Dec. 31', 'date', '2025-12-31', 'date', 'exact')]),
    ('Profit fell less than 5 per cent to HK$3.2 billion.', [('5 per cent', 'percent', -5.0, 'percent', 'less_than'), ('HK$3.2 billion', 'money', 3200000000.0, 'HKD', 'exact')]),
    ('The fund has about 1.5 trillion yen in assets.', [('1.5 trillion yen', 'money', 1500000000000.0, 'JPY', 'about')]),
    ('The startup was valued at roughly $1.5B in its last funding round.', [('$1.5B', 'money', 1500000000.0, 'USD', 'about')]),
    ('Losses could reach billions of dollars, regulators warned.', [('billions of dollars', 'money', 1000000000.0, 'USD', 'more_than')]),
    ('Costs rose 10x in two years, the filing showed.', [('10x', 'multiplier', 10.0, 'multiplier', 'exact'), ('two years', 'duration', 2.0, 'years', 'exact')]),
    ('The project will cost at least 2 billion euros.', [('2 billion euros', 'money', 2000000000.0, 'EUR', 'at_least')]),
    ('Sales grew twenty percent in October 2025.', [('twenty percent', 'percent', 20.0, 'percent', 'exact'), ('October 2025', 'date', '2025-10', 'date', 'exact')]),
    ('The ruling affects 1.2 million workers across the country.', [('1.2 million workers', 'count', 1200000.0, 'count', 'exact')]),
    ('Malaysia approved RM25 billion in data centre investment.', [('RM25 billion', 'money', 25000000000.0, 'MYR', 'exact')]),
    ("Taiwan's exports rose to NT$1.42 trillion in the first half.", [('NT$1.42 trillion', 'money', 1420000000000.0, 'TWD', 'exact')]),
    ('The company employs 221,000 people worldwide.', [('221,000 people', 'count', 221000.0, 'count', 'exact')]),
    ('Six years ago the lab had fewer than 100 employees.', [('Six years ago', 'year', '2019', 'year', 'exact'), ('100 employees', 'count', 100.0, 'count', 'less_than')]),
    ('Sony will buy back up to 250 billion yen of its own shares.', [('250 billion yen', 'money', 250000000000.0, 'JPY', 'up_to')]),
    ('The Japanese yen fell 1.2% against the dollar.', [('1.2%', 'percent', -1.2, 'percent', 'exact')]),
    ('The company said it would hire 5,000 engineers by 2027.', [('5,000 engineers', 'count', 5000.0, 'count', 'exact'), ('2027', 'year', '2027', 'year', 'exact')]),
    ("Apple's iPhone sales rose 3% from a year earlier.", [('3%', 'percent', 3.0, 'percent', 'exact')]),
    ('The EU fined the company €2.4 billion in June 2017.', [('€2.4 billion', 'money', 2400000000.0, 'EUR', 'exact'), ('June 2017', 'date', '2017-06', 'date', 'exact')]),
    ('Inflation in Britain eased to 3.8 per cent in September.', [('3.8 per cent', 'percent', 3.8, 'percent', 'exact')]),
    ("Alphabet's cloud revenue jumped 34% to $15.2 billion.", [('34%', 'percent', 34.0, 'percent', 'exact'), ('$15.2 billion', 'money', 15200000000.0, 'USD', 'exact')]),
    ('Samsung plans to invest 450 trillion won in chips over five years.', [('450 trillion won', 'money', 450000000000000.0, 'KRW', 'exact'), ('five years', 'duration', 5.0, 'years', 'exact')]),
    ("Vietnam's VinFast lost $1.4 billion last year.", [('$1.4 billion', 'money', 1400000000.0, 'USD', 'exact')]),
    ('The central bank held rates at 4.25% to 4.5%.', [('4.25% to 4.5%', 'percent', 4.25, 'percent', 'range')]),
    ("It agreed to pay 13 billion dollars over a decade.", [("13 billion dollars", "money", 13000000000.0, "USD", "exact")]),
    ("The firm raised US$13bn, more than 20 percent above target.", [("US$13bn", "money", 13000000000.0, "USD", "exact"), ("20 percent", "percent", 20.0, "percent", "more_than")]),
    ("Output rose 100-fold, and profits were three times higher.", [("100-fold", "multiplier", 100.0, "multiplier", "exact"), ("three times", "multiplier", 3.0, "multiplier", "exact")]),
    ("The yuan loan of ¥5 billion matures in 2030.", [("¥5 billion", "money", 5000000000.0, "CNY", "exact"), ("2030", "year", "2030", "year", "exact")]),
    ("Shares were priced at HK$88, roughly 2 per cent below the close.", [("HK$88", "money", 88.0, "HKD", "exact"), ("2 per cent", "percent", 2.0, "percent", "about")]),
    ("Between 2 and 3 percent of users churned.", [("2 and 3 percent", "percent", 2.0, "percent", "range")]),
    ("The chip costs $30,000 and 3 suppliers make it.", [("$30,000", "money", 30000.0, "USD", "exact"), ("3 suppliers", "count", 3.0, "count", "exact")]),
    ("Shares slid 50 cents to $12.40.", [("50 cents", "money", -0.5, "USD", "exact"), ("$12.40", "money", 12.4, "USD", "exact")]),
]

NOT_CLAIMS: list[Row] = [
    ('微信号：abc123 电话：010-12345678', []),
    ('© 2025 新华网 版权所有', []),
    ('京ICP备12345678号', []),
    ('图片：photo_2025_10_28.jpg', []),
    ('来源：https://www.example.com/news/2025/10/28/123456.html', []),
    ('GPT-3 和 A100 芯片的第二阶段测试已完成[1]。', []),
    ("OpenAI's GPT-4o model runs on H100 chips, the 3rd generation.", []),
    ('Call us at +1 415-555-0100 or QQ: 12345678.', []),
    ('他们在第二阶段招募了三位知情人士。', []),
    ("Copyright 2025 Reuters. All rights reserved.", []),
    ("Photo: chart-2025-10.png", []),
    ("See the report[^3] for details.", []),
    ("The iOS 17 update shipped on A17 chips.", []),
    ("Nvidia sold H20 chips in the 2nd quarter.", []),
    ("電話：(852) 2345 6789", []),
    ("本文来源：财新网 http://www.caixin.com/2025-10-28/102345678.html", []),
    ("沪ICP备05051234号-1", []),
    ("更多内容请关注微信公众号，QQ群：123456789", []),
    ("第3季度营收增长，第二阶段已经启动。", []),
    ("Qwen2.5 和 Llama 3 模型", []),
]


def _claims(text: str) -> list[tuple[str, str, float | str | None, str, str]]:
    out = []
    for q in extract(text, published=PUBLISHED):
        assert text[q.start : q.end] == q.text
        value = q.date if q.kind in ("year", "date") else q.value
        out.append((q.text, q.kind, value, q.unit, q.qualifier))
    return out


@pytest.mark.parametrize(
    "text,expected",
    [pytest.param(t, e, id=f"zh-Hant-{i}") for i, (t, e) in enumerate(TRADITIONAL)]
    + [pytest.param(t, e, id=f"zh-Hans-{i}") for i, (t, e) in enumerate(SIMPLIFIED)]
    + [pytest.param(t, e, id=f"en-{i}") for i, (t, e) in enumerate(ENGLISH)]
    + [pytest.param(t, e, id=f"not-{i}") for i, (t, e) in enumerate(NOT_CLAIMS)],
)
def test_sentence(text: str, expected: list[tuple[str, str, float | str | None, str, str]]) -> None:
    got = _claims(text)
    assert [g[:2] + g[3:] for g in got] == [e[:2] + e[3:] for e in expected]
    for g, e in zip(got, expected, strict=True):
        if isinstance(e[2], float):
            assert g[2] == pytest.approx(e[2]), g
        else:
            assert g[2] == e[2], g


@pytest.mark.parametrize(
    "text,low,high",
    [
        ("本次融資金額在15 億至 20 億美元之間。", 1.5e9, 2e9),
        ("Analysts expect capital spending of $20-30 billion next year.", 2e10, 3e10),
        ("HSBC will cut jobs over the next 12 to 24 months.", 12, 24),
        ("该交易估值在150亿至200亿美元之间。", 1.5e10, 2e10),
    ],
)
def test_range_bounds(text: str, low: float, high: float) -> None:
    (q,) = [q for q in extract(text) if q.qualifier == "range"]
    assert (q.value, q.value_max) == (pytest.approx(low), pytest.approx(high))


@pytest.mark.parametrize(
    "text,floor",
    [("规模达数十亿美元", 1e9), ("全球有数百亿美元", 1e10), ("Losses could reach billions of dollars", 1e9),
     ("tens of billions of yen", 1e10)],
)
def test_vague_magnitudes_keep_the_floor(text: str, floor: float) -> None:
    (q,) = extract(text)
    assert q.vague and q.value == floor and q.kind == "money"


@pytest.mark.parametrize(
    "written,value",
    [
        ("130亿美元", 13e9), ("130 亿美元", 13e9), ("225 億美元", 22.5e9), ("1.26兆元", 1.26e12),
        ("4兆1300億元", 4.13e12), ("2.5万亿", 2.5e12), ("1,350", 1350), ("1，350", 1350),
        ("二十万", 2e5), ("一万五千亿", 1.5e12), ("４００亿美元", 4e10), ("$1.5B", 1.5e9),
        ("€500 million", 5e8), ("1.5 trillion yen", 1.5e12), ("US$13bn", 1.3e10),
        ("two hundred and five", 205), ("四亿五千六百四十二万零一十五", 456420015),
    ],
)
def test_written_numbers(written: str, value: float) -> None:
    (q,) = extract(written, all_numbers=True)
    assert q.text == written
    assert q.value == pytest.approx(value)


@pytest.mark.parametrize(
    "text,code",
    [
        ("130亿美元", "USD"), ("3亿美金", "USD"), ("$5", "USD"), ("US$5", "USD"),
        ("5亿人民币", "CNY"), ("20元", "CNY"), ("RMB 5 billion", "CNY"), ("¥5", "CNY"),
        ("5亿新台币", "TWD"), ("5億新台幣", "TWD"), ("NT$5", "TWD"),
        ("5亿港元", "HKD"), ("5億港幣", "HKD"), ("HK$5", "HKD"),
        ("5亿日元", "JPY"), ("5億日圓", "JPY"), ("5億円", "JPY"), ("5 billion yen", "JPY"),
        ("5亿欧元", "EUR"), ("5億歐元", "EUR"), ("€5", "EUR"),
        ("5亿令吉", "MYR"), ("RM5", "MYR"),
    ],
)
def test_currencies(text: str, code: str) -> None:
    (q,) = extract(text)
    assert (q.kind, q.unit) == ("money", code)


def test_fullwidth_offsets_stay_exact() -> None:
    text = "欧盟罚款４００亿美元，约占营收的２７％。"
    qs = extract(text)
    assert [(q.text, q.value) for q in qs] == [("４００亿美元", 4e10), ("２７％", 27.0)]
    assert all(text[q.start : q.end] == q.text for q in qs)


def test_numbers_mode_reads_every_number() -> None:
    got = [(q.text, q.value) for q in numbers("百分之二十的员工, 3/4 of 2 million, 一万零十二")]
    assert got == [("二十", 20.0), ("3/4", 0.75), ("2 million", 2e6), ("一万零十二", 10012.0)]


# The faster scans must find exactly what the plain regex finds.
SCAN_TEXTS = [
    # whole-line rules, tried at line starts only: first and last lines, blank lines, CRLF
    "Published: May 5, 2024\n相关阅读：\n- 一\n- 二\npage 3\n[12]\n\n2024-05-06 10:30\n[^1]: x",
    "\n\nRelated stories\n* a\n* b\r\n页 2\r\n2024年5月6日\n",
    "2024年3月5日发布。11月底前，第 3 季度营收 12.5 亿元；3 个月内 2019 年 v1.2.3 GPT-4 A100",
    "On May 5, 2024 the firm said in 2019 and FY2023 (c) Copyright 5th 12:30 010-12345678",
    "call tel: 123456789012 user@example.com www.example.com/a.png [1] [^2]: note ](x.html)",
    "billions of dollars, Tens of Billions of yen; ſeptember 5, 2024 ＫK İn 2020 ı 2021",
    "一二三四五六七八九十百千万亿 半 ½ .5 1.5. a an one two twenty-one",
    "", "1" * 300, "x." * 50 + "@", "May" * 40 + " 5", "1." * 200 + " in 2024年 " + "1.2" * 50,
]


@pytest.mark.parametrize("text", SCAN_TEXTS)
def test_rule_scans_find_what_the_regex_finds(text: str) -> None:
    eng = engine()
    patterns = [rp for _, rp in eng.date_patterns + eng.line_exclusions + eng.span_exclusions]
    if eng.vague_en_any is not None:
        patterns.append(eng.vague_en_any)
    shared = _Scanned(text, eng.rule_groups)
    for rp in patterns:
        want = [(m.span(), m.groupdict()) for m in rp.regex.finditer(text)]
        assert [(m.span(), m.groupdict()) for m in rp.finditer(text)] == want, rp.regex.pattern
        assert [(m.span(), m.groupdict()) for m in shared.matches(rp)] == want, rp.regex.pattern


@pytest.mark.parametrize("text", SCAN_TEXTS)
def test_number_starts_found_in_one_pass(text: str) -> None:
    eng = engine()
    for pos in range(len(text) + 1):
        plain = eng.start_re.search(text, pos)
        fast = eng.start_scan.match(text, pos)
        assert fast is not None
        assert fast.start("start") == (plain.start() if plain else -1)


@pytest.mark.parametrize(
    ("pattern", "flags", "strings"),
    [
        (r"(?:©|\(c\)|copyright)", re.I, [{"©", "(c)", "copyright"}]),
        (r"ICP[备備]", re.I, [{"icp"}]),
        (r"ICP[备備]", 0, [{"ICP"}]),
        (r"(?:https?://|www\.)\S+", 0, [{"http", "www."}]),
        (r"\bab(?:cd)+x?yz", 0, [{"ab"}, {"cd"}, {"yz"}]),
        (r"(?:ab|c)d", 0, [{"ab", "c"}]),  # d alone is the required characters' job
        (r"Éclair", re.I, [{"clair"}]),  # a cased non-ASCII letter breaks the run
        (r"(?i:abc)de", 0, [{"de"}]),  # scoped flags: left out
        (r"\d+(?:ab)?", 0, []),
        # a run then a choice: the run with each branch's opening letters as well
        (r"x\.(?:jpe?g|png)", re.I, [{"x."}, {"x.jp", "x.png"}, {"jp", "png"}]),
        (r"x\.(?:jpe?g|\d)", 0, [{"x."}]),  # a branch with no letter of its own: no join
    ],
)
def test_required_strings(pattern: str, flags: int, strings: list[set[str]]) -> None:
    assert [set(s) for s in RulePattern(re.compile(pattern, flags)).required_strings] == strings


@pytest.mark.parametrize(
    ("pattern", "flags", "text", "possible"),
    [
        ("copyright", re.I, "COPYRIGHT 2024", True),
        ("copyright", re.I, "copy right 2024", False),
        ("copyright", 0, "COPYRIGHT 2024", False),
        ("sk", re.I, "\u017fk", True),  # the engine folds ſ onto s, lower() does not
        ("ik", re.I, "\u0130\u212a", True),
        ("版权所有", re.I, "版權所有", False),
        (r"x\.(?:png|pdf)", re.I, "x.PDF", True),
        (r"x\.(?:png|pdf)", re.I, "x.pn pdf", False),
    ],
)
def test_possible_in_agrees_with_the_regex(pattern: str, flags: int, text: str, possible: bool) -> None:
    rp = RulePattern(re.compile(pattern, flags))
    assert rp.possible_in(text) is possible
    assert rp.possible_in(text, set(text)) is possible  # the test against the text's characters
    if not possible:
        assert rp.regex.search(text) is None


BEFORE_TEXTS = [
    *SCAN_TEXTS,
    "US$ 5, U.S. $6, HK $ 7, AUD$8 and AUD 9, ausd 10, ＄11, 人民币12, 约 13, 最高可達2000億",
    "\u017fgd 5 \u212arw 6 \u0130nr 7 sgd-8 xsgd 9 s\tgd 10 $\n11",
]


@pytest.mark.parametrize(
    "table",
    [
        WordTable({"US$": 1, "HK$": 2, "AUD": 3, "$": 4, "元": 5}, flexible=True),
        WordTable({"SGD": 1, "krw": 2, "INR": 3}),
        WordTable({"SGD": 1, "ab": 2}, ignore_case=False),
    ],
)
@pytest.mark.parametrize("text", BEFORE_TEXTS)
def test_word_before_tries_only_word_starts(table: WordTable, text: str) -> None:
    eng = engine()
    tables = [table, eng.currency_prefix, eng.currency_prefix_exact, eng.qual_before, eng.qual_fillers]
    for t in tables:
        plain = copy.copy(t)
        plain._starts = None  # search the whole window
        for pos in range(len(text) + 1):
            assert t.before(text, pos) == plain.before(text, pos), (text, pos)  # ſgd and İnr too


GROUP_RULES = [r"\bcat\d", r"\b(?:dog|ſun)\d", r"(?<![A-Za-z])[A-Za-z]+-\d", r"\bv\d+\.\d", r"(?<!\d)\d{4}年"]


@pytest.mark.parametrize("flags", [re.IGNORECASE, 0])
@pytest.mark.parametrize(
    "text",
    ["Cat1 dog2 sun3 ſun4 \u212aat5 x-9 V1.2 2024年 cat", "catdog1 dogcat2 a-b-3 the cat9", "", "ſ" * 20 + "1"],
)
def test_word_branches_find_what_each_rule_finds(flags: int, text: str) -> None:
    patterns = [RulePattern(re.compile(p, flags)) for p in GROUP_RULES]
    groups = RuleGroup.of(patterns)
    assert groups
    found: dict[int, list[re.Match[str]]] = {}
    for g in groups:
        found.update(g.scan(text) or {})
    for rp in patterns:
        want = [m.span() for m in rp.regex.finditer(text)]
        got = [m.span() for m in found[id(rp)]] if id(rp) in found else [m.span() for m in rp.finditer(text)]
        assert got == want, rp.regex.pattern


@pytest.mark.parametrize(
    ("patterns", "branches"),
    [
        ([r"\bcat\d", r"\bdog\d"], 3),  # c…, d…, every other letter
        ([r"(?<![A-Za-z])[A-Za-z]+\d"], None),  # one set of rules for every letter
    ],
)
def test_by_first_letter(patterns: list[str], branches: int | None) -> None:
    members = [RulePattern(re.compile(p, re.IGNORECASE)) for p in patterns]
    got = _by_first_letter(members, re.IGNORECASE, lambda ms: "(?!" + "|".join(m.regex.pattern for m in ms) + ")")
    assert (None if got is None else got.count("(?=[")) == branches


@pytest.mark.parametrize(
    ("text", "unit", "value"),
    [
        ("\u017fgd 5 million", "SGD", 5_000_000),  # ſ: the engine folds it onto s
        ("\u0130NR 7 crore", "INR", 70_000_000),  # İ: lower() makes it two characters
        ("SGD 5 million", "SGD", 5_000_000),
    ],
)
def test_letters_the_engine_folds_read_like_their_plain_forms(text: str, unit: str, value: float) -> None:
    (q,) = extract(text)
    assert (q.unit, q.value) == (unit, value)
