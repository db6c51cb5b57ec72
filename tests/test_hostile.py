"""Hostile input: junk, traps and pathological text. Never a traceback, never a hang.

The folder is made at test time (nothing binary is committed). Each file is either
ingested or skipped with exactly one line saying why, the exit status says whether
anything was skipped, and the good articles beside the junk are always ingested.
"""

from __future__ import annotations

import codecs
import os
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from click.testing import CliRunner

from extractor.cli import cli

GOOD = {
    "good_zh.txt": "微软已向 OpenAI 投入了超过 130 亿美元，持股约 27%。\n",
    "good_en.md": "---\noutlet: Test Wire\n---\nMicrosoft has invested more than $13 billion in OpenAI.\n",
}
# Seconds one article may take in these tests: the pathological texts hit it on a slow
# machine, and must then be skipped rather than stall the run.
LIMIT = 10

_rng = random.Random(6)
_SENTENCE = "微软已向 OpenAI 投入了超过 130 亿美元，持股约 27%，估值 5000 亿美元；"


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def _text(text: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(text, encoding="utf-8")


def _symlink(target: str) -> Callable[[Path], None]:
    return lambda path: path.symlink_to(target)


def _link_outside(path: Path) -> None:
    secret = path.parent.parent / "outside_the_folder.txt"
    secret.write_text("微软投资了 200 亿美元。\n", encoding="utf-8")
    path.symlink_to(secret)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _sparse(path: Path) -> None:
    with path.open("wb") as f:
        f.truncate(25_000_000)


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True)
) + "title: *i\n"

# name -> how to make it. Names with a dot-suffix are article files; the folder walk
# reads .txt, .md and .html.
HOSTILE: dict[str, Callable[[Path], None]] = {
    "empty.txt": _bytes(b""),
    "whitespace_only.txt": _text(" \n\t\r\n\u3000\u00a0 \n"),
    "binary_png.txt": _bytes(b"\x89PNG\r\n\x1a\n" + bytes(_rng.randrange(256) for _ in range(4096))),
    "binary_no_nul.txt": _bytes(bytes(_rng.randrange(1, 256) for _ in range(4096))),
    "invalid_bytes.txt": _bytes(b"\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc\xff\xfe\xfd" * 200),
    "few_invalid_bytes.txt": _bytes(("微软投资了 130 亿美元。" * 40).encode()[:301] + b"\xff" + "结束。".encode()),
    "nul_bytes.txt": _bytes(b"Microsoft invested $13 billion\x00\x00 in OpenAI.\x00"),
    "fake_utf16_bom.txt": _bytes(codecs.BOM_UTF16_LE + b"\x00\xd8\x41\x00"),  # a lone surrogate
    "utf16_crlf.md": _bytes(("---\r\ntitle: 标题\r\n---\r\n微软投资了 110 亿美元。\r\n").encode("utf-16")),
    "control_chars.txt": _bytes(b"\x01\x02\x03\x1b[31m" * 100 + b"13 billion"),
    "only_punctuation.txt": _text("!!!???…… —— ，。、；：" * 10),
    "front_unterminated.md": _text("---\ntitle: never closed\noutlet: x\n微软投资了 120 亿美元。\n"),
    "front_malformed.md": _text("---\ntitle: [unclosed\n  - : :\n---\n微软投资了 125 亿美元。\n"),
    "front_not_a_mapping.md": _text("---\n- a\n- b\n---\n微软投资了 135 亿美元。\n"),
    "front_yaml_bomb.md": _text("---\n" + BOMB + "---\n微软投资了 140 亿美元。\n"),
    "front_deep_nesting.md": _text("---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\n微软投资了 150 亿美元。\n"),
    "front_huge_title.md": _text("---\ntitle: " + "长" * 100_000 + "\n---\n微软投资了 160 亿美元。\n"),
    "front_python_tag.md": _text("---\ntitle: !!python/object/apply:os.system ['echo pwned']\n---\n微软投资了 170 亿美元。\n"),
    "front_only.md": _text("---\ntitle: nothing below\n---\n"),
    "digits_200k.txt": _text("营收达到 " + "9" * 200_000 + " 美元。\n"),
    "yi_100k.txt": _text("投资" + "亿" * 100_000 + "美元。\n"),
    "one_line_1mb.txt": _text((_SENTENCE * 20_000)[:1_000_000]),
    "fullwidth_run.txt": _text("１２３４５６７８９０" * 5_000 + "亿美元\n"),
    "float_overflow.txt": _text("Debt of $1" + "0" * 400 + " and 1e999999 dollars, " + "9" * 310 + "%.\n"),
    "unit_soup.txt": _text("百千万亿兆" * 20_000 + "\n"),
    "many_lines.txt": _text("增长 1%\n" * 50_000),
    "html_script.txt": _text("<script>alert('微软投资 130 亿美元')</script><img src=x onerror=alert(1)>\n"),
    "sql_injection.txt": _text("Robert'); DROP TABLE articles; -- invested $13 billion\n\"; DELETE FROM claims; --\n"),
    "zero_width_and_rtl.txt": _text("微\u200b软\u200d投\u202e资\u2066 13\u200b0 亿美元 👍🏽\u0301\n"),
    "lone_combining.txt": _text("\u0301\u0302\u0303 130 million\n"),
    "link_outside.txt": _link_outside,
    "link_broken.txt": _symlink("/nonexistent/target.txt"),
    "fifo.txt": _fifo,
    "sparse_25mb.txt": _sparse,
    "junk.html": _bytes(b"<html><body><script>var x = '1000 \xe4\xba\xbf';</script></body></html>"),
    "not_html_at_all.html": _bytes(bytes(_rng.randrange(1, 256) for _ in range(2048))),
    b"bad_name_\xff\xfe.txt".decode("utf-8", "surrogateescape"): _text("微软投资了 180 亿美元。\n"),
}


