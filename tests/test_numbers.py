"""The number readers on their own: Chinese numerals, English number words, Arabic."""

from __future__ import annotations

import pytest

from extractor.numbers import (
    en_word_at,
    format_value,
    parse_arabic,
    parse_en_words,
    parse_zh,
    read_en,
    read_zh,
)


@pytest.mark.parametrize(
    "text,value",
    [
        ("二十万", 200000), ("一万五千亿", 1.5e12), ("两千四百五", 2450), ("一万三", 13000),
        ("九百九", 990), ("一千零五", 1005), ("一万零十二", 10012), ("四万万", 4e8),
        ("五十五兆一十二亿四万五千二", 55001200045200), ("4兆1300億", 4.13e12),
        ("2.5万亿", 2.5e12), ("1,100.9亿", 1.1009e11), ("3万4000", 34000),
        ("壹佰伍拾", 150), ("肆佰陸拾", 460), ("二〇一九", 2019), ("两千三点一", 2300.1),
        ("四百亿点零五零", 40000000000.05), ("一点五亿", 1.5e8), ("十 余 万", 100000),
        ("500余万", 5e6), ("半百", 50), ("百三", 130), ("五十打", 600), ("２．２亿", 2.2e8),
        ("三万亿五千亿", 3.5e12), ("5个亿", 5e8), ("万亿", 1e12),
    ],
)
def test_chinese(text: str, value: float) -> None:
    assert parse_zh(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["万", "万万", "亿万", "五十千", "二三十", "点五", ""])
def test_not_one_chinese_number(text: str) -> None:
    assert parse_zh(text) is None


@pytest.mark.parametrize(
    "text,value,end",
    [("五十千", 50, 2), ("三万四万", 30000, 2), ("两百点两", 200, 2), ("三点钟", 3, 1), ("二十余人", 20, 3)],
)
def test_chinese_reads_the_longest_number(text: str, value: float, end: int) -> None:
    r = read_zh(text, 0)
    assert r is not None and (r.value, r.end) == (value, end)


@pytest.mark.parametrize(
    "text,value",
    [
        ("one hundred and three", 103), ("twenty-two", 22), ("fifty - two", 52),
        ("three lakh crore", 3e12), ("322 hundred", 32200), ("a dozen", 12), ("3 dozens", 36),
        ("half a dozen", 6), ("two thirds", 2 / 3), ("a twenty-first", 1 / 21),
        ("one hundred thirty fifths", 100 / 35), ("one hundred and thirty fifths", 26),
        ("one hundred and three quarters", 100.75), ("twenty and three and three fifths", 23.6),
        ("one million and a half", 1.5e6), ("three quarters billion", 7.5e8),
        ("two and a half million", 2.5e6), ("three and a quarter billion", 3.25e9),
        ("two thirds of a million", 2e6 / 3), ("one over three", 1 / 3),
        ("two out of five hundred", 0.004), ("nine point nought four", 9.04),
        ("nought point eleven", 0.11), ("a hundred thousand trillionths", 1e-7),
    ],
)
def test_english(text: str, value: float) -> None:
    assert parse_en_words(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["billion", "twelve out of ten", "the", "two millionth", "and"])
def test_not_one_english_number(text: str) -> None:
    assert parse_en_words(text) is None


@pytest.mark.parametrize(
    "text,value",
    [("1,350", 1350), ("１，３５０", 1350), ("2e5", 2e5), ("2^5", 32), ("1.1^+23", 8.954302432552389),
     ("1.3x10^6", 1.3e6), ("1e999999", None), ("9^99999999", None), (".5", 0.5)],
)
def test_arabic(text: str, value: float | None) -> None:
    got = parse_arabic(text)
    if value is None:
        assert got is None  # not finite: the number is dropped, never an error
    else:
        assert got == pytest.approx(value)


@pytest.mark.parametrize("value,shown", [(13e9, "13000000000"), (2.5, "2.5"), (1 / 3, "0.3333333333")])
def test_format_value(value: float, shown: str) -> None:
    assert format_value(value) == shown


@pytest.mark.parametrize(
    ("text", "pos", "found"),
    [
        ("2 million", 2, True),
        ("2 MILLION", 2, True),
        ("5 and a half", 2, True),
        ("9 point 5", 2, True),
        ("5 apples", 2, False),
        ("5 millionaires", 2, False),
        ("5 ", 2, False),
        ("5", 1, False),
        ("三十", 0, False),
    ],
)
def test_en_word_at(text: str, pos: int, found: bool) -> None:
    assert en_word_at(text, pos) is found


@pytest.mark.parametrize("text", ["5 apples", "12.5 people said", "3\tcars", "2024 was", "1,000 Ships", ".5 of"])
def test_read_en_stops_at_a_figure_before_other_words(text: str) -> None:
    # What lets _read_plain skip read_en after a figure when no number word follows.
    figure_end = len(text.split()[0])
    got = read_en(text, 0)
    assert got is None or got.end <= figure_end
