"""Claims an article leaves without a subject take one from names the corpus knows:
a short form or a title-less person whose full name another article links. Every
company and person here is invented."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor import corpus_names, entities, pipeline, store
from extractor.ingest import Article
from extractor.pipeline import process


def _ingest(tmp_path: Path, files: dict[str, str]) -> store.Database:
    folder = tmp_path / "news"
    folder.mkdir()
    for name, body in files.items():
        (folder / name).write_text(body, encoding="utf-8")
    db = store.open_db(tmp_path / "x.db")
    pipeline.ingest([str(folder)], db)
    pipeline.after_ingest(db)
    return db


def _subject(db: store.Database, surface: str) -> str | None:
    rows = list(db.query("select subject from claims where text = ?", [surface]))
    assert rows, surface
    return rows[0]["subject"]


# (full-name article, short-form-only article, surface in the latter, subject it must get)
SHORT_FORMS = [
    ("Marrowind Robotics (NASDAQ: MRWR) said orders rose 12%.\n",
     "Marrowind slid 9.6% on Tuesday after the warning.\n", "9.6%", "Marrowind Robotics"),
    ("寒澈机器人（MRWR.O）表示订单增长12%。\n", "寒澈周二下跌9.6%。\n", "9.6%", "Hanche Robotics"),
    ("寒澈機器人（MRWR）表示訂單成長12%。\n", "寒澈週二下跌9.6%。\n", "9.6%", "Hanche Robotics"),
    # Written in Simplified in one article and Traditional in the other.
    ("寒澈机器人（MRWR.O）表示订单增长12%。\n", "寒澈機器人週二下跌9.6%。\n", "9.6%", "Hanche Robotics"),
]


@pytest.mark.parametrize(("full", "short", "surface", "subject"), SHORT_FORMS)
def test_short_form_named_in_full_elsewhere(tmp_path: Path, full: str, short: str, surface: str, subject: str) -> None:
    db = _ingest(tmp_path, {"a.md": "---\npublished: 2025-06-01\n---\n" + full,
                            "b.md": "---\npublished: 2025-06-02\n---\n" + short})
    assert _subject(db, surface) == subject


def test_person_without_title_named_elsewhere(tmp_path: Path) -> None:
    db = _ingest(tmp_path, {
        "a.md": "---\npublished: 2025-06-01\n---\nMarrowind Robotics Chief Executive Odile Farrant said orders rose 12%.\n",
        "b.md": "---\npublished: 2025-06-02\n---\nOdile Farrant's fortune shrank by $1.4 billion.\n"})
    assert _subject(db, "$1.4 billion") == "Odile Farrant"


def test_unknown_names_and_ambiguous_aliases_give_nothing(tmp_path: Path) -> None:
    db = _ingest(tmp_path, {
        "a.md": "---\npublished: 2025-06-01\n---\nQuillon Motors and Quillon Foods both said sales rose 12%.\n",
        "b.md": "---\npublished: 2025-06-02\n---\nQuillon slid 9.6% and Tarvent rose 3.1% on Tuesday.\n"})
    # "Quillon" is the short form of two companies; "Tarvent" of none.
    assert _subject(db, "9.6%") is None
    assert _subject(db, "3.1%") is None


# (aliases as (alias, name, kind), sentence, offset of the claim, expected subject)
CHOICE = [
    ([("Marrowind", "Marrowind Robotics", "company")], "Marrowind fell 9.6%.", 16, "Marrowind Robotics"),
    ([("Marrowind", "Marrowind Robotics", "company")], "Down 9.6%, Marrowind lagged.", 5, "Marrowind Robotics"),
    ([("寒澈", "寒澈机器人", "company")], "寒澈機器人下跌9.6%。", 7, "寒澈机器人"),
    ([("Mar", "Mar Robotics", "company")], "Mar fell 9.6%.", 9, None),  # too short to trust
    ([("Marrowind", "Marrowind Robotics", "company")], "marrowind fell 9.6%.", 16, None),
]


@pytest.mark.parametrize(("aliases", "sentence", "at", "subject"), CHOICE)
def test_choice_within_a_sentence(aliases: list[tuple[str, str, str]], sentence: str, at: int,
                                  subject: str | None) -> None:
    rx, table = corpus_names.alias_index(aliases)
    found = corpus_names.mentions([(0, sentence)], rx, table) if rx is not None else []
    assert corpus_names.choose(found, 0, len(sentence), at, None) == subject


# A name followed by "and" and a lower-case word ends before the connector.
@pytest.mark.parametrize(("text", "name"), [
    ("The winners are Tokyo-listed Harlow Power Systems and the local unit of Brevik Cell. Harlow rose.",
     "Harlow Power Systems"),
    ("Quarry Bay Holdings and its lenders agreed.", "Quarry Bay Holdings"),
    ("Bank of Marrowind and Lisle Capital will invest.", "Lisle Capital"),
])
def test_name_ends_before_a_trailing_connector(text: str, name: str) -> None:
    names = {n for g in entities.discover(text, []).groups for n in g.names}
    assert name in names, names


# A country right after a head names the group's local unit, which owns its figures;
# the parent keeps its own.
UNITS = [
    ("Brevik Batteries Japan will receive ¥95 billion, while Brevik Batteries shares rose 4.6%.", "¥95 billion",
     "Brevik Batteries Japan"),
    ("Brevik Batteries Japan will receive ¥95 billion, while Brevik Batteries shares rose 4.6%.", "4.6%",
     "Brevik Batteries"),
    ("Harlow Motors Europe cut 1,200 jobs.", "1,200 jobs", "Harlow Motors Europe"),
    ("Japan will spend ¥450 billion on batteries.", "¥450 billion", "Japan"),
]


@pytest.mark.parametrize(("text", "surface", "subject"), UNITS)
def test_local_unit_is_its_own_subject(text: str, surface: str, subject: str) -> None:
    rows = process(Article("s.txt", text, 0, {"published": "2025-06-01"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    assert claim["subject"] == subject, claim["explanation"]


def test_bilingual_halves_never_pair_a_unit_with_its_parent() -> None:
    text = ("Brevik Cell Japan will receive ¥95 billion. Harlow Motors rose 3.2%.\n"
            "布雷能源将获得950亿日元，布雷能源表示欢迎。哈洛汽车上涨3.2%。\n")
    d = entities.discover(text, [], [(0, 68, 69, len(text))])
    names = {n: g.name for g in d.groups for n in g.names}
    assert names.get("布雷能源") == "Bulei Energy"  # found (romanised), but not paired with the unit
    assert names.get("哈洛汽车") == "Harlow Motors"  # the other pair still links


# The same office at the same organisation (its ticker) names one person in two scripts.
OFFICES = [
    ("Marrowind Robotics (NASDAQ: MRWR) Chief Executive Odile Farrant said her stake lost $1.4 billion.",
     "寒澈机器人（MRWR.O）首席执行官范欧蒂身家缩水14亿美元。", "14亿美元", "Odile Farrant"),
    ("Marrowind Robotics (NASDAQ: MRWR) CEO Odile Farrant said her stake lost $1.4 billion.",
     "寒澈機器人（MRWR）執行長范歐蒂身家縮水14億美元。", "14億美元", "Odile Farrant"),
    # A different office: two different people, nothing is linked.
    ("Marrowind Robotics (NASDAQ: MRWR) CEO Odile Farrant said her stake lost $1.4 billion.",
     "寒澈机器人（MRWR.O）首席财务官范欧蒂身家缩水14亿美元。", "14亿美元", "范欧蒂"),
]


@pytest.mark.parametrize(("english", "chinese", "surface", "subject"), OFFICES)
def test_same_office_links_a_person_across_scripts(tmp_path: Path, english: str, chinese: str, surface: str,
                                                     subject: str) -> None:
    db = _ingest(tmp_path, {"a.md": "---\npublished: 2025-06-01\n---\n" + english + "\n",
                            "b.md": "---\npublished: 2025-06-02\n---\n" + chinese + "\n"})
    assert _subject(db, surface) == subject


# "The company" opening a sentence points back to the subject before it, not to a
# company the sentence names later; an investor before it is not "the company".
REFERS_BACK = [
    ("Quarry Bay Holdings will fund the purchase with €1.5 billion of loans. The Ningbo-based company, which has "
     "about 9,000 employees, said it would keep Tessaly Motors' headquarters.", "9,000 employees",
     "Quarry Bay Holdings"),
    ("北辰控股将以15亿欧元银行贷款支付收购款。该公司现有员工约9000人，并表示将保留蓝野汽车的总部。", "9000人", "Beichen Holdings"),
    ("北辰控股將以15億歐元銀行貸款支付收購款。該公司現有員工約9000人，並表示將保留藍野汽車的總部。", "9000人", "Beichen Holdings"),
    ("Harrow Peak Capital invested $90 million. The company, which has about 9,000 employees, said Tessaly "
     "Motors would grow.", "9,000 employees", "Tessaly Motors"),
]


@pytest.mark.parametrize(("text", "surface", "subject"), REFERS_BACK)
def test_the_company_refers_back(text: str, surface: str, subject: str) -> None:
    rows = process(Article("s.txt", text, 0, {"published": "2025-06-01"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    assert claim["subject"] == subject, claim["explanation"]


# The Chinese form of a local unit: named like the English one when the parent has an
# English name, so the two link; the parent keeps its own figures.
ZH_UNITS = [
    ("韩国电池商布雷电池（Brevik Batteries）旗下日本子公司将获得950亿日元补贴。布雷电池股价上涨4.6%。", "950亿日元",
     "Brevik Batteries Japan"),
    ("韓國電池商布雷電池（Brevik Batteries）旗下日本子公司將獲得950億日圓補貼。布雷電池股價上漲4.6%。", "950億日圓",
     "Brevik Batteries Japan"),
    ("韩国电池商布雷电池（Brevik Batteries）旗下日本子公司将获得950亿日元补贴。布雷电池股价上涨4.6%。", "4.6%",
     "Brevik Batteries"),
    ("北辰汽车的德国分公司裁员1200人。", "1200人", "Beichen Motors Germany"),
]


@pytest.mark.parametrize(("text", "surface", "subject"), ZH_UNITS)
def test_chinese_local_unit(text: str, surface: str, subject: str) -> None:
    rows = process(Article("s.txt", text, 0, {"published": "2025-06-01"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    assert claim["subject"] == subject, claim["explanation"]


def test_a_country_after_a_name_without_a_unit_word_is_no_unit() -> None:
    d = entities.discover("北辰汽车在日本设厂，北辰汽车日本工厂年产12万辆。", [])
    assert {n for g in d.groups for n in g.names} == {"北辰汽车"}


# Chinese ticker labels count as exchanges; a name followed by its share price is a name.
@pytest.mark.parametrize(("text", "name", "ticker"), [
    ("本地代理商北辰集團（港股編號：8361）股價一度跌8.5%。", "北辰集團", "8361"),
    ("本地代理商北辰集团（股票代码：8361）股价一度跌8.5%。", "北辰集团", "8361"),
    ("北辰集团股价下跌8.5%，北辰集团表示业务正常。", "北辰集团", None),
    ("北辰集團股價下跌8.5%，北辰集團表示業務正常。", "北辰集團", None),
])
def test_chinese_ticker_labels_and_share_price(text: str, name: str, ticker: str | None) -> None:
    groups = {n: g for g in entities.discover(text, []).groups for n in g.names}
    assert name in groups, sorted(groups)
    assert (ticker in groups[name].tickers) if ticker else True


def test_sector_stocks_are_no_name() -> None:
    assert entities.discover("科技股普遍下跌，汽车股领跌。", []).groups == []


# An exchange inside a ticker bracket names neither the subject nor an index move.
@pytest.mark.parametrize(("text", "surface"), [
    ("SHENZHEN, May 2 — Harlow Motors (NASDAQ: HRLW) delivered 12,400 cars, up from 9,800 a year earlier.", "9,800"),
    ("哈洛汽车（NASDAQ: HRLW）第一季交付12400辆，去年同期为9800辆。", "9800辆"),
    ("哈洛汽車（NASDAQ: HRLW）第一季交付12400輛，去年同期為9800輛。", "9800輛"),
])
def test_ticker_exchange_is_no_index(text: str, surface: str) -> None:
    rows = process(Article("s.txt", text, 0, {"published": "2025-06-01"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    assert claim["metric"] != "index_change", claim["explanation"]
    assert claim["subject"] in ("Harlow Motors", "Haluo Motors"), claim["explanation"]
