"""The repost signature computed on arrays equals the same MinHash written out in plain
Python integers: a faster layout must not change a band (stored bands would stop matching)."""

from __future__ import annotations

import hashlib

import pytest

from extractor import duplicates

M = 2**64


def _plain_signature(text: str) -> list[int]:
    norm = duplicates.normalize(text)
    if not norm:
        return []
    cps = [ord(c) for c in norm]
    k = duplicates.SHINGLE
    hashes = []
    for i in range(max(1, len(cps) - k + 1)):
        h = 0
        for cp in cps[i : i + k]:
            h = (h * int(duplicates._P) + cp) % M
        h ^= h >> 29
        h = h * int(duplicates._MIX) % M
        h ^= h >> 32
        hashes.append(h)
    mins = [min((int(a) * h + int(b)) % M for h in hashes) >> 16
            for a, b in zip(duplicates._A, duplicates._B, strict=True)]
    keys = []
    rows = duplicates.ROWS
    for band in range(duplicates.BANDS):
        raw = b"".join(m.to_bytes(8, "little") for m in mins[band * rows : (band + 1) * rows])
        digest = hashlib.blake2b(raw, digest_size=8, person=band.to_bytes(2, "big")).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


@pytest.mark.parametrize("text", [
    "翠湾科技去年营收增长 12.5%，达到 340 亿元。",
    "Ludwig Foods said revenue rose 8% to $1.2 billion.\n（转载）",
    "abc",
    "",
])
def test_signature_is_plain_minhash(text: str) -> None:
    assert duplicates.signature(text) == _plain_signature(text)
