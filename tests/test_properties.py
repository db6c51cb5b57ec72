"""Properties of the engine: numbers written out in words come back as the same number,
any text can be read without an error, offsets always slice the surface exactly, and
worst-case inputs finish in linear time."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.quantities import engine, extract, numbers

engine()  # compile the rules once, outside the timed examples

DIGITS = "零一二三四五六七八九"
EN_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
           "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
           "eighteen", "nineteen"]
EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _zh_section(n: int, leading_zero: bool) -> str:
    """0 < n < 10000 in Chinese numerals, with 零 where a digit is skipped."""
    out = ""
    zero = leading_zero
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d == 0:
            zero = bool(out) or zero
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[d] + unit
    return out


def to_chinese(n: int, traditional: bool = False) -> str:
    """1 ≤ n < 10^16 as Chinese numerals with 万/亿 sections, 兆 (Taiwan) or 万亿 (mainland)
    for 10^12: 四亿五千六百四十二万零一十五."""
    bigs = ["", "萬", "億", "兆"] if traditional else ["", "万", "亿", "万亿"]
    parts = []
    sections = [(n // 10 ** (4 * i)) % 10000 for i in range(4)]
    top = max(i for i, s in enumerate(sections) if s)
    for i in range(top, -1, -1):
        s = sections[i]
        if s == 0:
            continue
        gap = i < top and (sections[i + 1] == 0 or s < 1000)
        parts.append(_zh_section(s, gap) + bigs[i])
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


def _en_below_1000(n: int) -> list[str]:
    words = []
    if n >= 100:
        words += [EN_ONES[n // 100], "hundred"]
        n %= 100
        if n:
            words.append("and")
    if n >= 20:
        words.append(EN_TENS[n // 10] + (f"-{EN_ONES[n % 10]}" if n % 10 else ""))
    elif n or not words:
        words.append(EN_ONES[n])
    return words


def to_english(n: int) -> str:
    """0 ≤ n < 10^15 in English words: one hundred and three thousand, twenty-two."""
    if n == 0:
        return "zero"
    words: list[str] = []
    for scale, name in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (10**3, "thousand"), (1, "")):
        part = n // scale % 1000
        if part:
            words += _en_below_1000(part) + ([name] if name else [])
    return " ".join(words)


def _only_number(text: str) -> float | None:
    found = extract(text, all_numbers=True)
    assert len(found) == 1, [(q.text, q.value) for q in found]
    (q,) = found
    assert q.text == text
    return q.value


# Values are floats: integers stay exact below 2^53.
@given(st.integers(min_value=1, max_value=2**53), st.booleans())
def test_chinese_numerals_read_back(n: int, traditional: bool) -> None:
    assert _only_number(to_chinese(n, traditional)) == n


@pytest.mark.parametrize("n,written", [(456420015, "四亿五千六百四十二万零一十五"), (10, "十"),
                                       (100010, "十万零一十"), (1500000000000, "一万亿五千亿"),
                                       (3500000000000, "三万亿五千亿")])
def test_renderer_matches_usage(n: int, written: str) -> None:
    assert to_chinese(n) == written


@given(st.integers(min_value=0, max_value=10**15 - 1))
def test_english_words_read_back(n: int) -> None:
    assert _only_number(to_english(n)) == n


@given(
    st.integers(min_value=1, max_value=999),
    st.sampled_from([("thousand", 10**3), ("million", 10**6), ("billion", 10**9), ("trillion", 10**12),
                     ("万", 10**4), ("亿", 10**8), ("億", 10**8), ("萬億", 10**12)]),
    st.sampled_from(["", " "]),
)
def test_arabic_with_magnitude_words(n: int, magnitude: tuple[str, int], space: str) -> None:
    word, scale = magnitude
    if word.isascii():
        space = " "
    assert _only_number(f"{n:,}{space}{word}") == n * scale


@given(st.integers(min_value=0, max_value=10**12))
def test_arabic_with_thousands_separators(n: int) -> None:
    assert _only_number(f"{n:,}") == n
    assert _only_number(f"{n:,}".replace(",", "，")) == n


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text_reads_without_error(text: str) -> None:
    for q in extract(text, all_numbers=True, mentions=True) + numbers(text):
        assert text[q.start : q.end] == q.text
        assert q.value is None or math.isfinite(q.value)


ALPHABET = st.sampled_from(list("0123456789,.，．%％-－ 亿億万萬兆千百十一二两三零点分之又负$€¥元美元年月日倍成折")
                           + ["billion", " and ", "half", "percent", "hundred", "thirds", "a ", "RMB", "US$"])


@settings(max_examples=300)
@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_number_like_text_keeps_offsets(text: str) -> None:
    for q in extract(text, all_numbers=True) + numbers(text):
        assert text[q.start : q.end] == q.text
        assert q.value is None or math.isfinite(q.value)


# Worst cases: a generous time bound catches quadratic scans and regex backtracking (a
# quadratic reader takes hours on these, a linear one seconds).
WORST = {
    "200k digits": "1" * 200_000,
    "100k 亿": "亿" * 100_000,
    "digits and commas": "1," * 50_000,
    "digits and spaces": "1 " * 50_000,
    "digits and dots": "1." * 50_000,
    "commas": "," * 200_000,
    "spaces then a digit": " " * 200_000 + "1",
    "number words": "one " * 30_000,
    "and chains": "one and " * 15_000,
    "Chinese digits": "一二三四五六七八九" * 20_000,
    "unit run": "十百千万亿" * 20_000,
    "fractions": "三分之" * 30_000,
    "minus signs": "-" * 200_000 + "5",
    "huge power": "9^99999999 1e999999 " * 1000,
    "long word": "a" * 200_000,
    "email-like": "x." * 100_000 + "@",
}


@pytest.mark.timeout(20)
@pytest.mark.parametrize("text", list(WORST.values()), ids=list(WORST))
def test_worst_cases_finish(text: str) -> None:
    for q in extract(text, all_numbers=True) + numbers(text):
        assert text[q.start : q.end] == q.text
        assert q.value is not None and math.isfinite(q.value)


@pytest.mark.timeout(20)
def test_one_megabyte_line() -> None:
    sentence = "微软已向 OpenAI 投入了超过 130 亿美元，约 $13 billion (20%)，二十万名员工；"
    text = sentence * (1_000_000 // len(sentence.encode()) + 1)
    found = extract(text)
    assert len(found) >= 4 * (len(text) // len(sentence))
    assert all(text[q.start : q.end] == q.text for q in found[:1000])
