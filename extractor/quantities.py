"""Find numeric quantities in raw text, with exact character offsets.

Numbers are found in the text itself, never rebuilt from tokens. The engine knows no
language: words, units, currencies, qualifiers and exclusions all come from `rules/`.

    >>> [q.text for q in extract("微软已向 OpenAI 投入了超过 130 亿美元。")]
    ['130 亿美元']
"""

from __future__ import annotations

import bisect
import datetime as dt
import importlib
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from functools import cache
from typing import Any

from extractor import rules
from extractor.errors import RuleError
from extractor.numbers import (
    Reading,
    en_word_at,
    format_value,
    normalize,
    numerals,
    parse_arabic,
    parse_zh,
    read_arabic,
    read_en,
    read_zh,
)
from extractor.scripts import fold

KINDS = ("money", "percent", "multiplier", "count", "year", "date", "duration", "points", "measure", "number")
QUALIFIERS = ("exact", "more_than", "at_least", "about", "up_to", "less_than", "range")


@dataclass(frozen=True)
class Quantity:
    """One number with its unit, as written: where, what, how much, and which rule."""

    text: str
    start: int
    end: int
    kind: str
    value: float | None
    unit: str
    rule: str
    value_max: float | None = None
    date: str | None = None
    qualifier: str = "exact"
    vague: bool = False
    explanation: str = ""
    direction: str | None = None  # up or down for a change (跌3.7% → -3.7, down)
    currency_reason: str | None = None  # why an ambiguous currency word (元, ¥) got its code
    currency_word: str = ""  # the currency word as written, when one names the code

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["vague"] = int(self.vague)
        return d

    def public(self) -> dict[str, Any]:
        """The fields `claims extract` prints."""
        return {
            k: (int(v) if k == "vague" else v)
            for k, v in asdict(self).items()
            if k
            in (
                "text",
                "start",
                "end",
                "kind",
                "value",
                "value_max",
                "date",
                "unit",
                "qualifier",
                "vague",
                "direction",
            )
        }


# ---------------------------------------------------------------------------
# Word tables: match a word from a rule list right after or right before a position.


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


# ---------------------------------------------------------------------------
# Scanning a whole text for a rule's regex.

# The regex parser of the standard library, to read which characters a match can start
# with. It is CPython's own, not a public API: without it every rule is scanned plainly.
_sre_parse: Any
_sre: Any
try:
    _sre_parse = importlib.import_module("re._parser")
    _sre = importlib.import_module("_sre")
except ImportError:
    _sre_parse = _sre = None


def _first_chars(items: Any) -> tuple[list[Any], bool] | None:
    """The class items a match of this parsed sequence can start with, and whether the
    sequence can match without consuming a character; None when that is not a plain class."""
    out: list[Any] = []
    for op, av in items:
        got = _first_of(op, av)
        if got is None:
            return None
        chars, nullable = got
        out.extend(chars)
        if not nullable:
            return out, False
    return out, True


def _first_of(op: Any, av: Any) -> tuple[list[Any], bool] | None:
    c = _sre_parse
    if op is c.LITERAL:
        return [(op, av)], False
    if op is c.IN:
        if any(o is c.NEGATE for o, _ in av):
            return None
        return list(av), False
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return [], True
    if op is c.SUBPATTERN:
        _, add_flags, del_flags, p = av
        return None if add_flags or del_flags else _first_chars(p.data)
    if op is c.ATOMIC_GROUP:
        return _first_chars(av.data)
    if op is c.BRANCH:
        out: list[Any] = []
        nullable = False
        for alt in av[1]:
            got = _first_chars(alt.data)
            if got is None:
                return None
            out.extend(got[0])
            nullable = nullable or got[1]
        return out, nullable
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        lo, hi, p = av
        if hi == 0:
            return [], True
        got = _first_chars(p.data)
        return None if got is None else (got[0], got[1] or lo == 0)
    return None


def _class_source(items: list[Any], latin: bool = False, word: bool = False) -> str | None:
    """The items as the inside of a [...] class, if they are rare in running text: no
    spaces, no category but digits (and \\w when `word`), Latin letters only when `latin`."""
    c = _sre_parse
    parts = []
    for op, av in items:
        if op is c.LITERAL:
            ch = chr(av)
            if (_is_latin(ch) and not latin) or ch.isspace():
                return None
            parts.append(re.escape(ch))
        elif op is c.RANGE:
            lo, hi = av
            if hi - lo > 0x80 or any((_is_latin(chr(x)) and not latin) or chr(x).isspace()
                                     for x in range(lo, hi + 1)):
                return None
            parts.append(re.escape(chr(lo)) + "-" + re.escape(chr(hi)))
        elif op is c.CATEGORY and av is c.CATEGORY_DIGIT:
            parts.append(r"\d")
        elif op is c.CATEGORY and av is c.CATEGORY_WORD and word:
            parts.append(r"\w")
        else:
            return None
    return "".join(parts) or None


# Characters the regex engine may fold onto an ASCII letter when ignoring case.
_FOLDS_TO_ASCII = "\u0130\u0131\u017f\u212a"


def _run_after(lead: list[Any], first: list[Any], flags: int) -> str | None:
    """A class of characters the rule cannot start right after, from the assertion that
    opens it (\\b, or a one-character look-behind such as (?<![A-Za-z])), when every
    character a match starts with is in that class: after a failed try the whole run of
    such characters is passed over, since no match can start inside it."""
    c = _sre_parse
    start_chars: set[str] = set()
    # A rule starting with any digit (\\d) or word character (\\w) needs that category in
    # the run; characters are checked one by one, with the ones the engine folds onto
    # them when ignoring case (known for ASCII letters only).
    needs: set[str] = set()
    for op, av in first:
        if op is c.LITERAL:
            chars = [chr(av)]
        elif op is c.RANGE:
            chars = [chr(x) for x in range(av[0], av[1] + 1)]
        elif op is c.CATEGORY and av is c.CATEGORY_DIGIT:
            chars, needs = [], needs | {"\\d"}
        elif op is c.CATEGORY and av is c.CATEGORY_WORD:
            chars, needs = [], needs | {"\\w"}
        else:
            return None
        if flags & re.IGNORECASE and any(not ch.isascii() and _sre.unicode_iscased(ord(ch)) for ch in chars):
            return None
        for ch in chars:
            start_chars.update((ch, ch.lower(), ch.upper()))
    start_chars.update(_FOLDS_TO_ASCII)
    start_chars = {ch for ch in start_chars if len(ch) == 1}
    source = _class_source(first, latin=True, word=True)
    if not source:
        return None  # a start no class can say: scan the rule plainly
    accepted = re.compile("[" + source + "]", flags)
    for op, av in lead:
        run: str | None = None
        if op is c.AT and av is c.AT_BOUNDARY:
            run = r"\w"
        elif op is c.ASSERT_NOT and av[0] == -1 and len(av[1].data) == 1 and av[1].data[0][0] is c.IN:
            run = _run_class(av[1].data[0][1])
        if run is None:
            continue
        run_re = re.compile(run, flags)
        if not all(cat in run or r"\w" in run for cat in needs):
            continue
        if all(run_re.fullmatch(ch) for ch in start_chars if accepted.fullmatch(ch)):
            return run
    return None


def _run_class(items: list[Any]) -> str | None:
    c = _sre_parse
    parts = []
    for op, av in items:
        if op is c.LITERAL:
            parts.append(re.escape(chr(av)))
        elif op is c.RANGE:
            parts.append(re.escape(chr(av[0])) + "-" + re.escape(chr(av[1])))
        elif op is c.CATEGORY and av is c.CATEGORY_DIGIT:
            parts.append(r"\d")
        elif op is c.CATEGORY and av is c.CATEGORY_WORD:
            parts.append(r"\w")
        else:
            return None
    return "[" + "".join(parts) + "]" if parts else None


def _required_chars(items: Any, ignore_case: bool) -> list[frozenset[str]]:
    """Sets of characters a match must contain one of (年, @): a text with none of a set
    cannot match, which a substring test tells far faster than the regex can."""
    c = _sre_parse
    out: list[frozenset[str]] = []

    def exact(code: int) -> bool:
        return not (ignore_case and _sre.unicode_iscased(code))

    for op, av in items:
        if op is c.LITERAL and exact(av):
            out.append(frozenset(chr(av)))
        elif op is c.IN and all(o is c.LITERAL and exact(a) for o, a in av):
            out.append(frozenset(chr(a) for _, a in av))
        elif op is c.SUBPATTERN and not av[1] and not av[2]:
            out.extend(_required_chars(av[3].data, ignore_case))
        elif op is c.ATOMIC_GROUP:
            out.extend(_required_chars(av.data, ignore_case))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
            out.extend(_required_chars(av[2].data, ignore_case))
        elif op is c.BRANCH:
            union: set[str] = set()
            for alt in av[1]:
                need = _required_chars(alt.data, ignore_case)
                if not need:
                    break
                union |= min(need, key=len)
            else:
                out.append(frozenset(union))
    return out


def _required_strings(items: Any, ignore_case: bool) -> list[frozenset[str]]:
    """Sets of strings a match must contain one of (copyright, ICP), like _required_chars
    but for runs of literals: a substring test rules out most texts for a rule that seldom
    matches. Under ignore_case the strings are in lower case, for `_lowered` text, and hold
    only ASCII or uncased characters, which the engine matches as lower() does."""
    c = _sre_parse
    out: list[frozenset[str]] = []
    run = ""

    def literal(code: int) -> str | None:
        ch = chr(code)
        if not ignore_case:
            return ch
        if ch.isascii():
            return ch.lower()
        return ch if not _sre.unicode_iscased(code) and ch.lower() == ch else None

    for op, av in items:
        ch = literal(av) if op is c.LITERAL else None
        if ch is not None:
            run += ch
            continue
        if run:
            out.append(frozenset([run]))
            run = ""
        if op is c.SUBPATTERN and not av[1] and not av[2]:
            out.extend(_required_strings(av[3].data, ignore_case))
        elif op is c.ATOMIC_GROUP:
            out.extend(_required_strings(av.data, ignore_case))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
            out.extend(_required_strings(av[2].data, ignore_case))
        elif op is c.BRANCH:
            union: set[str] = set()
            for alt in av[1]:
                need = _required_strings(alt.data, ignore_case)
                if not need:
                    break
                union |= max(need, key=lambda strings: min(map(len, strings)))
            else:
                out.append(frozenset(union))
    if run:
        out.append(frozenset([run]))
    return out


# The last text lowered: every rule scanned in a text tests the same lowered copy.
_last_lowered: tuple[str, str] = ("", "")


