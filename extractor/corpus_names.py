"""Subjects for claims an article left unattributed, from names the corpus knows.

An article often writes only a short form ("Aurora" for a company another outlet names
in full, 极光 for 极光半导体) or a person without a title; on its own the article cannot
tell these are names. Once `entities.link` has joined the articles, every alias of every
entity is known (full names, short forms, other scripts), so a claim with no subject
can look for them in its sentence: the nearest name before it, else the first after it,
else the company the article names most. Only aliases that belong to exactly one entity
are used, and only claims without a subject are touched, so a curated or local
attribution is never overridden. Work is limited to the articles that have such claims.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from extractor.entities import _converter, fold, is_latin

_MIN_LATIN = 4  # shorter Latin aliases are as often acronyms of something else
_MIN_CJK = 2


@dataclass(frozen=True)
class Mention:
    start: int  # offset in the article
    end: int
    name: str
    kind: str


def _simplified(text: str) -> str:
    """The text in Simplified, when conversion keeps every offset (it nearly always does)."""
    out = str(_converter().convert(text))
    return out if len(out) == len(text) else text


def alias_index(rows: list[tuple[str, str, str]]) -> tuple[re.Pattern[str] | None, dict[str, tuple[str, str]]]:
    """A pattern over the unambiguous aliases and a map from matched form to (name, kind)."""
    owners: dict[str, set[tuple[str, str]]] = {}
    forms: dict[str, str] = {}
    for alias, name, kind in rows:
        if not alias or alias.startswith("$"):
            continue
        latin = is_latin(alias)
        if len(alias) < (_MIN_LATIN if latin else _MIN_CJK) or (latin and not alias[:1].isupper()):
            continue
        form = alias if latin else _simplified(alias)
        owners.setdefault(fold(form), set()).add((name, kind))
        forms[form] = fold(form)
    table = {f: next(iter(owners[k])) for f, k in forms.items() if len(owners[k]) == 1}
    if not table:
        return None, {}
    alts = []
    for f in sorted(table, key=len, reverse=True):
        alts.append(r"(?<![A-Za-z])" + re.escape(f) + r"(?![a-z])" if is_latin(f) else re.escape(f))
    return re.compile("|".join(alts)), table


def mentions(sentences: list[tuple[int, str]], rx: re.Pattern[str], table: dict[str, tuple[str, str]]) -> list[Mention]:
    out = []
    for start, text in sentences:
        for m in rx.finditer(_simplified(text)):
            name, kind = table[m.group()]
            out.append(Mention(start + m.start(), start + m.end(), name, kind))
    return out


def choose(found: list[Mention], s_start: int, s_end: int, at: int, main: str | None) -> str | None:
    """The nearest name before `at` in its sentence, else the first after, else `main`."""
    inside = [m for m in found if s_start <= m.start and m.end <= s_end]
    before = [m for m in inside if m.end <= at]
    if before:
        return before[-1].name
    after = [m for m in inside if m.start >= at]
    if after:
        return after[0].name
    return main


def main_company(found: list[Mention]) -> str | None:
    """The organisation an article names most, when one leads."""
    counts = Counter(m.name for m in found if m.kind != "person").most_common(2)
    if not counts or (len(counts) == 2 and counts[0][1] == counts[1][1]):
        return None
    return counts[0][0]


def fill(db: Any) -> int:
    """Give claims with no subject one from the corpus's names. Returns how many."""
    conn = db.conn
    if not db.table("entities").exists():
        return 0
    pending = conn.execute(
        "select c.id, c.article_id, c.start, s.start, s.end from claims c "
        "join sentences s on s.id = c.sentence_id where c.subject is null order by c.article_id"
    ).fetchall()
    if not pending:
        return 0
    rx, table = alias_index(conn.execute("select distinct alias, name, kind from entities").fetchall())
    if rx is None:
        return 0
    by_article: dict[str, list[tuple[str, int, int, int]]] = {}
    for cid, art, start, s0, s1 in pending:
        by_article.setdefault(art, []).append((cid, start, s0, s1))
    n = 0
    with conn:
        for art, claims in by_article.items():
            sents = conn.execute("select start, text from sentences where article_id = ? order by start", (art,)).fetchall()
            found = mentions(sents, rx, table)
            if not found:
                continue
            lead = main_company(found)
            for cid, start, s0, s1 in claims:
                name = choose(found, s0, s1, start, lead)
                if name:
                    conn.execute("update claims set subject = ? where id = ?", (name, cid))
                    n += 1
    return n
