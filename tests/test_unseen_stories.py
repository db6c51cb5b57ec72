"""End to end on small invented stories no rule was written for: three outlets in English,
Simplified and Traditional Chinese each, with one real disagreement planted and look-alikes
that must not be flagged. Every company, outlet and figure here is made up."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils
import yaml

from extractor import pipeline, store

STORIES: dict[str, tuple[str, str, str, str]] = {
    # An earnings miss: the HK paper slips a digit of the close, a mainland site a magnitude.
    "q1.md": ("2025-05-29", "en", "Wire One",
              "# Quillon Software shares sink after revenue miss\n\n"
              "Shares of Quillon Software (NYSE: QLN) fell 12.7% on Thursday to close at $62.10 after the company "
              "reported fiscal first-quarter revenue of $9.13 billion, up 11% from a year earlier.\n\n"
              "Quillon cut its full-year revenue forecast to $37.8 billion from $38.4 billion.\n"),
    "q2.md": ("2025-05-30", "zh", "财经日报",
              "# 奎隆软件营收逊预期 股价重挫\n\n"
              "奎隆软件（Quillon Software，QLN.N）周四股价收跌12.7%，报62.10美元。公司第一财季营收为91.3亿美元，同比增长11%。\n\n"
              "奎隆将全年营收预期下调至378亿美元。\n"),
    "q3.md": ("2025-05-30", "zh", "港島財經",
              "# 奎隆軟體營收不如預期 股價重挫\n\n"
              "奎隆軟體（QLN.N）周四股價收市跌12.07%，報62.1美元。該公司第一財季營收為913億美元，按年增長11%。\n\n"
              "奎隆將全年營收預測下調至378億美元，此前為384億美元。\n"),
    # A funding round: two Chinese outlets disagree on its size; valuations agree.
    "y1.md": ("2025-07-10", "zh", "芯闻",
              "# 云杉微完成15亿元C轮融资\n\n"
              "智能驾驶芯片企业“云杉微”近日宣布完成15亿元人民币C轮融资，本轮融资后，云杉微估值超过120亿元。\n"),
    "y2.md": ("2025-07-11", "zh", "科技日報",
              "# 雲杉微完成C輪募資\n\n"
              "智慧駕駛晶片新創「雲杉微」完成C輪募資，金額達25億元人民幣，投後估值逾120億元人民幣。\n"),
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> sqlite_utils.Database:
    folder = tmp_path_factory.mktemp("unseen")
    manifest = {}
    for name, (published, lang, outlet, text) in STORIES.items():
        (folder / name).write_text(text, encoding="utf-8")
        manifest[name] = {"published": published, "lang": lang, "outlet": outlet}
    (folder / "sources.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    database = store.open_db(Path(folder) / "claims.db")
    pipeline.ingest([str(folder)], database)
    pipeline.after_ingest(database)
    return database


def _conflicts(db: sqlite_utils.Database, metric: str) -> list[dict]:
    return list(db.query("select kind, subject, summary from conflicts where metric = ?", [metric]))


def test_one_company_across_three_scripts(db: sqlite_utils.Database) -> None:
    subjects = {r["subject"] for r in db.query("select distinct subject from claims where article_id in "
                                               "(select id from articles where outlet in ('Wire One', '财经日报', '港島財經'))")}
    assert subjects == {"Quillon Software"}


def test_a_slipped_magnitude_is_a_contradiction(db: sqlite_utils.Database) -> None:
    found = _conflicts(db, "revenue")
    assert [c["kind"] for c in found] == ["contradiction"]
    assert "91.3 billion" in found[0]["summary"] and "9.13 billion" in found[0]["summary"]


def test_a_misprinted_close_is_one_conflict(db: sqlite_utils.Database) -> None:
    found = _conflicts(db, "share_price_change")
    assert [c["kind"] for c in found] == ["contradiction"]
    assert "-12.07 percent (1 source) against -12.7 percent (2 sources)" in found[0]["summary"]


def test_agreeing_figures_are_not_flagged(db: sqlite_utils.Database) -> None:
    assert _conflicts(db, "share_price") == []  # $62.10, 62.10美元, 62.1美元
    assert _conflicts(db, "revenue_growth") == []  # 11% everywhere
    assert _conflicts(db, "valuation") == []  # 120亿元 in both


def test_a_funding_round_reported_two_ways(db: sqlite_utils.Database) -> None:
    found = _conflicts(db, "funding_round")
    assert [c["kind"] for c in found] == ["contradiction"]
    assert "1.5 billion CNY" in found[0]["summary"] and "2.5 billion CNY" in found[0]["summary"]


def test_a_change_each_article_reports_is_not_a_conflict(db: sqlite_utils.Database) -> None:
    # "cut its forecast to $37.8 billion from $38.4 billion", 下调至378亿美元，此前为384亿美元
    assert _conflicts(db, "guidance_revenue") == []
    reasons = [r["reason"] for r in db.query("select reason from reconciliations where metric = 'guidance_revenue'")]
    assert reasons == ["one_sentence"]


def test_a_renamed_subject_says_why(db: sqlite_utils.Database) -> None:
    row = next(db.query("select subject, explanation from claims where text = '12.07%'"))
    assert row["subject"] == "Quillon Software"
    assert "is Quillon Software, linked across articles" in row["explanation"]
