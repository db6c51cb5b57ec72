"""Traditional and Simplified Chinese: a rule word written in one script also matches in
the other. OpenCC folds each word once, when the rules load; the text is never converted.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any


@cache
def converters() -> tuple[Any, Any] | None:
    """OpenCC's Traditional-to-Simplified and Simplified-to-Traditional converters."""
    try:
        import opencc
    except ImportError:  # the words are then matched as written
        return None
    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


@cache
def both_scripts(word: str) -> frozenset[str]:
    """A word as written, in Simplified and in Traditional script."""
    conv = converters()
    if conv is None or word.isascii():
        return frozenset({word})
    return frozenset({word, conv[0].convert(word), conv[1].convert(word)})


def forms(words: Iterable[str]) -> dict[str, frozenset[str]]:
    """Each word in both scripts, converted in one pass per direction (a call per word
    costs OpenCC far more than the characters do)."""
    words = list(dict.fromkeys(words))
    conv = converters()
    chinese = [w for w in words if not w.isascii() and "\n" not in w]
    out = {w: frozenset({w}) for w in words}
    if conv is None or not chinese:
        return out
    simp = conv[0].convert("\n".join(chinese)).split("\n")
    trad = conv[1].convert("\n".join(chinese)).split("\n")
    if len(simp) != len(chinese) or len(trad) != len(chinese):
        return {w: both_scripts(w) for w in words}
    for w, s_form, t_form in zip(chinese, simp, trad, strict=True):
        out[w] = frozenset({w, s_form, t_form})
    return out


def fold(words: Iterable[str]) -> list[str]:
    """Every word of a list in both scripts, in the list's order, each once."""
    words = list(words)
    by_word = forms(words)
    out: dict[str, None] = {}
    for w in words:
        out[w] = None
        for form in sorted(by_word[w]):
            out.setdefault(form, None)
    return list(out)
