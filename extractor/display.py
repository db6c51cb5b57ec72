"""How stored text and values read to a person: quotes without Markdown markup, a window
of a long sentence centred on its number, periods and source names in words.

The stored text stays byte-for-byte what the article said (every claim's offsets index
into it); markup is removed only when a quote is shown, and the offsets of the number
are carried over to the cleaned quote. The module depends on nothing but the standard
library, so the Datasette plugin can load it from beside itself in a published copy.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

# Markdown that news files carry into a sentence: strong and emphasis, code, strike,
# headings, quotes and list bullets at the start, links and images ([text](url)).
_MARKUP = re.compile(
    r"(?P<pair>\*\*|__|~~|`)"
    r"|(?P<em>(?<!\*)\*(?=[^\s*])[^*\n]*?[^\s*]\*(?!\*))"
    r"|(?P<lead>^\s{0,3}(?:#{1,6}|>|[-+*](?=\s))\s+)"
    r"|(?P<link>!?\[(?=[^\]\n]*\]\([^)\s]*\)))"
    r"|(?P<target>\]\([^)\s]*\))",
    re.MULTILINE,
)


def plain(text: str, spans: Iterable[Sequence[int | None]] = ()) -> tuple[str, list[tuple[int, int] | None]]:
    """``text`` without Markdown markup, and each [start, end) span moved to the same
    characters in it (None for a span that was None or out of range).

    >>> plain("微软已投入**130 亿美元**。", [(7, 14)])
    ('微软已投入130 亿美元。', [(5, 12)])
    """
    removed: list[tuple[int, int]] = []
    for m in _MARKUP.finditer(text):
        if m.lastgroup == "em":  # *emphasis*: the two asterisks go, the words stay
            removed += [(m.start(), m.start() + 1), (m.end() - 1, m.end())]
        else:
            removed.append(m.span())
    if not removed:
        out_spans: list[tuple[int, int] | None] = []
        for span in spans:
            out_spans.append(_valid(span, len(text)))
        return text, out_spans
    pieces, pos = [], 0
    for start, end in removed:
        pieces.append(text[pos:start])
        pos = end
    pieces.append(text[pos:])

    def moved(i: int) -> int:
        shift = 0
        for start, end in removed:
            if end <= i:
                shift += end - start
            elif start < i:
                shift += i - start
        return i - shift

    result: list[tuple[int, int] | None] = []
    for span in spans:
        valid = _valid(span, len(text))
        new = None if valid is None else (moved(valid[0]), moved(valid[1]))
        result.append(new if new and new[0] < new[1] else None)  # a span of markup alone is gone
    return "".join(pieces), result


def _valid(span: Sequence[int | None], n: int) -> tuple[int, int] | None:
    try:
        start, end = int(span[0]), int(span[1])  # type: ignore[arg-type]
    except (TypeError, ValueError, IndexError):
        return None
    return (start, end) if 0 <= start < end <= n else None


def cells(text: str) -> int:
    """Terminal columns ``text`` takes: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def window(text: str, start: int, end: int, width: int = 80) -> tuple[str, str, str, str, str]:
    """At most ``width`` terminal columns of ``text`` centred on text[start:end]:
    (ellipsis, before, number, after, ellipsis), each ellipsis '…' where text was cut."""
    budget = max(width - cells(text[start:end]), 0)
    before, after = text[:start], text[end:]
    left_n = right_n = 0
    left_cells = right_cells = 0
    # Grow both sides one character at a time, the shorter side first, so the number
    # sits in the middle unless one side runs out of text.
    while True:
        grew = False
        for side in sorted(("left", "right"), key=lambda s: left_cells if s == "left" else right_cells):
            if side == "left" and left_n < len(before):
                w = cells(before[-left_n - 1])
                if left_cells + right_cells + w <= budget:
                    left_n += 1
                    left_cells += w
                    grew = True
            elif side == "right" and right_n < len(after):
                w = cells(after[right_n])
                if left_cells + right_cells + w <= budget:
                    right_n += 1
                    right_cells += w
                    grew = True
        if not grew:
            break
    shown_before = before[len(before) - left_n :]
    shown_after = after[:right_n]
    # Not half a Latin word at a cut: "…alks to raise" reads worse than "…to raise".
    if left_n < len(before) and shown_before[:1].isascii() and shown_before[:1].isalnum() and " " in shown_before:
        shown_before = shown_before[shown_before.index(" ") :]
    if right_n < len(after) and shown_after[-1:].isascii() and shown_after[-1:].isalnum() and " " in shown_after:
        shown_after = shown_after[: shown_after.rindex(" ")]
    return ("…" if left_n < len(before) else "", shown_before.lstrip(), text[start:end],
            shown_after.rstrip(), "…" if right_n < len(after) else "")


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def date_words(value: str) -> str:
    """'2019-07' → 'Jul 2019', '2025-10-28' → '28 Oct 2025', '2025-Q3' → 'Q3 2025',
    '2025-H2' → 'H2 2025', '2025-9M' → 'first 9 months of 2025', '2025-YTD10' → 'first 10 months
    of 2025'; anything else as is."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?|-(Q[1-4]|H[12])|-(?:(\d{1,2})M|YTD(\d{1,2})))?", value.strip())
    if not m:
        return value
    year, month, day, part, months, to_date = m.groups()
    months = months or to_date
    if month and 1 <= int(month) <= 12:
        label = f"{_MONTHS[int(month) - 1]} {year}"
        return f"{int(day)} {label}" if day else label
    if part:
        return f"{part} {year}"
    if months:
        return f"first {int(months)} months of {year}"
    return year


def period_words(period: str | None) -> str:
    """A claim's or conflict's period for a reader: '2019..2019-07' → '2019 to Jul 2019',
    '2026..2030' → '2026–2030'."""
    if not period:
        return ""
    if ".." in period:
        lo, _, hi = period.partition("..")
        if re.fullmatch(r"\d{4}", lo) and re.fullmatch(r"\d{4}", hi):
            return f"{lo}–{hi}"
        lo_w, hi_w = date_words(lo) if lo else "", date_words(hi) if hi else ""
        if lo_w and hi_w:
            return f"{lo_w} to {hi_w}"
        return f"from {lo_w}" if lo_w else f"until {hi_w}"
    return date_words(period)


def source_name(outlet: str | None, title: str | None = None, path: str | None = None,
                url: str | None = None) -> str:
    """What to call an article's source: its outlet, else the site of its address, else
    its headline, else the file's name (never a whole path)."""
    if outlet and outlet.strip():
        return outlet.strip()
    if url and url.startswith(("http://", "https://")):
        host = url.split("//", 1)[1].split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1]
        host = host.removeprefix("www.")
        if host:
            return host
    if title and title.strip():
        return title.strip()
    if path and path.strip() and path != "-":
        return re.split(r"[\\/]", path.rstrip("/\\"))[-1]
    return url or "unknown source"


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 claim', '3 claims', '1,200 claims'."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def wrap(pieces: Sequence[tuple[str, bool]], width: int) -> list[list[tuple[str, bool]]]:
    """Lines of at most ``width`` terminal columns from (text, keep) pieces: a piece with
    keep=True (the number) is never split across lines unless it is longer than a line.
    Each line is a list of (text, keep) pieces."""
    lines: list[list[tuple[str, bool]]] = [[]]
    used = 0
    for text, keep in pieces:
        if keep and used and used + cells(text) > width and cells(text) <= width:
            lines.append([])
            used = 0
        chunk = ""
        for ch in text:
            w = cells(ch)
            if used + w > width and (used or chunk):
                carry = ""
                if ch.isascii() and ch.isalnum() and " " in chunk[-15:]:
                    # Not in the middle of a Latin word: the word moves to the next line.
                    chunk, carry = chunk[: chunk.rindex(" ")], chunk[chunk.rindex(" ") + 1 :]
                if chunk:
                    lines[-1].append((chunk, keep))
                lines.append([])
                chunk, used = carry, cells(carry)
                if ch == " ":
                    continue
            chunk += ch
            used += w
        if chunk:
            lines[-1].append((chunk, keep))
    return [line for line in lines if line]