def make_folder(root: Path) -> Path:
    folder = root / "hostile"
    (folder / "sub").mkdir(parents=True)
    for name, text in GOOD.items():
        (folder / name).write_text(text, encoding="utf-8")
    for name, make in HOSTILE.items():
        make(folder / name)
    (folder / "sub" / "sources.yaml").write_text(BOMB + "x: [\n", encoding="utf-8")
    (folder / "sub" / "manifest_broken.txt").write_text("微软投资了 190 亿美元。\n", encoding="utf-8")
    (folder / "sub" / "loop").symlink_to(folder / "sub")  # a folder link back up: never followed
    (folder / "dir.txt").mkdir()  # a folder with an article's suffix
    return folder


def _shown(path: str) -> str:
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def test_hostile_folder(tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    db = tmp_path / "h.db"
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["ingest", str(folder), "--db", str(db), "--time-limit", str(LIMIT)])
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output
    assert result.exit_code == 1  # something was skipped

    d = sqlite_utils.Database(db)
    stored = {Path(r["path"]).name for r in d.query("select path from articles")}
    skip_lines = [ln for ln in result.stderr.splitlines() if ln.startswith("skipped: ")]
    warnings = [ln for ln in result.stderr.splitlines() if ln.startswith("warning: ")]
    assert len(skip_lines) + len(warnings) == len(result.stderr.splitlines()), result.stderr

    names = [*GOOD, *HOSTILE, "manifest_broken.txt"]
    outcome: dict[str, str] = {}
    for name in names:
        shown = _shown(name)
        lines = [ln for ln in skip_lines if ln.startswith(f"skipped: {folder}/") and f"/{shown}: " in ln]
        if shown in stored:
            assert not lines, (name, lines)
            outcome[name] = "ingested"
        else:
            assert len(lines) == 1, (name, lines)  # one clear line per skipped file
            outcome[name] = lines[0].split(": ", 2)[2]
    # The files, plus a broken sources.yaml, a folder link back up and a folder named dir.txt.
    print(f"\nhostile inputs tried: {len(HOSTILE) + 3}, elapsed {elapsed:.0f} s")
    for name in names:
        print(f"  {_shown(name)}: {outcome[name]}")
    assert len(skip_lines) == sum(1 for v in outcome.values() if v != "ingested")
    assert f"{len(skip_lines)} skipped" in result.stdout

    for name in GOOD:
        assert outcome[name] == "ingested"
    for name in ("few_invalid_bytes.txt", "utf16_crlf.md", "front_unterminated.md", "front_malformed.md",
                 "front_yaml_bomb.md", "front_python_tag.md", "html_script.txt", "sql_injection.txt",
                 "manifest_broken.txt", "zero_width_and_rtl.txt"):
        assert outcome[name] == "ingested", (name, outcome[name])
    for name, why in (("empty.txt", "empty"), ("whitespace_only.txt", "empty"), ("binary_png.txt", "binary"),
                      ("nul_bytes.txt", "binary"), ("invalid_bytes.txt", "not text"), ("link_outside.txt", "outside"), ("fifo.txt", "not a regular"),
                      ("sparse_25mb.txt", "larger than"), ("front_only.md", "empty"),
                      ("only_punctuation.txt", "no letters")):
        assert why in outcome[name], (name, outcome[name])

    # Hostile text is stored as text: nothing ran, nothing was dropped, offsets are exact.
    assert {"articles", "claims", "sentences"} <= set(d.table_names())
    sql = next(iter(d.query("select text from articles where path like '%sql_injection.txt'")))["text"]
    assert sql.startswith("Robert'); DROP TABLE articles;")
    bad = list(d.query("select c.id from claims c join articles a on a.id = c.article_id "
                       "where substr(a.text, c.start + 1, c.end - c.start) != c.text"))
    assert bad == []
    meta = next(iter(d.query("select title from articles where path like '%front_yaml_bomb.md'")))
    assert meta["title"] is None
    # Bounded time: the three pathological texts can each take at most LIMIT seconds.
    assert elapsed < 3 * LIMIT + 120


@pytest.mark.parametrize("name", ["empty.txt", "binary_png.txt", "nul_bytes.txt", "fake_utf16_bom.txt",
                                  "invalid_bytes.txt", "front_deep_nesting.md", "not_html_at_all.html"])
def test_a_single_bad_file_is_one_line_and_exit_1(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    HOSTILE[name](path)
    result = CliRunner().invoke(cli, ["ingest", str(path), "--db", str(tmp_path / "one.db")])
    assert "Traceback" not in result.stdout + result.stderr
    if result.exit_code == 0:
        assert result.stdout.startswith("1 new article")
    else:
        assert result.exit_code == 1
        (line,) = [ln for ln in result.stderr.splitlines() if not ln.startswith("warning: ")]
        assert line.startswith(f"skipped: {path}: ")


def test_an_engine_bug_skips_the_article_and_names_the_exception(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor import pipeline

    real = pipeline.process

    def broken(article: object, **options: bool) -> object:
        if "boom" in article.text:  # type: ignore[attr-defined]
            raise OverflowError("cannot convert float infinity to integer")
        return real(article, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "process", broken)
    # A file name that is not UTF-8 must not break the line that reports the bug.
    (tmp_path / b"a\xff.txt".decode("utf-8", "surrogateescape")).write_text("boom 13 billion\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("微软投资了 130 亿美元。\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    (line,) = result.stderr.splitlines()
    assert line == (f"skipped: {tmp_path}/a\ufffd.txt: unexpected OverflowError: cannot convert float infinity "
                    "to integer (a bug; please report it)")
    assert result.stdout.startswith("1 new article")


def test_a_slow_article_is_skipped_at_the_time_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor import pipeline

    real = pipeline.process

    def slow(article: object, **options: bool) -> object:
        if "slow" in article.text:  # type: ignore[attr-defined]
            while True:  # a pure-Python hang, as the engine's quadratic loops are
                pass
        return real(article, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "process", slow)
    (tmp_path / "a.txt").write_text("slow 13 billion\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("微软投资了 130 亿美元。\n", encoding="utf-8")
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path), "--db", str(tmp_path / "x.db"), "--time-limit", "1"])
    assert time.monotonic() - started < 30
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"skipped: {tmp_path}/a.txt: took longer than 1 s")
    assert result.stdout.startswith("1 new article")


