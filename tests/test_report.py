"""The conflict report in every format, on a small story with a hostile article."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
import sqlite_utils
import yaml
from click.testing import CliRunner

from extractor import pipeline, report, store
from extractor.cli import cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    articles = {
        "x1.txt": ("2025-02-10", "据知情人士<script>alert(1)</script>透露,软银提议持有该合资公司约 40% 的股份。"),
        "x2.txt": ("2025-04-02", "SoftBank will hold a 35% stake in the joint venture, the companies said."),
    }
    manifest = {}
    for name, (published, text) in articles.items():
        (folder / name).write_text(text, encoding="utf-8")
        manifest[name] = {"published": published, "outlet": f"Outlet <{name}>", "url": f"https://example.com/{name}"}
    (folder / "sources.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    path = folder / "r.db"
    db = store.open_db(path)
    pipeline.ingest([str(folder)], db)
    pipeline.after_ingest(db)
    return path


def _report(db_path: Path, fmt: str) -> str:
    result = CliRunner().invoke(cli, ["report", "--db", str(db_path), "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.output


def test_text_report_lists_sides_quotes_and_best(db_path: Path) -> None:
    out = _report(db_path, "text")
    assert "Proposal vs final figure: SoftBank" in out
    assert "40 percent" in out and "35 percent" in out
    assert "Best-supported: 35 percent" in out
    assert "Outlet <x1.txt>" in out


def test_markdown_report_bolds_the_number(db_path: Path) -> None:
    out = _report(db_path, "markdown")
    assert "**40%**" in out and "**35%**" in out
    assert "[Outlet &lt;x2.txt&gt;, 2025-04-02](https://example.com/x2.txt)" in out


def test_html_report_is_self_contained_and_escaped(db_path: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", "--db", str(db_path), "--format", "html", "--out", str(out_file)])
    assert result.exit_code == 0, result.output
    page = out_file.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<mark>40%</mark>" in page
    assert "<svg" in page and page.count("class=\"mark side-") == 2  # one mark per source
    assert "http" not in page.replace("https://example.com/", "").replace("http://www.w3.org/2000/svg", "")


def test_json_report(db_path: Path) -> None:
    entries = json.loads(_report(db_path, "json"))
    assert entries[0]["kind"] == "proposal_vs_final"
    assert {q["value"] for q in entries[0]["quotes"]} == {"40 percent", "35 percent"}


def test_report_on_missing_db_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["report", "--db", str(tmp_path / "none.db")])
    assert result.exit_code != 0
    assert "no such database" in result.output and "Traceback" not in result.output


def test_empty_database_says_so(tmp_path: Path) -> None:
    store.open_db(tmp_path / "empty.db")
    assert "No conflicts" in _report(tmp_path / "empty.db", "text")
    db = sqlite_utils.Database(tmp_path / "empty.db")
    assert db.table("claims").count == 0


# --- a story with known conflicts, long Chinese sentences and Markdown in the text --------

STORY = {
    "m1.md": ("合资公司谈判尘埃落定", "Harbor Ledger", "2025-03-01",
              "据多位接近交易的人士透露，在经历了长达数月的艰难谈判、多轮估值调整以及监管机构的反复问询之后，"
              "软银最终同意向该合资公司投资**45 亿美元**，以换取董事会的两个席位。"),
    "m2.md": ("SoftBank backs the venture", "North Desk", "2025-03-04",
              "SoftBank agreed to invest $4.5 billion in the joint venture, the companies said on Tuesday."),
    "m3.md": ("Filing shows a smaller cheque", None, "2025-03-09",
              "SoftBank agreed to invest $450 million in the joint venture, according to a filing seen by reporters."),
    "m4.md": ("Microsoft's share of the venture", "Harbor Ledger", "2025-03-02",
              "Microsoft will hold a 27% stake in the venture, the filing shows."),
    "m5.md": ("微软持股比例曝光", "Coastline Daily", "2025-03-08",
              "根据一份提交给监管机构、长达数百页并涵盖了治理结构与利润分配安排的文件，微软将持有该合资公司 72% 的股份。"),
}


def write_story(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (title, outlet, published, body) in STORY.items():
        head = f"title: {title}\n" + (f"outlet: {outlet}\n" if outlet else "") + f"published: {published}\n"
        (folder / name).write_text(f"---\n{head}---\n{body}\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def story_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = write_story(tmp_path_factory.mktemp("story") / "story")
    path = folder.parent / "story.db"
    db = store.open_db(path)
    pipeline.ingest([str(folder)], db)
    pipeline.after_ingest(db)
    db.close()
    return path


def _entries(path: Path) -> list[report.Entry]:
    entries = report.load(sqlite_utils.Database(path))
    assert entries, "the story should hold at least one conflict"
    return entries


def _command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from extractor.cli import main; main()", *args]


def _check_each_conflict_once(out: str, entries: list[report.Entry], bracketed: bool) -> None:
    assert out.count("Conflict report") == 1, out  # printed once, not twice
    for e in entries:
        title = f"{report.KIND_TITLES[e.kind]}: {e.what}"
        assert out.count(title) == 1, (title, out)
        for q in e.quotes:
            number = q.sentence[q.mark_start : q.mark_end]
            assert (f"[{number}]" in out) is bracketed, (number, out)
            assert number in out
            assert "**" not in number


def test_text_report_piped_prints_each_conflict_once_with_its_number(story_db: Path) -> None:
    result = subprocess.run(_command("report", "--db", str(story_db)), capture_output=True, text=True,
                            cwd=ROOT, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    _check_each_conflict_once(result.stdout, _entries(story_db), bracketed=True)
    assert "\x1b[" not in result.stdout and "**" not in result.stdout
    # The long Chinese sentence is cut around its number, not from its start.
    assert "…" in result.stdout and "[45 亿美元]" in result.stdout


def test_text_report_in_a_terminal(story_db: Path) -> None:
    """Under a pseudo-terminal 100 columns wide: colour, the number highlighted (not
    bracketed), each conflict once, no line wider than the terminal."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(_command("report", "--db", str(story_db)), stdin=slave, stdout=slave,
                            stderr=slave, cwd=ROOT, env=env, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the other end closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=120) == 0
    raw = b"".join(chunks).decode("utf-8")
    assert "\x1b[" in raw  # styled for a terminal
    out = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", raw).replace("\r\n", "\n")
    _check_each_conflict_once(out, _entries(story_db), bracketed=False)
    from extractor.display import cells

    assert max(cells(line) for line in out.splitlines()) <= 100


