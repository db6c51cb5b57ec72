"""Sentences and words for Chinese, English and mixed documents.

Sentences are found on the raw text, so their offsets are exact; each sentence gets a
language of its own (a bilingual article alternates them). Words come from spaCy's
blank `en` pipeline's rule tokenizer for English, and jieba's accurate mode for Chinese
(through rjieba, the Rust port, with a fix-up that makes its output jieba's, when it is
installed). Words serve context and full-text search, never the numbers themselves.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

# Chinese sentence ends, the full-width semicolon and the ellipsis; a closing quote or
# bracket that follows stays with its sentence.
_ZH_END = re.compile(r"[。！？!?；…]+[」』”’\"')）】]*")
# English: end punctuation, optional closing quote, then a space and what starts a sentence.
_EN_END = re.compile(r"[.!?]+[\"'”’)]*(?=\s+[\"'“‘(]?[A-Z0-9$€£¥])")
# A full stop after these is an abbreviation, not a sentence end.
_ABBREVIATIONS = frozenset(
    ("mr", "ms", "mrs", "dr", "st", "co", "corp", "inc", "ltd", "jr", "sr", "vs", "no", "jan",
     "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k",
     "e.g", "i.e", "approx", "est", "fig")
)
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
# Letters are counted by deleting everything else: one C pass, where findall made a
# string per letter (language() runs on every line and sentence).
_NOT_CJK = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_NOT_LATIN = re.compile(r"[^A-Za-z]+")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    lang: str
    text: str


def language(text: str) -> str:
    """`zh` when Chinese characters make up at least a fifth of the letters, else `en`."""
    cjk = len(_NOT_CJK.sub("", text))
    if cjk == 0:
        return "en"
    latin = len(_NOT_LATIN.sub("", text))
    # A Latin letter carries less than a Chinese character: weigh words, not letters.
    return "zh" if cjk >= 0.2 * (cjk + latin / 5) else "en"


def sentences(text: str) -> list[Sentence]:
    """Split into sentences with exact offsets; line breaks always end a sentence."""
    out: list[Sentence] = []
    pos = 0
    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        lang = language(line)
        ends = _ZH_END if lang == "zh" else _EN_END
        cut = 0
        for m in ends.finditer(line):
            if lang == "en" and line[m.start()] == "." and _abbreviation(line[cut : m.start()]):
                continue
            _add(out, text, line_start + cut, line_start + m.end())
            cut = m.end()
        _add(out, text, line_start + cut, line_start + len(line))
    return out


def _abbreviation(before: str) -> bool:
    m = _WORD_BEFORE.search(before)
    if not m:
        return False
    word = m.group(1).lower()
    return len(word) == 1 or word in _ABBREVIATIONS


def _add(out: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        chunk = text[start:end]
        out.append(Sentence(start, end, language(chunk), chunk))


@cache
def _nlp(lang: str) -> Any:
    import spacy

    if lang == "zh":
        return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    return spacy.blank("en")


def words(text: str, lang: str) -> list[str]:
    """Segment one sentence into words (spaces dropped)."""
    if lang == "zh":
        return _zh_words(text)
    return [t.text for t in _nlp(lang).tokenizer(text) if not t.is_space]


def _zh_words(text: str) -> list[str]:
    # What spaCy's Chinese tokenizer yields (its jieba segmenter, accurate mode, HMM on,
    # non-space words) without spaCy: loading spaCy and building a Doc cost more than
    # segmenting.
    return [w for w in zh_cut()(text) if w and not w.isspace()]


# Which segmenter cuts Chinese: `rjieba` (jieba-rs, the same dictionary and algorithm,
# about 30 times faster) when it is installed, else `jieba`, the reference. The variable
# CLAIMS_SEGMENTER=jieba forces the reference (tests compare the two databases).
SEGMENTER_ENV = "CLAIMS_SEGMENTER"


@cache
def zh_cut() -> Callable[[str], list[str]]:
    """The function that cuts Chinese text exactly as `jieba.lcut(text)` does."""
    if os.environ.get(SEGMENTER_ENV, "").strip().lower() != "jieba":
        try:
            import rjieba
        except ImportError:
            pass
        else:
            return fast_cut(rjieba)
    return jieba_cut()


@cache
def jieba_cut() -> Callable[[str], list[str]]:
    """`jieba.lcut` (accurate mode, HMM on), its dictionary loaded quietly."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return lambda text: jieba.lcut(text, cut_all=False)


