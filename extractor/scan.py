"""Word lists compiled into fast regular expressions: tries, and scanners that split
Latin from Chinese words (used for entity aliases, metric triggers and hedges)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

_NEVER = r"(?!x)x"
_BOUNDARY = r"(?<![A-Za-z0-9])"


def _trie(words: Iterable[str]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for w in {w.lower() for w in words if w}:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here
    return root


def _firsts(chars: Iterable[str]) -> str:
    return "".join(sorted({re.escape(c) for c in chars} | {re.escape(c.upper()) for c in chars}))


def _alternation(words: Iterable[str]) -> str:
    """One regex for a word list, as a trie: the longest word wins, Latin words whole.

    Case-insensitive use only (words are lowered). A flat alternation of hundreds of words
    makes the engine try each at every position; the trie tries one branch per character,
    several times faster, and matches exactly what the longest-first alternation did.
    """
    root = _trie(words)
    if not root:
        return _NEVER
    tops = [(_BOUNDARY if _latin(ch) else "") + re.escape(ch) + _branches(node, ch)
            for ch, node in sorted(root.items())]
    return f"(?=[{_firsts(root)}])(?:{'|'.join(tops)})"


@dataclass(frozen=True)
class Scanner:
    """Finds what `re.compile(_alternation(words), re.IGNORECASE).finditer` finds, faster.

    The trie splits in two by first character: words starting with a Latin letter or
    digit (which need a word boundary before them) and the rest (Chinese). Apart, each
    runs several times faster than together: the Chinese one starts with a plain set of
    uncased characters, which the engine skips to without trying the pattern at every
    position, and the Latin one checks its boundary once, not once per first letter.
    When no first character of one part equals (ignoring case) one of the other's, a
    position can begin a match of one part only, so the two lists of matches, sorted
    together, are exactly the single regex's; where two of them overlap (a Latin word
    inside a Chinese one, say), `_merge` repeats the single regex's leftmost search.
    """

    parts: tuple[re.Pattern[str], ...]

    @classmethod
    def of(cls, words: Iterable[str]) -> Scanner:
        root = _trie(words)
        latin = {ch: node for ch, node in root.items() if _latin(ch)}
        other = {ch: node for ch, node in root.items() if not _latin(ch)}
        if any(re.fullmatch(re.escape(a), b, re.IGNORECASE) for a in latin for b in other):
            return cls((re.compile(_alternation(words), re.IGNORECASE),))  # rules a split cannot keep apart
        parts = []
        if latin:
            tops = "|".join(re.escape(ch) + _branches(node, ch) for ch, node in sorted(latin.items()))
            parts.append(f"(?=[{_firsts(latin)}]){_BOUNDARY}(?:{tops})")
        if other:
            parts.append("|".join(re.escape(ch) + _branches(node, ch) for ch, node in sorted(other.items())))
        return cls(tuple(re.compile(p, re.IGNORECASE) for p in parts or [_NEVER]))

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, matched text) of every match, in order, not overlapping."""
        found = [[(m.start(), m.end(), m.group()) for m in rx.finditer(text)] for rx in self.parts]
        if len(found) == 1:
            return found[0]
        merged = sorted(found[0] + found[1])  # starts differ: a position begins one part only
        if any(a[1] > b[0] for a, b in pairwise(merged)):
            return self._merge(text)
        return merged

    def _merge(self, text: str) -> list[tuple[int, int, str]]:
        # The single regex's scan: the leftmost match of any part, then on from its end.
        # A part's next match stays valid while it starts at or after the current end.
        out: list[tuple[int, int, str]] = []
        nxt = [rx.search(text) for rx in self.parts]
        while True:
            live = [(m.start(), k) for k, m in enumerate(nxt) if m is not None]
            if not live:
                return out
            _, k = min(live)
            m = nxt[k]
            assert m is not None
            out.append((m.start(), m.end(), m.group()))
            for j, o in enumerate(nxt):
                if o is not None and (j == k or o.start() < m.end()):
                    nxt[j] = self.parts[j].search(text, m.end())


def _branches(node: dict[str, Any], last: str) -> str:
    # Longer words first (children before the end of this one), so backtracking tries
    # the shorter word only when the longer one fails, as the longest-first list did.
    alts = [re.escape(ch) + _branches(child, ch) for ch, child in sorted(node.items()) if ch]
    if "" in node:
        alts.append(r"(?![A-Za-z0-9])" if _latin(last) else "")
    return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


_REGEX_SYNTAX = frozenset(".^$*+?{}[]|()\\")


def _first_char(trigger: str) -> str | None:
    """The character every match of the regex `trigger` starts with, when that is plain
    to read: a literal after any `\\b`, not made optional, no `|` outside a group.
    None when it is not (a class, a group, an escape ...)."""
    t = trigger
    while t.startswith("\\b"):
        t = t[2:]
    if not t or t[0] in _REGEX_SYNTAX or t[1:2] in ("?", "*", "{") or "[" in trigger:
        return None
    depth, i = 0, 0
    while i < len(trigger):
        ch = trigger[i]
        if ch == "\\":
            i += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return None
        i += 1
    return t[0]


def _prefiltered(rx: re.Pattern[str], triggers: list[str]) -> re.Pattern[str]:
    """`rx` with a look-ahead for the characters its triggers start with, when all are
    known: the engine then tries the alternatives only where one can begin (several
    times faster) and finds the same matches, as no match can begin anywhere else."""
    firsts = [_first_char(t) for t in triggers]
    if not firsts or None in firsts:
        return rx
    return re.compile(f"(?=[{_firsts(c for c in firsts if c)}])(?:{rx.pattern})", rx.flags)
