"""Signed changes: 跌3.7% is -3.7, "wiping $41 billion off" a negative amount.

A number is a change when a word of a move stands right before it (bound words such as
逾 or "as much as", and a colon, may stand between), or when a verb of a cut stands
earlier in its clause with its object between (trim capital spending by $2 billion,
拉低毛利率1个百分点). A fall is stored negative and every change gets a `direction`.
The qualifier still applies to the magnitude: 跌逾8% is -8, more_than.
The words are data in `rules/changes.yaml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from extractor import rules
from extractor.errors import RuleError
from extractor.quantities import Engine, Quantity, WordTable, engine
from extractor.scripts import fold

# Kinds of claim a move signs; counts (cut 1,450 jobs) and durations never are.
_MOVE_UNITS = frozenset({"percent", "percentage_points", "points"})
# What a cut verb signs: amounts and points, not rates.
_CUT_UNITS = frozenset({"percentage_points", "points"})
_CLAUSE_END = re.compile(r"[，。；;！？!?\n]|[,.](?!\d)")
_COLON = " \t:：*"
# A digit between a cut verb and its amount, other than a year's (削减2026年资本开支).
_YEARLESS_DIGIT = re.compile(r"\d(?<!\d{4}(?=年))(?!\d*年)")
_OPENING = frozenset("(（")


@dataclass(frozen=True)
class Moves:
    words: WordTable
    cut_verbs: re.Pattern[str]
    cut_window: int
    same_move: WordTable
    levels: WordTable
    down_after: re.Pattern[str]
    nouns_after: re.Pattern[str]
    noun_direction: dict[str, str]
    not_for_money: frozenset[str]


@cache
def moves() -> Moves:
    data = rules.load("changes")
    words: dict[str, str] = {}
    for direction in ("down", "up"):
        for w in fold(rules.string_list("changes", direction, rules.require("changes", data, direction, list))):
            words.setdefault(w, direction)
    cuts = fold(rules.string_list("changes", "cut_verbs", data.get("cut_verbs", [])))
    alt = "|".join(
        (rf"\b{re.escape(w)}\b" if w.isascii() else re.escape(w))
        for w in sorted(set(cuts), key=len, reverse=True)
    ) or r"(?!x)x"
    window = data.get("cut_window", 48)
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise RuleError(rules.path_of("changes"), "cut_window", "expected a positive number of characters")
    same = rules.string_list("changes", "same_move", data.get("same_move", []))
    levels = rules.string_list("changes", "levels", data.get("levels", []))
    after = rules.string_list("changes", "down_after", data.get("down_after", []))
    after_alt = "|".join(re.escape(w) for w in sorted(after, key=len, reverse=True)) or r"(?!x)x"
    # "of", at most four words with no clause break, then the word
    down_after = re.compile(r"[ \t]+of(?:[ \t]+[\w'-]+){0,4}?[ \t]+(?:" + after_alt + r")\b", re.IGNORECASE)
    nouns: dict[str, str] = {}
    for direction in ("down", "up"):
        for w in rules.string_list("changes", f"{direction}_nouns", data.get(f"{direction}_nouns", [])):
            nouns.setdefault(w.lower(), direction)
    noun_alt = "|".join(re.escape(w) for w in sorted(nouns, key=len, reverse=True)) or r"(?!x)x"
    nouns_after = re.compile(r"(?:[ \t]+[A-Za-z]+(?:-[A-Za-z]+)*)??[ \t]+(" + noun_alt + r")\b", re.IGNORECASE)
    return Moves(WordTable(words, flexible=True), re.compile(alt, re.IGNORECASE), window,
                 WordTable({w: True for w in same}), WordTable({w: True for w in levels}), down_after,
                 nouns_after, nouns,
                 frozenset(w.lower() for w in rules.string_list("changes", "not_for_money", data.get("not_for_money", []))))


def _signable(q: Quantity, units: frozenset[str]) -> bool:
    return q.value is not None and (q.kind == "money" or q.unit in units)


def _skip_left(norm: str, pos: int, eng: Engine) -> int:
    """Back over bound words and markup before a number: 跌**逾**6%, down as much as 13%."""
    for _ in range(3):
        while pos > 0 and norm[pos - 1] in _COLON:
            pos -= 1
        hit = eng.qual_before.before(norm, pos)
        if hit is None:
            filler = eng.qual_fillers.before(norm, pos)
            if filler is None:
                break
            pos = filler[2]
            continue
        word, _, start = hit
        if word[0].isascii() and word[0].isalpha() and start > 0 and norm[start - 1].isalpha() and norm[start - 1].isascii():
            break
        pos = start
    return pos


def _move_before(norm: str, pos: int, m: Moves, money: bool) -> str | None:
    hit = m.words.before(norm, pos)
    if hit is None:
        return None
    word, direction, start = hit
    if word[0].isascii() and start > 0 and norm[start - 1].isascii() and norm[start - 1].isalpha():
        return None
    if money and " ".join(word.lower().split()) in m.not_for_money:
        return None
    return str(direction)


def _cut_before(norm: str, pos: int, m: Moves) -> bool:
    """A cut verb earlier in the clause, its object between: "trim X by", "拉低X"."""
    lo = max(0, pos - m.cut_window)
    window = norm[lo:pos]
    ends = list(_CLAUSE_END.finditer(window))
    if ends:
        window = window[ends[-1].end():]
    verbs = list(m.cut_verbs.finditer(window))
    if not verbs:
        return False
    verb = verbs[-1]
    between = window[verb.end():]
    if verb.group().isascii():
        return re.search(r"\bby[ \t]*$", between, re.IGNORECASE) is not None
    if _YEARLESS_DIGIT.search(between):
        return False  # another number stands between: the verb is its own
    return not between.strip() or between.strip()[-1] not in "的将將把"


def sign(norm: str, quantities: list[Quantity]) -> list[Quantity]:
    """Give each change its direction and each fall its minus sign."""
    eng = engine()
    m = moves()
    out: list[Quantity] = []
    prev: Quantity | None = None
    for q in quantities:
        direction: str | None = None
        if _signable(q, _MOVE_UNITS):
            pos = _skip_left(norm, q.start, eng)
            direction = _move_before(norm, pos, m, q.kind == "money")
            if direction is None and q.unit == "percent" and m.down_after.match(norm, q.end):
                direction = "down"
            if direction is None:
                noun = m.nouns_after.match(norm, q.end)
                if noun is not None:
                    direction = m.noun_direction[noun.group(1).lower()]
            if direction is None and m.levels.before(norm, pos) is None:
                direction = _same_as(norm, q, pos, prev, m)
                if direction is None and _signable(q, _CUT_UNITS) and _cut_before(norm, pos, m):
                    direction = "down"
        if direction is not None:
            q = _signed(q, direction)
        out.append(q)
        prev = q
    return out


def _same_as(norm: str, q: Quantity, pos: int, prev: Quantity | None, m: Moves) -> str | None:
    """The direction of the change just before, when this one restates it: "lost 441
    points, or 1.9%", or the same amount in another currency (蒸发约742亿美元（约合人民币
    5371亿元）, about US$74 billion. 約740億美元)."""
    if prev is None or prev.direction is None:
        return None
    joint = m.same_move.before(norm, pos)
    if joint is not None and norm[prev.end:joint[2]].strip(" \t,，") == "":
        return prev.direction
    between = norm[prev.end:pos]
    if (q.kind == "money" and prev.kind == "money" and len(between) <= 4 and not between.strip(" \t,，.。(（")
            and (pos < q.start or any(c in _OPENING for c in between))):
        return prev.direction  # a bound word (约合) or a bracket: a conversion
    return None


def _signed(q: Quantity, direction: str) -> Quantity:
    if direction != "down" or q.value is None or q.value < 0:
        return replace(q, direction=direction)
    value_max = -q.value_max if q.value_max is not None and q.value_max > 0 else q.value_max
    return replace(q, value=-q.value, value_max=value_max, direction=direction,
                   explanation=q.explanation + " (a fall: stored negative)")
