"""The conflict report in every format, on a small story with a hostile article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlite_utils
import yaml
from click.testing import CliRunner

from extractor import pipeline, store
from extractor.cli import cli


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
    assert "[Outlet <x2.txt>, 2025-04-02](https://example.com/x2.txt)" in out


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