# ---------------------------------------------------------------------------
# Issue 15, item 1: Debian 12's Python 3.11.2 mismatches possessive repeats (fixed in
# CPython 3.11.5). The rules must read the same there, and no scan may stall.


@pytest.mark.parametrize(("pattern", "text", "pos", "span"), [
    ("(?:ab?c)*+", "a", 0, None),  # gh-106052: fullmatch must fail
    ("(?:[^a]++|a)*+", "x\n", 2, (2, 2)),  # gh-100061: ended at 1 on 3.11.2
    ("(?:[^a]++|a)*+", "x\n", 0, (0, 2)),
    (r"\d++(?:\.\d++)?+x", "12.5x", 0, (0, 5)),
    (r"a++a", "aaa", 0, None),
    (r"(?:a|ab)*+c", "ababc", 0, None),
])
def test_possessive_repeats_match_as_documented(pattern: str, text: str, pos: int, span: tuple[int, int] | None) -> None:
    import re

    from extractor import regex_compat

    full = pattern == "(?:ab?c)*+"
    for rx in (re.compile(pattern), regex_compat._compile_atomic(pattern)):
        m = rx.fullmatch(text, pos) if full else rx.match(text, pos)
        assert (m.span() if m else None) == span, rx
    assert not regex_compat.possessive_is_broken()


class _Behind:
    """A compiled pattern as CPython 3.11.2 ran the scanners: at the end of the text the
    match ends one character before where it started."""

    def __init__(self, rx: Any) -> None:
        self.rx = rx

    def match(self, text: str, pos: int = 0, endpos: int | None = None) -> Any:
        m = self.rx.match(text, pos)
        if m is None or pos == 0 or (m.end() < len(text) and (m.lastgroup is None or m.start(m.lastgroup) >= 0)):
            return m
        return _BehindMatch(pos - 1)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.rx, name)


class _BehindMatch:
    def __init__(self, at: int) -> None:
        self.at = at

    def end(self, group: int | str = 0) -> int:
        return self.at

    def start(self, group: int | str = 0) -> int:
        return self.at


def _rule_patterns(obj: Any, seen: set[int]) -> Iterator[Any]:
    from extractor.quantities import RulePattern

    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, RulePattern):
        yield obj
    elif isinstance(obj, list | tuple | set | frozenset):
        for x in obj:
            yield from _rule_patterns(x, seen)
    elif isinstance(obj, dict):
        for x in obj.values():
            yield from _rule_patterns(x, seen)
    elif hasattr(obj, "__dict__") and type(obj).__module__.startswith("extractor"):
        for x in vars(obj).values():
            yield from _rule_patterns(x, seen)


