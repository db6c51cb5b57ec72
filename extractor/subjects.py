"""English names for entities an article writes only in Chinese, and subject conventions
that attribute.py's clause reading does not decide on its own.

A company named only in Chinese (华泰能源, no English form anywhere in the corpus) gets a
canonical English name the way English-language coverage writes such names: the body in
pinyin, run together and capitalised, and the organisation suffix translated (华泰能源 →
"Huatai Energy", 嘉信科技集团 → "Jiaxin Technology Group"). The translations are data in
`rules/discovery.yaml` (`chinese_suffix_english`); pinyin comes from `pypinyin`, imported
only when an article has such a name. A romanised name never wins over an English name
a text gives: `entities.link` prefers the written one.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from extractor import rules
from extractor.errors import RuleError

_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
ROMANISED = "romanised from the Chinese name"  # the `how` of the alias row a romanised name gets


@cache
def _suffixes() -> tuple[tuple[str, str], ...]:
    """(Simplified suffix, English) longest first."""
    from extractor.entities import fold

    raw = rules.load("discovery").get("chinese_suffix_english") or {}
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        raise RuleError(rules.path_of("discovery"), "chinese_suffix_english", "expected 后缀: English")
    pairs = {fold(k): v.strip() for k, v in raw.items()}
    return tuple(sorted(pairs.items(), key=lambda kv: len(kv[0]), reverse=True))


@cache
def _pinyin() -> Any:
    from pypinyin import lazy_pinyin  # ~0.2 s of dictionaries: only for an article that needs it

    return lazy_pinyin


@lru_cache(maxsize=4096)
def romanise(name: str) -> str | None:
    """The English form of an all-Chinese organisation name, or None when it is not one
    (a Latin letter in it, no Chinese body left once the suffixes are translated)."""
    from extractor.entities import fold

    s = fold(name)
    if not s or not all(_CJK_RE.match(ch) for ch in s):
        return None
    tail: list[str] = []
    # Suffixes read from the end (科技集团 → Technology Group); the body keeps two characters.
    while len(s) > 2:
        hit = next(((k, v) for k, v in _suffixes() if s.endswith(k) and len(s) - len(k) >= 2), None)
        if hit is None:
            break
        s = s[: -len(hit[0])]
        if hit[1]:
            tail.insert(0, hit[1])
    syllables = [p for p in _pinyin()(s) if p.isascii() and p.isalpha()]
    if len(syllables) != len(s):
        return None
    body = "".join(syllables).capitalize()
    return " ".join([body, *tail])


@dataclass(frozen=True)
class DealWords:
    verbs: re.Pattern[str]
    completed_after: tuple[str, ...]
    completed_verbs: re.Pattern[str]
    passive: re.Pattern[str]
    acquired_by: re.Pattern[str]
    bid: re.Pattern[str]
    investee_metrics: frozenset[str]
    investee_triggers: frozenset[str]
    possessive: re.Pattern[str]
    pair: re.Pattern[str]
    deal_terms: re.Pattern[str]


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def deal_words() -> DealWords:
    data = rules.load("subjects")

    def words(key: str) -> list[str]:
        out = rules.string_list("subjects", key, data.get(key))
        if not out:
            raise RuleError(rules.path_of("subjects"), key, "needs at least one word")
        return out

    def rx(key: str) -> re.Pattern[str]:
        # English words whole (not "acquire" inside "acquired"); Chinese as written.
        return re.compile(rf"(?<![A-Za-z])(?:{_alt(words(key))})(?![A-Za-z])", re.IGNORECASE)

    bid = re.compile(rf"(?:'s|’s|(?<=s)'|(?<=s)’)\s+(?:[a-z-]+\s+){{0,2}}(?:{_alt(words('bid_nouns'))})(?![A-Za-z])", re.IGNORECASE)
    return DealWords(rx("acquisition_verbs"), tuple(words("completed_after")), rx("completed_verbs"),
                     rx("passive_between"), rx("acquired_by"), bid, frozenset(words("investee_metrics")),
                     frozenset(w.lower() for w in words("investee_triggers")),
                     re.compile(rf"[\s,;:—–-]*(?:{_alt(words('possessive_openers'))})\s", re.IGNORECASE),
                     rx("pair_phrases"), rx("deal_terms"))


_BREAK = re.compile(r"[。；;！？!?\n]|\.\s")
_REACH = 30  # characters from a party to its verb


def acquirer(text: str, parties: list[tuple[int, int, str]]) -> str | None:
    """The party an article writes as the acquirer: named right before an acquisition
    verb (no clause break, no passive between) at least twice, and more often than anyone.
    `parties`: (start, end, name) of organisations, sorted by start. One scan of the text."""
    words = deal_words()
    starts = [p[0] for p in parties]
    votes: dict[str, int] = {}
    for m in words.verbs.finditer(text):
        j = bisect.bisect_right(starts, m.start()) - 1
        while j >= 0 and parties[j][1] > m.start():
            j -= 1
        if j < 0 or m.start() - parties[j][1] > _REACH:
            continue
        between = text[parties[j][1] : m.start()]
        if _BREAK.search(between) or words.passive.search(between):
            continue
        votes[parties[j][2]] = votes.get(parties[j][2], 0) + 1
    for m in words.acquired_by.finditer(text):  # the party after the verb
        j = bisect.bisect_left(starts, m.end())
        if j < len(parties) and parties[j][0] - m.end() <= _REACH and not _BREAK.search(text, m.end(), parties[j][0]):
            votes[parties[j][2]] = votes.get(parties[j][2], 0) + 1
    ends = {p[1]: p[2] for p in parties}
    for m in words.bid.finditer(text):  # the owner of the bid, written right before 's
        if m.start() in ends:
            votes[ends[m.start()]] = votes.get(ends[m.start()], 0) + 1
    ranked = sorted(votes.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return ranked[0][0]


def completed_purchase(text: str, trigger: tuple[int, int]) -> bool:
    """收购了 X, acquired X: a purchase the text reports as done."""
    s, e = trigger
    words = deal_words()
    return text.startswith(words.completed_after, e) or words.completed_verbs.fullmatch(text, s, e) is not None


def opens_with_possessive(text: str, clause_start: int, pos: int) -> bool:
    """Whether the clause before `pos` opens with "its"/"their" (after any punctuation)."""
    return deal_words().possessive.match(text, clause_start, pos) is not None


_INVESTEE_REACH = 20  # characters from a valuation word to its number


def names_a_valuation(text: str, metric: str | None, trigger: tuple[int, int] | None, pos: int) -> bool:
    """Whether the number is a company's valuation by its own words: an investee metric
    whose trigger ("valuation of", 估值) is written just before it."""
    words = deal_words()
    if metric not in words.investee_metrics or trigger is None:
        return False
    s, e = trigger
    return text[s:e].lower() in words.investee_triggers and 0 <= pos - e <= _INVESTEE_REACH


def names_the_pair(text: str, start: int, pos: int) -> bool:
    """Whether "the two companies" (两家公司) stands between `start` and `pos`."""
    return deal_words().pair.search(text, start, pos) is not None


@cache
def _char_table() -> dict[int, str]:
    """Traditional (and variant) characters to Simplified, one character for one, from
    OpenCC's own table: folding keeps every offset."""
    import opencc

    path = Path(opencc.__file__).resolve().parent / "dictionary" / "TSCharacters.txt"
    table: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 1 and len(parts[1]) == 1 and parts[0] != parts[1]:
            table[ord(parts[0])] = parts[1]
    return table


@cache
def _traditional() -> frozenset[str]:
    """The characters fold_chars changes."""
    return frozenset(map(chr, _char_table()))


def fold_chars(text: str) -> str:
    """`text` with every Traditional character Simplified, offsets unchanged: curated
    aliases match 恆生科技指數, 恒生科技指數 and 恒生科技指数 alike."""
    # Most text has none to change: a set test per character is twice as fast as
    # translate's table lookup, and the text is then returned as it is.
    if _traditional().isdisjoint(text):
        return text
    return text.translate(_char_table())


def names_a_deal_term(text: str, start: int, end: int) -> bool:
    """Whether a deal term (long-stop date, 完成交易, job cuts) is written between `start` and `end`."""
    return deal_words().deal_terms.search(text, start, end) is not None
