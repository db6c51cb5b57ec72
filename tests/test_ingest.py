"""`claims ingest`: files, folders, standard input, metadata, encodings and reposts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from extractor import duplicates, pipeline, readers, store
from extractor.cli import cli
from extractor.errors import InputError
from extractor.ingest import read_article

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"

ZH = "微软已向 OpenAI 投入了超过４００亿美元，持股约２７％。\n今年营收增长 15%。\n"
ZH_HANT = "微軟已向 OpenAI 投入了超過４００億美元，持股約２７％。\n今年營收增長 15%。\n"


def run(*args: str, input: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["ingest", *args], input=input)
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def rows(db_path: Path, sql: str) -> list[dict[str, object]]:
    return list(sqlite_utils.Database(db_path).query(sql))


def test_corpus_then_again_adds_nothing(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    code, out, _ = run(str(CORPUS), "--db", str(db))
    assert code == 0 and out.startswith("5 new articles, 0 already seen")
    before = rows(db, "select id from claims order by id")
    code, out, _ = run(str(CORPUS), "--db", str(db))
    assert code == 0 and out.startswith("0 new articles, 5 already seen, 0 claims added")
    assert rows(db, "select id from claims order by id") == before


def test_jobs_give_the_same_database(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(CORPUS, folder)
    (folder / "x_repost.txt").write_text(_repost(STORY), encoding="utf-8")
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    assert run(str(folder), "--db", str(one))[1] == run(str(folder), "--db", str(two), "--jobs", "2")[1]
    sql = "select id, duplicate_of from articles order by rowid"
    assert rows(one, sql) == rows(two, sql)
    assert rows(one, "select id from claims order by rowid") == rows(two, "select id from claims order by rowid")


def test_every_claim_indexes_the_stored_text(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    run(str(CORPUS), "--db", str(db))
    bad = rows(db, "select c.id from claims c join articles a on a.id = c.article_id "
                   "where substr(a.text, c.start + 1, c.end - c.start) != c.text")
    assert bad == []


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("utf8", ZH.encode("utf-8")),
        ("utf8-bom", b"\xef\xbb\xbf" + ZH.encode("utf-8")),
        ("utf16", ZH.encode("utf-16")),
        ("utf16-le-no-bom", ("Revenue grew. " + ZH).encode("utf-16-le")),
        ("utf16-be-no-bom", ("Revenue grew. " + ZH).encode("utf-16-be")),
        ("gbk", ZH.encode("gbk")),
        ("gb18030", ZH.encode("gb18030")),
        ("big5", ZH_HANT.encode("big5")),
        ("big5-cp950", ZH_HANT.encode("cp950")),
        ("gbk-traditional", ZH_HANT.encode("gbk")),
        ("crlf", ZH.replace("\n", "\r\n").encode("utf-8")),
        ("cr", ZH.replace("\n", "\r").encode("gbk")),
    ],
)
def test_encodings_decode_to_the_same_text(tmp_path: Path, name: str, data: bytes) -> None:
    expected = ZH_HANT if "big5" in name or "traditional" in name else ZH
    if "no-bom" in name:
        expected = "Revenue grew. " + ZH
    path = tmp_path / f"{name}.txt"
    path.write_bytes(data)
    article = read_article(path)
    assert article.text == expected
    assert article.warnings == []
    db = tmp_path / "e.db"
    code, _, err = run(str(path), "--db", str(db))
    assert code == 0, err
    claims = rows(db, "select c.text, c.value, c.unit, c.start, c.end, a.text as article "
                      "from claims c join articles a on a.id = c.article_id order by c.start")
    by_text = {c["text"]: c for c in claims}
    money = next(c for c in claims if c["unit"] == "USD")
    assert money["value"] == 4e10 and money["text"] in ("４００亿美元", "４００億美元")
    assert by_text["２７％"]["value"] == 27
    for c in claims:
        assert str(c["article"])[int(c["start"]) : int(c["end"])] == c["text"]  # type: ignore[call-overload]


def test_big5_is_not_read_as_gb18030() -> None:
    # Every Big5 byte string is also valid GB18030; the decoded text must decide.
    text = "臺灣積體電路製造公司第三季營收達新臺幣 9,899 億元，年增 30%。董事會通過資本預算。"
    data = text.encode("big5")
    data.decode("gb18030")  # no error: GB18030 alone would have accepted it
    decoded = readers.decode(data, "t")
    assert decoded.text == text and decoded.encoding in ("cp950", "big5hkscs")


def test_gbk_is_not_read_as_big5() -> None:
    text = "国家统计局发布数据显示，前三季度国内生产总值同比增长 5.2%，社会消费品零售总额增长。"
    assert readers.decode(text.encode("gbk"), "t").text == text


def test_a_few_damaged_utf8_bytes_are_replaced_with_a_warning(tmp_path: Path) -> None:
    good = ("微软投资了 130 亿美元。" * 30).encode("utf-8")
    path = tmp_path / "damaged.txt"
    path.write_bytes(good[:100] + b"\xff" + good[100:])
    article = read_article(path)
    assert "\ufffd" in article.text and "130 亿美元" in article.text
    assert article.warnings and "U+FFFD" in article.warnings[0]


def test_a_windows_1252_english_article_is_guessed() -> None:
    text = "Microsoft\u2019s stake is worth \u201cabout $135 billion\u201d, the company said on Tuesday, caf\u00e9 owners agreed."
    decoded = readers.decode(text.encode("cp1252"), "t")
    assert decoded.text == text and decoded.warnings


def test_junk_bytes_are_not_guessed_into_text() -> None:
    with pytest.raises(InputError, match="not text"):
        readers.decode(b"\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc\xff\xfe\xfd" * 200, "junk")


def test_metadata_priority_manifest_front_matter_flags(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "sources.yaml").write_text(
        "a.md:\n  outlet: Manifest Wire\n  title: Manifest title\n  url: https://m.example/a\n"
        "  published: 2025-01-01\n", encoding="utf-8")
    front = "---\ntitle: Front title\npublished: 2025-10-28\n---\n"
    (folder / "a.md").write_text(front + "微软投资了 130 亿美元。\n", encoding="utf-8")
    db = tmp_path / "m.db"
    assert run(str(folder / "a.md"), "--db", str(db), "--url", "https://flag.example/a")[0] == 0
    (row,) = rows(db, "select outlet, title, url, published, body_start, text from articles")
    assert row == {
        "outlet": "Manifest Wire", "title": "Front title", "url": "https://flag.example/a",
        "published": "2025-10-28", "body_start": len(front), "text": "微软投资了 130 亿美元。\n",
    }


def test_flags_apply_to_a_single_file_only(tmp_path: Path) -> None:
    code, _, err = run(str(CORPUS), "--db", str(tmp_path / "x.db"), "--outlet", "X")
    assert code != 0 and err.startswith("error:") and err.count("\n") == 1


def test_standard_input(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    code, out, _ = run("-", "--db", str(db), "--outlet", "Stdin Daily", input=ZH.encode("gbk"))
    assert code == 0 and out.startswith("1 new article,")
    (row,) = rows(db, "select path, outlet, text from articles")
    assert row == {"path": "-", "outlet": "Stdin Daily", "text": ZH}


def test_folders_are_recursive_and_take_html(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "deep" / "deeper").mkdir(parents=True)
    (folder / "a.txt").write_text("微软投资了 130 亿美元。\n", encoding="utf-8")
    (folder / "deep" / "b.md").write_text("Microsoft invested $13 billion.\n", encoding="utf-8")
    (folder / "deep" / "deeper" / "c.html").write_text(
        "<html><body><article><p>OpenAI was valued at $500 billion in October, people familiar "
        "with the matter said on Tuesday.</p></article></body></html>", encoding="utf-8")
    (folder / "notes.csv").write_text("1,2,3\n", encoding="utf-8")  # not an article type
    code, out, err = run(str(folder), "--db", str(tmp_path / "f.db"))
    assert code == 0, err
    assert out.startswith("3 new articles")


def test_a_missing_path_is_one_line_and_the_rest_is_ingested(tmp_path: Path) -> None:
    code, out, err = run(str(tmp_path / "nope.txt"), str(CORPUS), "--db", str(tmp_path / "n.db"))
    assert code == 1
    assert err.splitlines() == [f"skipped: {tmp_path / 'nope.txt'}: no such file or folder"]
    assert out.startswith("5 new articles") and "1 skipped" in out


def test_an_unreachable_url_is_one_line_and_the_rest_is_ingested(tmp_path: Path) -> None:
    # Port 9 (discard) on this machine: refused at once, like a machine without network.
    code, out, err = run("http://127.0.0.1:9/story.html", str(CORPUS), "--db", str(tmp_path / "u.db"))
    assert code == 1
    (line,) = err.splitlines()
    assert line.startswith("skipped: http://127.0.0.1:9/story.html: cannot fetch")
    assert out.startswith("5 new articles")


def test_not_a_database_is_one_line(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    code, _, err = run(str(CORPUS), "--db", str(bogus))
    assert code != 0 and err.startswith("error: [E400]") and err.count("\n") == 1


# Reposts ---------------------------------------------------------------------------------

STORY = (CORPUS / "003_4a29d57105a6cd74.txt").read_text(encoding="utf-8")


def _repost(text: str) -> str:
    return "转载自财经快讯 | 2025-10-29 08:00\n编辑：王五\n" + text + "\n（本文来源：新浪财经。版权归原作者所有，如有侵权请联系删除。）\n"


def test_a_repost_with_another_header_and_footer_is_a_duplicate(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(CORPUS, folder)
    (folder / "x_repost.txt").write_text(_repost(STORY), encoding="utf-8")
    # Full-width digits and different spacing are still the same story.
    (folder / "y_repost_of_repost.txt").write_text(
        _repost(STORY).replace("OpenAI", "OpenAI ").replace("1", "１") + "\n更多精彩内容请关注我们。\n",
        encoding="utf-8")
    db = tmp_path / "d.db"
    code, out, err = run(str(folder), "--db", str(db))
    assert code == 0, err
    assert "2 reposts of earlier articles" in out
    got = {r["path"].rsplit("/", 1)[-1]: r["duplicate_of"] for r in rows(db, "select path, duplicate_of from articles")}
    original = rows(db, "select id from articles where path like '%003_4a29d57105a6cd74.txt'")[0]["id"]
    assert got["x_repost.txt"] == original and got["y_repost_of_repost.txt"] == original
    assert sum(1 for v in got.values() if v) == 2  # the five seed articles stay apart


def test_different_stories_of_one_event_are_not_duplicates(tmp_path: Path) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    for a in texts:
        for b in texts:
            if a is not b:
                assert not duplicates.same_story(a, b)


def test_one_template_with_other_figures_is_another_story() -> None:
    a = "腾讯第三季度营收 1,593 亿元，同比增长 15%；净利润 631 亿元，同比增长 19%。" * 3
    b = "腾讯第二季度营收 1,845 亿元，同比增长 15%；净利润 557 亿元，同比增长 17%。" * 3
    assert not duplicates.same_story(a, b)
    assert duplicates.same_story(a, "来源：转载网\n" + a + "\n（责任编辑：李四）")


def test_a_story_quoted_in_a_longer_piece_is_not_a_duplicate() -> None:
    brief = STORY[:400]
    assert not duplicates.same_story(brief, STORY)
    assert duplicates.same_story(STORY, _repost(STORY))


def test_candidates_come_from_bands_not_all_pairs(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "b.db")
    pipeline.ingest([str(CORPUS)], db)
    bands = duplicates.signature(_repost(STORY))
    original = duplicates.original_of(db, "new", _repost(STORY), bands)
    assert original == rows(tmp_path / "b.db", "select id from articles where path like '%003_4a%'")[0]["id"]
    shared = db.execute(
        f"select count(distinct article_id) from {duplicates.TABLE} where band in ({','.join('?' * len(bands))})",
        bands).fetchone()[0]
    assert shared == 1  # only the original was a candidate


def test_bands_are_filled_for_a_database_made_before_them(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = store.open_db(path)
    pipeline.ingest([str(CORPUS)], db)
    db.table(duplicates.TABLE).drop()
    db = store.open_db(path)
    assert db.execute(f"select count(distinct article_id) from {duplicates.TABLE}").fetchone()[0] == 5


def test_bands_of_an_older_signature_scheme_are_recomputed(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = store.open_db(path)
    pipeline.ingest([str(CORPUS)], db)
    fresh = sorted(db.execute(f"select band, article_id from {duplicates.TABLE}").fetchall())
    db.execute(f"update {duplicates.TABLE} set band = band + 1")
    db.execute("pragma user_version = 1")
    db.conn.commit()
    db = store.open_db(path)
    assert sorted(db.execute(f"select band, article_id from {duplicates.TABLE}").fetchall()) == fresh
    story = (tmp_path / "repost.txt")
    story.write_text(_repost(STORY), encoding="utf-8")
    assert pipeline.ingest([str(story)], db).duplicates == 1


# Pairs of texts and whether one is a repost of the other: every branch of the decision.
_TENCENT = "腾讯第三季度营收 1,593 亿元，同比增长 15%；净利润 631 亿元，同比增长 19%。" * 3
SHAPE_CASES = [
    (STORY, _repost(STORY), True),  # header and footer
    (STORY, STORY.replace("1", "１").replace("，", ", "), True),  # widths and spacing
    (STORY[:400], STORY, False),  # quoted in a longer piece: lengths too far apart
    (_TENCENT, _TENCENT.replace("1,593", "1,845").replace("631", "557"), False),  # other figures
    (_TENCENT, _TENCENT.replace("营收", "收入"), True),  # same figures, a word changed
    ("没有数字的文章。" * 30, "没有数字的文章。" * 30 + "2025 年 10 月 29 日 第 3 版", False),  # numbers on one side only
    ("", "", True),
    ("", "一篇文章", False),
]


@pytest.mark.parametrize(("a", "b", "same"), SHAPE_CASES)
def test_shapes_decide_as_the_texts_would(a: str, b: str, same: bool) -> None:
    assert duplicates.same_story(a, b) is same
    by_shape = duplicates._by_shape(duplicates.shape(a), duplicates.shape(b))
    assert by_shape in (None, False)  # a shape can rule a copy out, never in
    if by_shape is False:
        assert not same


def test_stored_shapes_find_the_same_originals(tmp_path: Path) -> None:
    # Shapes are kept as articles are compared; a database without them (made before
    # they existed, or emptied) finds the same originals and fills them in.
    story = tmp_path / "repost.txt"
    story.write_text(_repost(STORY), encoding="utf-8")
    found = []
    for drop in (False, True):
        db = store.open_db(tmp_path / f"s{drop}.db")
        pipeline.ingest([str(CORPUS)], db)
        assert db.execute(f"select count(*) from {duplicates.SHAPES_TABLE}").fetchone()[0] == 5
        if drop:
            db.table(duplicates.SHAPES_TABLE).drop()
            db = store.open_db(tmp_path / f"s{drop}.db")
        pipeline.ingest([str(story)], db)
        found.append(rows(tmp_path / f"s{drop}.db", "select path, duplicate_of from articles order by path"))
        kept = {r["article_id"]: (r["length"], r["numbers"]) for r in db.query(f"select * from {duplicates.SHAPES_TABLE}")}
        original = rows(tmp_path / f"s{drop}.db", "select id, text from articles where path like '%003_4a%'")[0]
        shape = duplicates.shape(original["text"])
        assert kept[original["id"]] == (shape.length, " ".join(shape.numbers))
    assert found[0] == found[1] and sum(1 for r in found[0] if r["duplicate_of"]) == 1


@pytest.mark.parametrize("index_all", [False, True])
def test_sentences_carrying_a_claim_are_searchable(tmp_path: Path, index_all: bool) -> None:
    db = store.open_db(tmp_path / "s.db")
    article = tmp_path / "a.txt"
    article.write_text("软银集团宣布了新的计划。软银向 OpenAI 投资了 225 亿美元。\n"
                       "SoftBank announced a new plan. SoftBank invested $22.5 billion.\n", encoding="utf-8")
    pipeline.ingest([str(article)], db, index_all=index_all)
    words = {r["text"]: r["words"] for r in db.query("select text, words from sentences")}
    assert words["软银向 OpenAI 投资了 225 亿美元。"] and words["SoftBank invested $22.5 billion."]
    for plain in ("软银集团宣布了新的计划。", "SoftBank announced a new plan."):
        assert bool(words[plain]) is index_all  # no number, so not segmented unless asked
    def hits(q: str) -> int:
        return len(db.execute("select rowid from sentences_fts where sentences_fts match ?", [q]).fetchall())
    assert hits('"软银"') == (2 if index_all else 1) and hits('"SoftBank"') == (2 if index_all else 1)


def test_read_article_errors_are_input_errors(tmp_path: Path) -> None:
    (tmp_path / "e.txt").write_text(" \n\t\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        read_article(tmp_path / "e.txt")
