"""English counts of any noun phrase: "45,000 warehouse jobs", "three new plants".

A whole number followed by up to a few modifier words and a plural head noun is a count;
the words that end such a phrase and the heads that are units are data in
rules/units.yaml (`noun_phrases`). The span takes the whole phrase, as counts do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from extractor import quantities as q
from extractor import rules
from extractor.errors import RuleError
from extractor.numbers import format_value

if TYPE_CHECKING:
    from extractor.quantities import _Item

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
    comparison: re.Pattern[str]
    collective: re.Pattern[str]
    min_elliptic: float


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
    def ending(key: str, tail: str = "") -> re.Pattern[str]:
        ws = sorted(words(key), key=len, reverse=True)
        alt = "|".join(re.escape(w).replace(r"\ ", r"[ \t]+") for w in ws) or r"(?!x)x"
        return re.compile(r"\b(?:" + alt + r")[ \t]+" + tail + "$", re.IGNORECASE)

    elliptic = data.get("min_elliptic", 10)
    if isinstance(elliptic, bool) or not isinstance(elliptic, int | float):
        raise RuleError(rules.path_of("units"), "noun_phrases.min_elliptic", "expected a number")
    return NounPhrases(str(data["id"]), n, words("skip_numerals"), words("stop_words"), words("not_heads"),
                       words("plural_heads"), words("actor_heads"), float(low), ending("comparison_words"),
                       ending("collective_nouns", r"(?:of[ \t]+)?"), float(elliptic))


def _plural(word: str) -> bool:
    w = word.lower()
    return len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "'s"))


# A product or series name right before a number makes it a model number: RTX 5090 GPUs,
# iPhone 17 cases.
_MODEL_BEFORE = re.compile(r"(?:\b[A-Z]{2,}|\b[a-z]+[A-Z][A-Za-z]*)[ \t]+$")
_NAME_BEFORE = re.compile(r"\b[A-Z][a-z]+[ \t]+$")
_SENTENCE_OPENERS = frozenset(".!?:;\n\"'“‘(*-—")


def count_phrase(norm: str, numeral: str, end: int, value: float, start: int = 0) -> tuple[int, str] | None:
    """Where the noun phrase counted by the number ending at `end` ends, and its head."""
    p = phrases()
    if p is None or value != int(value) or value < 0 or numeral.strip().lower() in p.skip:
        return None
    if start and _MODEL_BEFORE.search(norm, max(0, start - 24), start):
        return None
    name = _NAME_BEFORE.search(norm, max(0, start - 40), start) if start else None
    if name is not None:
        lead = norm[max(0, name.start() - 8):name.start()].rstrip(" \t")
        if lead and lead[-1] not in _SENTENCE_OPENERS:
            return None  # Chapter 11 proceedings, Section 230 cases: a name, not a count
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


_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?![\d,])|(?<![\w.,])\d+(?![\d,.])")
_FRONTED = re.compile(r"^[ \t]*of[ \t]+(?:the|its|their|these|those)[ \t]+(?:[a-z-]+[ \t]+){0,3}?[a-z]+s\b[^.;:]*,[ \t]*$",
                      re.IGNORECASE)
_NUMBER_OF = re.compile(r"\bnumber of[ \t]+(?:[a-z-]+[ \t]+){0,2}?[a-z]+s\b[^.;:]*\b(?:at|to|of|is|was|stood at)[ \t]+$",
                        re.IGNORECASE)


def elliptic_count(norm: str, start: int, value: float) -> str | None:
    """Why a bare English figure counts things its sentence names (see units.yaml
    `noun_phrases`), or None: "from about 8,200" after "4,900 units", "a workforce of
    roughly 2,600", "the number of store closures stands at 380", "Of the stores being
    closed, about 140 are..."."""
    p = phrases()
    if p is None or value != int(value) or value < p.min_elliptic:
        return None
    eng = q.engine()
    pos = start
    for _ in range(2):  # back over bound words: from about 8,200
        hit = eng.qual_before.before(norm, pos)
        if hit is None or not hit[0][:1].isascii():
            break
        pos = hit[2]
    before = norm[max(0, pos - 240):pos]
    ends = list(_SENTENCE_END.finditer(before))
    sentence = before[ends[-1].end():] if ends else before
    if p.collective.search(sentence) or _NUMBER_OF.search(sentence):
        return "a collective noun before it"
    if _FRONTED.match(sentence):
        return "the things its sentence opens with"
    if p.comparison.search(sentence):
        for m in _NUMBER.finditer(sentence):
            got = count_phrase(sentence, m.group(), m.end(), float(m.group().replace(",", "")))
            if got is not None:
                return f"the {got[1]} counted earlier in its sentence"
    return None


