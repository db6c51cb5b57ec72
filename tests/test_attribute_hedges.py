"""Hedge patterns with a first-character look-ahead find what the plain patterns find."""

from __future__ import annotations

import re

import pytest

from extractor import rules
from extractor.attribute import _first_char, _prefiltered, lexicon

FIRSTS = [
    # (trigger, the character every match starts with, or None when not plain to read)
    ("据报道", "据"),
    ("據.{1,20}?報導", "據"),
    (r"\bif\b", "i"),
    (r"\bshould\b (?:it|they|the)", "s"),
    (r"\bwants? to\b", "w"),
    ("a?b", None),  # optional first letter
    ("ab*", "a"),
    ("x{0,2}y", None),
    ("[Pp]lans", None),  # a class
    ("(?:plan|aim)s", None),  # a group
    ("plan|aim", None),  # an alternation outside a group
    ("pl(?:an|ot)", "p"),
    (r"\d+ 亿", None),  # an escape
    (r"\\bx", None),  # a backslash, then bx
    ("", None),
]


@pytest.mark.parametrize(("trigger", "first"), FIRSTS)
def test_first_char(trigger: str, first: str | None) -> None:
    assert _first_char(trigger) == first


SENTENCES = [
    "据路透社报道,软银计划向 OpenAI 追加投资约 300 亿美元,若交易完成,持股或将升至 11%。",
    "據彭博報導,台積電預計今年資本支出將達 400 億美元,若需求不如預期則可能下調。",
    "知情人士透露,微软希望将收入分成降至 8%,谈判中 OpenAI 提议以 33% 股权交换。",
    "Microsoft reportedly plans to invest $80 billion in data centers, people familiar said.",
    "If the deal falls through, SoftBank could lose $22.5 billion, according to people with knowledge.",
    "OpenAI is said to be seeking a valuation of $500 billion; it may raise more in talks with investors.",
    "Ifit, shoulder, planned-ish: IF THE PLAN FAILS, THE FORECAST WOULD BE MISSED.",
    "",
]


@pytest.mark.parametrize("text", SENTENCES)
def test_hedge_patterns_find_the_same(text: str) -> None:
    data = rules.load("hedges")["modalities"]
    for modality, _scope, rx in lexicon().hedges:
        plain = rules.check_regex("hedges", modality, "|".join(f"(?:{t})" for t in data[modality]["triggers"]))
        assert rx.pattern != plain.pattern  # every modality's triggers are plain to read today
        for lo in range(0, len(text) + 1, 7):
            for hi in (len(text), len(text) // 2 + lo // 2):
                got = [(m.span(), m.group()) for m in rx.finditer(text, lo, hi)]
                assert got == [(m.span(), m.group()) for m in plain.finditer(text, lo, hi)]


def test_unreadable_trigger_keeps_the_pattern() -> None:
    rx = re.compile("(?:据悉)|(?:[Pp]lans)", re.IGNORECASE)
    assert _prefiltered(rx, ["据悉", "[Pp]lans"]) is rx
    assert _prefiltered(rx, []) is rx


def test_case_is_still_ignored() -> None:
    rx = _prefiltered(re.compile(r"(?:\bplans? to\b)|(?:据悉)", re.IGNORECASE), [r"\bplans? to\b", "据悉"])
    assert [m.group() for m in rx.finditer("PLANS TO, Plan to, 据悉, explans to")] == ["PLANS TO", "Plan to", "据悉"]
