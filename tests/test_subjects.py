"""Subjects: English names for organisations written only in Chinese, and the subject
conventions of extractor/subjects.py. Every company here is invented."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor import entities, pipeline, store
from extractor.ingest import Article
from extractor.pipeline import process
from extractor.subjects import acquirer, fold_chars, romanise

# (name as written, English form or None)
ROMANISED = [
    ("嘉信科技集团", "Jiaxin Technology Group"),
    ("嘉信科技集團", "Jiaxin Technology Group"),
    ("华泰能源股份有限公司", "Huatai Energy"),
    ("華泰能源", "Huatai Energy"),
    ("铭川半导体", "Mingchuan Semiconductor"),
    ("銘川半導體", "Mingchuan Semiconductor"),
    ("ABC科技", None),  # a Latin part: the text's own form stays
    ("Quorvia Labs", None),
    ("", None),
]


@pytest.mark.parametrize(("name", "english"), ROMANISED)
def test_romanise(name: str, english: str | None) -> None:
    assert romanise(name) == english


# (text, surface, subject): a company named only in Chinese gets its English form; one
# the text names in English keeps that; a sentence that names none gets none.
ONLY_CHINESE = [
    ("电池厂华泰能源（6688）昨日宣布获得订单，华泰能源股价上涨5.2%。", "5.2%", "Huatai Energy"),
    ("電池廠華泰能源（6688）昨日宣布取得訂單，華泰能源股價上漲5.2%。", "5.2%", "Huatai Energy"),
    ("荷兰软件商科汶软件（Corvane Software）表示，科汶软件营收增长7%。", "7%", "Corvane Software"),
    ("全球电动汽车需求去年下降5%。", "5%", None),
    ("全球電動汽車需求去年下降5%。", "5%", None),
]


@pytest.mark.parametrize(("text", "surface", "subject"), ONLY_CHINESE)
def test_subject_named_only_in_chinese(text: str, surface: str, subject: str | None) -> None:
    rows = process(Article("s.txt", text, 0, {"published": "2025-06-01"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    assert claim["subject"] == subject, claim["explanation"]


def test_written_english_name_wins_over_romanised_across_articles(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.md").write_text(
        "---\npublished: 2025-06-01\n---\n铭川半导体（7781）第二季营收增长12%，铭川表示订单充足。\n", encoding="utf-8")
    (folder / "b.md").write_text(
        "---\npublished: 2025-06-02\n---\n銘川半導體（7781）第二季營收成長12%，銘川表示訂單充足。\n", encoding="utf-8")
    db = store.open_db(tmp_path / "x.db")
    pipeline.ingest([str(folder)], db)
    pipeline.after_ingest(db)
    assert {r["subject"] for r in db.query("select subject from claims where kind = 'percent'")} == {
        "Mingchuan Semiconductor"}
    (folder / "c.md").write_text(
        "---\npublished: 2025-06-03\n---\nMingsun Semiconductor (7781.TW) said second-quarter revenue rose 12%.\n",
        encoding="utf-8")
    pipeline.ingest([str(folder)], db)
    pipeline.after_ingest(db)
    # The English name a text writes replaces the romanised one everywhere.
    assert {r["subject"] for r in db.query("select subject from claims where kind = 'percent'")} == {
        "Mingsun Semiconductor"}
    assert entities.link(db) == 0


# (text, surface, subject, object): a takeover's price, premium and per-share offer are the
# acquirer's (the party written before 收购/acquire, after "acquired by", or owning "'s offer"),
# with the target as object; a purchase reported as done (收购了 X) is X's price.
DEALS = [
    ("北辰控股拟以每股21欧元收购荷兰科汶软件。根据公告，北辰控股提出以每股21欧元现金收购科汶软件全部股份，"
     "对应股权价值约9.8亿欧元，溢价约18%。", "9.8亿欧元", "Beichen Holdings", "Kewen Software"),
    ("北辰控股擬以每股21歐元收購荷蘭科汶軟體。根據公告，北辰控股提出以每股21歐元現金收購科汶軟體全部股份，"
     "對應股權價值約9.8億歐元，溢價約18%。", "18%", "Beichen Holdings", "Kewen Software"),
    ("Corvane Software agreed to be acquired by Harlow Holdings for €21.40 per share, valuing it at about "
     "€980 million. Corvane's board had rejected Harlow Holdings's first proposal of €18.00 per share.",
     "€18.00", "Harlow Holdings", "Corvane Software"),
    ("Corvane Software agreed to be acquired by Harlow Holdings for €21.40 per share, valuing it at about "
     "€980 million. Corvane's board had rejected Harlow Holdings's first proposal of €18.00 per share.",
     "€980 million", "Harlow Holdings", "Corvane Software"),
]


@pytest.mark.parametrize(("text", "surface", "subject", "obj"), DEALS)
def test_takeover_figures_are_the_acquirers(text: str, surface: str, subject: str, obj: str) -> None:
    rows = process(Article("d.txt", text, 0, {"published": "2025-06-01"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    assert claim["subject"] == subject, claim["explanation"]
    assert claim["object"] == obj, claim["explanation"]


# One mention of a bid is no takeover story: the clause's own actor stays the subject;
# a purchase reported as done is the bought company's price.
NO_ACQUIRER = [
    ("哈洛汽车去年以12亿美元收购了北辰控股。", "12亿美元", "Beichen Holdings"),
    ("哈洛汽車去年以12億美元收購了北辰控股。", "12億美元", "Beichen Holdings"),
    ("Harlow Holdings offered €12 per share for a minority stake in Corvane Software.", "€12", "Harlow Holdings"),
    ("Harlow Motors acquired Corvane Holdings for €980 million last year.", "€980 million", "Corvane Holdings"),
]


@pytest.mark.parametrize(("text", "surface", "subject"), NO_ACQUIRER)
def test_no_article_acquirer(text: str, surface: str, subject: str) -> None:
    rows = process(Article("n.txt", text, 0, {"published": "2025-06-01"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    assert claim["subject"] == subject, claim["explanation"]


def test_acquirer_vote_needs_two_and_a_lead() -> None:
    text = "Alpha Holdings to buy Beta Software. Gamma Capital offer for Beta Software."
    parties = [(0, 14, "Alpha Holdings"), (22, 35, "Beta Software"), (37, 50, "Gamma Capital"), (61, 74, "Beta Software")]
    assert acquirer(text, parties) is None  # one vote each: no acquirer
    text2 = "Alpha Holdings to buy Beta Software. Alpha Holdings's revised offer lifts the price."
    parties2 = [(0, 14, "Alpha Holdings"), (22, 35, "Beta Software"), (37, 51, "Alpha Holdings")]
    assert acquirer(text2, parties2) == "Alpha Holdings"


# Fragments that end in a suffix but are no name: a time word inside the body (今年资本支出
# is this year's capital spending) or a word after it that makes the suffix part of another.
JUNK = [
    "铭川今年资本支出约120亿元。",
    "銘川今年資本支出約120億元。",
    "铭川去年资本开支增长两成。",
    "Mingchuan's capital spending this year is about NT$12 billion.",
]


@pytest.mark.parametrize("text", JUNK)
def test_no_name_from_a_time_word_fragment(text: str) -> None:
    assert entities.discover(text, []).groups == []


# (text, surface, subject): a valuation written as such is the valued company's even when an
# investor is the sentence's topic; "its" points back to the party named last before it;
# a figure of "the two companies" goes to the article's own company, not the last named.
CONVENTIONS = [
    ("Harrow Peak Capital led the round in Quorvia Labs. Harrow Peak Capital said the post-money "
     "valuation of $4.2 billion reflected Quorvia Labs's growth.", "$4.2 billion", "Quorvia Labs"),
    ("北辰资本领投铭川半导体本轮融资。北辰资本表示，铭川半导体投后估值达42亿美元。", "42亿美元", "Mingchuan Semiconductor"),
    ("北辰資本領投銘川半導體本輪融資，銘川半導體將擴充產能。北辰資本表示，投後估值約42億美元。", "42億美元", "Mingchuan Semiconductor"),
    # "worth" names no valuation: the investor's commitment stays the investor's.
    ("Harrow Peak Capital made a commitment to Quorvia Labs worth about $300 million.", "$300 million",
     "Harrow Peak Capital"),
    ("Harlow Motors grew faster, but Corvane Motors earns more per car: its net income is about $2,900 per vehicle.",
     "$2,900", "Corvane Motors"),
    ("Corvane Motors delivered 90,000 cars. Harlow Motors delivered 84,000.\n\n"
     "Corvane Motors raised its target. The gap between the two companies narrowed to about 6,000 units.",
     "6,000 units", "Corvane Motors"),
    ("铭川汽车交付9万辆，铭川汽车上调目标。哈洛汽车交付8.4万辆。\n\n两家公司交付量差距缩小至约6000辆。",
     "6000辆", "Mingchuan Motors"),
    ("銘川汽車交付9萬輛，銘川汽車上調目標。哈洛汽車交付8.4萬輛。\n\n兩家公司交付量差距縮小至約6000輛。",
     "6000輛", "Mingchuan Motors"),
]


@pytest.mark.parametrize(("text", "surface", "subject"), CONVENTIONS)
def test_subject_conventions(text: str, surface: str, subject: str) -> None:
    rows = process(Article("c.txt", text, 0, {"published": "2025-06-01"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    assert claim["subject"] == subject, claim["explanation"]


# A full stop after a word ends a capitalised run: two names, never one spanning sentences.
@pytest.mark.parametrize(("text", "names"), [
    ("Harrow Peak Capital backed Quorvia Labs. Harrow Peak Capital said more.", {"Harrow Peak Capital"}),
    ("Shares of Corvane Motors rose. Harlow Motors fell.", {"Corvane Motors", "Harlow Motors"}),
])
def test_runs_stop_at_a_sentence_end(text: str, names: set[str]) -> None:
    found = {n for g in entities.discover(text, []).groups for n in g.names}
    assert names <= found and not any(". " in n for n in found), found


# Index figures: each index its own (the nearest before the number), and a curated alias
# matches whatever mix of Traditional, Simplified and Hong Kong variants the text writes.
INDEXES = [
    ("The Philadelphia Semiconductor Index fell 3.1% to 5,210.4, and the Nasdaq Composite lost 1.2% "
     "to close at 18,400.5.", "1.2%", "Nasdaq Composite"),
    ("The Philadelphia Semiconductor Index fell 3.1% to 5,210.4, and the Nasdaq Composite lost 1.2% "
     "to close at 18,400.5.", "18,400.5", "Nasdaq Composite"),
    ("The Philadelphia Semiconductor Index fell 3.1% to 5,210.4, and the Nasdaq Composite lost 1.2% "
     "to close at 18,400.5.", "3.1%", "Philadelphia Semiconductor Index"),
    ("费城半导体指数下跌3.1%，纳斯达克综合指数下跌1.2%，报18400.5点。", "18400.5点", "Nasdaq Composite"),
    ("恒生科技指數收市跌2.3%，報4,812點。", "4,812點", "Hang Seng Tech Index"),  # Hong Kong's 恒 with 指數
    ("恆生科技指數收市跌2.3%，報4,812點。", "2.3%", "Hang Seng Tech Index"),
    ("恒生科技指数收市跌2.3%，报4812点。", "4812点", "Hang Seng Tech Index"),
]


@pytest.mark.parametrize(("text", "surface", "subject"), INDEXES)
def test_index_figures(text: str, surface: str, subject: str) -> None:
    rows = process(Article("i.txt", text, 0, {"published": "2025-06-01"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    assert claim["subject"] == subject, claim["explanation"]


@pytest.mark.parametrize(("written", "folded"), [("恒生科技指數", "恒生科技指数"), ("恆生科技指數", "恒生科技指数"),
                                                 ("臺灣加權指數", "台湾加权指数"), ("Nasdaq 100", "Nasdaq 100")])
def test_fold_chars_keeps_offsets(written: str, folded: str) -> None:
    assert fold_chars(written) == folded and len(fold_chars(written)) == len(written)


def test_a_market_word_alone_names_no_index() -> None:
    rows = process(Article("i.txt", "大盘收市跌2.3%。", 0, {"published": "2025-06-01"}))
    assert next(c for c in rows.claims if c["text"] == "2.3%")["subject"] is None


# A date or duration among a takeover's terms (completion, long-stop date, job guarantee)
# is the acquirer's; without an acquirer in the article it stays where the clause puts it.
DEAL_TERMS = [
    ("Corvane Software agreed to be acquired by Harlow Holdings. Harlow Holdings' cash offer values it at "
     "€980 million.\n\n- Workforce: Corvane employs 2,100 people; no job cuts for at least two years.\n"
     "- Long-stop date: March 31, 2027.", "March 31, 2027", "Harlow Holdings"),
    ("Corvane Software agreed to be acquired by Harlow Holdings. Harlow Holdings' cash offer values it at "
     "€980 million.\n\n- Workforce: Corvane employs 2,100 people; no job cuts for at least two years.\n"
     "- Long-stop date: March 31, 2027.", "two years", "Harlow Holdings"),
    ("北辰控股拟收购科汶软件。北辰控股提出的收购要约已获董事会支持。\n\n- 员工：科汶软件约有2100名员工，至少两年内不裁员。\n"
     "- 最后期限：2027年3月31日。", "2027年3月31日", "Beichen Holdings"),
    ("北辰控股擬收購科汶軟體。北辰控股提出的收購要約已獲董事會支持。\n\n- 員工：科汶軟體約有2100名員工，至少兩年內不裁員。\n"
     "- 最後期限：2027年3月31日。", "兩年", "Beichen Holdings"),
    # No takeover in the article: a job guarantee stays the company's own.
    ("Corvane Motors said there would be no job cuts for at least two years.", "two years", "Corvane Motors"),
]


@pytest.mark.parametrize(("text", "surface", "subject"), DEAL_TERMS)
def test_deal_terms_are_the_acquirers(text: str, surface: str, subject: str) -> None:
    rows = process(Article("t.txt", text, 0, {"published": "2025-06-01"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    assert claim["subject"] == subject, claim["explanation"]


# Modality the hedge words alone missed: a month named May, schedules and targets, budgets,
# and a start dated after the article (all three scripts; rows that stay asserted too).
MODALITY = [
    ("Quorvia Labs raised $400 million in a Series B round in May 2024.", "$400 million", False),
    ("Quorvia Labs may raise $400 million.", "$400 million", True),
    ("Construction of the first fab is scheduled to start in the second half of 2027.", "second half of 2027", True),
    ("首座新厂预定2027年下半年动工。", "2027年下半年", True),
    ("首座新廠規劃2027年下半年動工。", "2027年下半年", True),
    ("Construction of the fab will now start in the second half of 2027.", "second half of 2027", True),
    ("首座新厂已于2024年动工。", "2024年", False),
    ("Corvane Motors lifted its capital expenditure budget to $3.6 billion.", "$3.6 billion", True),
    ("銘川今年資本支出上調至360億元。", "360億元", True),
    ("Corvane Motors reported revenue of $3.6 billion.", "$3.6 billion", False),
]


@pytest.mark.parametrize(("text", "surface", "hedged"), MODALITY)
def test_modality(text: str, surface: str, hedged: bool) -> None:
    rows = process(Article("m.txt", text, 0, {"published": "2025-06-01"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    assert bool(claim["hedged"]) == hedged, claim["explanation"]


@pytest.mark.parametrize(("old", "new"), [
    ("Quorvia Robotics raised $400 million in May 2024 at a valuation of $2.6 billion.",
     "Quorvia Robotics is now valued at $8.5 billion after its latest round."),
    ("铭川控股2024年5月完成B轮融资，估值26亿美元。", "铭川控股最新一轮融资后估值85亿美元。"),
    ("銘川控股2024年5月完成B輪融資，估值26億美元。", "銘川控股最新一輪融資後估值85億美元。"),
])
def test_a_valuation_written_for_a_past_round_is_another_period(tmp_path: Path, old: str, new: str) -> None:
    """A figure written for a period a year or more before the other article is reconciled
    as a different period, never a contradiction or a revision."""
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.md").write_text(f"---\npublished: 2025-09-16\n---\n{old}\n", encoding="utf-8")
    (folder / "b.md").write_text(f"---\npublished: 2025-09-20\n---\n{new}\n", encoding="utf-8")
    db = store.open_db(tmp_path / "x.db")
    pipeline.ingest([str(folder)], db)
    pipeline.after_ingest(db)
    kinds = {r["kind"] for r in db.query("select kind from conflicts where metric = 'valuation'")}
    assert not kinds & {"contradiction", "superseded", "translation_mismatch"}, kinds
    assert db.execute("select count(*) from reconciliations").fetchone()[0] >= 1


# A founder's stake is the founder's, in the company; a person's net worth is their own.
HOLDERS = [
    ("北辰汽车公布季度业绩。北辰汽车创始人兼首席执行官刘承远持有公司约30%股份。", "30%", "刘承远", "Beichen Motors"),
    ("北辰汽車公布季度業績。北辰汽車創辦人兼執行長劉承遠持有公司約30%股權。", "30%", "劉承遠", "Beichen Motors"),
    ("Northwind Motors founder and CEO Dana Whitlock owns roughly 30% of the company.", "30%", "Dana Whitlock",
     "Northwind Motors"),
    ("Northwind Motors founder and CEO Dana Whitlock, who owns 76 million shares, said nothing.", "76 million shares",
     "Dana Whitlock", "Northwind Motors"),
    ("Northwind Motors founder Dana Whitlock spoke. Whitlock, whose net worth is put at $1.1 billion, smiled.",
     "$1.1 billion", "Dana Whitlock", None),
]


@pytest.mark.parametrize(("text", "surface", "subject", "obj"), HOLDERS)
def test_a_person_keeps_their_own_holding(text: str, surface: str, subject: str, obj: str | None) -> None:
    rows = process(Article("t.txt", text, 0, {"published": "2025-03-10"}))
    c = next(c for c in rows.claims if c["text"] == surface)
    assert c["subject"] == subject, c["explanation"]
    if obj is not None:
        assert c["object"] == obj, c["explanation"]


# "The company" after a sentence that opened on another company, with no figure of its
# own, is that company (the deal's target here), not the previous figure's bidder.
THE_COMPANY = [
    ("Corvane Holdings agreed to buy Tessaly Software for €21 a share. Tessaly Software's board approved the deal. "
     "The company, which employs about 1,300 people, was founded in 2009.", "1,300 people", "Tessaly Software"),
    ("科汶控股同意以每股21欧元收购蓝野软件。蓝野软件董事会一致通过该交易。该公司目前员工约1300人。", "1300人", "Lanye Software"),
    ("科汶控股同意以每股21歐元收購藍野軟體。藍野軟體董事會一致通過該交易。該公司目前員工約1300人。", "1300人", "Lanye Software"),
    ("Halberd Biotherapeutics agreed to be acquired by Corvane Holdings for $48 a share. Halberd's board approved "
     "the deal. The company had raised $420 million in 2023.", "$420 million", "Halberd Biotherapeutics"),
]


@pytest.mark.parametrize(("text", "surface", "subject"), THE_COMPANY)
def test_the_company_is_the_last_sentence_topic(text: str, surface: str, subject: str) -> None:
    rows = process(Article("t.txt", text, 0, {"published": "2025-09-15"}))
    c = next(c for c in rows.claims if c["text"] == surface)
    assert c["subject"] == subject, c["explanation"]


def test_shares_of_a_company_are_its_own() -> None:
    rows = process(Article("t.txt", "Markets were mixed.\n\nShares of Northwind Motors (NASDAQ: NWMT) fell 8.4% on Tuesday.",
                           0, {"published": "2025-09-15"}))
    c = next(c for c in rows.claims if c["text"] == "8.4%")
    assert c["subject"] == "Northwind Motors" and c["confidence"] >= 0.8, c["explanation"]


# A company's own figure written with its owner ('s, 的) is that owner's, even in a sentence
# whose topic is another company (a bidder quoting the target's close).
OWNERS = [
    ("Tessaly Software agreed to the deal. Corvane Holdings offered €41.20 per share, a 24% premium to Tessaly "
     "Software's closing price of €33.20 on Friday.", "€33.20", "Tessaly Software"),
    ("科汶控股提出的报价较蓝野软件（Lanye Software）的收盘价31.5欧元溢价24%。", "31.5欧元", "Lanye Software"),
    ("科汶控股提出的報價較藍野軟體（Lanye Software）的收盤價31.5歐元溢價24%。", "31.5歐元", "Lanye Software"),
    ("Bluefield Semiconductor (4417.TW) delayed its plant. Harbor Ridge Securities estimated the delay could trim "
     "Bluefield's 2027 capital expenditure by $1.5 billion to $2.5 billion.", "$1.5 billion to $2.5 billion",
     "Bluefield Semiconductor"),
]


@pytest.mark.parametrize(("text", "surface", "subject"), OWNERS)
def test_an_owned_figure_is_its_owners(text: str, surface: str, subject: str) -> None:
    rows = process(Article("t.txt", text, 0, {"published": "2025-07-22"}))
    c = next(c for c in rows.claims if c["text"] == surface)
    assert c["subject"] == subject, c["explanation"]


# 分别 / respectively: the k-th figure is the k-th party's, and a list of figures shares
# the noun after its last one.
RESPECTIVELY = [
    ("晨曦能源（7781.T）与海岳电池（Haiyue Cell）均在日本建厂。晨曦能源和海岳电池将分别获得1400亿日元和700亿日元补贴。",
     "1400亿日元", "Chenxi Energy", "subsidy"),
    ("晨曦能源（7781.T）与海岳电池（Haiyue Cell）均在日本建厂。晨曦能源和海岳电池将分别获得1400亿日元和700亿日元补贴。",
     "700亿日元", "Haiyue Cell", "subsidy"),
    ("Morrow Power Systems (TYO: 7781) and Haiyue Cell (KRX: 381120) will receive ¥140 billion and ¥70 billion "
     "in subsidies, respectively.", "¥70 billion", "Haiyue Cell", "subsidy"),
    ("北辰汽車（NCHN.O）與藍野半導體（4417.TW）第三季營收分別為316億元和950億元。", "950億元", "Lanye Semiconductor", "revenue"),
]


@pytest.mark.parametrize(("text", "surface", "subject", "metric"), RESPECTIVELY)
def test_respectively(text: str, surface: str, subject: str, metric: str) -> None:
    rows = process(Article("t.txt", text, 0, {"published": "2025-10-16"}))
    c = next(c for c in rows.claims if c["text"] == surface)
    assert (c["subject"], c["metric"]) == (subject, metric), c["explanation"]


def test_a_place_after_a_describes_and_is_no_actor() -> None:
    text = ("Brightmoor Group (HKEX: 2288) said it would cut 2,400 jobs.\n\n"
            "Analysts at a Hong Kong brokerage estimated the cuts would save HK$1.6 billion a year.")
    rows = process(Article("t.txt", text, 0, {"published": "2025-11-19"}))
    c = next(c for c in rows.claims if c["text"] == "HK$1.6 billion")
    assert c["subject"] == "Brightmoor Group", c["explanation"]
