"""The faster ways attribution, repost finding and writing do their work give exactly what
the plain ways gave: each is checked here against the plain way, written out."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor import duplicates, entities, period_phrases, store

# --- duplicates.normalize: NFKC skipped when replacing full-width forms leaves it normalized


def _plain_normalize(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


@pytest.mark.parametrize("text", [
    "翠湾科技（CWT）第三季营收１２．５亿元，同比增长８％。",  # full-width digits and brackets
    "翠灣科技：營收達３４０億元；淨利？",  # Traditional, full-width colon
    "Lumen Rail said revenue rose 12% to $3.4 billion.",
    "ＡＢＣ　ｄｅｆ",  # full-width letters and the ideographic space
    "（\u0301）e\u0301 Å ﬁ ²",  # a combining mark after a bracket; ligature, superscript
    "ｶﾞｷﾞ",  # half-width katakana: composed by NFKC, not replaced one by one
    "",
])
def test_normalize_equals_nfkc(text: str) -> None:
    assert duplicates.normalize(text) == _plain_normalize(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("，：（）ａＡ１　 e\u0301\u0323ｶﾞ가\u1100\u1161ﬁ²Å\u212b。中文Ｑ"))))
def test_normalize_equals_nfkc_on_mixtures(text: str) -> None:
    assert duplicates.normalize(text) == _plain_normalize(text)


# --- entities._find_forms: the short-form alternation without compiling it


def _plain_forms(text: str, forms: list[str]) -> list[tuple[int, int, str]]:
    rx = re.compile("|".join((r"(?<![A-Za-z])" + re.escape(f) + r"(?![a-z])") if entities.is_latin(f)
                             else re.escape(f) for f in forms))
    return [(m.start(), m.end(), m.group()) for m in rx.finditer(text)]


@pytest.mark.parametrize("text, forms", [
    ("Korvane Labs said Korvane would buy Korvanex; korvane rose.", ["Korvane Labs", "Korvane"]),
    ("澜海半导体称，澜海将扩产；澜海半导体股价上涨。", ["澜海半导体", "澜海"]),
    ("Ostra and OstraNet: Ostra's unit", ["Ostra"]),
    ("nothing here", ["Ostra"]),  # no match
])
def test_find_forms_equals_alternation(text: str, forms: list[str]) -> None:
    forms = sorted(forms, key=len, reverse=True)
    assert entities._find_forms(text, forms) == _plain_forms(text, forms)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="abAB c.澜海-", max_size=40),
       st.lists(st.text(alphabet="abAB c.澜海-", min_size=1, max_size=4), min_size=1, max_size=5, unique=True))
def test_find_forms_equals_alternation_generated(text: str, forms: list[str]) -> None:
    forms = sorted(forms, key=len, reverse=True)
    assert entities._find_forms(text, forms) == _plain_forms(text, forms)


# --- entities._chinese_orgs: a body's substrings looked up instead of every word searched


def _plain_chinese_orgs(text: str, voc: entities.Vocabulary) -> list[tuple[int, int, str, str]]:
    out = []
    for m in voc.zh_suffix_re.finditer(text):
        after = voc.zh_generic_after.match(text, m.end())
        if after is not None and voc.zh_not_generic_after.match(text, m.end()) is None:
            continue
        lo = m.start()
        while lo > 0 and m.start() - lo < voc.zh_max_core + 2 and entities._CJK_RE.match(text[lo - 1]):
            lo -= 1
        body = text[lo : m.start()]
        cut = 0
        for b in voc.zh_boundaries:
            k = body.rfind(b)
            if k >= 0 and k + len(b) > cut:
                cut = k + len(b)
        body = body[cut:]
        for p in voc.zh_places:
            k = body.rfind(p)
            if k >= 0 and len(body) - k - len(p) >= 2:
                body = body[k + len(p):]
        if len(body) > voc.zh_max_core:
            body = body[-voc.zh_max_core :]
        if len(body) < 2 or body in voc.zh_not_names or any(body == p for p in voc.zh_places):
            continue
        if voc.zh_suffix_re.fullmatch(body):
            continue
        s = m.start() - len(body)
        out.append((s, m.end(), text[s : m.end()], body))
    return out


def test_chinese_orgs_equal_the_plain_scan() -> None:
    voc = entities.vocabulary()
    # Every boundary word and leading place before every suffix, with invented cores.
    suffixes = ["集团", "半导体", "资本", "科技"]
    texts = [f"{b}{p}澜海{s}宣布扩产。" for b in [*voc.zh_boundaries[:40], ""] for p in [*voc.zh_places[:12], ""]
             for s in suffixes]
    texts += ["翠湾科技与澜海半导体合作。", "据悉，北京星澜资本领投。", "半导体集团", "在日本澜海集团旗下"]
    for text in texts:
        assert entities._chinese_orgs(text, voc) == _plain_chinese_orgs(text, voc), text


# --- period_phrases: each pattern scanned by RulePattern finds what its finditer finds


@pytest.mark.parametrize("text", [
    "Lumen Rail's revenue in the third quarter of 2025 rose 12%; Q3 2025 margins, H1 2024 and FY2026 guidance.",
    "For the nine months of 2025, sales from July to September rose; last quarter was weaker than a year earlier.",
    "翠湾科技2025年第三季度营收增长12%，上半年净利润下降；前三季度收入与去年同期相比上升，今年7-9月出货量创新高。",
    "翠灣科技2025年第三季營收增長，下半年度展望樂觀；2026財年目標不變，上季度毛利率回升。",
    "No period is named in this sentence at all.",  # nothing
    "澜海集团宣布扩产。",  # nothing
])
def test_period_patterns_scan_as_finditer(text: str) -> None:
    pr = period_phrases.period_rules()
    for rx in [*(p.regex for p in pr.patterns), pr.relative_re, pr.year_earlier_re]:
        assert [m.span() for m in period_phrases._fast(rx).finditer(text)] == [m.span() for m in rx.finditer(text)]


# --- store.memory_journals: in memory while writing, as it was afterwards


def test_memory_journals_set_and_restored(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = store.open_db(tmp_path / "c.db")
    before = db.execute("PRAGMA temp_store").fetchone()[0]
    assert before != 2
    with store.memory_journals(db):
        assert db.execute("PRAGMA temp_store").fetchone()[0] == 2
    assert db.execute("PRAGMA temp_store").fetchone()[0] == before


def test_memory_journals_leave_temporary_tables_alone(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = store.open_db(tmp_path / "c.db")
    db.execute("create temp table kept (x)")
    db.execute("insert into kept values (1)")
    with store.memory_journals(db):
        assert db.execute("PRAGMA temp_store").fetchone()[0] != 2  # changing it would drop `kept`
    assert db.execute("select x from kept").fetchall() == [(1,)]
