"""Syndicated copies: an article whose text nearly equals one already stored.

A repost keeps the story and its numbers and changes the header or footer. Each article gets a MinHash
signature of its character shingles, cut into bands; only articles that share a whole
band are compared, with rapidfuzz, so the cost stays flat at tens of thousands of
articles. A copy records the earliest stored version in `articles.duplicate_of`, so that
corroboration counts the story once.

    >>> bands = signature("微软已向 OpenAI 投入了超过 130 亿美元。" * 20)
    >>> len(bands)
    16
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import sqlite_utils
from rapidfuzz.distance import LCSseq

TABLE = "article_bands"
SHAPES_TABLE = "article_shapes"
SHINGLE = 5
BANDS = 16
ROWS = 4
# Both texts must share this much of the shorter one, and this much of the longer one:
# a header and a footer change, a story quoted in a longer piece does not count.
MIN_SHARED_OF_SHORTER = 0.9
MIN_SHARED_OF_LONGER = 0.7
# Longer texts are not compared character by character (quadratic); none is news.
MAX_COMPARE_CHARS = 100_000
MAX_CANDIDATES = 20
_CHUNK = 50_000
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")

_rng = np.random.default_rng(20251028)
_A = _rng.integers(1, 2**63, size=BANDS * ROWS, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 2**63, size=BANDS * ROWS, dtype=np.uint64)
_P = np.uint64(0x100000001B3)
_MIX = np.uint64(0xBF58476D1CE4E5B9)
_MAX = np.iinfo(np.uint64).max
# Stored in PRAGMA user_version: bands made by another signature scheme are recomputed.
SIGNATURE_VERSION = 2


# Full-width forms (，：（）) and the ideographic space, each with its NFKC form: nearly all
# that keeps Chinese news from being NFKC-normalized already.
_WIDE = [(chr(c), unicodedata.normalize("NFKC", chr(c))) for c in [*range(0xFF01, 0xFF5F), 0x3000]]


def normalize(text: str) -> str:
    """What a repost may change without changing the story: widths, case, spacing."""
    # A character replaced by its own NFKC form leaves the text's NFKD, hence its NFKC,
    # as it was; a text then found normalized needs no NFKC pass (the slow part of this,
    # and most news is normalized once its full-width punctuation is replaced).
    for wide, narrow in _WIDE:
        if wide in text:
            text = text.replace(wide, narrow)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    # str.split() drops exactly what `\s` matches (str.isspace), ten times faster than re.sub.
    return "".join(text.casefold().split())


def signature(text: str) -> list[int]:
    """Band keys: articles that share one are candidate copies of each other."""
    norm = _prepared(text)[0]
    if not norm:
        return []
    # Repeated shingles need no removal: a minimum is the same over a multiset as over
    # its set, and np.unique cost as much as the permutations.
    hashes = _shingle_hashes(norm)
    mins = np.full(BANDS * ROWS, _MAX, dtype=np.uint64)
    for i in range(0, len(hashes), _CHUNK):
        chunk = hashes[i : i + _CHUNK]
        # Multiply-shift hashing: one cheap random permutation per row (wraps mod 2**64),
        # computed in place, a row per permutation so that each minimum runs over
        # contiguous memory (twice as fast as down the columns). The shift is monotonic,
        # so it is taken after the minimum, on 64 numbers instead of all of them.
        permuted = np.multiply(_A[:, None], chunk[None, :])
        permuted += _B[:, None]
        mins = np.minimum(mins, permuted.min(axis=1) >> np.uint64(16))
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(mins[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8,
                                 person=band.to_bytes(2, "big")).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def _shingle_hashes(norm: str) -> Any:
    """A 64-bit hash of every SHINGLE-character window, computed on the code points as
    arrays (a Python call per window cost more than all the rest of duplicate finding)."""
    cp = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = max(1, len(cp) - SHINGLE + 1)
    h = np.zeros(n, dtype=np.uint64)
    for k in range(SHINGLE):  # a polynomial in the window's code points, wrapping mod 2**64
        part = cp[k : k + n]
        h[: len(part)] = h[: len(part)] * _P + part
    h ^= h >> np.uint64(29)  # mix the high and low bits before the permutations
    h *= _MIX
    h ^= h >> np.uint64(32)
    return h


def same_story(a: str, b: str) -> bool:
    """True when one text is the other with a different header or footer."""
    verdict = _by_shape(shape(a), shape(b))
    return verdict if verdict is not None else _by_text(_prepared(a)[0], _prepared(b)[0])


@dataclass(frozen=True)
class Shape:
    """What most comparisons are decided on, kept per article in SHAPES_TABLE so that a
    candidate's text is normalized once in the database's life, not once per comparison."""

    length: int  # characters of the normalized text
    numbers: tuple[str, ...]  # its numbers, in order


def shape(text: str) -> Shape:
    norm, numbers = _prepared(text)
    return Shape(len(norm), tuple(numbers))


def _by_shape(a: Shape, b: Shape) -> bool | None:
    """False when the shapes already tell two stories apart; None when the texts must say."""
    short, long_ = sorted((a.length, b.length))
    if short == 0 or short < MIN_SHARED_OF_LONGER * long_ or long_ > MAX_COMPARE_CHARS:
        # Only identical texts can match here; texts of different lengths are not.
        return False if a.length != b.length else None
    # A template filled with other figures (earnings bulletins, price notices) is another
    # story: a repost keeps the numbers, in order.
    xa, xb = a.numbers, b.numbers
    if xa and xb and LCSseq.similarity(xa, xb) < MIN_SHARED_OF_SHORTER * min(len(xa), len(xb)):
        return False
    if bool(xa) != bool(xb) and max(len(xa), len(xb)) > 2:
        return False
    return None


def _by_text(na: str, nb: str) -> bool:
    """Whether two normalized texts share enough of the shorter and of the longer."""
    short, long_ = sorted((len(na), len(nb)))
    if short == 0 or short < MIN_SHARED_OF_LONGER * long_ or long_ > MAX_COMPARE_CHARS:
        return na == nb
    shared = LCSseq.similarity(na, nb)
    return shared >= MIN_SHARED_OF_SHORTER * short and shared >= MIN_SHARED_OF_LONGER * long_


@lru_cache(maxsize=512)
def _prepared(text: str) -> tuple[str, list[str]]:
    # The articles of one story are each other's candidates again and again: normalizing
    # them once, not once per comparison, was most of the cost of finding reposts.
    norm = normalize(text)
    return norm, _NUMBER.findall(norm)


def init(db: sqlite_utils.Database) -> None:
    """Create the band and shape tables; fill the bands for articles stored before the
    table existed, or whose bands an earlier signature scheme made. (Shapes are filled
    as articles are first compared.)"""
    if not db.table(SHAPES_TABLE).exists():
        db.table(SHAPES_TABLE).create(
            # No foreign key: a shape is written before its article (ids are text hashes).
            {"article_id": str, "length": int, "numbers": str}, pk="article_id",
        )
    version = db.execute("pragma user_version").fetchone()[0]
    if db.table(TABLE).exists() and version >= SIGNATURE_VERSION:
        return
    with db.atomic():
        if not db.table(TABLE).exists():
            db.table(TABLE).create(
                {"band": int, "article_id": str}, pk=("band", "article_id"),
                foreign_keys=[("article_id", "articles", "id")],
            )
            db.table(TABLE).create_index(["article_id"])
        db.execute(f"delete from [{TABLE}]")
        for article_id, text in db.execute("select id, text from articles order by rowid").fetchall():
            db.conn.executemany(f"insert or ignore into [{TABLE}] (band, article_id) values (?, ?)",
                                [(b, article_id) for b in dict.fromkeys(signature(text or ""))])
        db.execute(f"pragma user_version = {SIGNATURE_VERSION}")


def original_of(db: sqlite_utils.Database, article_id: str, text: str, bands: list[int],
                mine: Shape | None = None) -> str | None:
    """The id of the stored article that `text` is a copy of (the first one stored), or None.
    `mine` is the text's shape when another process has worked it out already."""
    # One lookup, not sqlite-utils' table() and exists(), which list the views and the tables.
    if not bands or not db.execute("select 1 from sqlite_master where type = 'table' and name = ?", [TABLE]).fetchone():
        return None
    marks = ",".join("?" * len(bands))
    # Candidates are ranked on the band table and the id index alone; only the few kept
    # are read (in a one-story archive a band is shared by hundreds of articles), and most
    # are told apart by their stored shapes without reading or normalizing their text.
    candidates = db.execute(
        f"select c.article_id, c.rowid, a.duplicate_of, s.length, s.numbers from ("
        f"  select b.article_id, count(*) as shared, (select rowid from articles where id = b.article_id) as rowid "
        f"  from {TABLE} b where b.band in ({marks}) and b.article_id != ? "
        f"  group by b.article_id having rowid is not null order by shared desc, rowid limit {MAX_CANDIDATES}"
        f") c join articles a on a.rowid = c.rowid left join {SHAPES_TABLE} s on s.article_id = c.article_id "
        f"order by c.shared desc, c.rowid",
        [*bands, article_id],
    ).fetchall()
    mine = mine or shape(text)
    # Kept now, while the text is at hand: the id is a hash of the text, so the shape is
    # right for whichever article is ever stored under it.
    _keep_shape(db, article_id, mine)
    matches = []
    for cid, rowid, dup, length, numbers in candidates:
        other: str | None = None
        if length is None:  # first compared: its shape is worked out once and kept
            other = _text(db, rowid)
            theirs = shape(other)
            _keep_shape(db, cid, theirs)
        else:
            theirs = Shape(length, tuple(numbers.split(" ")) if numbers else ())
        verdict = _by_shape(mine, theirs)
        if verdict is None:
            verdict = _by_text(_prepared(text)[0], _prepared(other if other is not None else _text(db, rowid))[0])
        if verdict:
            matches.append((rowid, dup or cid))
    if not matches:
        return None
    return min(matches)[1]


def _keep_shape(db: sqlite_utils.Database, article_id: str, found: Shape) -> None:
    db.execute(f"insert or ignore into [{SHAPES_TABLE}] (article_id, length, numbers) values (?, ?, ?)",
               [article_id, found.length, " ".join(found.numbers)])


def _text(db: sqlite_utils.Database, rowid: int) -> str:
    row = db.execute("select text from articles where rowid = ?", [rowid]).fetchone()
    return (row[0] if row else None) or ""
