"""Telling the Western single-byte encodings apart: cp1252 (Latin-1's Windows form),
cp1250 (Central European), cp1251 (Cyrillic), cp1253 (Greek).

Any byte is a character in each of them, so a clean decode proves nothing, as with GBK
and Big5. What differs is whether the reading looks like words: letters of one script
inside words, currency signs beside numbers, quotes and dashes between words. The wrong
code page puts a superscript or an inverted question mark inside a word (Polish 'ł' read
as cp1252 is '³'), a capital in the middle of a word, a Cyrillic letter inside a Latin one,
or a letter glued to a number where a currency sign was ('£3.2bn' read as cp1250 is 'Ł3.2bn').
"""

from __future__ import annotations

import unicodedata

CANDIDATES = ("cp1252", "cp1250", "cp1251", "cp1253")
# The share of non-ASCII characters that must read as plausible for a guess to be taken.
MIN_PLAUSIBLE = 0.6
# The least share of spaces and line ends in prose (about one character in six).
MIN_SPACES = 0.05


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else ""


def plausibility(text: str) -> float:
    """Share of the non-ASCII characters of `text` that sit where such a character would."""
    seen = good = 0
    size = len(text)
    for i, ch in enumerate(text):
        if ord(ch) < 0x80:
            continue
        seen += 1
        before = text[i - 1] if i > 0 else " "
        after = text[i + 1] if i + 1 < size else " "
        cat = unicodedata.category(ch)
        if cat[0] == "L":
            neighbours = [c for c in (before, after) if c.isalpha()]
            if not neighbours:
                good += after.isspace() or not after.isdigit()  # a one-letter word, not 'Ł3'
                continue
            script = _script(ch)
            same_script = all(_script(c) == script for c in neighbours)
            mid_capital = ch.isupper() and before.isalpha() and before.islower()
            good += same_script and not mid_capital
        elif cat == "Sc":
            good += after.isdigit() or before.isdigit() or after.isspace()
        elif cat[0] in "PZ":
            # Quotes, dashes, ellipses and spaces go between words; within a word only an
            # apostrophe does.
            good += not (before.isalpha() and after.isalpha()) or ch in "\u2019\u2018"
        elif cat in ("No", "So", "Sm", "Sk"):
            good += not before.isalpha() and not after.isalpha()  # ° ± ² beside numbers
        # controls and the rest count as implausible
    return good / seen if seen else 1.0


def guess(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) of the most plausible reading, or None if none reads as words.
    Ties go to the earlier candidate: cp1252 is by far the most common."""
    # Prose has spaces between its words; junk bytes have about one in 256.
    if data.count(b" ") + data.count(b"\n") < len(data) * MIN_SPACES:
        return None
    best: tuple[float, str, str] | None = None
    for encoding in CANDIDATES:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = plausibility(text)
        if best is None or score > best[0]:
            best = (score, text, encoding)
    if best is None or best[0] < MIN_PLAUSIBLE:
        return None
    return best[1], best[2]