def _lowered(text: str) -> str:
    global _last_lowered
    if _last_lowered[0] is not text:
        _last_lowered = (text, text.lower())
    return _last_lowered[1]


class RulePattern:
    """A rule's regex with a faster scan of a whole text. When every match starts with a
    character that is rare in running text (a digit, 第, ©), the scan skips runs of other
    characters inside the regex engine and tries the rule only at those characters; the
    matches are exactly those of `regex.finditer`."""

    def __init__(self, regex: re.Pattern[str]) -> None:
        self.regex = regex
        self.skipper: re.Pattern[str] | None = None
        self.required: list[frozenset[str]] = []
        self.required_strings: list[frozenset[str]] = []
        self.ignore_case = False
        self.first_class: str | None = None
        self.first_re: re.Pattern[str] | None = None
        self.anonymous: str | None = None  # the pattern without group names, for a RuleGroup
        if _sre_parse is None:
            return
        try:
            parsed = _sre_parse.parse(regex.pattern, regex.flags)
        except (re.error, AttributeError, TypeError):
            return
        self.required = sorted(set(_required_chars(parsed.data, bool(regex.flags & re.IGNORECASE))), key=len)
        # Sets of single characters are the required characters' job.
        self.ignore_case = bool(regex.flags & re.IGNORECASE)
        self.required_strings = [
            strings for strings in dict.fromkeys(_required_strings(parsed.data, self.ignore_case))
            if any(len(x) > 1 for x in strings)
        ]
        if _has_backref(parsed.data) or regex.flags & re.VERBOSE:
            return
        got = _first_chars(parsed.data)
        if got is None or got[1]:
            return
        lead = []
        for op, av in parsed.data:
            if op not in (_sre_parse.AT, _sre_parse.ASSERT, _sre_parse.ASSERT_NOT):
                break
            lead.append((op, av))
        run = _run_after(lead, got[0], regex.flags)
        # Letters are common, but the scan stays inside the regex engine: trying the rule
        # at them costs less than the engine trying it everywhere. A word character is
        # everywhere in Chinese text, so only whole runs of them are tried.
        cls = _class_source(got[0], latin=True, word=run is not None)
        if cls is None:
            return
        try:
            self.skipper = re.compile(
                rf"(?:[^{cls}]++|(?!{regex.pattern})[{cls}]{run + '*+' if run else ''})*+", regex.flags
            )
        except re.error:
            self.skipper = None
            return
        self.first_class = cls
        self.first_re = re.compile(f"[{cls}]", regex.flags)
        # In a RuleGroup, a failed try at a letter passes over the rest of the letters: the
        # rule must not start inside a word (its opening assertion sees the letter before).
        letters = [chr(x) for x in range(ord("A"), ord("z") + 1) if chr(x).isalpha()] + list(_FOLDS_TO_ASCII)
        if any(ch in cls for ch in _FOLDS_TO_ASCII) or r"\w" in cls:
            return
        if not any(self.first_re.match(ch) for ch in letters) or (
                run is not None and all(re.fullmatch(run, ch, regex.flags) for ch in letters)):
            self.anonymous = _anonymous(regex.pattern, regex.flags, parsed)

    def found_in(self, text: str) -> bool:
        return next(iter(self.finditer(text)), None) is not None

    def possible_in(self, text: str) -> bool:
        """False when the text lacks a character or a string every match needs."""
        if not all(any(ch in text for ch in chars) for chars in self.required):
            return False
        if not self.required_strings:
            return True
        if self.ignore_case:
            if any(ch in text for ch in _FOLDS_TO_ASCII):
                return True  # the engine folds these onto ASCII letters, lower() does not
            text = _lowered(text)
        return all(any(x in text for x in strings) for strings in self.required_strings)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        if not self.possible_in(text):
            return
        if self.skipper is None:
            yield from self.regex.finditer(text)
            return
        # The skipper stops where the rule matches, or at the end of the text.
        skip, match = self.skipper.match, self.regex.match
        pos = 0
        while (stop := skip(text, pos)) is not None and stop.end() < len(text):
            if stop.end() < pos:  # an engine that stops behind where it started (CPython < 3.11.5)
                yield from self.regex.finditer(text, pos)
                return
            found = match(text, stop.end())
            if found is None:  # cannot happen: the skipper stops only where it matches
                return
            yield found
            pos = max(found.end(), stop.end() + 1)  # always forward, even past an empty match


_ASCII_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _non_letters(cls: str) -> list[str]:
    """Some characters of a class source other than ASCII letters, one per item."""
    parsed = _sre_parse.parse(f"[{cls}]")
    out: list[str] = []
    for op, av in parsed.data[0][1] if parsed.data and parsed.data[0][0] is _sre_parse.IN else []:
        if op is _sre_parse.LITERAL:
            out.append(chr(av))
        elif op is _sre_parse.RANGE:
            out.extend(chr(x) for x in range(av[0], av[1] + 1))
        elif op is _sre_parse.CATEGORY:
            out.extend("0\u0660")
    if parsed.data and parsed.data[0][0] is _sre_parse.LITERAL:
        out.append(chr(parsed.data[0][1]))
    return [ch for ch in out if ch not in _ASCII_LETTERS]


class RuleGroup:
    """Rule regexes scanned together: one pass of the regex engine stops wherever any of
    them matches, and each rule keeps its own matches, exactly those of its finditer."""

    def __init__(self, members: list[RulePattern]) -> None:
        self.members = members
        self.flags = members[0].regex.flags if members else 0
        classes = "".join(m.first_class or "" for m in members)
        # At a letter only the rules that can start with one are tried, elsewhere only the
        # others: far fewer tries than all of them at every candidate.
        letters = [ch for ch in _ASCII_LETTERS if re.match(f"[{classes}]", ch, self.flags)]
        starts_with_letter = [m for m in members if m.first_re is not None
                              and any(m.first_re.match(ch) for ch in letters)]
        other = [m for m in members if m.first_re is not None
                 and any(m.first_re.match(ch) for ch in _non_letters(m.first_class or ""))]

        def tries(group: list[RulePattern]) -> str:
            return "(?!" + "|".join(f"(?:{m.anonymous})" for m in group) + ")" if group else ""

        at_word = _by_first_letter(starts_with_letter, self.flags, tries) or tries(starts_with_letter)
        self.scanner = re.compile(
            rf"(?:[^{classes}]++|{at_word}[A-Za-z]++|(?![A-Za-z]){tries(other)}[{classes}])*+",
            self.flags,
        ) if members else None
        self._by_char: dict[str, list[int]] = {}

    @classmethod
    def of(cls, patterns: Iterable[RulePattern]) -> list[RuleGroup]:
        """Groups of the patterns that can be scanned together, one per set of flags."""
        by_flags: dict[int, list[RulePattern]] = {}
        for p in patterns:
            if p.anonymous is not None:
                by_flags.setdefault(p.regex.flags, []).append(p)
        groups = []
        for members in by_flags.values():
            try:
                groups.append(cls(members))
            except re.error:
                continue  # then each is scanned on its own
        return groups

    def _tries(self, ch: str) -> list[int]:
        got = self._by_char.get(ch)
        if got is None:
            got = [i for i, m in enumerate(self.members) if m.first_re is not None and m.first_re.match(ch)]
            self._by_char[ch] = got
        return got

    # A match this long gives up the shared pass for the text: the pass tries every rule
    # inside every match, which a long match (1.1.1.1… read as one version number) would
    # make quadratic, where each rule's own scan resumes after its match.
    LONGEST = 256

    def scan(self, text: str) -> dict[int, list[re.Match[str]]] | None:
        """Each member's matches, keyed by id(member); None when the text has a match
        longer than LONGEST (scan the members one by one then)."""
        found: dict[int, list[re.Match[str]]] = {id(m): [] for m in self.members}
        if self.scanner is None:
            return found
        possible = [m.possible_in(text) for m in self.members]
        if not any(possible):
            return found
        skip = self.scanner.match
        next_start = [0] * len(self.members)
        pos, size = 0, len(text)
        while (stop := skip(text, pos)) is not None and (at := stop.end()) < size:
            if at < pos:  # an engine that stops behind where it started: scan one by one
                return None
            for i in self._tries(text[at]):
                if possible[i] and next_start[i] <= at:
                    m = self.members[i].regex.match(text, at)
                    if m is not None:
                        if m.end() - at > self.LONGEST:
                            return None
                        found[id(self.members[i])].append(m)
                        next_start[i] = m.end()
            pos = at + 1
        return found


def _by_first_letter(
    members: list[RulePattern], flags: int, tries: Callable[[list[RulePattern]], str]
) -> str | None:
    """The tries at a word, one branch per set of rules that can start with its first
    letter: at "the" only the rules that can start with t, not every rule that can start
    with a letter. None unless every letter [A-Za-z] matches (with the engine's case folds)
    falls in exactly one branch, which makes the branches accept what the single try does."""
    letters = [ch for ch in _ASCII_LETTERS + _FOLDS_TO_ASCII if re.match("[A-Za-z]", ch, flags)]
    groups: dict[tuple[int, ...], str] = {}
    for ch in letters:
        key = tuple(i for i, m in enumerate(members) if m.first_re is not None and m.first_re.match(ch))
        groups[key] = groups.get(key, "") + re.escape(ch)
    if len(groups) < 2:
        return None
    classes = [re.compile(f"[{chars}]", flags) for chars in groups.values()]
    if any(sum(1 for rx in classes if rx.match(ch)) != 1 for ch in letters):
        return None
    return "(?:" + "|".join(f"(?=[{chars}])" + tries([members[i] for i in key])
                            for key, chars in groups.items()) + ")"


def _anonymous(pattern: str, flags: int, parsed: Any) -> str | None:
    """The pattern with its named groups made non-capturing, so that several patterns can
    share one regex; None unless the result parses to the same thing."""
    plain = re.sub(r"(?<!\\)((?:\\\\)*)\(\?P<\w+>", r"\1(?:", pattern)
    try:
        again = _sre_parse.parse(plain, flags)
    except re.error:
        return None
    return plain if _shape(again) == _shape(parsed) else None


def _shape(x: Any) -> Any:
    """A parsed pattern with group numbers left out and groups opened, as the parser
    opens non-capturing ones."""
    if isinstance(x, _sre_parse.SubPattern):
        out: list[Any] = []
        for op, av in x.data:
            if op is _sre_parse.SUBPATTERN:
                _, add_flags, del_flags, p = av
                if not add_flags and not del_flags:
                    out.extend(_shape(p))
                else:
                    out.append(("group", add_flags, del_flags, _shape(p)))
            else:
                out.append((op, _shape(av)))
        return tuple(out)
    if isinstance(x, list | tuple):
        return tuple(_shape(i) for i in x)
    return x


