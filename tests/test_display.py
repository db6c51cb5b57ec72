"""How quotes, periods and sources read: extractor/display.py."""

from __future__ import annotations

import pytest

from extractor.display import cells, period_words, plain, source_name, window, wrap


@pytest.mark.parametrize(
    ("text", "number", "want"),
    [
        ("微软已投入**130 亿美元**。", "130 亿美元", "微软已投入130 亿美元。"),
        ("## 標題：軟銀投資 __40 億美元__", "40 億美元", "標題：軟銀投資 40 億美元"),
        ("> Quoted: the *fund* raised $2 billion.", "$2 billion", "Quoted: the fund raised $2 billion."),
        ("Per [the filing](https://x.example/f) it is 12%.", "12%", "Per the filing it is 12%."),
        ("- Revenue rose `8%` to ¥3 trillion", "¥3 trillion", "Revenue rose 8% to ¥3 trillion"),
        ("3 * 4 = 12 and 5*6 stays", "12", "3 * 4 = 12 and 5*6 stays"),  # lone asterisks are text
        ("No markup: 27% stake.", "27%", "No markup: 27% stake."),
    ],
)
def test_plain_removes_markup_and_moves_the_number(text: str, number: str, want: str) -> None:
    start = text.index(number)
    cleaned, (span,) = plain(text, [(start, start + len(number))])
    assert cleaned == want
    assert span is not None and cleaned[span[0] : span[1]] == number


def test_plain_drops_spans_that_do_not_fit() -> None:
    assert plain("**x** 5%", [(0, 2), (None, 3), (40, 50)])[1] == [None, None, None]


def test_window_centres_the_number_in_a_long_sentence() -> None:
    sentence = "据接近交易的人士透露，在经历长达数月的谈判与多轮估值调整之后，软银同意投资45亿美元，以换取董事会的两个席位并获得优先认购权。"
    start = sentence.index("45亿美元")
    left, before, number, after, right = window(sentence, start, start + len("45亿美元"), 40)
    assert number == "45亿美元" and left == right == "…"
    assert cells(before + number + after) <= 40
    assert abs(cells(before) - cells(after)) <= 2  # centred
    short = window("Revenue rose 8%.", 13, 15, 80)
    assert short == ("", "Revenue rose ", "8%", ".", "")


def test_wrap_never_splits_the_number() -> None:
    lines = wrap([("软银同意向该合资公司投资", False), ("[45 亿美元]", True), ("以换取董事会席位", False)], 28)
    assert all(sum(cells(t) for t, _ in line) <= 28 for line in lines)
    assert [t for line in lines for t, keep in line if keep] == ["[45 亿美元]"]


@pytest.mark.parametrize(
    ("period", "want"),
    [
        ("2019..2019-07", "2019 to Jul 2019"),
        ("2026..2030", "2026–2030"),
        ("2025-10-28", "28 Oct 2025"),
        ("2025-Q3", "Q3 2025"),
        ("2026-H2", "H2 2026"),
        ("2025-9M", "first 9 months of 2025"),
        ("2025-05..", "from May 2025"),
        ("..2030", "until 2030"),
        ("", ""),
        (None, ""),
        ("sometime", "sometime"),
    ],
)
def test_period_words(period: str | None, want: str) -> None:
    assert period_words(period) == want


@pytest.mark.parametrize(
    ("outlet", "title", "path", "url", "want"),
    [
        ("Harbor Ledger", "A headline", "/data/a.md", "https://h.example/a", "Harbor Ledger"),
        (None, "A headline", "/data/a.md", "https://www.h.example/a?x=1", "h.example"),
        ("", "A headline", "/data/story/a.md", None, "A headline"),
        (None, None, "/data/story/a.md", None, "a.md"),
        (None, "", "C:\\news\\b.txt", "javascript:alert(1)", "b.txt"),
        (None, None, None, None, "unknown source"),
    ],
)
def test_source_name(outlet: str | None, title: str | None, path: str | None, url: str | None, want: str) -> None:
    assert source_name(outlet, title, path, url) == want
