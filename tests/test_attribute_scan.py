"""The split word scanner finds exactly what the single trie regex finds."""

from __future__ import annotations

import random
import re

import pytest

from extractor.attribute import _CAPITALIZED_RE, Scanner, _alternation, lexicon

SENTENCES = [
    "据路透社报道,微软与 OpenAI 正在重新谈判合作条款,微软或将持有新公司约 30% 的股份。",
    "軟銀集團周三表示,將向 OpenAI 追加投資 225 億美元,使其總投資額達到 300 億美元。",
    "輝達執行長黃仁勳在台北表示,公司本季營收預計為 450 億美元,毛利率約 72%。",
    "Alphabet's Google agreed to invest up to $2 billion in Anthropic, the startup said on Friday.",
    "Microsoft's revenue share from OpenAI falls to 8% by 2030, according to people familiar with the talks.",
    "Softbank Grp and Open-AI said the Stargate venture would spend $500 billion over four years.",
    "阿里巴巴集团(Alibaba Group)第二财季营收 2477 亿元,同比增长 5%;云智能集团收入增长 26%。",
    "The Information reported that Anthropic's annualized revenue hit $5 billion in August.",
    "腾讯控股 2024 年资本开支约 767 亿元,员工总数 110558 人。",
    "",
]


def _single(words: list[str], text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in re.compile(_alternation(words), re.IGNORECASE).finditer(text)]


@pytest.mark.parametrize("text", SENTENCES)
def test_lexicon_scanners_match_their_regexes(text: str) -> None:
    lex = lexicon()
    for scanner, rx in ((lex.entity_scan, lex.entity_re), (lex.trigger_scan, lex.trigger_re)):
        assert scanner.find(text) == [(m.start(), m.end(), m.group()) for m in rx.finditer(text)]


def test_lexicon_scanners_are_split() -> None:
    lex = lexicon()
    assert len(lex.entity_scan.parts) == 2
    assert len(lex.trigger_scan.parts) == 2


WORDS = ["微软", "微软公司", "openai", "open", "软银", "收入", "revenue", "revenue share", "芯片ai", "ai", "营收"]

CASES = [
    # (text, the words found in order)
    ("微软公司与OpenAI签约", ["微软公司", "OpenAI"]),
    ("OpenAIs revenue", ["revenue"]),  # Latin words whole: OpenAIs is no word
    ("Revenue Share fell; revenue rose", ["Revenue Share", "revenue"]),
    ("软银的芯片AI业务营收", ["软银", "芯片AI", "营收"]),  # the Chinese word wins over the Latin inside it
    ("芯片ai ai", ["芯片ai", "ai"]),
    ("AI芯片ai", ["AI", "芯片ai"]),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_split_scanner_on_mixed_words(text: str, expected: list[str]) -> None:
    found = Scanner.of(WORDS).find(text)
    assert found == _single(WORDS, text)
    assert [w for _, _, w in found] == expected


def test_overlap_between_parts_takes_the_leftmost() -> None:
    # 芯片ai (Chinese part) covers ai (Latin part): the scanner merges as the regex does.
    words = ["芯片ai", "ai芯"]
    text = "芯片ai芯片ai芯"
    assert Scanner.of(words).find(text) == _single(words, text)


def test_first_letters_equal_ignoring_case_keep_one_regex() -> None:
    # ſ (long s) matches s ignoring case, so a position could begin a word of either part.
    words = ["sam", "ſun"]
    scanner = Scanner.of(words)
    assert len(scanner.parts) == 1
    for text in ("sam ſun SUN ſam", "Sun"):
        assert scanner.find(text) == _single(words, text)


def test_no_words_match_nothing() -> None:
    assert Scanner.of([]).find("anything 任何") == []


def test_random_words_and_texts() -> None:
    rng = random.Random(7)
    alphabet = "aAbB1 -中文甲"
    for _ in range(300):
        words = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))).strip() for _ in range(rng.randint(1, 6))]
        scanner = Scanner.of(words)
        for _ in range(5):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
            assert scanner.find(text) == _single(words, text), (words, text)


OLD_CAPITALIZED = re.compile(r"(?<![A-Za-z])[A-Z][A-Za-z]+(?:[ -][A-Z][A-Za-z]+)*")


@pytest.mark.parametrize("text", [*SENTENCES, "A", "xAb", "1Ab Cd", "AbCd-Ef Gh", "é Softbank", "SoftBank-Grp's OpenAI"])
def test_capitalized_runs_as_before(text: str) -> None:
    assert [m.span() for m in _CAPITALIZED_RE.finditer(text)] == [m.span() for m in OLD_CAPITALIZED.finditer(text)]