def test_report_out_prints_only_what_it_wrote(story_db: Path, tmp_path: Path) -> None:
    for fmt in ("text", "html", "markdown"):
        out = tmp_path / f"report.{fmt}"
        result = CliRunner().invoke(cli, ["report", "--db", str(story_db), "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert result.output == f"wrote {out}\n"
        assert "45 亿美元" in out.read_text(encoding="utf-8")


def test_markdown_markup_never_shows_in_quotes(story_db: Path) -> None:
    html = report.render(sqlite_utils.Database(story_db), "html")
    assert "<mark>45 亿美元</mark>，以换取" in html and "**" not in html
    markdown = report.render(sqlite_utils.Database(story_db), "markdown")
    assert "**45 亿美元**，以换取" in markdown and "\\*" not in markdown
    entries = report.load(sqlite_utils.Database(story_db))
    quotes = [q for e in entries for q in e.quotes]
    assert all("**" not in q.sentence for q in quotes)
    # The stored text keeps its markup: every offset still indexes it exactly.
    db = sqlite_utils.Database(story_db)
    (text,) = db.execute("select a.text from articles a where a.text like '%**45%'").fetchone()
    claim = db.execute("select start, [end], text from claims where text = '45 亿美元'").fetchone()
    assert text[claim[0] : claim[1]] == claim[2]


def test_html_chart_has_axes_one_mark_per_source_and_the_best_value(story_db: Path) -> None:
    entries = _entries(story_db)
    html = report.render_html(entries)
    assert html.count("<svg") == len(entries)
    assert "publication date" in html and "best-supported:" in html
    for e in entries:
        sources = {(q.source, q.published, q.number) for q in e.quotes}
        assert len(report._points(e)) == len(sources)
    # Dates three days apart get labels of their own.
    assert "1 Mar 2025" in html and "4 Mar 2025" in html


def test_source_without_outlet_is_named_by_its_headline(story_db: Path) -> None:
    quotes = [q for e in _entries(story_db) for q in e.quotes if q.outlet is None]
    assert quotes and {q.source for q in quotes} == {"Filing shows a smaller cheque"}


def test_report_order_is_the_datasette_pages_order() -> None:
    """One definition of 'most severe first': metadata.yml's conflict_report and the index
    that serves it repeat report.REPORT_ORDER."""
    from extractor.browse import load_metadata

    def norm(sql: str) -> str:
        return " ".join(sql.replace("f.", "").replace("\n", " ").split()).replace("( ", "(").replace(" )", ")")

    sql = norm(load_metadata()["databases"]["claims"]["queries"]["conflict_report"]["sql"])
    assert sql.count("order by " + norm(report.REPORT_ORDER)) == 2, sql
    assert sql.rstrip().endswith("order by " + norm(report.REPORT_ORDER))


def test_check_prints_the_report_without_a_database(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "story")
    result = subprocess.run(_command("check", *sorted(str(p) for p in folder.iterdir())), capture_output=True,
                            text=True, cwd=tmp_path, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "[45 亿美元]" in result.stdout and "5 claims added" in result.stderr
    assert not list(tmp_path.glob("*.db"))


def test_extract_attribute_says_who_and_what() -> None:
    result = CliRunner().invoke(cli, ["extract", "--lines", "--attribute"],
                                input="Microsoft will hold a 27% stake in the venture.\n\n")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["line"] for r in rows] == [1, 2] and rows[1]["quantities"] == []
    q = rows[0]["quantities"][0]
    assert (q["text"], q["subject"], q["metric"]) == ("27%", "Microsoft", "stake")
    plain = json.loads(CliRunner().invoke(cli, ["extract"], input="Microsoft will hold a 27% stake.").output)
    assert list(q)[: len(plain[0])] == list(plain[0])  # the same fields first, then attribution


def test_errors_have_one_format(tmp_path: Path) -> None:
    for args in (["report", "--db", str(tmp_path / "none.db")], ["serve", "--db", str(tmp_path / "none.db")],
                 ["extract", str(tmp_path / "none.txt")], ["extract", "--no-such-flag"],
                 ["extract", "--published", "soon"], ["--bogus"], ["bogus"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code != 0
        last = result.output.strip().splitlines()[-1]
        assert re.fullmatch(r"error: \[E\d{3}\] .+", last), (args, result.output)


def test_an_undecided_conflict_says_so_everywhere() -> None:
    """A tie (no side better supported) reads "undecided", and its chart draws no best line."""
    quotes = [
        report.Quote(claim_id=f"x:{i}", side=side, text=text, value=value, qualifier="exact", modality="asserted",
                     sentence=f"Acme sold {text} units.", mark_start=10, mark_end=10 + len(text), outlet=outlet,
                     published=day, url=None, title=None, path=f"/n/{i}.md", lang="en", number=number,
                     source=outlet)
        for i, (side, text, value, number, outlet, day) in enumerate([
            ("a", "3,000", "3,000", 3000.0, "Desk A", "2025-01-02"),
            ("b", "3,600", "3,600", 3600.0, "Desk B", "2025-01-03"),
        ])
    ]
    entry = report.Entry("k", "contradiction", "high", "Acme", "units_sold", "2024", "They disagree.", None, 0.5,
                         quotes, unit="count", best_number=None)
    html = report.render_html([entry])
    assert "Best-supported value: undecided" in html and "best-supported:" not in html and "; undecided" in html
    assert "2 Jan 2025" in html and "3 Jan 2025" in html  # a day apart, two labels
    assert "Best-supported: undecided" in " ".join(report.render_text([entry]).split())
    assert "**undecided**" in report.render_markdown([entry])
