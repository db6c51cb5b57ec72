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


def count_phrase(norm: str, numeral: str, end: int, value: float) -> tuple[int, str] | None:
    """Where the noun phrase counted by the number ending at `end` ends, and its head."""
    p = phrases()
    if p is None or value != int(value) or value < 0 or numeral.strip().lower() in p.skip:
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
            if low in p.not_heads or (low in p.actor_heads and value < p.min_for_actors):
                return None
            return m.end(), word
        pos = m.end()
    return None