class _Scanned:
    """The matches of the rule regexes in one text: those of each RuleGroup found in one
    pass, the others by their own scan."""

    def __init__(self, text: str, groups: Iterable[RuleGroup] = ()) -> None:
        self.text = text
        self.found: dict[int, list[re.Match[str]]] = {}
        for group in groups:
            self.found.update(group.scan(text) or {})

    def matches(self, rule: RulePattern) -> Iterable[re.Match[str]]:
        got = self.found.get(id(rule))
        return got if got is not None else rule.finditer(self.text)


def _has_backref(items: Any) -> bool:
    c = _sre_parse
    for op, av in items:
        if op in (c.GROUPREF, c.GROUPREF_EXISTS, c.GROUPREF_IGNORE, c.GROUPREF_LOC_IGNORE, c.GROUPREF_UNI_IGNORE):
            return True
        subs: list[Any] = []
        if op in (c.SUBPATTERN,):
            subs = [av[3]]
        elif op in (c.ASSERT, c.ASSERT_NOT):
            subs = [av[1]]
        elif op is c.ATOMIC_GROUP:
            subs = [av]
        elif op is c.BRANCH:
            subs = list(av[1])
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            subs = [av[2]]
        if any(_has_backref(s.data) for s in subs):
            return True
    return False


# ---------------------------------------------------------------------------
# The compiled rule set.


@dataclass
class UnitRule:
    id: str
    kind: str
    unit: str
    after: WordTable | None = None
    before: WordTable | None = None
    nouns: WordTable | None = None
    generic_nouns: WordTable | None = None
    followed_by: WordTable | None = None
    glued: bool = False
    nouns_only: bool = False
    min_value_without_noun: float = 0
    min_value: float = 0
    max_value: float = math.inf
    scale: float = 1.0
    digit_string_scale: float | None = None
    skip_numerals: frozenset[str] = frozenset()
    not_preceded_by: WordTable | None = None


@dataclass
class WordRule:
    """Words that are a quantity on their own (一半 = 50%), maybe only after a word."""

    id: str
    words: WordTable
    preceded_by: WordTable | None = None
    kind: str = "percent"  # or multiplier: twice, 翻倍


@dataclass(frozen=True)
class Money:
    """What a currency word means: the ISO code and a scale (MUSD = 1 000 000 USD)."""

    code: str
    scale: float = 1.0


@dataclass
class Engine:
    start_re: re.Pattern[str]
    start_scan: re.Pattern[str]
    date_patterns: list[tuple[str, RulePattern]]
    month_names: dict[str, int]
    year_range: tuple[int, int]
    line_exclusions: list[tuple[str, RulePattern]]
    span_exclusions: list[tuple[str, RulePattern]]
    not_numbers_re: re.Pattern[str]
    not_numbers_latin: re.Pattern[str] | None  # one-day: whole words, found apart (fast)
    not_after_re: re.Pattern[str]
    article_re: re.Pattern[str]
    fraction_re: re.Pattern[str]
    fraction_first: frozenset[str]
    mixed_re: re.Pattern[str]
    mixed_first: frozenset[str]
    en_minus_re: re.Pattern[str]
    magnitudes: WordTable
    short_magnitudes: WordTable
    bare_magnitudes: WordTable
    currency_prefix: WordTable
    currency_prefix_exact: WordTable
    currency_suffix: WordTable
    currency_between: WordTable | None
    minor_units: WordTable
    minor_currencies: frozenset[str]
    minor_alone: WordTable
    generic_suffixes: frozenset[str]
    money_joiners: WordTable
    unit_rules: list[UnitRule]
    after_rules: list[UnitRule]
    before_rules: list[UnitRule]
    unit_first: frozenset[str]
    unit_last: frozenset[str]
    word_rules: list[WordRule]
    rate_rule: str
    ago_zh: WordTable
    ago_en: WordTable
    qual_before: WordTable
    qual_after: WordTable
    qual_not_for: dict[str, frozenset[str]]
    qual_fillers: WordTable
    range_blockers: WordTable
    range_joiners: re.Pattern[str]
    range_openers: dict[str, WordTable]
    vague_prefixes: dict[str, str]
    vague_en: list[tuple[re.Pattern[str], float]]
    vague_en_any: RulePattern | None
    currency_mentions: WordTable
    percent_mentions: WordTable
    currency_names: dict[str, str] = field(default_factory=dict)
    rule_groups: list[RuleGroup] = field(default_factory=list)
    move_words: WordTable | None = None  # rules/changes.yaml: a move before "X to Y"
    move_range_ratio: float = math.inf
    rules_near: dict[tuple[str, str, str], list[UnitRule]] = field(default_factory=dict)


def _table(words: Any, value: Any = True, **kw: Any) -> WordTable | None:
    return WordTable({str(w): value for w in words}, **kw) if words else None


def _unit_rules() -> tuple[list[UnitRule], list[WordRule], str]:
    data = rules.load("units")
    out: list[UnitRule] = []
    words: list[WordRule] = []
    rate_rule = "percent.rate"
    for section, kind in (("percent", "percent"), ("multiplier", "multiplier"), ("count", "count"),
                          ("duration", "duration"), ("points", "points"), ("energy", "measure")):
        if section not in data and kind in ("points", "measure"):
            continue
        entries = rules.require("units", data, section, list)
        for entry in entries:
            if not isinstance(entry, dict) or "id" not in entry:
                raise RuleError(rules.path_of("units"), kind, "each rule needs an id")
            rid = str(entry["id"])
            if entry.get("rate"):
                rate_rule = rid
                continue
            if "words" in entry:
                if not isinstance(entry["words"], dict):
                    raise RuleError(rules.path_of("units"), rid, "'words' must map words to values")
                words.append(WordRule(
                    rid,
                    WordTable({str(k): _number(rid, v) for k, v in entry["words"].items()}),
                    _table(entry.get("preceded_by")),
                    kind if kind in ("percent", "multiplier") else "percent",
                ))
                continue
            if rid == "duration.ago":
                continue
            unit_default = {
                "percent": "percent",
                "multiplier": "multiplier",
                "count": "count",
                "duration": "years",
                "points": "points",
                "measure": "number",
            }[kind]
            after = entry.get("after")
            after_table: WordTable | None = None
            if isinstance(after, list):
                after_table = WordTable({w: str(entry.get("unit", unit_default)) for w in fold(map(str, after))},
                                        flexible=True)
            elif isinstance(after, dict):
                after_table = WordTable({f: str(u) for w, u in after.items() for f in fold([str(w)])},
                                        flexible=True)
            elif after is not None:
                raise RuleError(rules.path_of("units"), rid, "'after' must be a list or mapping")
            before = entry.get("before")
            if before is not None and not isinstance(before, list):
                raise RuleError(rules.path_of("units"), rid, "'before' must be a list")
            dss = entry.get("digit_string_scale")
            out.append(
                UnitRule(
                    id=rid,
                    kind=kind,
                    unit=str(entry.get("unit", unit_default)),
                    after=after_table,
                    before=_table(before, flexible=True),
                    nouns=_table(fold(map(str, entry.get("nouns") or []))),
                    generic_nouns=_table(entry.get("generic_nouns")),
                    followed_by=_table(entry.get("followed_by")),
                    glued=bool(entry.get("glued", False)),
                    nouns_only=bool(entry.get("nouns_only", False)),
                    min_value_without_noun=_number(rid, entry.get("min_value_without_noun", 0)),
                    min_value=_number(rid, entry.get("min_value", 0)),
                    max_value=_number(rid, entry.get("max_value", math.inf)),
                    scale=_number(rid, entry.get("scale", 1)),
                    digit_string_scale=None if dss is None else _number(rid, dss),
                    skip_numerals=frozenset(str(s).lower() for s in entry.get("skip_numerals", [])),
                    not_preceded_by=_table(entry.get("not_preceded_by")),
                )
            )
    return out, words, rate_rule


