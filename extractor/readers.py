"""Bytes to article text: encodings, saved web pages and URLs.

Everything here turns what a user has (a file's bytes, an HTML page, an address) into
one string, the text that claim offsets will index. Nothing is normalized beyond line
ends: full-width digits stay as written so that offsets stay exact.
"""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from extractor.errors import FetchError, InputError

MAX_BYTES = 20_000_000
FETCH_TIMEOUT = 15.0
# Chinese legacy encodings, tried when the bytes are not UTF-8. cp950 is Big5 as Windows
# writes it; big5hkscs adds the Hong Kong characters.
_CJK_LEGACY = ("gb18030", "cp950", "big5hkscs")
_REPLACED = re.compile("\ufffd+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_LOOKS_HTML = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head)\b", re.IGNORECASE | re.DOTALL)


@dataclass
class Decoded:
    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def decode(data: bytes, name: str) -> Decoded:
    """Bytes to text, with line ends made `\\n`.

    UTF-8 (with or without BOM) and UTF-16/32 with BOM are taken as they say. Without a
    BOM: UTF-16 if every other byte is NUL, then UTF-8, then GB18030 or Big5, whichever
    reads as plausible Chinese (GB18030 accepts almost any bytes, so a clean decode proves
    nothing), then UTF-8 with a few damaged bytes, then charset-normalizer's guess.
    """
    text, encoding, warnings = _decode(data, name)
    if _CONTROL.search(text):
        controls = len(_CONTROL.findall(text))
        if "\x00" in text or controls > max(3, len(text) // 1000):
            raise InputError(f"{name}: looks binary ({controls} control characters); not an article")
    return Decoded(text.replace("\r\n", "\n").replace("\r", "\n"), encoding, warnings)


def _decode(data: bytes, name: str) -> tuple[str, str, list[str]]:
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding, []
            except UnicodeDecodeError as exc:
                raise InputError(f"{name}: not valid {encoding} despite its byte-order mark "
                                 f"(bad byte at {exc.start})") from None
    utf16 = _utf16_without_bom(data)
    if utf16:
        return utf16
    if b"\x00" in data:
        raise InputError(f"{name}: looks binary (NUL bytes); not an article")
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    best: tuple[float, str, str] | None = None
    for encoding in _CJK_LEGACY:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = chinese_plausibility(text, encoding)
        if best is None or score > best[0]:
            best = (score, text, encoding)
    if best and best[0] >= 0.6:
        return best[1], best[2], []
    if not any(ord(ch) > 0x7F for ch in data.decode("utf-8", errors="ignore")):
        # Not one valid UTF-8 sequence among the high bytes: no damaged UTF-8 but a
        # single-byte code page, told apart by which reading gives words.
        from extractor import western

        if (read := western.guess(data)) is not None:
            return read[0], read[1], [f"encoding guessed as {read[1]}"]
    damaged = data.decode("utf-8", errors="replace")
    # Places where bytes are damaged (a cut character gives a run of U+FFFD), less any
    # U+FFFD that the file itself holds.
    bad = len(_REPLACED.findall(damaged)) - len(_REPLACED.findall(data.decode("utf-8", errors="ignore")))
    if bad <= max(1, len(damaged) // 200):
        return damaged, "utf-8", [f"{bad} damaged place{'s' if bad != 1 else ''} in the UTF-8 text; "
                                  "the bad bytes were replaced with U+FFFD"]
    if best and best[0] >= 0.3:
        return best[1], best[2], [f"read as {best[2]}, but many characters are rare ones"]
    guess = _detector_guess(data)
    if guess:
        return guess
    raise InputError(f"{name}: not text in UTF-8, UTF-16, GB18030, Big5 or another known "
                     "encoding; not an article")


def _utf16_without_bom(data: bytes) -> tuple[str, str, list[str]] | None:
    if len(data) < 4 or len(data) % 2 or b"\x00" not in data:
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Any pair of bytes is some UTF-16 character: demand text that reads as text.
        if "\x00" not in text and not _CONTROL.search(text) and _plausible(text) >= 0.9:
            return text, encoding, []
    return None


def _plausible(text: str) -> float:
    """Share of characters that are ASCII or common in Chinese text (either script)."""
    if not text:
        return 0.0
    wide = "".join(ch for ch in text if ord(ch) > 0x7F)
    if not wide:
        return 1.0
    ascii_share = 1 - len(wide) / len(text)
    chinese = max(chinese_plausibility(wide, "gb18030"), chinese_plausibility(wide, "cp950"))
    return ascii_share + (1 - ascii_share) * chinese


def chinese_plausibility(text: str, encoding: str) -> float:
    """Share of the non-ASCII characters that are common in text of that encoding.

    Common means in the first level of its standard: GB2312 level 1 (the 3,755 most used
    simplified characters) plus punctuation, or Big5's frequent characters plus punctuation.
    Big5 read as GB18030, or GBK read as Big5, lands mostly on rare characters.
    """
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return 1.0
    common = 0
    for ch in wide:
        if ch.isspace() or (unicodedata.category(ch)[0] in "PSZ" and ord(ch) < 0x3100) or 0xFF00 <= ord(ch) <= 0xFF65:
            common += 1
            continue
        try:
            raw = ch.encode("gb2312" if encoding == "gb18030" else "big5")
        except UnicodeEncodeError:
            continue
        lead = raw[0]
        if (encoding == "gb18030" and 0xB0 <= lead <= 0xD7) or (encoding != "gb18030" and 0xA4 <= lead <= 0xC6):
            common += 1
    return common / len(wide)


def _detector_guess(data: bytes) -> tuple[str, str, list[str]] | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a dependency, but decoding must not depend on it
        return None
    match = from_bytes(data).best()
    # Junk bytes decode in some single-byte code page too; demand words of a language.
    if match is None or match.chaos > 0.2 or match.coherence < 0.2:
        return None
    text = str(match)
    return text, match.encoding, [f"encoding guessed as {match.encoding}"]


def looks_html(data: bytes) -> bool:
    return bool(_LOOKS_HTML.match(data[:4096]))


def decode_html(data: bytes, name: str, declared: str | None = None) -> Decoded:
    """An HTML page's bytes to text: the BOM, then the HTTP or <meta> charset, then sniffing."""
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        m = _META_CHARSET.search(data[:8192])
        charset = declared or (m.group(1).decode("ascii", "replace") if m else None)
        if charset:
            try:
                encoding = codecs.lookup(charset).name
            except LookupError:
                encoding = None
            if encoding in ("gb2312", "gbk"):
                encoding = "gb18030"  # pages that say gb2312 are written in GBK in practice
            if encoding in ("big5",):
                encoding = "cp950"
            if encoding:
                try:
                    text = data.decode(encoding)
                except UnicodeDecodeError:
                    pass
                else:
                    if "\x00" not in text:
                        return Decoded(text.replace("\r\n", "\n").replace("\r", "\n"), encoding)
    return decode(data, name)


@dataclass
class Page:
    text: str
    meta: dict[str, Any]


def extract_page(html: str, name: str, url: str | None = None) -> Page:
    """The article in a web page, without navigation, scripts or footers, and its metadata."""
    import trafilatura

    # Its warnings ("discarding data") would print as extra lines; ours say it once.
    for logger in ("trafilatura", "htmldate", "courlan", "justext"):
        logging.getLogger(logger).setLevel(logging.CRITICAL)
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            favor_precision=True,
            # Only dates the page states; no guessing from a copyright line.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except (ValueError, TypeError, RecursionError) as exc:
        raise InputError(f"{name}: the page could not be parsed ({type(exc).__name__}: {exc})") from None
    text = (getattr(doc, "text", None) or "") if doc is not None else ""
    if not text.strip():
        raise InputError(f"{name}: no article text found in the page")
    meta: dict[str, Any] = {}
    for key, attr in (("title", "title"), ("published", "date"), ("url", "url"), ("outlet", "sitename"),
                      ("lang", "language")):
        value = getattr(doc, attr, None)
        if isinstance(value, str) and value.strip():
            meta[key] = value.strip()
    hostname = getattr(doc, "hostname", None)
    if "outlet" not in meta and isinstance(hostname, str) and hostname:
        meta["outlet"] = hostname
    return Page(text.replace("\r\n", "\n").replace("\r", "\n"), meta)


class _HTTPOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) only: a page must not lead the tool to ftp or a file."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if not is_url(newurl):
            raise urllib.error.URLError(f"redirected to {newurl!r}, not http(s)")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def is_url(given: str) -> bool:
    return given.lower().startswith(("http://", "https://"))


def fetch(url: str, timeout: float = FETCH_TIMEOUT) -> tuple[bytes, str | None]:
    """Download a page: (bytes, charset from the Content-Type header). One-line errors."""
    request = urllib.request.Request(url, headers={"User-Agent": "claims (news claim extractor)"})
    try:
        with urllib.request.build_opener(_HTTPOnlyRedirects).open(request, timeout=timeout) as response:
            data = response.read(MAX_BYTES + 1)
            charset = response.headers.get_content_charset()
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: the server answered {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise FetchError(f"{url}: cannot fetch ({exc.reason})") from None
    except (TimeoutError, OSError, ValueError) as exc:
        raise FetchError(f"{url}: cannot fetch ({type(exc).__name__}: {exc})") from None
    if len(data) > MAX_BYTES:
        raise FetchError(f"{url}: larger than {MAX_BYTES // 1_000_000} MB; not an article")
    return data, charset
