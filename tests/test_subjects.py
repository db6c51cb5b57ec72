"""Subjects: English names for organisations written only in Chinese, and the subject
conventions of extractor/subjects.py. Every company here is invented."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor import entities, pipeline, store
from extractor.ingest import Article
from extractor.pipeline import process
from extractor.subjects import romanise

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