def _number(rule: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleError(rules.path_of("units"), rule, f"expected a number, not {value!r}")
    return float(value)


def _special_unit_entry(rule_id: str) -> dict[str, Any]:
    data = rules.load("units")
    for kind in ("percent", "duration"):
        for entry in data.get(kind, []):
            if isinstance(entry, dict) and entry.get("id") == rule_id:
                return entry
    return {}


def _compile(name: str, rule: str, pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise RuleError(rules.path_of(name), rule, f"bad regular expression: {exc}") from None


def _entries(name: str, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise RuleError(rules.path_of(name), key, "expected a list of rules")
    for e in value:
        if not isinstance(e, dict) or "id" not in e or "pattern" not in e:
            raise RuleError(rules.path_of(name), f"{key}: {e!r}", "each rule needs an id and a pattern")
    return value


@cache
def engine() -> Engine:
    """Compile every rule file once."""
    n = numerals()

    mags = rules.load("magnitudes")
    long_mags: dict[str, float] = {}
    short_mags: dict[str, float] = {}
    bare_mags: dict[str, float] = {}
    for entry in rules.require("magnitudes", mags, "magnitudes", list):
        if not isinstance(entry, dict) or not isinstance(entry.get("value"), int | float):
            raise RuleError(rules.path_of("magnitudes"), str(entry), "each entry needs words and a numeric value")
        target = short_mags if entry.get("needs_currency") else long_mags
        for w in rules.string_list("magnitudes", str(entry.get("words")), entry.get("words")):
            target[w] = float(entry["value"])
            if entry.get("bare"):
                bare_mags[w] = float(entry["value"])
    vague = mags.get("vague", {})
    vague_zh = vague.get("zh", {}) if isinstance(vague, dict) else {}
    vague_qual = {str(k): str(v) for k, v in (vague_zh.get("qualifier") or {}).items()}
    vague_prefixes = {
        str(p): vague_qual.get(str(p), "more_than")
        for p in rules.string_list("magnitudes", "vague.zh.prefixes", vague_zh.get("prefixes", []))
    }
    vague_en = [
        (re.compile(r"(?<![A-Za-z])" + re.escape(str(e["pattern"])) + r"(?![A-Za-z])", re.IGNORECASE), float(e["value"]))
        for e in (vague.get("en", []) if isinstance(vague, dict) else [])
    ]
    # One scan tells whether any of them is in a text, which is seldom.
    vague_en_any = RulePattern(re.compile(
        r"(?<![A-Za-z])(?:" + "|".join(re.escape(str(e["pattern"])) for e in (vague.get("en", []) if isinstance(vague, dict) else []))
        + r")(?![A-Za-z])", re.IGNORECASE)) if vague_en else None

    zh_start = re.escape("".join([*n.zh_digits, *n.zh_units, *n.zh_big_units, *vague_prefixes]))
    half = re.escape("".join(n.zh_half))
    en_start = [*n.en_ones, *n.en_tens, *n.en_articles, *n.en_fraction_words]
    vulgar = re.escape("".join(n.vulgar_fractions))
    start = (
        rf"[{zh_start}]" + (rf"|[{half}]" if half else "")
        + (rf"|[{vulgar}]" if vulgar else "")
        + r"|\d|(?<![.\d])\.\d"
        + rf"|(?<![A-Za-z])(?:{'|'.join(sorted(map(re.escape, en_start), key=len, reverse=True))})(?![A-Za-z])"
    )
    start_re = re.compile(start, re.IGNORECASE)
    # The same search in one pass of the regex engine: runs of characters no number starts
    # with are skipped whole, and a word only where it begins (the English numerals are
    # whole words), so the rule is tried at far fewer places.
    can_start = rf"{zh_start}{half}{vulgar}\d.A-Za-z"
    start_scan = re.compile(
        rf"(?:[^{can_start}]++|(?!{start})(?:[A-Za-z]++|[{can_start}]))*+(?:(?P<start>{start})|\Z)",
        re.IGNORECASE,
    )

    dates = rules.load("dates")
    month_names = {str(k).lower(): int(v) for k, v in rules.require("dates", dates, "month_names", dict).items()}
    # Longest first, and grouped by first letter (j(?:anuary|une|…)|…): the same matches,
    # and the engine tries 8 branches at a word, not 24.
    by_first: dict[str, list[str]] = {}
    for m in sorted(month_names, key=len, reverse=True):
        by_first.setdefault(m[:1], []).append(m)
    month_alt = "|".join(
        re.escape(first) + "(?:" + "|".join(re.escape(m[1:]) for m in names) + ")"
        for first, names in by_first.items()
    ) if all(month_names) else "|".join(sorted((re.escape(m) for m in month_names), key=len, reverse=True))
    date_patterns = []
    for entry in rules.require("dates", dates, "patterns", list):
        rid = str(entry.get("id", "?")) if isinstance(entry, dict) else "?"
        if not isinstance(entry, dict):
            raise RuleError(rules.path_of("dates"), rid, "each pattern needs an id and a pattern")
        pattern = str(rules.require("dates", entry, "pattern", str, rid))
        date_patterns.append((rid, RulePattern(rules.check_regex("dates", rid, pattern.replace("{month_name}", month_alt)))))
    yr = dates.get("year_range", [1800, 2199])

    furn = rules.load("furniture")
    line_ex = [
        (str(e["id"]), RulePattern(_compile("furniture", str(e["id"]), str(e["pattern"]), re.IGNORECASE | re.MULTILINE)))
        for e in _entries("furniture", furn, "lines")
    ]
    span_ex = [
        (str(e["id"]), RulePattern(rules.check_regex("furniture", str(e["id"]), str(e["pattern"]))))
        for e in _entries("furniture", furn, "spans")
    ]

    cur = rules.load("currencies")
    prefixes: dict[str, Money] = {}
    exact_prefixes: dict[str, Money] = {}
    suffixes: dict[str, Money] = {}
    minors: dict[str, dict[str, float]] = {}
    mentions: dict[str, Money] = {}
    names: dict[str, str] = {}
    code_scales = cur.get("code_scales") or {}
    exact = set(rules.string_list("currencies", "case_sensitive", cur.get("case_sensitive", [])))
    for entry in rules.require("currencies", cur, "currencies", list):
        if not isinstance(entry, dict):
            raise RuleError(rules.path_of("currencies"), str(entry), "each currency needs a code")
        code = str(rules.require("currencies", entry, "code", str))
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise RuleError(rules.path_of("currencies"), code, "code must be three capital letters (ISO 4217)")
        names[code] = str(entry.get("name", code))
        for p in rules.string_list("currencies", code, entry.get("prefixes", [])):
            table = exact_prefixes if p in exact else prefixes
            table.setdefault(p, Money(code))
        for s in rules.string_list("currencies", code, entry.get("suffixes", [])):
            suffixes.setdefault(s, Money(code))
        for letter, scale in code_scales.items():
            suffixes.setdefault(f"{letter}{code}", Money(code, float(scale)))
            prefixes.setdefault(f"{letter}{code}", Money(code, float(scale)))
        minor = entry.get("minor") or {}
        if not isinstance(minor, dict):
            raise RuleError(rules.path_of("currencies"), f"{code}.minor", "expected a mapping word: fraction")
        for w, frac in minor.items():
            minors.setdefault(str(w), {})[code] = _number(code, frac)
        for m in rules.string_list("currencies", f"{code}.mentions", entry.get("mentions", [])):
            mentions.setdefault(m, Money(code))
    from extractor.currency import cldr_names  # it builds on this module

    for code, cldr_prefixes, cldr_suffixes in cldr_names():
        names.setdefault(code, code)
        for p in cldr_prefixes:
            if p.lower() not in {k.lower() for k in (*prefixes, *exact_prefixes)}:
                exact_prefixes[p] = Money(code)  # as CLDR writes it: A$ is not "a $"
        for sfx in cldr_suffixes:
            suffixes.setdefault(sfx, Money(code))
    between = rules.string_list("currencies", "between", cur.get("between", []))
    alone: dict[str, tuple[str, float]] = {}
    for w in rules.string_list("currencies", "minor_alone", cur.get("minor_alone", [])):
        if w not in minors:
            raise RuleError(rules.path_of("currencies"), f"minor_alone.{w}", "not a minor unit of any currency")
        code, share = next(iter(minors[w].items()))
        alone[w] = (code, share)
    generic = rules.string_list("currencies", "generic", cur.get("generic", []))
    joiners = rules.string_list("currencies", "joiners", cur.get("joiners", []))

    quals = rules.load("qualifiers")
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for qual, words in rules.require("qualifiers", quals, "before", dict).items():
        if qual not in QUALIFIERS:
            raise RuleError(rules.path_of("qualifiers"), f"before.{qual}", f"unknown qualifier; use one of {', '.join(QUALIFIERS)}")
        for w in rules.string_list("qualifiers", f"before.{qual}", words):
            before[w] = str(qual)
    for qual, words in rules.require("qualifiers", quals, "after", dict).items():
        if qual not in QUALIFIERS:
            raise RuleError(rules.path_of("qualifiers"), f"after.{qual}", "unknown qualifier")
        for w in rules.string_list("qualifiers", f"after.{qual}", words):
            after[w] = str(qual)
    range_words = rules.string_list("qualifiers", "range_joiners", quals.get("range_joiners", []))
    range_re = re.compile(r"^[ \t]*(" + _alternation(range_words) + r")[ \t]*$", re.IGNORECASE)
    openers = quals.get("range_openers") or {}
    if not isinstance(openers, dict):
        raise RuleError(rules.path_of("qualifiers"), "range_openers", "expected a mapping joiner: [words]")
    range_openers = {
        str(j).lower(): WordTable({w: True for w in rules.string_list("qualifiers", f"range_openers.{j}", ws)})
        for j, ws in openers.items()
    }

    unit_rules, word_rules, rate_rule = _unit_rules()
    moves = rules.load("changes") if rules.path_of("changes").exists() else {}
    move_words = [w for d in ("down", "up") for w in rules.string_list("changes", d, moves.get(d, []))]
    ago = _special_unit_entry("duration.ago")
    sign = _special_unit_entry("percent.sign")

    return Engine(
        start_re=start_re,
        start_scan=start_scan,
        date_patterns=date_patterns,
        month_names=month_names,
        year_range=(int(yr[0]), int(yr[1])),
        line_exclusions=line_ex,
        span_exclusions=span_ex,
        not_numbers_re=re.compile(_alternation([w for w in n.zh_not_numbers if not _is_latin(w[:1])])),
        not_numbers_latin=re.compile(
            "|".join(re.escape(w) for w in sorted({w for w in n.zh_not_numbers if _is_latin(w[:1])}, key=len, reverse=True)),
            re.IGNORECASE) if any(_is_latin(w[:1]) for w in n.zh_not_numbers) else None,
        article_re=re.compile(r"(?:" + _alternation(n.en_articles) + r")[ \t]*$", re.IGNORECASE),
        not_after_re=re.compile(r"(?:" + _alternation(n.en_not_after) + r")[ \t]+$", re.IGNORECASE),
        fraction_re=re.compile(r"[ \t]*(?:" + _alternation(n.zh_fraction, flexible=True) + r")[ \t]*"),
        fraction_first=frozenset(w[0] for w in n.zh_fraction if w),
        mixed_re=re.compile(r"[ \t]*(?:" + _alternation(n.zh_mixed) + r")[ \t]*"),
        mixed_first=frozenset(w[0] for w in n.zh_mixed if w),
        en_minus_re=re.compile(r"(?:" + _alternation(n.en_minus) + r")[ \t]+$", re.IGNORECASE),
        magnitudes=WordTable(long_mags),
        short_magnitudes=WordTable(short_mags, ignore_case=False),
        bare_magnitudes=WordTable(bare_mags, ignore_case=False),
        currency_prefix=WordTable(prefixes, flexible=True),
        currency_prefix_exact=WordTable(exact_prefixes, ignore_case=False),
        currency_suffix=WordTable(suffixes, hyphen=True),
        currency_between=_table(between),
        minor_units=WordTable(minors),
        minor_currencies=frozenset(code for by_code in minors.values() for code in by_code),
        minor_alone=WordTable(alone, hyphen=True),
        generic_suffixes=frozenset(_key(w) for w in generic),
        money_joiners=WordTable({w: True for w in joiners}),
        unit_rules=unit_rules,
        after_rules=[r for r in unit_rules if r.before is None],
        before_rules=[r for r in unit_rules if r.before is not None],
        unit_first=frozenset(c for r in unit_rules for t in (r.after, r.nouns, r.generic_nouns)
                             if t is not None for c in t.first_chars),
        unit_last=frozenset(c for r in unit_rules if r.before is not None for c in r.before.last_chars),
        word_rules=word_rules,
        rate_rule=rate_rule,
        ago_zh=WordTable({str(w): True for w in ago.get("after_zh", [])}),
        ago_en=WordTable({str(w): True for w in ago.get("after_en", [])}),
        qual_before=WordTable(before),
        qual_after=WordTable(after),
        qual_fillers=WordTable({w: True for w in rules.string_list("qualifiers", "fillers", quals.get("fillers", []))}),
        range_blockers=WordTable({w: True for w in rules.string_list("qualifiers", "not_a_range_after", quals.get("not_a_range_after", []))}),
        qual_not_for={
            str(kind): frozenset(_key(w).lower() for w in rules.string_list("qualifiers", f"not_for.{kind}", ws))
            for kind, ws in (quals.get("not_for") or {}).items()
        },
        range_joiners=range_re,
        range_openers=range_openers,
        vague_prefixes=vague_prefixes,
        vague_en=vague_en,
        vague_en_any=vague_en_any,
        currency_mentions=WordTable(mentions),
        percent_mentions=WordTable({str(w): True for w in sign.get("mentions", [])}),
        currency_names=names,
        rule_groups=RuleGroup.of(rp for _, rp in [*date_patterns, *line_ex, *span_ex]),
        move_words=_table(move_words, flexible=True),
        move_range_ratio=float(moves["range_ratio"]) if isinstance(moves.get("range_ratio"), int | float) else math.inf,
    )


def reset() -> None:
    """Recompile after rule files change."""
    rules.clear_cache()
    numerals.cache_clear()
    engine.cache_clear()


# ---------------------------------------------------------------------------
# Reading numbers.


@dataclass
class _Num:
    start: int
    end: int
    value: float
    source: str  # zh | en | arabic | half
    vague: bool = False
    vague_qualifier: str | None = None
    magnitude: float = 1.0
    approx_more: bool = False  # 十多万, 100余亿
    per: float | None = None  # 百分之 → 100: a rate, the number is its numerator
    inner_start: int | None = None  # where the numerator of a rate starts
    digit_string: bool = False
    fraction: bool = False
    weak: bool = False  # 半 alone: a number only when a unit follows (半个百分点)


def _read_plain(norm: str, s: int) -> tuple[Reading, str] | None:
    """The number at s with no sign, fraction or rate around it."""
    c = norm[s]
    n = numerals()
    vulgar = n.vulgar_fractions
    if c in n.zh_half and not (s + 1 < len(norm) and norm[s + 1] in n.zh_units):
        return Reading(0.5, s + 1, fraction=True), "half"
    if c in vulgar:
        return Reading(vulgar[c], s + 1, fraction=True), "arabic"
    if c.isdigit() or c == ".":
        r = read_zh(norm, s)
        if r is not None and r.value is not None:
            plain = read_arabic(norm, s)
            if plain is not None and plain[1] == r.end and r.end < len(norm) and norm[r.end] in vulgar:
                # 2½
                return Reading(r.value + vulgar[norm[r.end]], r.end + 1, fraction=True), "arabic"
            nxt = _skip_ws(norm, r.end)
            if plain is not None and plain[1] == r.end:
                # 2 million: read_en reads past the figure only into a word it knows after
                # spaces (a letter glued to the figure makes it no English number at all).
                if nxt < len(norm) and _is_latin(norm[nxt]) and nxt > r.end and en_word_at(norm, nxt):
                    en = read_en(norm, s)
                    if en is not None and en.value is not None and en.end > r.end:
                        return en, "en"
                return r, "arabic"
            return r, "zh"
        return (r, "zh") if r is not None else None
    if _is_latin(c):
        r = read_en(norm, s)
        return (r, "en") if r is not None else None
    r = read_zh(norm, s)
    return (r, "zh") if r is not None else None


def _read_signed(norm: str, s: int, eng: Engine) -> tuple[Reading, str, int] | None:
    """A number with an optional minus sign before it: (reading, source, start)."""
    n = numerals()
    start = s
    neg = False
    if s < len(norm) and norm[s] in n.zh_minus:
        neg, s = True, s + 1
    got = _read_plain(norm, s) if s < len(norm) else None
    if got is None:
        return None
    r, source = got
    if r.value is None:
        return r, source, start
    return (replace(r, value=-r.value) if neg else r), source, start


def _read_number(norm: str, s: int, eng: Engine) -> _Num | Reading | None:
    """The number starting at s, with its sign, fraction or rate; a Reading with no value
    says which characters to skip."""
    n = numerals()
    c = norm[s]
    if c in eng.vague_prefixes and s + 1 < len(norm):
        nxt = _skip_ws(norm, s + 1)
        if (nxt < len(norm) and (norm[nxt] in n.zh_units or norm[nxt] in n.zh_big_units)
                and not eng.not_numbers_re.match(norm, nxt)
                and not (norm[nxt] in n.zh_not_alone and not _continues(norm, nxt + 1))):
            r0 = read_zh(norm, nxt)
            if r0 is None or r0.value is None:
                return None
            return _Num(s, r0.end, r0.value, "zh", vague=True, vague_qualifier=eng.vague_prefixes[c],
                        magnitude=r0.magnitude)
        if c not in n.zh_digits and c not in n.zh_units and c not in n.zh_big_units:
            return None
    rate = _unit_rate(norm, s, eng)
    if rate is not None:
        return rate
    got = _read_signed(norm, s, eng)
    if got is None:
        return None
    r, source, start = got
    if r.value is None:
        return r
    value, end = r.value, r.end
    per: float | None = None
    inner: int | None = None
    fraction = r.fraction
    if source in ("zh", "arabic"):
        frac = _zh_fraction(norm, start, end, value, eng)
        if frac is not None:
            value, end, per, inner = frac
            fraction = per is None
        else:
            i = _skip_ws(norm, end)
            mixed = eng.mixed_re.match(norm, end) if i < len(norm) and norm[i] in eng.mixed_first else None
            if mixed:
                f2 = _read_signed(norm, mixed.end(), eng)
                if f2 is not None and f2[0].value is not None:
                    frac = _zh_fraction(norm, mixed.end(), f2[0].end, f2[0].value, eng)
                    if frac is not None and frac[2] is None:
                        value, end, fraction = value + math.copysign(frac[0], value or 1), frac[1], True
        if source == "arabic" and not fraction:
            slash = _slash_fraction(norm, start, end, value)
            if slash is not None:
                value, end = slash
                fraction = True
    return _Num(start, end, value, source, magnitude=r.magnitude, approx_more=r.approx, per=per,
                inner_start=inner, digit_string=r.digit_string, fraction=fraction,
                weak=source == "half")


def _unit_rate(norm: str, s: int, eng: Engine) -> _Num | None:
    """百分之二十, 萬分之肆, 万万分之七: a denominator written in units only, then 分之 and
    the number it divides."""
    n = numerals()
    if norm[s] not in n.zh_units and norm[s] not in n.zh_big_units and norm[s] not in " \t":
        return None  # no denominator written in units here
    j = s
    limit = s + 12  # a denominator written in units is short: 百, 万万, 百 万
    while j < len(norm) and j < limit and (norm[j] in n.zh_units or norm[j] in n.zh_big_units or norm[j] in " \t"):
        j += 1
    written = norm[s:j].replace(" ", "").replace("\t", "")
    if not written or not eng.fraction_re.match(norm, j):
        return None
    one = next((c for c, v in n.zh_digits.items() if v == 1), "")
    den = read_zh(one + written, 0)
    if den is None or den.value is None or den.end != len(written) + 1:
        return None
    m = eng.fraction_re.match(norm, j)
    got = _read_signed(norm, m.end(), eng) if m else None
    if m is None or got is None:
        return None
    r, source, _ = got
    value = r.value
    if value is None:
        return None
    return _Num(s, r.end, value, source, magnitude=r.magnitude, per=den.value, inner_start=m.end())


_SLASH = re.compile(r"/(\d+)(?![\d/.])")
_MIXED_SLASH = re.compile(r"[ \t]+(\d+)/(\d+)(?![\d/.])")


def _slash_fraction(norm: str, start: int, end: int, value: float) -> tuple[float, int] | None:
    """3/4, -4/5, 1 4/3; not 5/17/2018 (a date) nor 24/7 glued to more slashes."""
    if start > 0 and norm[start - 1] == "/":
        return None
    if end >= len(norm) or norm[end] not in "/ \t":
        return None  # what both patterns start with
    m = _SLASH.match(norm, end)
    if m and value == int(value) and int(m.group(1)) > 0:
        return value / int(m.group(1)), m.end()
    m = _MIXED_SLASH.match(norm, end)
    if m and value == int(value) and int(m.group(2)) > 0:
        part = int(m.group(1)) / int(m.group(2))
        return value + math.copysign(part, value or 1), m.end()
    return None


def _zh_fraction(
    norm: str, start: int, end: int, den: float, eng: Engine
) -> tuple[float, int, float | None, int | None] | None:
    """A分之B after a number A: B/A; when A is written with units only (百分之二十), a
    rate: (B, end, A, where B starts)."""
    i = _skip_ws(norm, end)
    if i >= len(norm) or norm[i] not in eng.fraction_first:
        return None
    m = eng.fraction_re.match(norm, end)
    if not m:
        return None
    got = _read_signed(norm, m.end(), eng)
    if got is None or den == 0:
        return None
    numerator, r_end = got[0].value, got[0].end
    if numerator is None:
        return None
    n = numerals()
    written = norm[start:end]
    if not any(ch.isdigit() or ch in n.zh_digits for ch in written) and den > 0:
        return numerator, r_end, den, m.end()
    return numerator / den, r_end, None, None


def _continues(norm: str, pos: int) -> bool:
    n = numerals()
    return pos < len(norm) and (norm[pos] in n.zh_chars or norm[pos].isdigit())


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def _scan(norm: str, eng: Engine) -> list[_Num]:
    """Every number in the text, left to right, each read once."""
    n = numerals()
    not_numbers = [(m.start(), m.end()) for m in eng.not_numbers_re.finditer(norm)]
    if eng.not_numbers_latin is not None:
        # Latin words only as whole words; matched apart so the Chinese search stays a fast one.
        latin = [(m.start(), m.end()) for m in eng.not_numbers_latin.finditer(norm)
                 if not (m.start() > 0 and _is_latin(norm[m.start() - 1]))
                 and not (m.end() < len(norm) and _is_latin(norm[m.end()]))]
        if latin:
            not_numbers = sorted(not_numbers + latin)
    nn_starts = [s for s, _ in not_numbers]
    out: list[_Num] = []
    pos = 0
    while True:
        m = eng.start_scan.match(norm, pos)
        s = m.start("start") if m is not None else -1
        if s < 0:
            break
        if s < pos:  # an engine that stops behind where it started: the plain search
            plain = eng.start_re.search(norm, pos)
            s = plain.start() if plain is not None else -1
            if s < pos:
                break
        i = bisect.bisect_right(nn_starts, s) - 1
        if i >= 0 and not_numbers[i][0] <= s < not_numbers[i][1]:
            pos = not_numbers[i][1]
            continue
        got = _read_number(norm, s, eng)
        if got is None:
            pos = s + 1
            continue
        if isinstance(got, Reading):
            pos = max(got.end, s + 1)
            continue
        num = got
        pos = max(num.end, s + 1)
        if num.source == "zh" and pos < len(norm) and (norm[pos] in n.zh_units or norm[pos] in n.zh_big_units):
            pos += 1  # 五十千: the unit that did not fit is no number of its own
        if num.end - num.start == 1 and norm[num.start] in n.zh_not_alone:
            continue
        if num.source == "en" and eng.not_after_re.search(norm, max(0, s - 12), s):
            word = norm[s:num.end].lower()
            if word in n.en_weak:
                continue
        _signs(norm, num, eng)
        out.append(num)
    return out


def _signs(norm: str, num: _Num, eng: Engine) -> None:
    """-5, minus five: a sign written before the number."""
    s = num.start
    if s == 0:
        return
    if norm[s - 1] in numerals().zh_minus:
        num.start, num.value = s - 1, -num.value
        return
    if norm[s - 1] == "-" and (s < 2 or not (norm[s - 2].isalnum() or norm[s - 2] in "-.,/")):
        num.start, num.value = s - 1, -num.value
        return
    if norm[s - 1] == " " and s >= 2 and norm[s - 2] == "-":
        # "- 5" opening the text or after a bracket or colon: a sign. Not "5 - 3" (a
        # subtraction) nor a Markdown bullet at the start of a line.
        j = s - 3
        while j >= 0 and norm[j] in " \t":
            j -= 1
        if j < 0 or norm[j] in "(（:：=":
            num.start, num.value = s - 2, -num.value
            return
    if norm[s - 1] not in " \t\n":
        return  # "minus " ends in a space, maybe before a final newline
    m = eng.en_minus_re.search(norm, max(0, s - 12), s)
    if m and (m.start() == 0 or not _is_latin(norm[m.start() - 1])):
        num.start, num.value = m.start(), -num.value


@dataclass
class _Item:
    start: int
    end: int
    num: _Num
    kind: str | None
    value: float
    unit: str
    rule: str
    notes: list[str]
    currency_from_prefix: bool = False
    value_max: float | None = None
    named_after: bool = False  # a currency word follows as well as precedes ($20 … 美圆)
    currency_word: str = ""


class _Spans:
    """Sorted, non-overlapping intervals with a fast overlap test."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.starts, end - 1)
        return i > 0 and self.ends[i - 1] > start


class _Furniture:
    """What is not a claim: whole lines and spans, found once per text."""

    def __init__(self, text: str, eng: Engine, scanned: _Scanned | None = None) -> None:
        found = scanned or _Scanned(text)
        lines: list[tuple[int, int]] = []
        for _, rx in eng.line_exclusions:
            for m in found.matches(rx):
                ls = text.rfind("\n", 0, m.start()) + 1
                le = text.find("\n", m.end())
                lines.append((ls, len(text) if le < 0 else le))
        self.lines = _merge(lines)
        self.line_starts = [s for s, _ in self.lines]
        spans = sorted((m.start(), m.end()) for _, rx in eng.span_exclusions for m in found.matches(rx) if m.end() > m.start())
        self.spans = spans
        self.span_starts = [s for s, _ in spans]
        # the furthest end among spans starting at or before each index
        self.span_reach: list[int] = []
        reach = -1
        for _, e in spans:
            reach = max(reach, e)
            self.span_reach.append(reach)

    def blocked(self, start: int) -> bool:
        """Whether a claim starting at `start` lies in page furniture."""
        i = bisect.bisect_right(self.line_starts, start) - 1
        if i >= 0 and self.lines[i][0] <= start < self.lines[i][1]:
            return True
        # A claim is dropped when an exclusion covers it, unless the claim starts where the
        # exclusion does (RM5 is a currency, not a code name like GPT-3).
        j = bisect.bisect_left(self.span_starts, start) - 1
        return j >= 0 and self.span_reach[j] > start


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _skip_markup_left(text: str, pos: int) -> int:
    while pos > 0 and text[pos - 1] in " \t*_「『“\"'":
        pos -= 1
    return pos


def extract(
    text: str,
    *,
    published: dt.date | None = None,
    all_numbers: bool = False,
    mentions: bool = False,
    source: Mapping[str, Any] | None = None,
    signed: bool = True,
) -> list[Quantity]:
    """Every quantity in `text`, in order. `published` dates relative expressions;
    `all_numbers` adds bare numbers (kind 'number'); `mentions` adds currency and
    percent words that stand without a number (value None); `source` (outlet, url)
    tells which currency a bare 元 or ¥ is; `signed` stores falls negative (跌3.7% → -3.7)."""
    eng = engine()
    norm = normalize(text)
    scanned = _Scanned(norm, eng.rule_groups)
    furniture = _Furniture(norm, eng, scanned)
    taken = _Spans()
    out: list[Quantity] = []

    for q in _dates(norm, text, eng, published, furniture, scanned):
        out.append(q)
        taken.add(q.start, q.end)

    items: list[_Item] = []
    for num in _scan(norm, eng):
        floor = items[-1].end if items else 0
        if num.start < floor:
            continue  # already read as part of the previous quantity
        if taken.overlaps(num.start, num.end):
            continue  # in a date: its quantity, which holds the number, would overlap too
        item = _attach_unit(norm, num, eng, published, floor)
        if item is None:
            continue
        if taken.overlaps(item.start, item.end) or furniture.blocked(item.start):
            continue
        items.append(item)

    items = _merge_ranges(norm, [part for item in items for part in _split_listed(text, norm, item)], eng)
    from extractor import counts  # it builds on this module

    for item in items:
        if item.kind is None and item.num.source in ("en", "arabic", "zh"):
            counts.bare_number_kind(norm, item)
        if item.kind is None and not all_numbers:
            continue
        out.append(_finish(text, norm, item, eng))
        taken.add(item.start, item.end)

    for q in _vague_english(norm, text, eng, furniture, taken):
        out.append(q)
    for rule in eng.word_rules:
        for m in rule.words.finditer(norm):
            if taken.overlaps(m.start(), m.end()) or furniture.blocked(m.start()):
                continue
            if rule.preceded_by is not None and rule.preceded_by.before(norm, m.start()) is None:
                continue
            value = float(rule.words.lookup(m.group(1)))
            qual, _ = _qualifier_before(norm, m.start(), eng)
            taken.add(m.start(), m.end())
            what = f"{format_value(value)}%" if rule.kind == "percent" else f"{format_value(value)} times"
            out.append(
                Quantity(text[m.start() : m.end()], m.start(), m.end(), rule.kind, value, rule.kind, rule.id,
                         qualifier=qual or "exact", explanation=f"{m.group(1)} means {what}")
            )
    if mentions:
        out.extend(_mentions(norm, text, eng, furniture, taken))
    out.sort(key=lambda q: (q.start, q.end))
    from extractor import changes, currency  # they build on this module

    out = currency.resolve(norm, out, source)
    return changes.sign(norm, out) if signed else out


def _mentions(norm: str, text: str, eng: Engine, furniture: _Furniture, taken: _Spans) -> list[Quantity]:
    """Currency and percent words with no number: 人民币, dollar, percentage."""
    out = []
    for table, kind, rid in ((eng.currency_mentions, "money", "money.mention"),
                             (eng.percent_mentions, "percent", "percent.mention")):
        for m in table.finditer(norm):
            if taken.overlaps(m.start(), m.end()) or furniture.blocked(m.start()):
                continue
            word = table.lookup(m.group(1))
            unit = word.code if isinstance(word, Money) else "percent"
            out.append(Quantity(text[m.start() : m.end()], m.start(), m.end(), kind, None, unit, rid,
                                explanation=f"{m.group(1)} names {unit} without an amount"))
    return out


def numbers(text: str) -> list[Quantity]:
    """Every number written in `text`, each as kind 'number' with no unit: 2 million,
    一万五千亿, two thirds, 10M. Rates keep only their number (百分之二十 → 二十)."""
    eng = engine()
    norm = normalize(text)
    furniture = _Furniture(norm, eng)
    out: list[Quantity] = []
    for num in _scan(norm, eng):
        if num.weak:
            continue
        start, end, value = num.start, num.end, num.value
        if num.per is not None and num.inner_start is not None:
            start = num.inner_start
        if num.source in ("arabic", "en", "zh"):
            mag = _latin_magnitude(norm, end, eng) or eng.bare_magnitudes.after(norm, end, space=True)
            if mag is not None:
                value, end = value * float(mag[1]), mag[2]
        if end < len(norm) and _is_latin(norm[end]) and num.source != "en":
            continue  # 180ml, 29km: a measure, not a number on its own
        if furniture.blocked(start) or not math.isfinite(value):
            continue
        out.append(Quantity(text[start:end], start, end, "number", value, "number", "number.bare",
                            explanation=f"{text[start:end]} → {format_value(value)}"))
    return out


def _decimal(value: float) -> float:
    """The float nearest the decimal written: the digits of a number times its magnitude
    carry binary noise (2.01兆 → 2009999999999.9998) that 15 significant digits drop."""
    return float(f"{value:.15g}") if math.isfinite(value) and value != int(value) else value


def _times(value: float, scale: float) -> float:
    """value × scale in decimal, as written: 2.01兆 is 2010000000000, not 2009999999999.9998."""
    if scale == 1.0 or not math.isfinite(value) or not math.isfinite(scale):
        return value * scale
    return float(Decimal(repr(value)) * Decimal(repr(scale)))


def _latin_magnitude(norm: str, end: int, eng: Engine) -> tuple[str, Any, int] | None:
    """million, billion after a number; Chinese magnitudes are part of the numeral, so one
    left over after it (五十千) is not a magnitude."""
    mag = eng.magnitudes.after(norm, end)
    return mag if mag is not None and _is_latin(mag[0][-1]) else None


def _attach_unit(
    norm: str, num: _Num, eng: Engine, published: dt.date | None, floor: int = 0
) -> _Item | None:
    start, end, value = num.start, num.end, num.value
    if not math.isfinite(value):
        return None
    notes: list[str] = []
    currency: str | None = None
    from_prefix = False
    named_after = False

    pre = eng.currency_prefix.before(norm, start) or eng.currency_prefix_exact.before(norm, start)
    if (pre and pre[2] >= floor
            and (pre[2] == 0 or not _is_latin(norm[pre[2] - 1]) or not _is_latin(pre[0][0]))):
        money: Money = pre[1]
        currency, start, from_prefix = money.code, pre[2], True
        value = _times(value, money.scale)
        notes.append(f"{pre[0]} is {money.code}")

    mag = None
    if num.source in ("arabic", "en", "zh"):
        mag = _latin_magnitude(norm, end, eng)
        if mag is None and currency:
            mag = eng.short_magnitudes.after(norm, end, space=True)
        if mag is None and not currency:
            short = eng.short_magnitudes.after(norm, end, space=False)
            if short is not None and (_currency_after(norm, short[2], eng) is not None
                                      or _percent_after(norm, short[2], eng)):
                mag = short
        if mag is not None:
            value = _times(value, float(mag[1]))
            num.magnitude = float(mag[1])
            notes.append(f"{mag[0]} = {format_value(float(mag[1]))}")
            end = mag[2]
    if not math.isfinite(value):
        return None

    if num.per is not None:
        bare = eng.bare_magnitudes.after(norm, end, space=False) if mag is None else None
        if bare is not None and not (bare[2] < len(norm) and _is_latin(norm[bare[2]])):
            value = _times(value, float(bare[1]))
            end = bare[2]
        pct = value * 100 / num.per
        return _Item(start, end, num, "percent", pct, "percent", eng.rate_rule,
                     notes + [f"{norm[num.start:num.inner_start or num.start].strip()} makes it a rate"])

    word = pre[0] if from_prefix and pre else ""
    suf = _currency_after(norm, end, eng)
    if suf is not None and _key(suf[0]) in eng.generic_suffixes and currency:
        end = suf[2]  # 新台幣1.85兆元: 元 only repeats the currency named before
    elif suf is not None and (currency is None or suf[1].code == currency):
        if currency is None and _key(suf[0]) in eng.generic_suffixes:
            named = _currency_after(norm, suf[2], eng)
            if named is not None and _key(named[0]) not in eng.generic_suffixes:
                suf = (norm[end:named[2]].strip(), named[1], named[2])  # 7.15元新台币
        named_after = from_prefix
        if currency is None:
            value = _times(value, suf[1].scale)
            word = suf[0]
        currency = suf[1].code
        notes.append(f"{suf[0]} is {currency}")
        end = suf[2]
    if currency:
        end, value = _minor_tail(norm, end, value, currency, eng, notes)
        return _Item(start, end, num, "money", value, currency,
                     "money.prefix" if from_prefix else "money.suffix", notes, from_prefix,
                     named_after=named_after, currency_word=word)
    alone = eng.minor_alone.after(norm, end)
    if alone is not None:
        code, share = alone[1]
        notes.append(f"{alone[0]} is {format_value(share)} {code}")
        return _Item(start, alone[2], num, "money", value * share, code, "money.minor", notes)

    # The longest unit wins: 十二個月 is a duration, not a count of 十二個.
    best = None
    tight = norm[end] if end < len(norm) else ""
    i = end
    while i < len(norm) and norm[i] in " \t-":
        i += 1
    spaced = norm[i] if i < len(norm) else ""
    j = start - 1
    while j >= 0 and norm[j] in " \t":
        j -= 1
    key = (tight, spaced, norm[j] if j >= 0 else "")
    candidates = eng.rules_near.get(key)
    if candidates is None:
        # The rules that can match depend only on these three characters.
        candidates = [r for r in _candidate_rules(norm, start, end, eng) if _may_match(r, tight, spaced)]
        eng.rules_near[key] = candidates
    for r in candidates:
        hit = _match_unit_rule(norm, num, r, end, value, eng, published, floor)
        if hit is not None and (best is None or hit[4] > best[4]):
            best = hit
    if best is not None:
        kind, unit, rule, s2, end2, extra, value2 = best
        return _Item(min(start, s2), end2, num, kind, value2, unit, rule, notes + extra)
    if num.weak:
        return None
    return _Item(start, end, num, None, value, "number", "number.bare", notes)


def _split_listed(text: str, norm: str, item: _Item) -> list[_Item]:
    """$20，300美圆 is two prices: an amount never carries its currency on both sides, and
    the full-width comma inside it is the Chinese list comma, not a thousands separator."""
    num = item.num
    comma = text.rfind("，", num.start, num.end)
    if not item.named_after or comma < 0 or num.magnitude != 1.0:
        return [item]
    first, second = parse_arabic(norm[num.start : comma]), parse_arabic(norm[comma + 1 : num.end])
    if first is None or second is None:
        return [item]
    return [
        _Item(item.start, comma, replace(num, end=comma, value=first), "money", first, item.unit,
              item.rule, [*item.notes[:1], "the full-width comma lists two amounts"], True),
        _Item(comma + 1, item.end, replace(num, start=comma + 1, value=second), "money", second,
              item.unit, "money.suffix", [*item.notes[1:], "the full-width comma lists two amounts"]),
    ]


def _candidate_rules(norm: str, start: int, end: int, eng: Engine) -> list[UnitRule]:
    """The unit rules that could match here, judged by the characters around the number."""
    i = end
    while i < len(norm) and norm[i] in " \t-":
        i += 1
    after = i < len(norm) and norm[i] in eng.unit_first
    j = start - 1
    while j >= 0 and norm[j] in " \t":
        j -= 1
    before = j >= 0 and norm[j] in eng.unit_last
    if after and before:
        return eng.unit_rules
    if after:
        return eng.after_rules
    if before:
        return eng.before_rules
    return []


def _currency_after(norm: str, pos: int, eng: Engine) -> tuple[str, Money, int] | None:
    """A currency word after a number; not one glued to the next number (3 USD50)."""
    suf = eng.currency_suffix.after(norm, pos)
    if suf is None and eng.currency_between is not None:
        mid = eng.currency_between.after(norm, pos)
        if mid is not None:
            suf = eng.currency_suffix.after(norm, mid[2])
    if suf is None:
        return None
    if _is_latin(suf[0][-1]) and suf[2] < len(norm) and norm[suf[2]].isdigit():
        return None
    return suf


def _percent_after(norm: str, pos: int, eng: Engine) -> bool:
    return any(r.kind == "percent" and r.after is not None and r.after.after(norm, pos) is not None
               for r in eng.unit_rules)


def _minor_tail(
    norm: str, end: int, value: float, currency: str, eng: Engine, notes: list[str]
) -> tuple[int, float]:
    """3 dollars 50 cents, 50元6角三分, fifteen dollars forty five: the smaller units that
    follow an amount belong to it."""
    pos = end
    step = 1.0  # the share of the main unit that the last part was counted in
    while True:
        joiner = eng.money_joiners.after(norm, pos)
        start = _skip_ws(norm, joiner[2] if joiner else pos)
        if start >= len(norm) or not eng.start_re.match(norm, start):
            break
        got = _read_number(norm, start, eng)
        if not isinstance(got, _Num) or got.start != start or not got.value > 0:
            break
        minor = eng.minor_units.after(norm, got.end)
        share = minor[1].get(currency) if minor is not None else None
        if minor is not None and share is not None and share < step:
            value += got.value * share
            step = share
            notes.append(f"{norm[start:minor[2]]} adds {format_value(got.value * share)}")
            pos = minor[2]
            continue
        # A bare last part counts in the next unit down: 15 dollars 50, 一块五, 五角五.
        shares = [sh for by_code in eng.minor_units.entries.values()
                  for code, sh in by_code.items() if code == currency and sh < step]
        down = max(shares) if shares else step / 10
        rest = norm[got.end : got.end + 1]
        closes = not rest or rest in ".,;!?)" or (rest in " \t" and eng.money_joiners.after(norm, got.end))
        if (currency in eng.minor_currencies and got.value < 100 and got.value == int(got.value)
                and closes and minor is None):
            value += got.value * down
            notes.append(f"{norm[start:got.end]} adds {format_value(got.value * down)}")
            pos = got.end
        break
    return pos, value


def _may_match(r: UnitRule, tight: str, spaced: str) -> bool:
    """Whether a rule's word can follow: `tight` is the character right after the number,
    `spaced` the first one after spaces and hyphens. A cheap test before `_match_unit_rule`,
    which fails whenever this does."""
    if r.before is not None and r.after is None:
        return True
    if r.nouns_only:
        return r.nouns is not None and spaced in r.nouns.first_chars
    if r.after is None:
        if r.nouns is None or r.kind != "count":
            return False
        return spaced in r.nouns.first_chars or (
            r.generic_nouns is not None and spaced in r.generic_nouns.first_chars)
    return (tight if r.glued else spaced) in r.after.first_chars


def _match_unit_rule(
    norm: str, num: _Num, r: UnitRule, end: int, value: float, eng: Engine,
    published: dt.date | None, floor: int,
) -> tuple[str, str, str, int, int, list[str], float] | None:
    start = num.start
    numeral = norm[num.start : num.end].strip().lower()
    if numeral in r.skip_numerals:
        return None
    if r.not_preceded_by is not None and r.not_preceded_by.before(norm, num.start) is not None:
        return None
    if r.kind == "count" and (value != int(value) or num.fraction):
        return None
    if r.after is None and r.before is not None:
        hit = r.before.before(norm, num.start)
        if hit is None or hit[2] < floor:
            return None
        return r.kind, r.unit, r.id, hit[2], end, [f"{hit[0]} makes it {r.kind}"], value * r.scale
    if r.nouns_only:
        noun = r.nouns.after(norm, end) if r.nouns else None
        if noun is None:
            return None
        return r.kind, r.unit, r.id, start, noun[2], [f"counts {noun[0]}"], value
    if r.after is None:
        if r.nouns is not None and r.kind == "count":
            noun = r.nouns.after(norm, end)
            if noun is not None:
                return r.kind, r.unit, r.id, start, noun[2], [f"counts {noun[0]}"], value
            if r.generic_nouns is not None:
                g = r.generic_nouns.after(norm, end)
                if g is not None and value >= r.min_value:
                    return r.kind, r.unit, r.id, start, g[2], [f"counts {g[0]}"], value
        return None
    hit = r.after.after(norm, end, space=not r.glued)
    if hit is None:
        return None
    word, unit, stop = hit
    if r.glued and stop < len(norm) and (norm[stop].isalnum()):
        return None
    if r.followed_by is not None and r.followed_by.after(norm, _skip_ws(norm, stop)) is None:
        return None
    if value > r.max_value and not (num.digit_string and r.digit_string_scale is not None):
        return None
    if r.kind == "points" and value == int(value) and abs(value) < r.min_value:
        return None  # 3点 is a time, 一点 "a little"; an index moves by fractions or stands high
    notes = [f"{word} makes it {r.kind}"]
    if r.scale != 1:
        scale = r.digit_string_scale if num.digit_string and r.digit_string_scale is not None else r.scale
        if scale != 1:
            notes.append(f"{word} multiplies by {format_value(scale)}")
        value = _times(value, scale)
    if r.kind == "duration":
        # A four-digit number before 年 is a year, read by the date rules.
        if num.source == "arabic" and 1000 <= value < 3000 and unit == "years" and not _is_latin(word[-1]):
            return None
        latin = _is_latin(word[-1])
        ago = (eng.ago_en if latin else eng.ago_zh).after(norm, _skip_ws(norm, stop) if latin else stop, space=latin)
        if ago is not None and published is not None and unit == "years":
            year = published.year - int(value)
            return "year", "year", "duration.ago", start, ago[2], [f"{format_value(value)} years before {published.isoformat()}"], float(year)
        return "duration", unit, r.id, start, stop, notes, value
    if r.kind == "count":
        noun = r.nouns.after(norm, stop, space=True) if r.nouns else None
        if noun is not None:
            return "count", r.unit, r.id, start, noun[2], notes + [f"counts {noun[0]}"], value
        if value < r.min_value_without_noun:
            return None
        return "count", r.unit, r.id, start, stop, notes, value
    return r.kind, unit, r.id, start, stop, notes, value


def _merge_ranges(norm: str, items: list[_Item], eng: Engine) -> list[_Item]:
    """15 億至 20 億美元, $20-30 billion, 12 to 24 months: one claim with a value_max."""
    out: list[_Item] = []
    i = 0
    while i < len(items):
        a = items[i]
        if i + 1 < len(items):
            b = items[i + 1]
            between = norm[a.end : b.start]
            joiner = eng.range_joiners.match(between)
            lead = _skip_markup_left(norm, a.start)
            bound = eng.qual_before.before(norm, lead) if joiner else None
            if bound is not None:
                lead = _skip_markup_left(norm, bound[2])  # fell about $2 billion to $18 billion
            if joiner and eng.range_blockers.before(norm, lead) is not None:
                joiner = None  # "from $10 to $12", "slid 50 cents to $12.40": a change
            if joiner and joiner.group(1).lower() in eng.range_openers:
                opener = eng.range_openers[joiner.group(1).lower()]
                if opener.before(norm, _skip_markup_left(norm, a.start)) is None:
                    joiner = None
            if joiner and (b.kind is not None or a.kind is not None):
                same = a.kind is None or b.kind is None or (a.kind == b.kind and a.unit == b.unit)
                if same:
                    kind = b.kind or a.kind
                    unit = b.unit if b.kind else a.unit
                    lo = a.value
                    if a.num.magnitude == 1.0 and b.num.magnitude != 1.0:
                        lo = a.value * b.num.magnitude
                    elif a.kind is None and b.kind == "percent" and b.num.value and b.value != b.num.value:
                        lo = a.value * (b.value / b.num.value)  # 3至4成: 成 scales both ends
                    hi = b.value
                    if (lo > 0 and hi > lo * eng.move_range_ratio and eng.move_words is not None
                            and eng.move_words.before(norm, lead) is not None):
                        hi = -math.inf  # fell $2 billion to $18 billion: a change, then the level
                    if lo <= hi:
                        merged = _Item(a.start, b.end, a.num, kind, lo, unit,
                                       (b.rule if b.kind else a.rule), a.notes + b.notes + ["a range"],
                                       currency_word=b.currency_word or a.currency_word)
                        merged.num = replace(a.num, end=b.num.end)
                        merged.value_max = hi
                        out.append(merged)
                        i += 2
                        continue
        out.append(a)
        i += 1
    return out


def _qualifier_before(
    norm: str, start: int, eng: Engine, kind: str | None = None
) -> tuple[str | None, str | None]:
    pos = _skip_markup_left(norm, start)
    # "roughly a 27% stake": an article may sit between the qualifier and the number.
    m = eng.article_re.search(norm, max(0, pos - 4), pos)
    if m:
        pos = _skip_markup_left(norm, m.start())
    filler = eng.qual_fillers.before(norm, pos)
    if filler is not None and eng.qual_before.before(norm, filler[2]) is not None:
        pos = filler[2]  # 最高可達2000億: a verb may stand between the bound and the number
    hit = eng.qual_before.before(norm, pos)
    if hit is None:
        return None, None
    word, qual, wstart = hit
    if _is_latin(word[0]) and wstart > 0 and _is_latin(norm[wstart - 1]):
        return None, None
    if kind is not None and _key(word).lower() in eng.qual_not_for.get(kind, ()):
        return None, None  # "over five years" spans the years, it does not exceed them
    return str(qual), word


def _finish(text: str, norm: str, item: _Item, eng: Engine) -> Quantity:
    notes = list(item.notes)
    value_max = item.value_max
    qualifier = "exact"
    if value_max is not None:
        qualifier = "range"
    else:
        qual, word = _qualifier_before(norm, item.start, eng, item.kind)
        if qual:
            qualifier = qual
            notes.append(f"{word} makes it {qual}")
        else:
            after = eng.qual_after.after(norm, item.end, space=False)
            if after is not None:
                qualifier = str(after[1])
                notes.append(f"{after[0]} makes it {qualifier}")
        if item.num.approx_more and qualifier == "exact":
            qualifier = "more_than"
            notes.append("the written figure is a floor")
        if item.num.vague:
            qualifier = item.num.vague_qualifier or "more_than"
            notes.append("a vague magnitude; the value is its floor")
    kind = item.kind or "number"
    date = None
    value: float | None = _decimal(item.value)
    if value_max is not None:
        value_max = _decimal(value_max)
    if kind == "year":
        date = str(int(item.value))
    expl = f"{text[item.start:item.end]} → {format_value(item.value)}"
    if value_max is not None:
        expl += f" to {format_value(value_max)}"
    expl += f" {item.unit}"
    if notes:
        expl += " (" + "; ".join(notes) + ")"
    return Quantity(
        text=text[item.start : item.end],
        start=item.start,
        end=item.end,
        kind=kind,
        value=value,
        unit=item.unit if kind != "number" else "number",
        rule=item.rule,
        value_max=value_max,
        date=date,
        qualifier=qualifier,
        vague=item.num.vague,
        explanation=expl,
        currency_word=item.currency_word,
    )


def _vague_english(
    norm: str, text: str, eng: Engine, furniture: _Furniture, taken: _Spans
) -> list[Quantity]:
    """'billions of dollars', 'tens of billions of yen': vague money with a floor."""
    out: list[Quantity] = []
    if eng.vague_en_any is None or not eng.vague_en_any.found_in(norm):
        return out
    for rx, floor in eng.vague_en:
        for m in rx.finditer(norm):
            cur = eng.currency_suffix.after(norm, m.end())
            if cur is None or taken.overlaps(m.start(), cur[2]) or furniture.blocked(m.start()):
                continue
            taken.add(m.start(), cur[2])
            out.append(
                Quantity(text[m.start() : cur[2]], m.start(), cur[2], "money", floor, cur[1].code,
                         "money.vague_en", qualifier="more_than", vague=True,
                         explanation=f"{m.group()} is vague; the floor is {format_value(floor)}")
            )
    return out


# ---------------------------------------------------------------------------
# Years and dates.


def _dates(
    norm: str,
    text: str,
    eng: Engine,
    published: dt.date | None,
    furniture: _Furniture,
    scanned: _Scanned | None = None,
) -> list[Quantity]:
    found: list[tuple[int, int, str, dict[str, str]]] = []
    taken = _Spans()
    matches = scanned or _Scanned(norm)
    for rid, rx in eng.date_patterns:
        for m in matches.matches(rx):
            groups = {k: v for k, v in m.groupdict().items() if v is not None}
            # A period is read whole (H1 2027, Q4 2024); other patterns start at their first group.
            first = m.start() if rid.startswith("period.") else min(m.start(k) for k in groups) if groups else m.start()
            s, e = first, m.end()
            if taken.overlaps(s, e) or furniture.blocked(s):
                continue
            taken.add(s, e)
            found.append((s, e, rid, groups))
    found.sort()
    out: list[Quantity] = []
    last_year: list[tuple[int, int]] = []  # (position, year) of every explicit year
    from extractor import periods  # it builds on this module

    for s, e, rid, g in found:
        if "day_alone" in g or "rel_year" in g or "year2" in g or len(g) > 1 and "year" in g and "month" not in g:
            q = periods.period(text, s, e, rid, g, published)
            if q is not None:
                out.append(q)
                if q.date and q.date[:4].isdigit() and "day_alone" not in g:
                    last_year.append((s, int(q.date[:4])))
            if q is not None or "day_alone" in g or "rel_year" in g or "year2" in g:
                continue
        year = _year_of(g)
        if year is not None and not (eng.year_range[0] <= year <= eng.year_range[1]):
            continue
        month = _month_of(g, eng)
        day = int(g["day"]) if "day" in g else None
        if month is not None and not 1 <= month <= 12:
            continue
        if day is not None and not 1 <= day <= 31:
            continue
        note = ""
        if year is None:
            year, note = _context_year(norm, s, last_year, published)
        else:
            last_year.append((s, year))
        if month is None:
            if year is None:
                continue
            out.append(Quantity(text[s:e], s, e, "year", float(year), "year", rid, date=str(year),
                                explanation=f"{text[s:e]} → the year {year}"))
            continue
        if year is None:
            iso = f"--{month:02d}" + (f"-{day:02d}" if day else "")
        else:
            iso = f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")
            if day is not None:
                try:
                    dt.date(year, month, day)
                except ValueError:
                    continue
        out.append(Quantity(text[s:e], s, e, "date", None, "date", rid, date=iso,
                            explanation=f"{text[s:e]} → {iso}{note}"))
    return out


def _year_of(g: dict[str, str]) -> int | None:
    if "year" in g:
        return int(g["year"])
    if "year_zh" in g:
        v = parse_zh(g["year_zh"])
        return int(v) if v is not None else None
    return None


def _month_of(g: dict[str, str], eng: Engine) -> int | None:
    if "month" in g:
        return int(g["month"])
    if "month_name" in g:
        return eng.month_names.get(g["month_name"].lower().rstrip("."))
    return None


def _context_year(
    norm: str, pos: int, years: list[tuple[int, int]], published: dt.date | None
) -> tuple[int | None, str]:
    """The year a month without one refers to: the last year named earlier in the same
    paragraph, else the year of publication."""
    para_start = norm.rfind("\n", 0, pos) + 1
    for ypos, year in reversed(years):
        if ypos < para_start:
            break
        if ypos < pos:
            return year, f" (year from the {year} earlier in the paragraph)"
    if published is not None:
        return published.year, f" (year from the article's date {published.isoformat()})"
    return None, ""