@pytest.mark.timeout(60)
def test_scans_advance_whatever_the_engine_returns(monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.quantities import engine, extract

    texts = ["x\n", "OpenAI raised $40 billion.", "微软已投入超过 130 亿美元，持股约 27%。\n",
             "Revenue rose 12% to $3.2bn in 2024, up from ¥500 million on 5 March.\n", ""]
    expected = [[(q.text, q.start, q.value) for q in extract(t)] for t in texts]
    assert expected[1] == [("$40 billion", 14, 40e9)]
    eng = engine()
    monkeypatch.setattr(eng, "start_scan", _Behind(eng.start_scan))
    for group in eng.rule_groups:
        if group.scanner is not None:
            monkeypatch.setattr(group, "scanner", _Behind(group.scanner))
    patterns = list(_rule_patterns(eng, set()))
    assert patterns
    for rp in patterns:
        if rp.skipper is not None:
            monkeypatch.setattr(rp, "skipper", _Behind(rp.skipper))
    assert [[(q.text, q.start, q.value) for q in extract(t)] for t in texts] == expected


@pytest.mark.timeout(60)
def test_debian_python_reads_the_rules_like_a_newer_one() -> None:
    """Under /usr/bin/python3 (3.11.2 on Debian 12) these hung or came out empty."""
    from extractor.quantities import extract

    assert extract("x\n") == []
    assert [q.text for q in extract("OpenAI raised $40 billion.")] == ["$40 billion"]
    assert [q.text for q in extract("微软已投入超过 130 亿美元")] == ["130 亿美元"]


# ---------------------------------------------------------------------------
# Issue 15, item 2: only a YAML mapping at the very start is front matter; a rule above
# some prose is text, never dropped.

_SEP = "---\nMicrosoft invested $13 billion in OpenAI.\nSoftBank committed $30 billion.\n---\nLater, OpenAI raised $40 billion.\n"


@pytest.mark.parametrize(("name", "raw", "title", "kept", "warned"), [
    ("sep.txt", _SEP, None, _SEP, ""),
    ("sep.md", _SEP, None, _SEP, ""),
    ("list.md", "---\n- a\n- b\n---\nAcme raised $5 million.\n", None, "- a\n- b", ""),
    ("list.txt", "---\n- a\n- b\n---\nAcme raised $5 million.\n", None, "- a\n- b", ""),
    ("bad_yaml.md", "---\ntitle: [unclosed\n---\nAcme raised $5 million.\n", None, "title: [unclosed", "not valid YAML"),
    ("bad_yaml.txt", "---\nAcme: [raised $5 million\n---\nMore.\n", None, "Acme: [raised $5 million", ""),
    ("prose_colon.txt", "---\nAcme said: it raised $5 million.\n---\nMore.\n", None, "Acme said: it raised", ""),
    ("front.txt", "---\ntitle: Acme\noutlet: Wire\n---\nAcme raised $5 million.\n", "Acme", "Acme raised $5 million.\n", ""),
    ("front.md", "---\ntitle: Acme\ntags: [a]\n---\nAcme raised $5 million.\n", "Acme", "Acme raised $5 million.\n", ""),
    ("alias.txt", "---\nDate: 2025-01-02\n---\nAcme raised $5 million.\n", None, "Acme raised $5 million.\n", ""),
    ("other_keys.md", "---\nlayout: post\n---\nAcme raised $5 million.\n", None, "Acme raised $5 million.\n", "none of title"),
    ("not_at_start.md", "\n---\ntitle: Acme\n---\nAcme raised $5 million.\n", None, "title: Acme", ""),
    ("unclosed.txt", "---\nAcme raised $5 million.\n", None, "Acme raised $5 million.", ""),
    ("unclosed.md", "---\ntitle: Acme\nAcme raised $5 million.\n", None, "Acme raised $5 million.", "no closing"),
])
def test_front_matter_is_only_a_mapping_at_the_start(tmp_path: Path, name: str, raw: str, title: str | None,
                                                     kept: str, warned: str) -> None:
    from extractor.ingest import read_article

    path = tmp_path / name
    path.write_text(raw, encoding="utf-8")
    article = read_article(path)
    assert kept in article.text
    assert article.text == raw[article.body_start:]
    assert article.meta.get("title") == title
    assert (warned in " ".join(article.warnings)) if warned else article.warnings == []


def test_a_rule_above_prose_loses_no_claim(tmp_path: Path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    (d / "sep.txt").write_text(_SEP, encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(d), "--db", str(tmp_path / "s.db")])
    assert result.exit_code == 0, result.output
    assert "front matter" not in result.output
    values = {r["value"] for r in sqlite_utils.Database(tmp_path / "s.db").query("select value from claims")}
    assert values == {13e9, 30e9, 40e9}


# ---------------------------------------------------------------------------
# Issue 15, item 3: the Markdown report renders no HTML and links nothing but http(s).

_PAYLOADS = ("<script>alert(1)</script>", "<svg onload=alert(2)>", "[click](javascript:alert(3))",
             "<img src=x onerror=alert(4)>", "&#x3C;script&#x3E;", "`code` *em* _em_ ~~s~~ | cell")


def _payload_db(tmp_path: Path, urls: tuple[str, str]) -> Path:
    import yaml

    from extractor import pipeline, store

    folder = tmp_path / "story"
    folder.mkdir()
    texts = {"a.txt": f"据知情人士{_PAYLOADS[0]}{_PAYLOADS[1]}透露,软银提议持有该合资公司约 40% 的股份。{_PAYLOADS[2]}",
             "b.txt": f"SoftBank will hold a 35% stake {_PAYLOADS[3]}{_PAYLOADS[4]} in the joint venture {_PAYLOADS[5]}."}
    manifest = {}
    for (name, text), url in zip(texts.items(), urls, strict=True):
        (folder / name).write_text(text, encoding="utf-8")
        manifest[name] = {"published": "2025-02-10" if name == "a.txt" else "2025-04-02",
                          "outlet": f"Wire {_PAYLOADS[1]} {_PAYLOADS[2]}", "url": url}
    (folder / "sources.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    db = store.open_db(tmp_path / "p.db")
    pipeline.ingest([str(folder)], db)
    pipeline.after_ingest(db)
    return tmp_path / "p.db"


@pytest.mark.parametrize("urls", [
    ("javascript:alert(5)", "https://example.com/a b)(<x>\"q\""),
    ("JAVASCRIPT:alert(5)", "data:text/html,<script>alert(6)</script>"),
    ("http://[oops/path", " javascript:alert(7)"),
])
def test_markdown_report_runs_no_script_and_links_only_http(tmp_path: Path, urls: tuple[str, str]) -> None:
    from markdown_it import MarkdownIt

    db = _payload_db(tmp_path, urls)
    result = CliRunner().invoke(cli, ["report", "--db", str(db), "--format", "markdown"])
    assert result.exit_code == 0, result.output
    md = result.output
    assert "40%" in md and "35%" in md  # the conflict is there
    page = MarkdownIt("commonmark").enable("table").render(md).lower()
    assert "<script" not in page and "<svg" not in page and "<img" not in page
    hrefs = [h.split('"')[0] for h in page.split('href="')[1:]]
    assert all(h.startswith(("http://", "https://")) for h in hrefs), hrefs
    assert "javascript:" not in " ".join(hrefs)
    if urls[1].startswith("https://"):
        assert hrefs and all(" " not in h and "<" not in h and ")" not in h for h in hrefs)
    # What the article says is still all there, shown as text.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "[click](javascript:alert(3))" in page


# ---------------------------------------------------------------------------
# Issue 15, item 4 (and issue 13): a published date that is none is NULL, with a warning
# and the reason kept; the flag is an error.


@pytest.mark.parametrize("bad", ["2026-13-45", "yesterday", "2025-02-30", "99999-01-01", "2025-01-02abc"])
def test_a_published_flag_that_is_no_date_is_one_line_error(tmp_path: Path, bad: str) -> None:
    (tmp_path / "a.txt").write_text("Acme raised $5 million.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "a.txt"), "--db", str(tmp_path / "x.db"),
                                      "--published", bad])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"error: [E700] --published {bad!r} is not a date like 2025-10-28"]  # one format: code first
    assert not (tmp_path / "x.db").exists() or not sqlite_utils.Database(tmp_path / "x.db")["articles"].exists() \
        or sqlite_utils.Database(tmp_path / "x.db")["articles"].count == 0