# Where jieba-rs and jieba part ways, and how the fix-up brings them together:
# - jieba takes only U+4E00-U+9FD5 for Chinese; jieba-rs also takes extension A, the
#   last ideographs of the main block, the compatibility ideographs and the supplementary
#   planes. jieba yields each such character on its own and segments either side
#   separately, so the text is cut at them first.
_HAN_ONLY_RS = re.compile("([\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f])")
# - A run of ASCII letters and digits joined by `-`, `.`, `_` (or `+ # & %`) that the
#   dictionary does not know is one word for jieba-rs; jieba splits it at every such sign
#   but the decimal point of a number (its HMM step's `re_skip`).
_JOINERS = re.compile(r"[-._+#&%]")
_JOINED_RUN = re.compile(r"[A-Za-z0-9+#&._%\-]*[-._+#&%][A-Za-z0-9+#&._%\-]*")
_JIEBA_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
# - Characters the dictionary does not join go to an HMM (Viterbi) as one run. When a
#   run repeats a character (作同同同全), two segmentations can score exactly the same,
#   and the two break the tie differently. Such runs, rare, are cut by jieba's own HMM.
_REPEAT = re.compile("([\u4e00-\u9fd5])[\u4e00-\u9fd5]*?\\1")
_ASCII_RUN = re.compile(r"[A-Za-z0-9]+")
# What jieba segments with its dictionary and HMM; anything else (spaces, punctuation)
# is a word of its own and ends a run.
_BLOCK_CHAR = re.compile(r"[\u4e00-\u9fd5a-zA-Z0-9+#&._%\-]")
_ASCII_BLOCK = re.compile(r"[a-zA-Z0-9+#&._%\-]")
_SINGLE_HAN_RUN = re.compile("(?<![^\\0])[\u4e00-\u9fd5](?:\\0[\u4e00-\u9fd5])+(?![^\\0])")


def fast_cut(rjieba: Any) -> Callable[[str], list[str]]:
    """`jieba.lcut` through rjieba (jieba-rs) and the fix-ups above."""
    cut, known = rjieba.cut, rjieba.has_word

    def fix(words: list[str]) -> list[str]:
        out: list[str] = []
        for w in words:
            if len(w) > 1 and _JOINED_RUN.fullmatch(w) and not known(w):
                out.extend(x for x in _JIEBA_SKIP.split(w) if x)
            else:
                out.append(w)
        return out

    def hmm_runs(text: str, routes: list[str]) -> list[tuple[int, int]]:
        # The HMM's runs are the maximal runs of one-character routes of the dictionary
        # step (which rjieba gives without the HMM; there a run of single ASCII letters
        # and digits comes out joined, told from a dictionary word by the dictionary).
        runs: list[tuple[int, int]] = []
        pos, start = 0, -1
        for route in routes:
            if len(route) == 1:
                single = _BLOCK_CHAR.match(route) is not None
            else:
                single = _ASCII_RUN.fullmatch(route) is not None and not known(route)
            if single and start < 0:
                start = pos
            elif not single and start >= 0:
                runs.append((start, pos))
                start = -1
            pos += len(route)
        if start >= 0:
            runs.append((start, pos))
        return [(a, b) for a, b in runs if b - a > 1 and _REPEAT.search(text, a, b) and not known(text[a:b])]

    def tie_prone(text: str) -> list[tuple[int, int]]:
        """The HMM runs of `text` that repeat a character, as (start, end)."""
        routes = cut(text, False)
        if "\0" in text:
            return hmm_runs(text, routes)
        # Found by a regex over the routes joined by NUL, not a Python loop over them:
        # runs of one-Han-character routes (most text has none that repeat a character).
        joined = "\0".join(routes)
        out: list[tuple[int, int]] = []
        for m in _SINGLE_HAN_RUN.finditer(joined):
            han = m.group()[::2]
            if len(set(han)) == len(han):
                continue
            a = m.start() - joined.count("\0", 0, m.start())
            b = a + len(han)
            if (a and _ASCII_BLOCK.match(text, a - 1)) or _ASCII_BLOCK.match(text, b):
                return hmm_runs(text, routes)  # the run may go on over ASCII: work it out exactly
            if not known(han):
                out.append((a, b))
        return out

    def settle_ties(text: str, words: list[str]) -> list[str]:
        redo = tie_prone(text)
        if not redo:
            return words
        from jieba import finalseg

        out: list[str] = []
        pos = 0
        todo = iter(redo)
        a, b = next(todo)
        for w in words:  # a run's ends are word ends in rjieba's output too
            if pos < a or pos >= b:
                out.append(w)
            elif pos == a:
                out.extend(finalseg.cut(text[a:b]))
            pos += len(w)
            if pos >= b:
                a, b = next(todo, (len(text) + 1, len(text) + 1))
        return out

    def piece(text: str) -> list[str]:
        words = cut(text)
        if _REPEAT.search(text):
            words = settle_ties(text, words)
        return fix(words) if _JOINERS.search(text) else words

    def cut_like_jieba(text: str) -> list[str]:
        if not _HAN_ONLY_RS.search(text):
            return piece(text)
        out: list[str] = []
        for i, part in enumerate(_HAN_ONLY_RS.split(text)):
            if i % 2:
                out.append(part)
            elif part:
                out.extend(piece(part))
        return out

    return cut_like_jieba


def words_many(texts: list[str], langs: list[str]) -> list[list[str]]:
    """Segment many sentences, batching each language through its pipeline."""
    out: list[list[str]] = [[] for _ in texts]
    en = []
    for i, lg in enumerate(langs):
        if lg == "zh":
            out[i] = _zh_words(texts[i])
        elif lg == "en":
            en.append(i)
    if en:
        tok = _nlp("en").tokenizer
        for i, doc in zip(en, tok.pipe(texts[i] for i in en), strict=True):
            out[i] = [t.text for t in doc if not t.is_space]
    return out


def search_words(query: str) -> str:
    """Segment a search query the same way the index was built: space-joined words."""
    return " ".join(words(query, language(query)))
