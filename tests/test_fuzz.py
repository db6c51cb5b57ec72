"""Fuzzing ingest and extract with hypothesis, in a bounded time.

`extract` gets generated text built from the pieces numbers are made of (digits, Chinese
numerals, magnitudes, currencies, separators) mixed with control characters and any
Unicode; `ingest` gets generated folders of files: front matter or rules above prose,
every encoding the readers know, control characters, huge and nested YAML values, broken
manifests. What must always hold: no exception escapes, every file is stored or skipped
with one line, no text is lost without a warning, offsets slice the stored text exactly,
and nothing raw from an article reaches the terminal.

FUZZ_EXAMPLES (default 60 for ingest, 4x that for extract) raises the budget for a
longer run: `FUZZ_EXAMPLES=1000 .venv/bin/pytest -q tests/test_fuzz.py -s`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import sqlite_utils
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.cli import cli
from extractor.quantities import engine, extract
from extractor.sanitize import terminal_safe

engine()  # the rules compile once, outside the examples

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
TRIED = {"extract": 0, "ingest": 0, "files": 0}

PIECES = ["1", "13", "130", "3.2", "1,000", "０", "２７", "亿", "万", "億", "兆", "千", "百", "十", "一", "三",
          "美元", "元", "人民币", "$", "£", "€", "¥", "%", "％", "billion", "bn", "million", "m", "trillion",
          "about", "over", "超过", "约", "近", "-", "–", "~", "至", "到", "年", "月", "日", "2025", "Q3",
          "percent", "percentage points", "times", "倍", "股", "名", "，", "。", ".", ",", " ", "\n", "\t",
          "---", "\x1b[31m", "\r", "\u200b", "\u202e", "\x00", "\x7f", "\u0085", "\u2028", "**", "[", "]",
          "<script>", "OpenAI", "Microsoft", "软银", "投资", "raised", "stake", "持股"]
TEXT = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=60).map("".join)


@settings(max_examples=EXAMPLES * 4, deadline=None, suppress_health_check=list(HealthCheck))
@given(TEXT)
def test_extract_fuzz(text: str) -> None:
    TRIED["extract"] += 1
    for q in extract(text):
        assert 0 <= q.start < q.end <= len(text)
        assert text[q.start : q.end] == q.text


# --- ingest ---------------------------------------------------------------------------

SCALAR = st.one_of(st.sampled_from(["2025-10-28", "not-a-date", "2025-02-30", "99999-01-01", "Wire \x1b[2J",
                                    "javascript:alert(1)", "http://[oops", "", "~", "null", "&a", "*a"]),
                   st.text(max_size=20))
NESTED = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                      max_leaves=12)
BODY = st.lists(st.sampled_from([
    "Microsoft invested $13 billion in OpenAI.", "SoftBank committed $30 billion.", "微软已投入超过 130 亿美元。",
    "持股约 27%。", "據報導，軟銀投資 400 億美元。", "Revenue rose to £3.2bn.", "La empresa ganó 3.200 millones.",
    "---", "***", "title: not front matter", "- a list item", "<script>alert(1)</script>", "\x1b[31mred\x1b[0m",
    "Note: a colon line.", "",
]), min_size=1, max_size=8).map("\n".join)


@st.composite
def article_file(draw: Any) -> tuple[str, bytes]:
    suffix = draw(st.sampled_from([".txt", ".md"]))
    shape = draw(st.sampled_from(["plain", "front", "rule", "list", "bad_yaml", "unclosed", "nested"]))
    body = draw(BODY)
    if shape == "front":
        keys = draw(st.dictionaries(st.sampled_from(["title", "outlet", "published", "url", "date", "tags", "layout"]),
                                    SCALAR, max_size=4))
        head = "---\n" + "".join(f"{k}: {v!r}\n" for k, v in keys.items()) + "---\n"
    elif shape == "rule":
        head = "---\n" + draw(BODY) + "\n---\n"
    elif shape == "list":
        head = "---\n- a\n- b\n---\n"
    elif shape == "bad_yaml":
        head = "---\ntitle: [unclosed\n  - : :\n---\n"
    elif shape == "unclosed":
        head = "---\ntitle: never closed\n"
    elif shape == "nested":
        head = "---\ntitle: " + repr(draw(NESTED)) + "\n---\n"
    else:
        head = ""
    text = head + body + "\n"
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030", "big5", "cp1252", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    return suffix, data


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(article_file(), min_size=1, max_size=4),
       st.sampled_from(["none", "good", "broken", "list", "nested"]))
def test_ingest_fuzz(files: list[tuple[str, bytes]], manifest: str) -> None:
    TRIED["ingest"] += 1
    TRIED["files"] += len(files)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        names = []
        for n, (suffix, data) in enumerate(files):
            name = f"f{n}\x1b[1m{suffix}" if n % 2 else f"f{n}{suffix}"
            (folder / name).write_bytes(data)
            names.append(name)
        if manifest != "none":
            (folder / "sources.yaml").write_text({
                "good": f"{names[0]}:\n  outlet: Manifest Wire\n  published: 2025-01-02\n",
                "broken": "a:\n\tb: c\n",
                "list": "- a\n- b\n",
                "nested": "x: " + "[" * 200 + "]" * 200 + "\n",
            }[manifest], encoding="utf-8")
        db = Path(tmp) / "f.db"
        result = CliRunner().invoke(cli, ["ingest", str(folder), "--db", str(db), "--time-limit", "20"])
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert result.exit_code in (0, 1), result.output
        for out in (result.stdout, result.stderr):
            assert "\x1b" not in out and "\r" not in out
        lines = result.stderr.splitlines()
        assert all(ln.startswith(("skipped: ", "warning: ")) for ln in lines), lines
        skipped = [ln for ln in lines if ln.startswith("skipped: ")]
        d = sqlite_utils.Database(db)
        stored = {r["path"]: r for r in d.query("select path, text, body_start from articles")}
        # Each file is stored (or the same text already was), or skipped with one line.
        assert len(skipped) + len(stored) <= len(files)
        if len(skipped) + len(stored) < len(files):
            texts = [r["text"] for r in stored.values()]
            assert len(set(texts)) == len(texts)  # the rest repeat a stored text
        for row in stored.values():
            claims = d.query("select text, start, [end] from claims where article_id = "
                             "(select id from articles where path = ?)", [row["path"]])
            for c in claims:
                assert row["text"][c["start"] : c["end"]] == c["text"]
            if row["body_start"]:  # text left out as front matter gave metadata, or a warning said so
                path = row["path"]
                has_meta = next(iter(d.query("select coalesce(title, outlet, url, published) as m from articles "
                                             "where path = ?", [path])))["m"] is not None
                shown = terminal_safe(path, newlines=False)
                warned = any(ln.startswith(f"warning: {shown}: ") for ln in lines)
                assert has_meta or warned, (path, lines)
        report = CliRunner().invoke(cli, ["report", "--db", str(db)])
        assert report.exit_code == 0 and "\x1b" not in report.stdout


def test_zz_fuzz_budget_report(capsys: Any) -> None:
    """Says how many inputs the fuzz targets tried in this run (shown with -s or -rA)."""
    with capsys.disabled():
        print(f"\nfuzz: extract tried {TRIED['extract']} texts; ingest tried {TRIED['ingest']} folders "
              f"({TRIED['files']} files)")