def bare_number_kind(norm: str, item: _Item) -> None:
    """What a number with no unit is, from the words around it: a share (two-thirds of,
    三分之二), a count of the noun phrase after it (45,000 warehouse jobs) or of the
    count noun before it (用户超过4200万), or the level of an index named in its sentence
    (fell 1.2% to 4,512.30). Sets the item's kind, unit, value and rule in place."""
    if item.num.fraction and 0 < item.value < 1 and item.num.per is None:
        # A share: 三分之二 (written as a fraction), a fifth of its value, two-thirds of staff.
        written = norm[item.num.start:item.num.end]
        # 三分之二, 十分之一: a simple fraction; 五百分之2.2 is a ratio, not a share.
        zh_written = (any(ch in _FRACTION_MARKS for ch in written) and len(written) <= 5
                      and not any(ch in ".点點百千万萬" for ch in written))
        if zh_written or _OF_AFTER.match(norm, item.end):
            item.kind, item.unit, item.rule = "percent", "percent", "percent.fraction"
            item.notes.append(f"{format_value(item.value)} of a whole is {format_value(q._decimal(item.value * 100))}%")
            item.value = q._decimal(item.value * 100)
        return
    if item.num.fraction or item.num.per is not None or item.num.vague:
        return
    if item.num.source == "zh" or (item.num.source == "arabic" and item.num.magnitude > 1):
        noun = _count_noun_before(norm, item.start)
        if noun is not None and item.value == int(item.value) and item.value >= 10:
            item.kind, item.unit, item.rule = "count", "count", "count.zh_noun_before"
            item.notes.append(f"counts {noun}, named before it")
        return
    value, end = item.value, item.end
    short = q.engine().short_magnitudes.after(norm, end, space=False) if item.num.source == "arabic" else None
    if short is not None and not (short[2] < len(norm) and norm[short[2]].isalnum()):
        value, end = q._times(value, float(short[1])), short[2]  # 2.5m units: m is a million here
    numeral = norm[item.num.start:item.num.end]
    if item.num.source == "arabic" and index_level(norm, item.start, numeral, item.value):
        levels = index_levels()
        item.kind, item.unit = "points", "points"
        item.rule = levels.rule if levels is not None else "points.index_level"
        item.notes.append("a level of the index named in its sentence")
        return
    got = count_phrase(norm, numeral, end, value, item.start)
    if got is None and end == item.end and item.num.source == "arabic":
        why = elliptic_count(norm, item.start, value)
        if why is not None:
            item.kind, item.unit, item.rule = "count", "count", "count.en_elliptic"
            item.notes.append(f"counts {why}")
            return
    if got is not None:
        if end != item.end:
            item.notes.append(f"{norm[item.end:end]} = {format_value(value / item.value if item.value else 1)}")
        item.kind, item.unit, item.end, item.value = "count", "count", got[0], value
        rules_of = phrases()
        item.rule = rules_of.rule if rules_of is not None else "count.en_phrase"
        item.notes.append(f"counts {got[1]}")


_OF_AFTER = re.compile(r"[ \t]+of\b", re.IGNORECASE)
_FRACTION_MARKS = frozenset("分")


def _count_noun_before(norm: str, start: int) -> str | None:
    """A count noun of the classifier rules right before a number, bound words and
    verbs of a level (超过, 达) between: 月活跃用户超过4200万."""
    eng = q.engine()
    nouns = next((r.nouns for r in eng.unit_rules if r.kind == "count" and r.nouns is not None
                  and r.after is not None and r.min_value_without_noun > 0), None)
    if nouns is None:
        return None
    pos = q._skip_markup_left(norm, start)
    for _ in range(2):
        hit = eng.qual_before.before(norm, pos) or eng.qual_fillers.before(norm, pos)
        if hit is None or q._is_latin(hit[0][0]):
            break
        pos = hit[2]
    noun = nouns.before(norm, pos)
    return None if noun is None or q._is_latin(noun[0][0]) else noun[0]
