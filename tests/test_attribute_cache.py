"""Near-spellings are scored once per capitalized run and remembered in a bounded LRU."""

from __future__ import annotations

import pytest
from rapidfuzz import fuzz, process

from extractor.attribute import (
    _CAPITALIZED_RE,
    _MISSING,
    _Lru,
    _near_spelling,
    find_entities,
    lexicon,
)

SENTENCES = [
    # (text, entity names found, in order)
    ("Softbank Grp said it would invest a further $22.5 billion in Open-AI.", ["SoftBank", "OpenAI"]),
    ("據報導,Softbank Grp 將向 Open-AI 追加投資 225 億美元。", ["SoftBank", "OpenAI"]),
    ("据悉,Microsft 将持有约 27% 的股份。", ["Microsoft"]),
    ("Anthropic's Claude and Googel's Gemini compete for enterprise contracts.", ["Anthropic"]),  # Googel: too far
]


@pytest.mark.parametrize(("text", "names"), SENTENCES)
def test_near_spellings_found_and_remembered(text: str, names: list[str]) -> None:
    first = find_entities(text)
    assert [m.entity.name for m in first] == names
    assert find_entities(text) == first  # the second time from the cache, the same answer


@pytest.mark.parametrize(("text", "names"), SENTENCES)
def test_cached_answer_is_rapidfuzz_answer(text: str, names: list[str]) -> None:
    lex = lexicon()
    for m in _CAPITALIZED_RE.finditer(text):
        run = m.group().lower()
        hit = process.extractOne(run, list(lex.fuzzy_names), scorer=fuzz.ratio, score_cutoff=88)
        expected = lex.fuzzy_names[hit[0]] if hit else None
        assert _near_spelling(lex, run) == expected
        assert _near_spelling(lex, run) == expected


def test_lru_forgets_the_least_recently_used() -> None:
    lru = _Lru(2)
    lru.put("softbank grp", "SoftBank")
    lru.put("open-ai", "OpenAI")
    assert lru.get("softbank grp") == "SoftBank"  # now the most recent
    lru.put("microsft", "Microsoft")
    assert lru.get("open-ai") is _MISSING  # forgotten
    assert lru.get("softbank grp") == "SoftBank"
    assert lru.get("microsft") == "Microsoft"
    assert len(lru.data) == 2


def test_lru_remembers_none() -> None:
    lru = _Lru(4)
    lru.put("reuters breakingviews", None)  # no entity: remembered too
    assert lru.get("reuters breakingviews") is None
    assert lru.get("bloomberg") is _MISSING
