"""Text from articles made safe for where it is shown: Markdown, links, terminals.

Everything an article brings (its sentences, outlet, title, URL, file name) is data. Shown
in a Markdown report it must not become HTML or a link a renderer follows, and printed to a
terminal it must not move the cursor, recolour the screen or forge a line of our own.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

# Characters Markdown gives a meaning inside a line (emphasis, code, links, images, table
# cells, strikethrough), and those of HTML: as entities, < > & open no tag and form no
# entity of the article's. Line-start markup (#, -, 1.) cannot occur: no cell starts a line.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
# C0 and C1 controls, DEL, and the Unicode line and paragraph separators: none is text.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_OR_NEWLINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def md_escape(text: str) -> str:
    """`text` as one line of literal Markdown: no markup, HTML, link or line break of its own."""
    text = _CONTROL_OR_NEWLINE.sub(" ", text)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return "".join(_HTML.get(ch, ch) for ch in text)


def safe_url(url: str | None) -> str | None:
    """An http(s) URL fit for a link target (characters that would end or break the link
    percent-encoded), or None for any other scheme or a URL that does not parse."""
    if not url or _CONTROL_OR_NEWLINE.search(url) or url != url.strip():
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe="/:?#[]@!$&'*+,;=%~-._")


def md_link(label: str, url: str | None) -> str:
    """A Markdown link to an http(s) URL, or the label alone for anything else."""
    target = safe_url(url)
    return f"[{label}]({target})" if target else label


def terminal_safe(text: str, *, newlines: bool = True) -> str:
    """`text` with control characters (escape sequences, carriage returns, bells) shown as
    visible escapes, so that printing it cannot act on the terminal. Newlines are kept
    when `newlines`, else shown as \\n too (a file name must stay on its line)."""
    pattern = _CONTROL if newlines else _CONTROL_OR_NEWLINE
    return pattern.sub(lambda m: repr(m.group())[1:-1] if m.group() not in "\t" else m.group(), text)


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029]")


def json_dumps(data: object, **kwargs: object) -> str:
    """json.dumps with non-ASCII text kept readable, and the control characters it leaves
    raw (DEL, C1, line separators) written as \\u escapes: the same JSON, safe to print."""
    import json

    text = json.dumps(data, ensure_ascii=False, **kwargs)  # type: ignore[arg-type]
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
