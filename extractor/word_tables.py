"""Word tables: the words of a rule list (magnitudes, currency names, unit words,
qualifiers), matched right after or right before a position in a text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

# Characters the regex engine may fold onto an ASCII letter when ignoring case.
_FOLDS_TO_ASCII = "\u0130\u0131\u017f\u212a"


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _pattern(word: str, flexible: bool) -> str:
    """A word as a regex; a flexible word allows spaces between its non-Latin characters
    (个 百 分 点) and between a Latin part and a symbol (HK $)."""
    if not flexible or len(word) < 2:
        return re.escape(word)
    out = re.escape(word[0])
    for prev, ch in zip(word, word[1:], strict=False):
        if ch == " ":
            continue
        joint = not (_is_latin(prev) and _is_latin(ch)) and not (prev.isdigit() or ch.isdigit())
        out += (r"[ \t]*" if joint else "") + re.escape(ch)
    return out


def _alternation(words: Iterable[str], flexible: bool = False) -> str:
    parts = []
    for w in sorted(set(words), key=len, reverse=True):
        p = _pattern(w, flexible)
        if w and _is_latin(w[-1]):
            p += r"(?![A-Za-z])"
        if w and _is_latin(w[0]):
            p = r"(?<![A-Za-z])" + p
        parts.append(p)
    return "|".join(parts) or r"(?!x)x"


def _key(word: str) -> str:
    return re.sub(r"[ \t]+", "", word)


class WordTable:
    """Words mapped to values; Latin words only match as whole words. A flexible table
    also matches its words written with spaces inside (个 百 分 点, HK $)."""

    def __init__(
        self,
        entries: Mapping[str, Any],
        *,
        ignore_case: bool = True,
        flexible: bool = False,
        hyphen: bool = False,
    ) -> None:
        self.ignore_case = ignore_case
        self.entries = {self._norm(k): v for k, v in entries.items()}
        flags = re.IGNORECASE if ignore_case else 0
        alt = _alternation(entries, flexible)
        lead = r"(?:[ \t]*|-)" if hyphen else (r"[ \t]*" if flexible else r"[ \t]?")
        # Compiled when first used: a big table (every CLDR currency name) may never need
        # the whole alternation, and compiling it three times was most of loading the rules.
        self._alt = alt
        self._compiled: dict[str, re.Pattern[str]] = {}
        # The same search per first character, built when first needed: a big table (every
        # CLDR currency name) then tries only the words that start with the character found.
        self._lead, self._flags, self._flexible = lead, flags, flexible
        self._by_first: dict[tuple[str, bool], re.Pattern[str]] = {}
        self._groupable = all(k and k[0] not in _FOLDS_TO_ASCII and (k[0].isascii() or not k[0].isalpha()
                                                                     or k[0].lower() == k[0].upper())
                              for k in entries) and len(entries) > 64
        self._words_by_first: dict[str, list[str]] = {}
        if self._groupable:
            for k in entries:
                self._words_by_first.setdefault(k[0].lower() if ignore_case else k[0], []).append(k)
        self.longest = max((len(k) for k in entries), default=0) * (2 if flexible else 1)
        # A word can only end in one of these: a cheap test before the regex search.
        self.last_chars = frozenset(c for k in entries if k for c in (k[-1].lower(), k[-1].upper()))
        self.first_chars = frozenset(c for k in entries if k for c in (k[0].lower(), k[0].upper()))
        # Where a word can start, as the engine matches it (with its case folds, and a Latin
        # word only where no letter comes before, as _alternation asks): `before` tries the
        # words only there, not at every place in its window.
        self._starts: re.Pattern[str] | None = None
        if entries and all(entries):
            latin = "".join(sorted({re.escape(k[0]) for k in entries if _is_latin(k[0])}))
            other = "".join(sorted({re.escape(k[0]) for k in entries if not _is_latin(k[0])}))
            self._starts = re.compile(
                "|".join(([rf"(?<![A-Za-z])[{latin}]"] if latin else []) + ([f"[{other}]"] if other else [])),
                flags,
            )

    def _regex(self, which: str) -> re.Pattern[str]:
        rx = self._compiled.get(which)
        if rx is None:
            source = {"after": self._lead + "(" + self._alt + ")", "tight": "(" + self._alt + ")",
                      "before": "(" + self._alt + r")[ \t]?$"}[which]
            rx = self._compiled[which] = re.compile(source, self._flags)
        return rx

    @property
    def _after(self) -> re.Pattern[str]:
        return self._regex("after")

    @property
    def _after_tight(self) -> re.Pattern[str]:
        return self._regex("tight")

    @property
    def _before(self) -> re.Pattern[str]:
        return self._regex("before")

    def _norm(self, word: str) -> str:
        word = _key(word)
        return word.lower() if self.ignore_case else word

    def lookup(self, word: str) -> Any:
        key = self._norm(word)
        if key in self.entries:
            return self.entries[key]
        # The regex engine's case folding equates a few letters that str.lower() keeps
        # apart (ſ and s, the Kelvin sign and k): find the word as the engine matched it.
        flags, plain = (re.IGNORECASE if self.ignore_case else 0), _key(word)
        for k, value in self.entries.items():
            if re.fullmatch(re.escape(k), plain, flags):
                self.entries[key] = value
                return value
        raise KeyError(word)

    def after(self, text: str, pos: int, *, space: bool = True) -> tuple[str, Any, int] | None:
        # Called for most numbers with a word in one table at most: the common miss is
        # told from the next character alone, without a loop.
        size = len(text)
        if pos >= size:
            return None
        ch = text[pos]
        if space and ch in " \t-":
            i = pos + 1
            while i < size and text[i] in " \t-":
                i += 1
            if i >= size:
                return None
            ch = text[i]
        if ch not in self.first_chars:
            return None
        m = self._pattern_for(ch, space).match(text, pos)
        if not m:
            return None
        return m.group(1), self.lookup(m.group(1)), m.end()

    def _pattern_for(self, ch: str, space: bool) -> re.Pattern[str]:
        if not self._groupable or ch in _FOLDS_TO_ASCII:
            return self._after if space else self._after_tight
        key = (ch.lower() if self.ignore_case else ch, space)
        rx = self._by_first.get(key)
        if rx is None:
            words = self._words_by_first.get(key[0])
            if not words:
                return self._after if space else self._after_tight
            alt = _alternation(words, self._flexible)
            rx = re.compile((self._lead if space else "") + "(" + alt + ")", self._flags)
            self._by_first[key] = rx
        return rx

    def before(self, text: str, pos: int) -> tuple[str, Any, int] | None:
        last = pos - 1 if pos > 0 and text[pos - 1] not in " \t" else pos - 2
        if last < 0 or text[last] not in self.last_chars:
            return None
        window_start = max(0, pos - self.longest - 1)
        if self._starts is None:
            m = self._before.search(text, window_start, pos)
        else:
            # What search finds: the first place a word starts at that matches.
            find, match = self._starts.search, self._before.match
            m = None
            i = window_start
            while (c := find(text, i, pos)) is not None:
                if (m := match(text, c.start(), pos)) is not None:
                    break
                i = c.start() + 1
        if not m:
            return None
        return m.group(1), self.lookup(m.group(1)), m.start(1)

    def finditer(self, text: str) -> Iterable[re.Match[str]]:
        return self._after_tight.finditer(text)
