"""The command line: help on every command, `extract` output formats, `eval` scores."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from extractor.cli import cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", cli.list_commands(click.Context(cli)))
def test_every_command_has_help_with_an_example(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)
    assert isinstance(command, click.Command)
    assert command.help and "Example:" in command.help, name
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_commands_load_their_modules_only_when_asked_for() -> None:
    # `claims extract` starts in a fraction of a second because nothing heavy is imported
    # until a command that needs it runs.
    import subprocess
    import sys

    code = ("import sys; from click.testing import CliRunner; from extractor.cli import cli; "
            "r = CliRunner().invoke(cli, ['extract', '--lines'], input='Acme earned $5 million.'); "
            "assert r.exit_code == 0 and '5000000' in r.output, r.output; "
            "print(sorted(m for m in ('spacy', 'sqlite_utils', 'datasette', 'trafilatura', 'numpy', "
            "'extractor.conflicts', 'extractor.browse', 'jieba') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert {"serve", "specs", "report", "extract", "ingest", "eval"} <= set(cli.list_commands(click.Context(cli)))


def test_extract_lines_format() -> None:
    text = "微软已向 OpenAI 投入了超过 130 亿美元。\n\nMicrosoft owns roughly a 27% stake.\n"
    result = CliRunner().invoke(cli, ["extract", "--lines"], input=text.encode("utf-8"))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3]
    assert rows[1]["quantities"] == []
    q = rows[0]["quantities"][0]
    # The same fields as without --lines (issue 13: they used to differ).
    whole = json.loads(CliRunner().invoke(cli, ["extract"], input=text.encode("utf-8")).output)
    assert list(q) == list(whole[0])
    assert {"text", "start", "end", "kind", "value", "value_max", "date", "unit", "qualifier", "vague", "direction",
            "rule", "explanation"} <= set(q)
    assert (q["text"], q["value"], q["unit"], q["qualifier"]) == ("130 亿美元", 13e9, "USD", "more_than")
    assert text.splitlines()[0][q["start"] : q["end"]] == q["text"]
    assert rows[2]["quantities"][0]["qualifier"] == "about"


def test_extract_all_numbers_adds_bare_numbers() -> None:
    plain = CliRunner().invoke(cli, ["extract", "--lines"], input="共有 1,350 个。 We sold 42.".encode())
    every = CliRunner().invoke(cli, ["extract", "--lines", "--all-numbers"], input="共有 1,350 个。 We sold 42.".encode())
    kinds = [q["kind"] for q in json.loads(every.output)["quantities"]]
    assert "number" in kinds
    assert "number" not in [q["kind"] for q in json.loads(plain.output)["quantities"]]


def test_extract_document_explains_each_number(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("据报道,软银拟于 12 月完成 300 亿美元融资。", encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(f), "--published", "2025-06-18"])
    qs = json.loads(result.output)
    by_text = {q["text"]: q for q in qs}
    assert by_text["12 月"]["date"] == "2025-12"
    assert by_text["300 亿美元"]["rule"] and "亿" in by_text["300 亿美元"]["explanation"]


def test_extract_bad_date_is_one_line() -> None:
    result = CliRunner().invoke(cli, ["extract", "--published", "yesterday"], input=b"x")
    assert result.exit_code != 0
    assert result.output.strip().count("\n") == 0 and "Traceback" not in result.output


def test_eval_scores_the_seed_corpus(tmp_path: Path) -> None:
    db = tmp_path / "seed.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(ROOT / "corpus"), "--db", str(db), "-q"]).exit_code == 0
    result = runner.invoke(cli, ["eval", str(ROOT / "tests" / "gold" / "seed_claims.jsonl"), "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["precision"] >= 0.95 and scores["recall"] >= 0.95
    assert scores["conflicts"]["found"] == 7
    text = runner.invoke(cli, ["eval", str(ROOT / "tests" / "gold" / "seed_claims.jsonl"), "--db", str(db)]).output
    assert "precision" in text and "subject" in text and "7/7 hard" in text


def test_eval_reports_misses_and_false_positives(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    article = tmp_path / "s.txt"
    article.write_text("营收达 50 亿元,员工 3000 名。", encoding="utf-8")
    rows = [
        {"seed": "s.txt", "start": 3, "end": 9, "value": 5e9, "unit": "CNY", "mention": "50 亿元", "id": "s:3"},
        {"seed": "s.txt", "start": 0, "end": 2, "value": 7, "unit": "count", "mention": "营收", "id": "s:0"},
    ]
    gold.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    db = tmp_path / "e.db"
    runner = CliRunner()
    runner.invoke(cli, ["ingest", str(article), "--db", str(db), "-q"])
    scores = json.loads(runner.invoke(cli, ["eval", str(gold), "--db", str(db), "--json"]).output)
    assert (scores["tp"], scores["fn"]) == (1, 1)
    assert scores["misses"][0]["id"] == "s:0"


def test_eval_bad_gold_is_one_line(tmp_path: Path) -> None:
    gold = tmp_path / "bad.jsonl"
    gold.write_text("{not json\n", encoding="utf-8")
    db = tmp_path / "e.db"
    CliRunner().invoke(cli, ["ingest", str(ROOT / "corpus" / "004_eca2793260a3bb83.txt"), "--db", str(db), "-q"])
    result = CliRunner().invoke(cli, ["eval", str(gold), "--db", str(db)])
    assert result.exit_code != 0 and "not valid JSON" in result.output and "Traceback" not in result.output