def test_a_bad_front_matter_date_is_null_and_changes_no_verdict(tmp_path: Path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    (d / "a.md").write_text("---\npublished: 2025-06-01\noutlet: Alpha\n---\nBorealis Bank holds a 27% stake in "
                            "Quill Robotics, the companies said.\n", encoding="utf-8")
    for n, bad in enumerate(["not-a-date", "99999-01-01", "2025-02-30"]):
        (d / f"b{n}.md").write_text(f"---\npublished: {bad}\noutlet: Beta{n}\n---\nBorealis Bank holds a "
                                    f"{90 + n}% stake in Quill Robotics, the filing shows.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(d), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 0, result.output
    warned = [ln for ln in result.stderr.splitlines() if "is not a date" in ln]
    assert len(warned) == 3 and all(ln.startswith("warning: ") for ln in warned)
    db = sqlite_utils.Database(tmp_path / "x.db")
    dates = {r["outlet"]: r["published"] for r in db.query("select outlet, published from articles")}
    assert dates == {"Alpha": "2025-06-01", "Beta0": None, "Beta1": None, "Beta2": None}
    notes = [r["note"] for r in db.query("select note from article_notes")]
    assert sorted(n for n in notes if "is not a date" in n) == sorted(
        f"published {bad!r} is not a date like 2025-10-28; left empty" for bad in ["not-a-date", "99999-01-01", "2025-02-30"])
    # No undated figure supersedes a dated one.
    assert not list(db.query("select * from conflicts where kind = 'superseded'"))
    # The other keys of a front matter with a bad date are kept.
    assert "Beta2" in dates


# ---------------------------------------------------------------------------
# Issue 15, item 5: another application's database is never changed.


@pytest.mark.parametrize("make", [
    "create table claims (id integer primary key, amount real, note text); insert into claims values (1, 2.5, 'x')",
    "create table notes (id integer primary key, body text); insert into notes values (1, 'x')",
    "PRAGMA application_id=1234; create table articles (id text primary key, path text, text text, "
    "sha256 text, body_start int); insert into articles values ('a', 'p', 't', 's', 0)",
])
@pytest.mark.parametrize("command", [["ingest", "{file}"], ["report"], ["eval", "{gold}"]])
def test_another_applications_database_is_not_touched(tmp_path: Path, make: str, command: list[str]) -> None:
    import hashlib
    import sqlite3

    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.executescript(make)
    conn.commit()
    conn.close()
    before = hashlib.sha256(other.read_bytes()).hexdigest()
    (tmp_path / "a.txt").write_text("Acme raised $5 million.\n", encoding="utf-8")
    (tmp_path / "gold.jsonl").write_text("", encoding="utf-8")
    args = [a.format(file=tmp_path / "a.txt", gold=tmp_path / "gold.jsonl") for a in command]
    result = CliRunner().invoke(cli, [*args, "--db", str(other)])
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and f"{other}: " in line and "not changed" in line
    assert hashlib.sha256(other.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("other")) == ["other.db"]


def test_a_claims_database_made_before_the_mark_is_still_ours(tmp_path: Path) -> None:
    import sqlite3

    from extractor import store

    db = store.open_db(tmp_path / "c.db")
    db.execute("PRAGMA application_id=0")
    db.conn.close()
    (tmp_path / "a.txt").write_text("Acme raised $5 million.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "a.txt"), "--db", str(tmp_path / "c.db")])
    assert result.exit_code == 0, result.output
    assert sqlite3.connect(tmp_path / "c.db").execute("PRAGMA application_id").fetchone()[0] == store.APPLICATION_ID


# ---------------------------------------------------------------------------
# Issue 15, items 13 and 8: reading needs no write access; a report is written whole.


def _run_with_read_only(folder: Path, args: list[str]) -> Any:
    """Run `claims ARGS` while `folder` is read-only: by its mode for a user, by a read-only
    bind mount for root (whom modes do not stop)."""
    import shutil
    import subprocess
    import sys

    command = [sys.executable, "-c", "from extractor.cli import main; main()", *args]
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.iterdir()]}
        for p in modes:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=120)
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
    if shutil.which("unshare") is None:
        pytest.skip("root without unshare: cannot make a folder read-only")
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    probe = subprocess.run(["unshare", "-m", "sh", "-c", script, str(folder), "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"no read-only bind mount here: {probe.stderr.decode(errors='replace').strip()}")
    return subprocess.run(["unshare", "-m", "sh", "-c", script, str(folder), *command],
                          capture_output=True, text=True, timeout=120)


def test_report_reads_a_database_in_a_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = _payload_db(tmp_path, ("https://example.com/a", "https://example.com/b"))
    for part in ("", "-wal", "-shm"):  # as copied, uncheckpointed
        if Path(f"{db}{part}").exists():
            Path(f"{db}{part}").rename(folder / f"p.db{part}")
    before = sorted(p.name for p in folder.iterdir())
    result = _run_with_read_only(folder, ["report", "--db", str(folder / "p.db"), "--format", "markdown"])
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "40%" in result.stdout and "35%" in result.stdout
    assert sorted(p.name for p in folder.iterdir()) == before


def test_report_out_into_a_missing_folder_or_a_full_disk_is_one_line(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    db = _payload_db(tmp_path, ("https://example.com/a", "https://example.com/b"))
    result = CliRunner().invoke(cli, ["report", "--db", str(db), "--out", str(tmp_path / "no" / "r.md")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and "cannot write the report" in line

    old = tmp_path / "r.html"
    old.write_text("the previous report", encoding="utf-8")

    def full(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    result = CliRunner().invoke(cli, ["report", "--db", str(db), "--format", "html", "--out", str(old)])
    assert result.exit_code == 2 and "No space left on device" in result.stderr
    assert old.read_text(encoding="utf-8") == "the previous report"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".r.html")) == []


def test_serve_refuses_a_port_out_of_range_in_one_line(tmp_path: Path) -> None:
    db = _payload_db(tmp_path, ("https://example.com/a", "https://example.com/b"))
    result = CliRunner().invoke(cli, ["serve", "--db", str(db), "--port", "99999"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "99999 is not in the range 0<=x<=65535" in result.output


# ---------------------------------------------------------------------------
# Issue 15, items 6 and 10: a broken or huge sources.yaml is one warning, parsed once
# outside the time limit; fixing it updates the stored metadata.


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize(("broken", "why"), [
    ("a.txt:\n\toutlet: Tab Wire\n", "not valid YAML at line 2"),
    ("- a.txt\n- b.txt\n", "not a mapping of file names"),
    ("\x89PNG\r\n\x1a\n\xff\xfe", "not UTF-8 text"),
])
def test_a_broken_manifest_warns_once_and_fixing_it_updates_the_metadata(tmp_path: Path, jobs: str,
                                                                        broken: str, why: str) -> None:
    d = tmp_path / "d"
    d.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (d / name).write_text(f"Acme ({name}) raised $5 million in {name[0]} round.\n", encoding="utf-8")
    (d / "sources.yaml").write_bytes(broken.encode("latin-1"))
    db = str(tmp_path / "m.db")
    result = CliRunner().invoke(cli, ["ingest", str(d), "--db", db, "--jobs", jobs])
    assert result.exit_code == 0, result.output
    warned = [ln for ln in result.stderr.splitlines() if "sources.yaml" in ln]
    assert len(warned) == 1 and warned[0].startswith("warning: ") and why in warned[0], result.stderr
    (d / "sources.yaml").write_text("a.txt:\n  outlet: Tab Wire\n  published: 2025-03-04\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(d), "--db", db, "--jobs", jobs])
    assert result.exit_code == 0 and "3 already seen" in result.stdout, result.output
    assert "warning" not in result.stderr
    rows = {Path(r["path"]).name: (r["outlet"], r["published"])
            for r in sqlite_utils.Database(db).query("select path, outlet, published from articles")}
    assert rows == {"a.txt": ("Tab Wire", "2025-03-04"), "b.txt": (None, None), "c.txt": (None, None)}


def test_a_huge_manifest_is_refused_once_and_the_articles_are_read(tmp_path: Path) -> None:
    from extractor import ingest

    d = tmp_path / "d"
    d.mkdir()
    (d / "a.txt").write_text("Acme raised $5 million.\n", encoding="utf-8")
    (d / "b.txt").write_text("Acme raised $6 million.\n", encoding="utf-8")
    entry = "f{n}.txt:\n  outlet: Some Wire\n  title: A title that takes some room\n"
    with (d / "sources.yaml").open("w", encoding="utf-8") as f:
        n = 0
        while f.tell() < ingest.MAX_MANIFEST_BYTES + 1000:
            f.write(entry.format(n=n))
            n += 1
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["ingest", str(d), "--db", str(tmp_path / "h.db"), "--time-limit", "5"])
    assert time.monotonic() - started < 60
    assert result.exit_code == 0, result.output
    assert "2 new articles" in result.stdout
    (line,) = result.stderr.splitlines()
    assert line.startswith("warning: ") and "larger than 4 MB; its metadata was ignored" in line


# ---------------------------------------------------------------------------
# Issue 15, item 7: two ingests into one database at once both finish, and leave the
# database two runs one after the other leave.


def _content(db_path: Path) -> dict[str, set[Any]]:
    d = sqlite_utils.Database(db_path)
    return {"articles": {r["id"] for r in d.query("select id from articles")},
            "claims": {(r["id"], r["subject"], r["metric"]) for r in d.query("select id, subject, metric from claims")},
            "conflicts": {(r["id"], r["kind"]) for r in d.query("select id, kind from conflicts")}}


@pytest.mark.timeout(600)
def test_two_ingests_at_once_both_finish(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    corpus = Path(__file__).resolve().parent.parent / "corpus"
    files = sorted(p for p in corpus.iterdir() if p.suffix in (".txt", ".md"))
    halves = [tmp_path / "one", tmp_path / "two"]
    for n, half in enumerate(halves):
        half.mkdir()
        for f in files[n::2]:
            shutil.copy(f, half / f.name)
    if (corpus / "sources.yaml").exists():
        for half in halves:
            shutil.copy(corpus / "sources.yaml", half / "sources.yaml")
    command = [sys.executable, "-c", "from extractor.cli import main; main()", "ingest"]
    both = tmp_path / "both.db"
    runs = [subprocess.Popen([*command, str(half), "--db", str(both)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for half in halves]
    outs = [r.communicate(timeout=500) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outs
    assert all("locked" not in err and "Traceback" not in err for _, err in outs)
    one_then_two = tmp_path / "seq.db"
    for half in halves:
        assert subprocess.run([*command, str(half), "--db", str(one_then_two)], capture_output=True).returncode == 0
    assert _content(both) == _content(one_then_two)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith("-ingest")) == []


# ---------------------------------------------------------------------------
# Issue 15, items 9 and 11: `claims extract` has the limits of ingest, and --lines is linear.


def test_extract_lines_is_linear(tmp_path: Path) -> None:
    from extractor.quantities import extract

    extract("130 亿美元")
    times = []
    for n in (3_000, 12_000):
        path = tmp_path / f"l{n}.txt"
        path.write_text(("x" * 60 + "\n") * n, encoding="utf-8")
        started = time.monotonic()
        result = CliRunner().invoke(cli, ["extract", "--lines", str(path)])
        times.append(time.monotonic() - started)
        assert result.exit_code == 0 and result.stdout.count("\n") == n
    assert times[1] < 8 * times[0] + 1, times  # quadratic was 16x


@pytest.mark.timeout(60)
@pytest.mark.parametrize("make", ["fifo", "device", "huge"])
def test_extract_refuses_what_ingest_refuses(tmp_path: Path, make: str) -> None:
    from extractor import readers

    path = tmp_path / "x.txt"
    if make == "fifo":
        os.mkfifo(path)
    elif make == "device":
        path = Path("/dev/zero")
    else:
        with path.open("wb") as f:
            f.truncate(readers.MAX_BYTES + 1)
    result = CliRunner().invoke(cli, ["extract", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and ("not a regular file" in line or "larger than" in line)


def test_extract_stops_at_the_time_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor import quantities

    real = quantities.extract

    def slow(text: str, **kw: Any) -> Any:
        if "slow" in text:
            while True:
                pass
        return real(text, **kw)

    monkeypatch.setattr(quantities, "extract", slow)
    (tmp_path / "s.txt").write_text("slow 13 billion\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "s.txt"), "--time-limit", "1"])
    assert result.exit_code == 2
    assert "took longer than 1 s" in result.stderr


# ---------------------------------------------------------------------------
# Issue 15, item 12: nothing from an article or a file name reaches the terminal raw.

_ESC = "\x1b]0;pwned\x07\x1b[2J\x1b[31m\r\x08\u009b31m"


def test_control_characters_never_reach_the_terminal(tmp_path: Path) -> None:
    import yaml

    d = tmp_path / "d"
    d.mkdir()
    (d / f"a{_ESC}.txt").write_text("据知情人士\x1b[2J透露,软银提议持有该合资公司约 40% 的股份。\n", encoding="utf-8")
    (d / "b.txt").write_text("SoftBank will hold a 35% stake\x1b[31m in the joint venture.\n", encoding="utf-8")
    (d / "forged\nskipped: everything.txt").write_bytes(b"\x00\x01binary")
    (d / "c.md").write_text("---\npublished: \"\\e[31mnot a date\"\n---\nAcme raised $5 million.\n", encoding="utf-8")
    manifest = {"b.txt": {"outlet": f"Wire{_ESC}", "published": "2025-04-02", "url": f"https://x.test/{_ESC}"},
                f"a{_ESC}.txt": {"outlet": f"Daily{_ESC}", "published": "2025-02-10"}}
    (d / "sources.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    db = str(tmp_path / "t.db")
    result = CliRunner().invoke(cli, ["ingest", str(d), "--db", db])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert sum(ln.startswith("skipped: ") for ln in lines) == 1, lines  # the binary file, on one line
    assert all(ln.startswith(("skipped: ", "warning: ")) for ln in lines), lines
    outputs = [result.stdout, result.stderr]
    for fmt in ("text", "markdown", "html", "json"):
        report = CliRunner().invoke(cli, ["report", "--db", db, "--format", fmt])
        assert report.exit_code == 0, report.output
        assert "40" in report.stdout and "35" in report.stdout
        outputs.append(report.stdout)
    for out in outputs:
        assert not any(ch in out for ch in "\x1b\x07\x08\r\u009b"), repr(out[:300])


# ---------------------------------------------------------------------------
# Issue 15, item 15: --jobs is capped at the machine's cores, with a warning.


def test_jobs_beyond_the_cores_are_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor import parallel

    seen: list[int] = []
    real = parallel.ingest_parallel

    def spy(*args: Any, jobs: int = 2, **kw: Any) -> Any:
        seen.append(jobs)
        return real(*args, jobs=jobs, **kw)

    monkeypatch.setattr(parallel, "ingest_parallel", spy)
    (tmp_path / "a.txt").write_text("Acme raised $5 million.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "a.txt"), "--db", str(tmp_path / "j.db"), "--jobs", "1000"])
    assert result.exit_code == 0, result.output
    cores = len(os.sched_getaffinity(0))
    assert f"warning: --jobs 1000 is more than the {cores} cores here; using {cores}" in result.stderr
    assert seen == ([cores] if cores > 1 else [])


# ---------------------------------------------------------------------------
# Issue 15, item 8: one line or a 4xx, never a traceback or a 500.


@pytest.mark.parametrize(("value", "ok"), [("1e-9", False), ("nan", False), ("-1", False), ("inf", True), ("0", True)])
def test_time_limit_values(tmp_path: Path, value: str, ok: bool) -> None:
    (tmp_path / "a.txt").write_text("Acme raised $5 million.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "a.txt"), "--db", str(tmp_path / "t.db"),
                                      "--time-limit", value])
    assert "Traceback" not in result.output and not isinstance(result.exception, OverflowError | ValueError)
    if ok:
        assert result.exit_code == 0 and "1 new article" in result.stdout, result.output
    else:
        assert result.exit_code == 2 and "Invalid value for '--time-limit'" in result.output


def test_a_tiny_time_limit_never_escapes_as_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Acme raised $5 million.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "a.txt"), "--db", str(tmp_path / "t.db"),
                                      "--time-limit", "0.001"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1)


@pytest.mark.parametrize(("content", "why"), [
    (b"\x89PNG\r\n\x1a\n\x00\xff", "not UTF-8 text"),
    (b"null\n", "not a JSON object"),
    (b"[" * 100_000 + b"]" * 100_000 + b"\n", "nested too deep"),
    (b"[1, 2]\n", "not a JSON object"),
])
def test_eval_on_a_bad_gold_file_is_one_line(tmp_path: Path, content: bytes, why: str) -> None:
    from extractor import store

    store.open_db(tmp_path / "e.db")
    (tmp_path / "g.jsonl").write_bytes(content)
    result = CliRunner().invoke(cli, ["eval", str(tmp_path / "g.jsonl"), "--db", str(tmp_path / "e.db")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and why in line


def test_a_folder_nested_1200_deep(tmp_path: Path) -> None:
    deep = tmp_path / "deep"
    chain = [deep]
    for _ in range(1200):  # one by one: mkdir(parents=True) and rmtree recurse
        chain.append(chain[-1] / "d")
    try:
        for folder in chain:
            folder.mkdir()
        (chain[-1] / "a.txt").write_text("Acme raised $5 million.\n", encoding="utf-8")
        result = CliRunner().invoke(cli, ["ingest", str(deep), "--db", str(tmp_path / "n.db")])
        assert result.exit_code == 0, result.output[-500:]
        assert "1 new article" in result.stdout
    finally:
        # Whatever happened, leave no deep tree behind: pytest removes old temporary folders
        # with a recursive rmtree, which such a tree would break in every later run.
        (chain[-1] / "a.txt").unlink(missing_ok=True)
        for folder in reversed(chain):
            if folder.exists():
                folder.rmdir()


def test_datasette_takes_a_broken_url_and_a_bad_sort(tmp_path: Path) -> None:
    import asyncio

    from extractor.browse import make_datasette

    db = _payload_db(tmp_path, ("http://[oops/path", "https://example.com/b"))
    ds = make_datasette(db)

    async def statuses() -> dict[str, int]:
        await ds.invoke_startup()
        got = {}
        for url in ("/claims/conflict_report", "/claims/claims?_sort=value%22", "/claims/claims?_sort_desc=x%22",
                    "/claims/claims.json?_sort=nope", "/claims/claims?_sort=value"):
            got[url] = (await ds.client.get(url)).status_code
        return got

    got = asyncio.run(statuses())
    assert got == {"/claims/conflict_report": 200, "/claims/claims?_sort=value%22": 400,
                   "/claims/claims?_sort_desc=x%22": 400, "/claims/claims.json?_sort=nope": 400,
                   "/claims/claims?_sort=value": 200}


# ---------------------------------------------------------------------------
# Issue 15, item 14: one enormous sentence does not make enormous pages.


def test_a_huge_sentence_makes_no_huge_page(tmp_path: Path) -> None:
    import asyncio

    from extractor.browse import make_datasette

    (tmp_path / "a.txt").write_text("Quill Robotics 营收增长" + "，增长 1%" * 3000 + "。\n", encoding="utf-8")
    db = tmp_path / "h.db"
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "a.txt"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    sentence = next(iter(sqlite_utils.Database(db).query("select id, length(text) as n from sentences order by n desc")))
    assert sentence["n"] > 18_000
    ds = make_datasette(db)

    async def sizes() -> dict[str, tuple[int, int]]:
        await ds.invoke_startup()
        got = {}
        for url in ("/claims/claims", f"/claims/sentences/{sentence['id'].replace(':', '~3A')}", "/claims/sentences"):
            r = await ds.client.get(url)
            got[url] = (r.status_code, len(r.text))
        return got

    got = asyncio.run(sizes())
    assert all(status == 200 for status, _ in got.values()), got
    assert all(size < 400_000 for _, size in got.values()), got


# ---------------------------------------------------------------------------
# Issue 13: Western code pages told apart as GBK and Big5 are (£3.2bn is no Ł3.2bn).


@pytest.mark.parametrize(("text", "encoding", "read_as"), [
    ("Revenue rose to £3.2bn.\n", "latin-1", "cp1252"),
    ("The bank lost £3.2bn last year, and the café chain “grew” by 12%.\n", "cp1252", "cp1252"),
    ("Barclays lost £3.2bn. It said the cost was €500m.\n", "cp1252", "cp1252"),
    ("La empresa ganó 3.200 millones de euros, un 12% más que el año pasado.\n", "latin-1", "cp1252"),
    ("Der Umsatz stieg auf 3,2 Milliarden Euro, ein Plus von 12 Prozent gegenüber dem Vorjahr.\n", "latin-1", "cp1252"),
    ("Spółka zwiększyła przychody o 12% do 3,2 mld zł. Zarząd podał, że łączny zysk wzrósł.\n", "cp1250", "cp1250"),
    ("Выручка компании выросла на 12% до 3,2 млрд рублей.\n", "cp1251", "cp1251"),
])
def test_western_code_pages_are_told_apart(text: str, encoding: str, read_as: str) -> None:
    from extractor.readers import decode

    got = decode(text.encode(encoding), "x.txt")
    assert (got.text, got.encoding) == (text, read_as)


def test_a_latin1_pound_figure_is_a_claim(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes("Northwind Bank lost £3.2bn last year.\n".encode("latin-1"))
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "a.txt")])
    assert result.exit_code == 0, result.output
    assert '"text": "£3.2bn"' in result.stdout and '"unit": "GBP"' in result.stdout


# ---------------------------------------------------------------------------
# Issue 13: without Chromium or its driver the browser tests are skipped, saying why and
# how to install them in the run's last lines; the run stays green.


@pytest.mark.parametrize("missing", ["CLAIMS_CHROMEDRIVER", "CLAIMS_CHROMIUM"])
def test_browser_tests_skip_with_the_fix_when_chromium_is_missing(missing: str) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_browser.py"],
                         cwd=root, capture_output=True, text=True, timeout=300,
                         env={**os.environ, missing: "/nonexistent/binary"})
    assert run.returncode == 0, run.stdout[-2000:]
    last = run.stdout.strip().splitlines()[-3:]
    assert any("browser tests skipped" in ln and "apt-get install chromium chromium-driver" in ln for ln in last), last
    assert "skipped" in last[-1] and "passed" not in last[-1] and "error" not in last[-1]


def test_serve_reads_a_database_in_a_read_only_folder(tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys
    import urllib.request

    folder = tmp_path / "ro"
    folder.mkdir()
    db = _payload_db(tmp_path, ("https://example.com/a", "https://example.com/b"))
    for part in ("", "-wal", "-shm"):
        if Path(f"{db}{part}").exists():
            Path(f"{db}{part}").rename(folder / f"p.db{part}")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-c", "from extractor.cli import main; main()",
               "serve", "--db", str(folder / "p.db"), "--port", str(port)]
    if os.geteuid() != 0:
        folder.chmod(0o555)
    else:
        import shutil

        if shutil.which("unshare") is None:
            pytest.skip("root without unshare: cannot make a folder read-only")
        script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
        if subprocess.run(["unshare", "-m", "sh", "-c", script, str(folder), "true"], capture_output=True).returncode:
            pytest.skip("no read-only bind mount here")
        command = ["unshare", "-m", "sh", "-c", script, str(folder), *command]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/claims/conflict_report", timeout=5) as r:
                    status = r.status
                    page = r.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, proc.stdout.read() if proc.poll() is not None and proc.stdout else "no answer"
        assert "40%" in page or "40 percent" in page or "40" in page
    finally:
        proc.terminate()
        try:
            out = proc.communicate(timeout=20)[0]
        except subprocess.TimeoutExpired:
            proc.kill()
            out = proc.communicate()[0]
        if os.geteuid() != 0:
            folder.chmod(0o755)
    assert "Traceback" not in out, out[-2000:]


def test_report_out_gets_an_ordinary_files_mode(tmp_path: Path) -> None:
    db = _payload_db(tmp_path, ("https://example.com/a", "https://example.com/b"))
    mask = os.umask(0o022)
    try:
        result = CliRunner().invoke(cli, ["report", "--db", str(db), "--out", str(tmp_path / "r.md")])
    finally:
        os.umask(mask)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.md").stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".part")) == []
