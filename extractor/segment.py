"""Sentences and words for Chinese, English and mixed documents.

Sentences are found on the raw text, so their offsets are exact; each sentence gets a
language of its own (a bilingual article alternates them). Words come from spaCy's
blank pipelines: `zh` with the jieba segmenter, `en` with its rule tokenizer. Words serve
context and full-text search, never the numbers themselves.
"""

from __future__ import annotations

import re
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
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    lang: str
    text: str


def language(text: str) -> str:
    """`zh` when Chinese characters make up at least a fifth of the letters, else `en`."""
    cjk = len(_CJK.findall(text))
    if cjk == 0:
        return "en"
    latin = len(_LATIN.findall(text))
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


def _quiet_jieba() -> None:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)


def words(text: str, lang: str) -> list[str]:
    """Segment one sentence into words (spaces dropped)."""
    if lang == "zh":
        return _zh_words(text)
    return [t.text for t in _nlp(lang).tokenizer(text) if not t.is_space]


def _zh_words(text: str) -> list[str]:
    # What spaCy's Chinese tokenizer yields without building a Doc: it runs its jieba
    # segmenter (accurate mode, HMM on) and keeps the non-space words, and the Doc was
    # half the cost of segmenting.
    return [w for w in _jieba_cut()(text) if w and not w.isspace()]


@cache
def _jieba_cut() -> Any:
    _quiet_jieba()
    segmenter = _nlp("zh").tokenizer.jieba_seg
    return lambda text: segmenter.lcut(text, cut_all=False)


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
