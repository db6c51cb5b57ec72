"""What a number measures when no metric trigger names it: its head noun phrase.

"a training cost of about $78 million" → "training cost"; "其培训成本约7800万美元" → "培训成本".
The words that link a noun phrase to its number (of, was, 约, 达 …) and the words that
end a phrase on its left come from `rules/metrics.yaml` (`measure`). The phrase is
stored in `claims.measure`, so a figure without a known metric still says what it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from extractor import rules

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


@dataclass(frozen=True)
class MeasureRules:
    en_link_re: re.Pattern[str]  # "<phrase> <link> [qualifier]" right before the number
    zh_link_re: re.Pattern[str]
    en_stop: frozenset[str]
    zh_stop_re: re.Pattern[str]
    max_zh: int


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) or r"(?!x)x"


@cache
def measure_rules() -> MeasureRules:
    data = rules.load("metrics").get("measure") or {}
    if not isinstance(data, dict):
        data = {}

    def words(key: str) -> list[str]:
        return rules.string_list("metrics", f"measure.{key}", data.get(key) or [])

    return MeasureRules(
        en_link_re=re.compile(rf"(?:^|\s)(?:{_alt(words('en_links'))})(?:\s+(?:{_alt(words('en_qualifiers'))}))*\s*$",
                              re.IGNORECASE),
        zh_link_re=re.compile(rf"(?:{_alt(words('zh_links'))})*\s*$"),
        en_stop=frozenset(w.lower() for w in words("en_stop")),
        zh_stop_re=re.compile(rf"(?:{_alt(words('zh_stop'))})"),
        max_zh=int(data.get("max_zh", 6)),
    )


def head_phrase(text: str, clause_start: int, start: int, lang: str) -> str | None:
    """The noun phrase that the number at `start` measures, read back from it within
    its clause; None when none is written there."""
    before = text[clause_start:start]
    mr = measure_rules()
    if lang == "zh":
        m = mr.zh_link_re.search(before)
        head = before[: m.start()] if m else before
        run = re.search(f"[{_CJK}]+$", head)
        if not run:
            return None
        phrase = run.group()
        cut = [x.end() for x in mr.zh_stop_re.finditer(phrase)]
        if cut:
            phrase = phrase[max(cut):]
        phrase = phrase[-mr.max_zh :]
        return phrase if len(phrase) >= 2 else None
    m = mr.en_link_re.search(before)
    if not m:
        return None
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", before[: m.start()])
    kept: list[str] = []
    for w in reversed(words):
        if w.lower() in mr.en_stop or len(kept) == 3:
            break
        kept.insert(0, w)
    return " ".join(kept).lower() if kept else None
