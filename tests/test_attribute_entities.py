"""Entities no list names: found in English, Simplified and Traditional Chinese, linked
within an article and across articles. Every company and person here is invented."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor import entities, pipeline, store
from extractor.ingest import Article
from extractor.pipeline import process


def _groups(text: str) -> dict[str, entities.Group]:
    found = entities.discover(text, [])
    return {g.name: g for g in found.groups}


# (text, canonical name, kind, aliases it must hold)
DISCOVERED = [
    ("Northwind Motors (NASDAQ: NWMT) delivered 12,400 cars. Northwind said demand held up.",
     "Northwind Motors", "company", {"Northwind Motors"}),
    ("Bluefield Semiconductor Manufacturing Co (4417.TW) will spend more. Bluefield's chairman spoke.",
     "Bluefield Semiconductor Manufacturing", "company", {"Bluefield Semiconductor Manufacturing"}),
    ("Rival Corvane Holdings reported a loss, and Corvane Holdings shares fell.",
     "Corvane Holdings", "company", {"Corvane Holdings"}),
    ("电动车制造商北辰汽车（NCHN.O）公布业绩，北辰汽车表示需求稳定。",
     "Beichen Motors", "company", {"北辰汽车"}),
    ("晶圓代工廠藍野半導體（4417）宣布擴產，藍野表示將新建兩座工廠。",
     "Lanye Semiconductor", "company", {"藍野半導體"}),
    ("荷兰软件商科汶软件（Corvane Software）同意被收购，科汶软件董事会一致通过。",
     "Corvane Software", "company", {"科汶软件", "Corvane Software"}),
    ("Northwind Motors founder and CEO Dana Whitlock said the plan was on track.",
     "Dana Whitlock", "person", {"Dana Whitlock"}),
    ("北辰汽车创始人兼首席执行官刘承远表示，公司将继续扩产。北辰汽车股价上涨。",
     "刘承远", "person", {"刘承远"}),
    # A Latin name introduced by an organisation word, with no corporate head of its own.
    ("Coding-tool startup Quillfire raised new funding, and Quillfire plans to hire.",
     "Quillfire", "company", {"Quillfire"}),
    ("编程工具公司Quillfire完成新一轮融资，Quillfire计划扩招。", "Quillfire", "company", {"Quillfire"}),
    ("雲端運算新創 Brightlane Labs 宣布完成募資。", "Brightlane Labs", "company", {"Brightlane Labs"}),
    # A name without its group word is the same company (a headline's short form).
    ("Harrowgate Logistics completes placing. Harrowgate Logistics Holdings (HKEX: 1876) said today it "
     "had completed the placing.", "Harrowgate Logistics Holdings", "company",
     {"Harrowgate Logistics Holdings", "Harrowgate Logistics"}),
    # A registered name: a legal form after a name with a suffix of its own confirms it.
    ("蓝湾生物科技股份有限公司8月28日晚间披露半年报。", "Lanwan Biotech Technology", "company", {"蓝湾生物科技股份有限公司"}),
    ("藍灣生物科技股份有限公司8月28日晚間披露半年報。", "Lanwan Biotech Technology", "company", {"藍灣生物科技股份有限公司"}),
    # A name quoted after an organisation word needs no suffix.
    ("智能驾驶芯片企业“云杉微”完成C轮融资，云杉微估值超过百亿元。", "Yunshanwei", "company", {"云杉微"}),
    ("智慧駕駛晶片新創「雲杉微」完成C輪募資，雲杉微估值逾百億元。", "Yunshanwei", "company", {"雲杉微"}),
    # A listed company's fund is an investor of its own, not the company.
    ("本轮由晨星资本领投，小米产业基金跟投。", "Xiaomi Industry Fund", "investor", {"小米产业基金"}),
]


@pytest.mark.parametrize(("text", "name", "kind", "aliases"), DISCOVERED)
def test_discovered(text: str, name: str, kind: str, aliases: set[str]) -> None:
    groups = _groups(text)
    assert name in groups, sorted(groups)
    assert groups[name].kind == kind
    assert aliases <= set(groups[name].names)


# Text that names an industry, a place or a product, never a company: nothing is found.
NOTHING = [
    "半导体企业纷纷赴美设厂，人工智能产业投资升温。",
    "台灣半導體產業去年出口成長兩成。",
    "The Group said nothing more.",
    "Analysts at the bank expect growth to slow.",
    "全球电动汽车需求放缓，电池材料价格下跌。",
    "美元基金的出资比例有所下降。",
    "该公司CEO表示将扩大投资，公司IPO计划不变。",
    "The firm said on Monday that its rival In turn cut prices.",
]


@pytest.mark.parametrize("text", NOTHING)
def test_nothing_found(text: str) -> None:
    assert entities.discover(text, []).groups == []


def test_person_speaks_for_their_company_but_owns_their_net_worth() -> None:
    text = ("北辰汽车创始人刘承远表示，公司今年将交付30万辆。北辰汽车股价上涨。"
            "刘承远身家缩水约12亿美元。")
    rows = process(Article("p.txt", text, 0, {"published": "2025-06-01"}))
    by_text = {c["text"]: c for c in rows.claims}
    assert by_text["30万辆"]["subject"] == "Beichen Motors"  # written only in Chinese: romanised
    assert by_text["12亿美元"]["subject"] == "刘承远"
    assert by_text["12亿美元"]["metric"] in ("net_worth_change", "net_worth")


def test_bracketed_alias_links_scripts_and_short_forms() -> None:
    text = ("Northwind Motors (北辰汽车) said Northwind delivered 12,400 cars. "
            "北辰汽车表示，北辰第二季交付12400辆。")
    groups = _groups(text)
    g = groups["Northwind Motors"]
    assert {"北辰汽车", "Northwind Motors"} <= set(g.names)
    assert {"Northwind", "北辰"} <= g.shorts


def test_bilingual_halves_pair_their_names_in_order() -> None:
    text = ("Corvane Holdings agreed to buy Tessaly Software for €1.2 billion, a premium of 25%.\n\n"
            "科汶控股同意以12亿欧元收购特萨利软件，溢价25%。科汶控股表示交易将于明年完成，特萨利软件董事会支持。")
    article = Article("b.md", text, 0, {"published": "2025-06-01"})
    rows = process(article)
    names = {r["alias"]: r["name"] for r in rows.entities}
    assert names["科汶控股"] == "Corvane Holdings"
    assert names["特萨利软件"] == "Tessaly Software"
    by_text = {c["text"]: c for c in rows.claims}
    # One subject in both halves: a takeover's price is the acquirer's bid, its target the object.
    assert by_text["12亿欧元"]["subject"] == by_text["€1.2 billion"]["subject"] == "Corvane Holdings"
    assert by_text["12亿欧元"]["object"] == by_text["€1.2 billion"]["object"] == "Tessaly Software"


def test_traditional_and_simplified_fold_together() -> None:
    assert entities.fold("藍野半導體") == entities.fold("蓝野半导体")
    assert entities.fold("科汶軟體") == entities.fold("科汶软件")
    assert entities.fold("Northwind  Motors") == "northwindmotors"


@pytest.mark.parametrize("written", ["(NASDAQ: NWMT)", "(NWMT.O)", "（NWMT.US）", "(NYSE: NWMT)"])
def test_ticker_forms(written: str) -> None:
    groups = _groups(f"Northwind Motors {written} reported results.")
    assert groups["Northwind Motors"].tickers == {"NWMT"}


def test_numeric_tickers_drop_leading_zeros() -> None:
    a = _groups("北辰汽车（02731.HK）公布业绩，北辰汽车股价上涨。")
    b = _groups("北辰汽車（2731）公布業績，北辰汽車股價上漲。")
    assert a["Beichen Motors"].tickers == b["Beichen Motors"].tickers == {"2731"}


def test_linked_across_articles_in_every_script(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.md").write_text(
        "---\npublished: 2025-06-01\n---\n蓝野半导体（4417.TW）第二季营收增长12%，蓝野表示订单充足。\n", encoding="utf-8")
    (folder / "b.md").write_text(
        "---\npublished: 2025-06-02\n---\n藍野半導體第二季營收成長12%，藍野半導體表示訂單充足。\n", encoding="utf-8")
    (folder / "c.md").write_text(
        "---\npublished: 2025-06-03\n---\nBluefield Semiconductor (4417.TW) said second-quarter revenue rose 12%.\n",
        encoding="utf-8")
    db = store.open_db(tmp_path / "x.db")
    pipeline.ingest([str(folder)], db)
    pipeline.after_ingest(db)
    subjects = {r["subject"] for r in db.query("select subject from claims where kind = 'percent'")}
    assert subjects == {"Bluefield Semiconductor"}
    aliases = {r["alias"]: r["how"] for r in db.query("select alias, how from entities")}
    assert {"蓝野半导体", "藍野半導體", "Bluefield Semiconductor", "$4417"} <= set(aliases)
    # Linking is incremental: a second run finds nothing left to link.
    assert entities.link(db) == 0


# (text, surface, subject): who a figure is about when the sentence says it indirectly.
SUBJECTS = [
    ("The round was led by Harrow Peak Capital, which invested $90 million, with participation from "
     "Linden Grove Fund, which contributed $40 million.", "$40 million", "Linden Grove Fund"),
    ("Tessaly Software agreed to be acquired by Corvane Holdings for €21.40 per share.", "€21.40", "Corvane Holdings"),
    ("Singapore-based Harrow Peak Capital will invest $90 million.", "$90 million", "Harrow Peak Capital"),
    ("Corvane Holdings reported results on Monday.\n\nThe company said it employs about 8,200 people.",
     "8,200 people", "Corvane Holdings"),
    ("日本将对进口电池征收25%关税。", "25%", "Japan"),
    ("美国晶片设计大厂北辰微电子（NCMD）股价下跌8%，北辰微电子表示需求稳定。", "8%", "Beichen Microelectronics"),
    ("微软以12亿美元收购了设计软件公司Quillfire。", "12亿美元", "Quillfire"),
    ("編程工具公司Quillfire去年營收成長45%。", "45%", "Quillfire"),
    ("Coding-tool startup Quillfire said revenue grew 45% last year.", "45%", "Quillfire"),
    # A name written before a listed entry's ticker is that entry, however it is spelled.
    ("Amperex Technology Ltd (300750.SZ) said its profit rose 28%.", "28%", "CATL"),
]

# (text, curated entries found): short Latin aliases keep their capitals; headlines in
# capitals still match.
CURATED = [
    ("Tariffs could sap demand from apple growers.", []),
    ("SAP and Apple said demand held up.", ["SAP", "Apple"]),
    ("APPLE SHARES FELL AS THE FED HELD RATES", ["Apple", "Federal Reserve"]),
    ("The Fed fed the market fresh guidance.", ["Federal Reserve"]),
    ("蘋果公司與辉达股价齐涨，台積電亦走高。", ["Apple", "Nvidia", "TSMC"]),
    # Chinese has no spaces: no alias may hide in an ordinary phrase (中国银行业 is the
    # banking industry, 高通胀 high inflation, 3日立即 "on the 3rd, at once").
    ("中国银行业整体稳健，高通胀下今日银行股走低，加工行业3日立即停产，移动支付增长。", ["China"]),
    ("中國銀行業整體穩健，高通脹下今日銀行股走低，加工行業3日立即停產。", ["China"]),
]


@pytest.mark.parametrize(("text", "names"), CURATED)
def test_curated_aliases(text: str, names: list[str]) -> None:
    from extractor.attribute import find_entities

    assert [m.entity.name for m in find_entities(text)] == names


@pytest.mark.parametrize(("text", "surface", "subject"), SUBJECTS)
def test_subject(text: str, surface: str, subject: str) -> None:
    rows = process(Article("s.txt", text, 0, {"published": "2025-06-01"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    assert claim["subject"] == subject, claim["explanation"]
