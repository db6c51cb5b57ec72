"""Read articles from files, folders or standard input, with their metadata.

Metadata comes from, in rising priority: a `sources.yaml` manifest in the file's folder,
YAML front matter in the file, and values given on the command line.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from extractor.errors import InputError

SUFFIXES = (".txt", ".md", ".markdown")
META_KEYS = ("url", "outlet", "title", "published", "lang", "published_approximate")
# Front-matter names that mean one of ours.
META_ALIASES = {
    "date": "published",
    "published_at": "published",
    "pubdate": "published",
    "link": "url",
    "source": "outlet",
    "site": "outlet",
    "publisher": "outlet",
    "language": "lang",
}
_FRONT = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


@dataclass
class Article:
    path: str
    text: str
    body_start: int
    meta: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def id(self) -> str:
        # Content decides the id: the same text ingested twice is one article.
        return self.sha256[:16]

    @property
    def published(self) -> dt.date | None:
        return to_date(self.meta.get("published"))


def to_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        m = re.match(r"\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", value)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def decode(data: bytes, name: str) -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, then GB18030 and Big5."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{name}: not valid UTF-16 despite its byte-order mark") from None
    if b"\x00" in data:
        raise InputError(f"{name}: looks binary (NUL bytes); skipped")
    for encoding in ("utf-8", "gb18030", "big5"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text.replace("\r\n", "\n").replace("\r", "\n")
    raise InputError(f"{name}: not text in UTF-8, UTF-16, GB18030 or Big5; skipped")


def split_front_matter(raw: str) -> tuple[dict[str, Any], int, list[str]]:
    """(metadata, offset where the body starts, warnings)."""
    m = _FRONT.match(raw)
    if not m:
        return {}, 0, []
    try:
        data = yaml.safe_load(m.group(1))
    except yaml.YAMLError:
        return {}, m.end(), ["front matter is not valid YAML; its metadata was ignored"]
    if not isinstance(data, dict):
        return {}, m.end(), ["front matter is not a mapping; its metadata was ignored"]
    return normalize_meta(data), m.end(), []


def normalize_meta(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        k = META_ALIASES.get(str(key).lower(), str(key).lower())
        if k in META_KEYS and value is not None:
            out[k] = value
    if "published" in out:
        d = to_date(out["published"])
        out["published"] = d.isoformat() if d else str(out["published"])
    return out


@cache
def _manifest(folder: Path) -> dict[str, dict[str, Any]]:
    path = folder / "sources.yaml"
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): normalize_meta(v) for k, v in data.items() if isinstance(v, dict)}


def read_article(path: Path | str, overrides: dict[str, Any] | None = None, label: str | None = None) -> Article:
    """Read one file (or `-` for standard input) as an Article."""
    name = label or str(path)
    if str(path) == "-":
        data = sys.stdin.buffer.read()
        manifest: dict[str, Any] = {}
    else:
        p = Path(path)
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise InputError(f"{name}: cannot read ({exc.strerror})") from None
        manifest = _manifest(p.parent.resolve()).get(p.name, {})
    raw = decode(data, name)
    front, body_start, warnings = split_front_matter(raw)
    text = raw[body_start:]
    if not text.strip():
        raise InputError(f"{name}: empty (no text to read); skipped")
    meta = {**manifest, **front, **{k: v for k, v in (overrides or {}).items() if v is not None}}
    if "published" in meta:
        d = to_date(meta["published"])
        meta["published"] = d.isoformat() if d else str(meta["published"])
    return Article(path=name, text=text, body_start=body_start, meta=meta, warnings=warnings)


def find_files(paths: Iterable[str], on_skip: Callable[[str], None]) -> Iterator[str]:
    """Expand folders (recursively, .txt and .md files) into files; `-` is stdin."""
    for given in paths:
        if given == "-":
            yield given
            continue
        p = Path(given)
        if p.is_dir():
            root = p.resolve()
            for f in sorted(p.rglob("*")):
                if f.suffix.lower() not in SUFFIXES or not f.is_file():
                    continue
                try:
                    f.resolve().relative_to(root)
                except ValueError:
                    on_skip(f"{f}: a link leading outside {given}; skipped")
                    continue
                yield str(f)
        elif p.is_file():
            yield given
        else:
            on_skip(f"{given}: no such file or folder; skipped")
