"""Read articles from files, folders or standard input, with their metadata.

Metadata comes from, in rising priority: a `sources.yaml` manifest in the file's folder,
YAML front matter in the file, and values given on the command line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

from extractor import readers
from extractor.errors import InputError

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES
# A metadata value longer than this is not a title or an outlet but junk.
MAX_META_CHARS = 2000
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
_FRONT_OPEN = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n")
# A first line that names a key of ours, as front matter would.
_KNOWN_KEY = re.compile(
    "(?i)[ \t]*(?:" + "|".join(sorted({*META_KEYS, *META_ALIASES}, key=len, reverse=True)) + ")[ \t]*:"
)


# A calendar date, then nothing, or a time of day: 2025-10-28, 2025/10/28, 2025年10月28日,
# 2025-07-09T15:40:04+08:00. Not 99999-01-01, not 2025-10-28abc.
_DATE = re.compile(r"\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s*\Z|[T ]\d)")


@dataclass
class Article:
    path: str
    text: str
    body_start: int
    meta: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @cached_property  # asked for four times per article; the text does not change
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
        m = _DATE.match(value)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def decode(data: bytes, name: str) -> str:
    """Bytes to text (see `readers.decode`); line ends become `\\n`."""
    return readers.decode(data, name).text


def printable(path: Path | str) -> str:
    """A file name fit to print and store: undecodable bytes in it become U+FFFD."""
    name = str(path)
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def split_front_matter(raw: str, markdown: bool = True) -> tuple[dict[str, Any], int, list[str]]:
    """(metadata, offset where the body starts, warnings).

    Front matter is a YAML mapping between a `---` line at the very start and the next
    `---` line: in Markdown any mapping, elsewhere (.txt, standard input) only one with a
    key of ours (title, outlet, published...). Anything else there, a rule above some prose
    say, is text like the rest: never dropped."""
    m = _FRONT.match(raw)
    if not m:
        if (opened := _FRONT_OPEN.match(raw)) and (markdown or _KNOWN_KEY.match(raw, opened.end())):
            return {}, 0, ["front matter has no closing '---'; the whole file was read as text"]
        return {}, 0, []
    block = m.group(1)
    try:
        data = yaml.load(block, Loader=_loader(block))
    except (yaml.YAMLError, RecursionError, ValueError, TypeError):
        data = None
        if markdown or _KNOWN_KEY.match(block):
            return {}, 0, ["front matter is not valid YAML; the whole file was read as text"]
    if not isinstance(data, dict):
        return {}, 0, []
    known = [k for k in data if isinstance(k, str) and META_ALIASES.get(k.lower(), k.lower()) in META_KEYS]
    if not known and not markdown:
        return {}, 0, []
    meta, warnings = normalize_meta(data)
    if not known:
        keys = ", ".join(str(k) for k in list(data)[:5])
        warnings.append(f"front matter has none of title, outlet, url, published (it has {keys}); ignored")
    return meta, m.end(), warnings


def _without_timestamps(loader: Any) -> Any:
    """The loader with dates left as text: YAML's own reading of 2025-02-30 is an error
    that would drop every other key; to_date judges the text instead."""
    sub: Any = type(f"Dateless{loader.__name__}", (loader,), {})
    sub.yaml_implicit_resolvers = {
        ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for ch, resolvers in loader.yaml_implicit_resolvers.items()
    }
    return sub


_SAFE_LOADER = _without_timestamps(yaml.SafeLoader)
_FAST_LOADER = _without_timestamps(yaml.CSafeLoader) if hasattr(yaml, "CSafeLoader") else None


def _loader(block: str) -> Any:
    """libyaml's loader (ten times faster) for ordinary front matter; the pure-Python
    one, which fails cleanly on any depth of nesting, for large or nested blocks."""
    if _FAST_LOADER is None or len(block) > 65_536 or "[" in block or "{" in block:
        return _SAFE_LOADER
    return _FAST_LOADER


def normalize_meta(data: dict[Any, Any]) -> tuple[dict[str, Any], list[str]]:
    """Our keys (aliases resolved) with scalar values; (metadata, warnings)."""
    out: dict[str, Any] = {}
    warnings: list[str] = []
    for key, value in data.items():
        if not isinstance(key, str):
            continue
        k = META_ALIASES.get(key.lower(), key.lower())
        if k not in META_KEYS or value is None:
            continue
        # Lists, mappings (and YAML alias bombs built of them) are no title or date.
        if not isinstance(value, str | int | float | bool | dt.date):
            warnings.append(f"metadata {key!r} is not a single value; ignored")
            continue
        if isinstance(value, str) and len(value) > MAX_META_CHARS:
            warnings.append(f"metadata {key!r} is {len(value)} characters long; ignored")
            continue
        out[k] = value
    if "published" in out:
        d = to_date(out["published"])
        out["published"] = d.isoformat() if d else str(out["published"])
    return out, warnings


# A sources.yaml larger than this is no list of articles' metadata: its parse alone would
# take longer than articles are given.
MAX_MANIFEST_BYTES = 4_000_000


@dataclass(frozen=True)
class Manifest:
    entries: dict[str, dict[str, Any]]
    warning: str | None = None  # why it was ignored, said once per manifest


def load_manifest(folder: Path) -> Manifest:
    """The `sources.yaml` of a folder: file name -> metadata. Parsed once while the file
    stays the same; a manifest that cannot be used is ignored with one warning saying why."""
    path = folder / "sources.yaml"
    try:
        info = path.stat()
    except OSError:
        return Manifest({})
    if not stat.S_ISREG(info.st_mode):
        return Manifest({})
    return _parse_manifest(path, info.st_mtime_ns, info.st_size)


@cache
def _parse_manifest(path: Path, _mtime_ns: int, size: int) -> Manifest:
    shown = printable(path)
    try:
        if size > MAX_MANIFEST_BYTES:
            return Manifest({}, f"{shown}: {size / 1e6:.0f} MB, larger than {MAX_MANIFEST_BYTES // 1_000_000} MB; "
                                "its metadata was ignored")
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return Manifest({}, f"{shown}: not UTF-8 text; its metadata was ignored")
    except OSError as exc:
        return Manifest({}, f"{shown}: cannot read ({exc.strerror}); its metadata was ignored")
    try:
        data = yaml.load(text, Loader=_loader(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = " ".join(str(getattr(exc, "problem", None) or "").split())
        return Manifest({}, f"{shown}: not valid YAML{where}" + (f" ({problem})" if problem else "")
                        + "; its metadata was ignored")
    except (RecursionError, ValueError, TypeError):
        return Manifest({}, f"{shown}: not valid YAML (nested too deep); its metadata was ignored")
    if data is None:
        return Manifest({})
    if not isinstance(data, dict):
        return Manifest({}, f"{shown}: not a mapping of file names to metadata; its metadata was ignored")
    return Manifest({str(k): normalize_meta(v)[0] for k, v in data.items() if isinstance(v, dict)})


def preload_manifests(files: Iterable[str]) -> list[str]:
    """Parse the manifests of these files' folders now, outside any article's time limit
    (and, with --jobs, before the workers fork); the warnings, one per manifest."""
    warnings = []
    for folder in sorted({Path(f).parent.resolve() for f in files if f != "-" and not readers.is_url(f)}):
        if (w := load_manifest(folder).warning) is not None:
            warnings.append(w)
    return warnings


def read_article(path: Path | str, overrides: dict[str, Any] | None = None, label: str | None = None) -> Article:
    """Read one file, web page (a path ending .html or an http(s) URL) or `-` for standard
    input as an Article. Problems raise InputError with a one-line reason."""
    name = label or printable(path)
    given = str(path)
    manifest: dict[str, Any] = {}
    if readers.is_url(given):
        data, charset = readers.fetch(given)
        page = readers.extract_page(readers.decode_html(data, name, charset).text, name, url=given)
        return _article(name, page.text, 0, {"url": given, **page.meta}, overrides, [])
    if given == "-":
        data = sys.stdin.buffer.read(readers.MAX_BYTES + 1)
        html = readers.looks_html(data)
    else:
        p = Path(path)
        data = read_file_bytes(p, name)
        manifest = load_manifest(p.parent.resolve()).entries.get(p.name, {})
        html = p.suffix.lower() in HTML_SUFFIXES
    if len(data) > readers.MAX_BYTES:
        raise InputError(f"{name}: larger than {readers.MAX_BYTES // 1_000_000} MB; not an article")
    if html:
        decoded = readers.decode_html(data, name)
        page = readers.extract_page(decoded.text, name)
        return _article(name, page.text, 0, {**manifest, **page.meta}, overrides, decoded.warnings)
    decoded = readers.decode(data, name)
    raw = decoded.text
    markdown = given != "-" and Path(given).suffix.lower() in (".md", ".markdown")
    front, body_start, warnings = split_front_matter(raw, markdown)
    return _article(name, raw[body_start:], body_start, {**manifest, **front}, overrides,
                    decoded.warnings + warnings)


def read_file_bytes(p: Path, name: str) -> bytes:
    try:
        info = p.stat()
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{name}: not a regular file (a device, pipe or socket)")
    if info.st_size > readers.MAX_BYTES:
        raise InputError(f"{name}: {info.st_size / 1e6:.0f} MB, larger than "
                         f"{readers.MAX_BYTES // 1_000_000} MB; not an article")
    try:
        with p.open("rb") as f:
            # A buffer of the size stat gave and one byte more, not one of MAX_BYTES (its
            # allocation cost three times the read); a file that grew since is read on to
            # the limit, as one read of MAX_BYTES + 1 would.
            data = f.read(info.st_size + 1)
            if len(data) > info.st_size:
                data += f.read(readers.MAX_BYTES + 1 - len(data))
            return data
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from None


def _article(
    name: str,
    text: str,
    body_start: int,
    meta: dict[str, Any],
    overrides: dict[str, Any] | None,
    warnings: list[str],
) -> Article:
    if not text.strip():
        raise InputError(f"{name}: empty (no text to read)")
    if not any(ch.isalnum() for ch in text):
        raise InputError(f"{name}: no letters or digits (nothing to read)")
    meta = {**meta, **{k: v for k, v in (overrides or {}).items() if v is not None}}
    if "published" in meta:
        d = to_date(meta["published"])
        if d is None:  # stored and compared as text, a non-date would decide which figure is later
            warnings = [*warnings, f"published {str(meta['published'])[:60]!r} is not a date like "
                                   "2025-10-28; left empty"]
            del meta["published"]
        else:
            meta["published"] = d.isoformat()
    return Article(path=name, text=text, body_start=body_start, meta=meta, warnings=warnings)


def _below(folder: Path) -> Iterator[Path]:
    """Everything inside `folder`, as rglob("*") gives it (links to folders are listed,
    not entered), without recursion: a folder nested a thousand deep is no RecursionError."""
    import os

    stack = [folder]
    while stack:
        here = stack.pop()
        try:
            with os.scandir(here) as entries:
                for entry in entries:
                    path = here / entry.name
                    yield path
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(path)
                    except OSError:
                        continue
        except OSError:
            continue  # unreadable: rglob passes over it too


def find_files(paths: Iterable[str], on_skip: Callable[[str], None]) -> Iterator[str]:
    """Expand folders (recursively: .txt, .md and .html files) into files; URLs and `-`
    (standard input) pass through. Links that lead outside a folder are skipped."""
    for given in paths:
        if given == "-" or readers.is_url(given):
            yield given
            continue
        p = Path(given)
        if p.is_dir():
            root = p.resolve()
            for f in sorted(_below(p)):
                if f.suffix.lower() not in SUFFIXES:
                    continue
                if f.is_symlink():
                    try:
                        f.resolve(strict=True).relative_to(root)
                    except (OSError, RuntimeError):
                        on_skip(f"{printable(f)}: a broken or looping link")
                        continue
                    except ValueError:
                        on_skip(f"{printable(f)}: a link leading outside {printable(given)}")
                        continue
                if f.is_file():
                    yield str(f)
                elif not f.is_dir():
                    on_skip(f"{printable(f)}: not a regular file (a device, pipe or socket)")
        elif p.is_file():
            yield given
        elif p.exists():
            on_skip(f"{printable(given)}: not a regular file or folder")
        else:
            on_skip(f"{printable(given)}: no such file or folder")
