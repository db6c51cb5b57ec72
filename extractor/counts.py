"""English counts of any noun phrase: "30,000 construction jobs", "three new plants".

A whole number followed by up to a few modifier words and a plural head noun is a count;
the words that end such a phrase and the heads that are units are data in
rules/units.yaml (`noun_phrases`). The span takes the whole phrase, as counts do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from extractor import rules
from extractor.errors import RuleError

_WORD = re.compile(r"[ \t]+([A-Za-z][A-Za-z'-]*)")


@dataclass(frozen=True)
class NounPhrases:
    rule: str
    max_modifiers: int
    skip: frozenset[str]
    stop: frozenset[str]
    not_heads: frozenset[str]
    plural_heads: frozenset[str]
    actor_heads: frozenset[str]
    min_for_actors: float


@cache
def phrases() -> NounPhrases | None:
    data = rules.load("units").get("noun_phrases")
    if data is None:
        return None
    if not isinstance(data, dict) or "id" not in data:
        raise RuleError(rules.path_of("units"), "noun_phrases", "expected a mapping with an id")
    n = data.get("max_modifiers", 3)
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise RuleError(rules.path_of("units"), "noun_phrases.max_modifiers", "expected a whole number")

    def words(key: str) -> frozenset[str]:
        return frozenset(w.lower() for w in rules.string_list("units", f"noun_phrases.{key}", data.get(key, [])))

    low = data.get("min_for_actors", 10)
    if isinstance(low, bool) or not isinstance(low, int | float):
        raise RuleError(rules.path_of("units"), "noun_phrases.min_for_actors", "expected a number")
    return NounPhrases(str(data["id"]), n, words("skip_numerals"), words("stop_words"), words("not_heads"),
                       words("plural_heads"), words("actor_heads"), float(low))


def _plural(word: str) -> bool:
    w = word.lower()
    return len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "'s"))


# A product or series name right before a number makes it a model number: RTX 5090 GPUs,
# iPhone 17 cases.
_MODEL_BEFORE = re.compile(r"(?:\b[A-Z]{2,}|\b[a-z]+[A-Z][A-Za-z]*)[ \t]+$")


def count_phrase(norm: str, numeral: str, end: int, value: float, start: int = 0) -> tuple[int, str] | None:
    """Where the noun phrase counted by the number ending at `end` ends, and its head."""
    p = phrases()
    if p is None or value != int(value) or value < 0 or numeral.strip().lower() in p.skip:
        return None
    if start and _MODEL_BEFORE.search(norm, max(0, start - 24), start):
        return None
    pos = end
    for _ in range(p.max_modifiers + 1):
        m = _WORD.match(norm, pos)
        if m is None:
            return None
        word = m.group(1)
        low = word.lower()
        if low in p.stop or word[0].isupper() or word.endswith("'") or low.endswith("'s"):
            return None  # a function word, a name or a possessive: no noun phrase here
        if _plural(word) or low in p.plural_heads:
            nxt = _WORD.match(norm, m.end())
            if nxt is not None and _plural(nxt.group(1)) and nxt.group(1).lower() not in p.stop | p.not_heads \
                    and not nxt.group(1)[0].isupper():
                pos = m.end()
                continue  # "graphics cards": the head is the last noun
            if low in p.not_heads or (low in p.actor_heads and value < p.min_for_actors):
                return None
            return m.end(), word
        pos = m.end()
    return None


@dataclass(frozen=True)
class IndexLevels:
    rule: str
    index_words: re.Pattern[str]
    level_words: frozenset[str]
    min_value: float


@cache
def index_levels() -> IndexLevels | None:
    data = rules.load("units").get("index_levels")
    if data is None:
        return None
    if not isinstance(data, dict) or "id" not in data:
        raise RuleError(rules.path_of("units"), "index_levels", "expected a mapping with an id")
    words = rules.string_list("units", "index_levels.index_words", data.get("index_words", []))
    alt = "|".join((rf"\b{re.escape(w)}\b" if w.isascii() else re.escape(w))
                   for w in sorted(words, key=len, reverse=True)) or r"(?!x)x"
    low = data.get("min_value", 100)
    if isinstance(low, bool) or not isinstance(low, int | float):
        raise RuleError(rules.path_of("units"), "index_levels.min_value", "expected a number")
    levels = rules.string_list("units", "index_levels.level_words", data.get("level_words", []))
    return IndexLevels(str(data["id"]), re.compile(alt, re.IGNORECASE),
                       frozenset(w.lower() for w in levels), float(low))


_SENTENCE_END = re.compile(r"[.。!?！？;；\n](?!\d)")
_LAST_WORD = re.compile(r"([A-Za-z]+|[^\sA-Za-z\d]{1,2})[ \t]*$")


def index_level(norm: str, start: int, numeral: str, value: float) -> bool:
    """A bare figure after a level word in a sentence naming an index: its level in points."""
    p = index_levels()
    if p is None or value < p.min_value or not ("." in numeral or "," in numeral):
        return False
    before = norm[max(0, start - 200):start]
    ends = list(_SENTENCE_END.finditer(before))
    clause = before[ends[-1].end():] if ends else before
    m = _LAST_WORD.search(clause)
    if m is None:
        return False
    word = m.group(1).lower()
    if word not in p.level_words and word[-1:] not in p.level_words:
        return False
    return p.index_words.search(clause) is not None
