"""Scanning a whole text for the rules' regexes (dates, page furniture): what a rule's
regex needs (its first characters, required characters and strings) is read from the
parsed pattern, so that a text is passed over where no match can start, and many rules
share one pass of the regex engine."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from extractor.word_tables import _FOLDS_TO_ASCII, _is_latin

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
