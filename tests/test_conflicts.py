"""Conflicts on short articles about other companies and deals, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils
import yaml

from extractor import conflicts, pipeline, store

STORY = {
    # Cumulative totals: a later, higher total revises; a later, lower one contradicts.
    "a1.txt": ("2024-03-28", "zh", "亚马逊已向 Anthropic 累计投资 40 亿美元,成为其最大的外部投资者。"),
    "a2.txt": ("2024-11-22", "en", "Amazon has invested a total of $8 billion in Anthropic so far, the company said."),
    "a3.txt": ("2024-12-01", "zh", "亞馬遜迄今已累計投資 Anthropic 約 80 億美元,雙方合作持續深化。"),
    "a4.txt": ("2024-12-05", "zh", "截至目前,亚马逊已累计投资 Anthropic 8 亿美元。"),
    # A proposal against the agreed figure.
    "b1.txt": ("2025-02-10", "zh", "据知情人士透露,软银提议持有该合资公司约 40% 的股份。"),
    "b2.txt": ("2025-04-02", "en", "SoftBank will hold a 35% stake in the joint venture, the companies said on Tuesday."),
    "b3.txt": ("2025-04-03", "zh", "根据最终协议,软银持有该合资公司 35% 的股份。"),
    # A bilingual article whose two versions disagree.
    "c1.txt": ("2025-05-20", "mixed",
               "英伟达将向该数据中心项目投资 50 亿美元。\n\nNvidia will invest $500 million in the data-center project."),
    # A term that a later article revises.
    "d1.txt": ("2025-01-15", "en", "Oracle's cloud contract with xAI expires in 2028, according to the filing."),
    "d2.txt": ("2025-09-30", "en", "After the renegotiation, Oracle's cloud contract with xAI now expires in 2030."),
    # Two outlets that agree, one of them rounding: nothing to flag.
    "e1.txt": ("2025-03-03", "zh", "字节跳动的估值达到 3150 亿美元。"),
    "e2.txt": ("2025-03-04", "en", "ByteDance is valued at about $315 billion."),
    "e3.txt": ("2025-03-05", "zh", "字節跳動估值約 3000 億美元。"),
    # A round figure against a precise one it rounds from.
    "g1.txt": ("2025-01-08", "zh", "据悉,谷歌已向 Anthropic 累计投资约 20 亿美元。"),
    "g2.txt": ("2025-01-20", "en", "Google has invested a total of $2.2 billion in Anthropic to date."),
    # A figure whose subject could only be guessed: kept apart as an extraction doubt.
    "h1.txt": ("2025-02-01", "en", "Databricks is growing fast.\n\nThe total investment so far reached $9 billion."),
    "h2.txt": ("2025-02-02", "en", "Databricks has raised a total investment of $15 billion so far."),
    # One disagreement, one conflict: a doubtful reading of the figure two sources give
    # joins their contradiction instead of making an extraction doubt beside it.
    "k1.txt": ("2025-07-07", "en", "Brightlane Robotics is growing fast.\n\nThe stock closed down 6.2% on Monday."),
    "k2.txt": ("2025-07-07", "en", "Investors sold robotics names on Monday. Brightlane Robotics shares closed down "
               "6.2% after a downgrade by analysts at a regional bank, who cited slowing orders."),
    "k3.txt": ("2025-07-08", "zh", "布莱特兰机器人（Brightlane Robotics）股价周一收跌6.8%。"),
    # Two figures of one change inside one sentence are not a conflict.
    "f1.txt": ("2025-06-01", "zh", "腾讯的估值从 5000 亿美元跃升至 6000 亿美元。"),
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> sqlite_utils.Database:
    folder = tmp_path_factory.mktemp("story")
    manifest = {}
    for name, (published, lang, text) in STORY.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
        manifest[name] = {"published": published, "lang": lang, "outlet": f"Outlet {name[:2]}"}
    (folder / "sources.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    database = store.open_db(folder / "claims.db")
    pipeline.ingest([str(folder)], database)
    pipeline.after_ingest(database)
    return database


def _conflicts(db: sqlite_utils.Database, subject: str, metric: str) -> list[dict]:
    out = []
    for c in db.query("select * from conflicts where subject = ? and metric = ?", [subject, metric]):
        c["claims"] = {
            r["text"]: r["side"]
            for r in db.query(
                "select c.text, cc.side from conflict_claims cc join claims c on c.id = cc.claim_id where cc.conflict_id = ?",
                [c["id"]],
            )
        }
        out.append(c)
    return out


def _kinds(db: sqlite_utils.Database, subject: str, metric: str) -> set[str]:
    return {c["kind"] for c in _conflicts(db, subject, metric)}


def test_cumulative_total_later_lower_is_a_contradiction(db: sqlite_utils.Database) -> None:
    found = [c for c in _conflicts(db, "Amazon", "investment_total") if c["kind"] == "contradiction"]
    assert found, _kinds(db, "Amazon", "investment_total")
    assert any("8 亿美元" in c["claims"] and "$8 billion" in c["claims"] for c in found)
    assert any("10-fold" in c["summary"] for c in found)


def test_cumulative_total_later_higher_supersedes(db: sqlite_utils.Database) -> None:
    found = [c for c in _conflicts(db, "Amazon", "investment_total") if c["kind"] == "superseded"]
    assert found
    assert {"40 亿美元", "$8 billion"} <= set(found[0]["claims"])
    assert found[0]["best_value"] == 8e9


def test_proposal_against_final(db: sqlite_utils.Database) -> None:
    found = [c for c in _conflicts(db, "SoftBank", "stake") if c["kind"] == "proposal_vs_final"]
    assert found and found[0]["best_value"] == 35
    assert "contradiction" not in _kinds(db, "SoftBank", "stake")


def test_translation_mismatch_inside_one_article(db: sqlite_utils.Database) -> None:
    found = [c for c in _conflicts(db, "Nvidia", "investment_total") + _conflicts(db, "Nvidia", "investment")
             if c["kind"] == "translation_mismatch"]
    assert found
    assert {"50 亿美元", "$500 million"} == set(found[0]["claims"])


def test_revised_term_is_superseded(db: sqlite_utils.Database) -> None:
    found = [c for c in _conflicts(db, "Oracle", "contract_until") if c["kind"] == "superseded"]
    assert found and found[0]["best_date"] == "2030"


def test_agreeing_and_rounded_figures_are_not_flagged(db: sqlite_utils.Database) -> None:
    assert _conflicts(db, "ByteDance", "valuation") == []
    support = list(db.query("select * from corroborations where subject = 'ByteDance' and metric = 'valuation'"))
    assert len(support) == 1 and support[0]["sources"] == 3


def test_round_figure_is_reconciled_as_rounding_not_a_conflict(db: sqlite_utils.Database) -> None:
    # Was a conflict of kind "rounding"; issue 11 asks that differences the texts
    # reconcile be kept apart, with their reason, rather than listed as conflicts.
    assert _kinds(db, "Google", "investment_total") == set()
    found = list(db.query("select * from reconciliations where subject = 'Google' and metric = 'investment_total'"))
    assert [r["reason"] for r in found] == ["rounding"]
    assert "2 billion" in found[0]["summary"] and "2.2 billion" in found[0]["summary"]


def test_guessed_subject_is_an_extraction_doubt(db: sqlite_utils.Database) -> None:
    assert _kinds(db, "Databricks", "investment_total") == {"extraction_doubt"}


def test_change_within_one_sentence_is_not_a_conflict(db: sqlite_utils.Database) -> None:
    assert _conflicts(db, "Tencent", "valuation") == []


def test_syndicated_copies_count_once(db: sqlite_utils.Database) -> None:
    ids = [r["id"] for r in db.query("select id from articles where path like '%e1.txt' or path like '%e2.txt' order by path")]
    db.execute("update articles set duplicate_of = ? where id = ?", [ids[0], ids[1]])
    conflicts.detect(db, full=True)
    support = list(db.query("select * from corroborations where subject = 'ByteDance' and metric = 'valuation'"))
    assert support[0]["sources"] == 2 and support[0]["claims"] == 3
    db.execute("update articles set duplicate_of = null where id = ?", [ids[1]])
    conflicts.detect(db, full=True)


def test_detection_is_incremental(db: sqlite_utils.Database) -> None:
    assert conflicts.detect(db) == 0  # nothing changed since the last run
    before = {r["id"] for r in db.query("select id from conflicts")}
    assert conflicts.detect(db, full=True) > 0
    assert {r["id"] for r in db.query("select id from conflicts")} == before


def test_seed_conflicts_found(tmp_path: Path) -> None:
    from extractor import evaluate

    root = Path(__file__).resolve().parents[1]
    database = store.open_db(tmp_path / "seed.db")
    pipeline.ingest([str(root / "corpus")], database)
    pipeline.after_ingest(database)
    recall = evaluate.conflict_recall(database, root / "tests" / "gold" / "seed_conflicts.jsonl")
    assert recall["found"] == recall["hard"] == 7
    assert recall["apparent_called_contradiction"] == 0
    score = evaluate.score(database, evaluate.load_gold(root / "tests" / "gold" / "seed_claims.jsonl"))
    acc = evaluate.attribute_accuracy(score)
    assert score.precision >= 0.95 and score.recall >= 0.95
    assert acc["metric"] is not None and acc["metric"] >= 0.85
    assert acc["subject"] is not None and acc["subject"] >= 0.90


def test_a_doubtful_reading_joins_the_disagreement_it_repeats(db: sqlite_utils.Database) -> None:
    found = _conflicts(db, "Brightlane Robotics", "share_price_change")
    assert [c["kind"] for c in found] == ["contradiction"]
    assert "(2 sources)" in found[0]["summary"]
