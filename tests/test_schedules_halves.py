"""Two hard disagreements the texts do not reconcile: a schedule moved by a later article
(superseded, not a contradiction) and the two language halves of one bilingual release
giving different figures (translation_mismatch). Companies, places and figures are invented;
sentences in English, Simplified and Traditional Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils
import yaml

from extractor import pipeline, store
from extractor.ingest import Article
from extractor.pipeline import process

# (text, surface, metric): the event opens the clause, a verb of starting stands by the
# date, and commas (an apposition, a cause) lie between them.
STARTS = [
    ("Volume production at the second plant outside Brno, Czech Republic, is now expected to begin in 2030, "
     "the company said.", "2030", "production_start"),
    ("Mass production at its new cathode works near Halden, Norway, will start in the first half of 2029.",
     "first half of 2029", "production_start"),
    ("Construction of the Leipzig campus, the largest in the group's history, will now start in 2027.",
     "2027", "construction_start"),
    ("北辰电池表示，新厂的量产，受技术工人短缺与审批延误影响，将推迟到2030年才开始。", "2030年", "production_start"),
    ("北辰電池表示，新廠的量產，受技術工人短缺與審批延誤影響，將推遲到2030年才開始。", "2030年", "production_start"),
    ("北辰电池位于匈牙利德布勒森的第二座工厂，其建设工程因审批延误，将于2027年下半年展开。", "2027年下半年",
     "construction_start"),
    ("北辰電池位於匈牙利德布勒森的第二座工廠，其建設工程因審批延誤，將於2027年下半年展開。", "2027年下半年",
     "construction_start"),
]


@pytest.mark.parametrize(("text", "surface", "metric"), STARTS)
def test_a_start_verb_by_the_date_reaches_back_to_its_event(text: str, surface: str, metric: str) -> None:
    rows = process(Article("s.txt", text, 0, {"published": "2025-07-20"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    assert claim["metric"] == metric, claim["explanation"]


@pytest.mark.parametrize(("text", "surface"), [
    ("Production at the plant would begin in 2030, a year later than planned.", "2030"),
    ("北辰电池预计2030年投产。", "2030年"),
    ("北辰電池預計2030年投產。", "2030年"),
])
def test_a_forecast_start_date_ahead_is_the_schedule(text: str, surface: str) -> None:
    rows = process(Article("p.txt", text, 0, {"published": "2025-07-20"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    assert (claim["metric"], claim["modality"]) == ("production_start", "planned"), claim["explanation"]


def test_a_start_verb_without_its_event_changes_nothing() -> None:
    rows = process(Article("n.txt", "Deliveries of the new model will start in 2027.", 0, {"published": "2025-07-20"}))
    assert rows.claims[0]["metric"] not in ("production_start", "construction_start"), rows.claims[0]["explanation"]


EN_HALF = ("HONG KONG, March 3, 2026 /Harbour Wire/ -- Velora Robotics today announced a US$400 million Series B "
           "at a post-money valuation of US$2.1 billion. The round was led by Tidewater Capital, which invested "
           "US$150 million, with participation from existing investor Ashgrove Partners.\n\n")
ZH_HALVES = {
    "Hans": "香港2026年3月3日电 /港湾通讯/ -- 维洛机器人今日宣布完成4亿美元B轮融资，投后估值21亿美元。"
            "本轮融资由潮汐资本（Tidewater Capital）领投，投资金额为1500万美元；老股东灰林合伙人继续跟投。\n",
    "Hant": "香港2026年3月3日電 /港灣通訊/ -- 維洛機器人今日宣佈完成4億美元B輪融資，投後估值21億美元。"
            "本輪融資由潮汐資本（Tidewater Capital）領投，投資金額為1500萬美元；老股東灰林合夥人繼續跟投。\n",
}


@pytest.mark.parametrize("script", sorted(ZH_HALVES))
def test_the_halves_of_a_bilingual_release_read_one_metric(script: str) -> None:
    rows = process(Article("r.md", EN_HALF + ZH_HALVES[script], 0, {"published": "2026-03-03"}))
    en = next(c for c in rows.claims if c["text"] == "US$150 million")
    zh = next(c for c in rows.claims if c["text"].startswith("1500"))
    assert en["metric"] == zh["metric"] == "funding_tranche", en["explanation"]


def test_a_summary_shorter_than_its_passage_is_not_paired() -> None:
    text = ("北辰电子第三季营收按年增长14.2%至1,286亿元，毛利率为18.7%，经营利润率约10.9%。\n\n"
            "English summary: Q3 revenue rose 14.2% to 128.6 billion yuan.\n")
    rows = process(Article("x.md", text, 0, {"published": "2025-11-14"}))
    margins = [c for c in rows.claims if c["text"] in ("18.7%", "10.9%")]
    assert [c["metric"] for c in margins] == ["gross_margin", "operating_margin"]


def _ingest(folder: Path, story: dict[str, tuple[str, str, str]]) -> sqlite_utils.Database:
    manifest = {}
    for name, (published, lang, text) in story.items():
        (folder / name).write_text(text, encoding="utf-8")
        manifest[name] = {"published": published, "lang": lang, "outlet": f"Outlet {name[:-3]}"}
    (folder / "sources.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    db = store.open_db(folder / "claims.db")
    pipeline.ingest([str(folder)], db)
    pipeline.after_ingest(db)
    return db


def _kinds_between(db: sqlite_utils.Database, a: str, b: str) -> set[str]:
    """Kinds of the conflicts that hold claims `a` and `b` on different sides."""
    rows = db.query(
        "select k.kind from conflicts k join conflict_claims x on x.conflict_id = k.id "
        "join claims cx on cx.id = x.claim_id join conflict_claims y on y.conflict_id = k.id "
        "join claims cy on cy.id = y.claim_id where cx.text = ? and cy.text = ? and x.side != y.side", [a, b])
    return {r["kind"] for r in rows}


@pytest.mark.parametrize("script", sorted(ZH_HALVES))
def test_a_bilingual_release_whose_halves_disagree_is_a_translation_mismatch(tmp_path: Path, script: str) -> None:
    db = _ingest(tmp_path, {
        "release.md": ("2026-03-03", "zh", EN_HALF + ZH_HALVES[script]),
        "wire.md": ("2026-03-04", "en", "Tidewater Capital invested US$150 million in the Series B round of "
                                        "Velora Robotics, which closed on Tuesday.\n"),
    })
    zh = "1500万美元" if script == "Hans" else "1500萬美元"
    assert "translation_mismatch" in _kinds_between(db, zh, "US$150 million")


LATER = {
    "en": "Velora Robotics said on Thursday that volume production at its plant near Ghent, Belgium, "
          "would begin in 2031, a year later than planned.\n",
    "Hans": "维洛机器人（Velora Robotics）周四表示，其比利时根特附近工厂的量产，受零部件短缺影响，预计将推迟到2031年才开始。\n",
    "Hant": "維洛機器人（Velora Robotics）週四表示，其比利時根特附近工廠的量產，受零部件短缺影響，預計將推遲到2031年才開始。\n",
}


@pytest.mark.parametrize("script", sorted(LATER))
def test_a_start_date_moved_by_a_later_article_is_superseded(tmp_path: Path, script: str) -> None:
    db = _ingest(tmp_path, {
        "april.md": ("2025-04-08", "en", "Velora Robotics plans to begin volume production at the Ghent plant in 2030.\n"),
        "october.md": ("2025-10-30", "en" if script == "en" else "zh", LATER[script]),
    })
    later = "2031" if script == "en" else "2031年"
    assert _kinds_between(db, later, "2030") == {"superseded"}


# (text, surface, modality): a Chinese condition opening the next clause governs what
# follows it, not the figure before it; one before the figure, or an English "if" after
# it, still makes it conditional.
CONDITIONS = [
    ("北辰汽车目前市盈率约为38倍，若需求转弱，股价或继续承压。", "38倍", "asserted"),
    ("北辰汽車目前市盈率約為38倍，若需求轉弱，股價或繼續承壓。", "38倍", "asserted"),
    ("北辰汽車毛利率為21.3%，估值風險已部分消化。", "21.3%", "asserted"),
    ("若收购失败，北辰控股将损失20亿美元。", "20亿美元", "conditional"),
    ("若收購失敗，北辰控股將損失20億美元。", "20億美元", "conditional"),
    ("Northwind would lose $2 billion, if the takeover collapses.", "$2 billion", "conditional"),
]


@pytest.mark.parametrize(("text", "surface", "modality"), CONDITIONS)
def test_a_condition_governs_what_follows_it_in_chinese(text: str, surface: str, modality: str) -> None:
    rows = process(Article("h.txt", text, 0, {"published": "2025-07-20"}))
    claim = next(c for c in rows.claims if c["text"] == surface)
    assert claim["modality"] == modality, claim["explanation"]
