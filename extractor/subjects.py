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

import re
from functools import cache, lru_cache
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
