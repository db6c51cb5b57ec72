"""The benchmark script works end to end at a tiny size (no timing is asserted)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
import sqlite_utils

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module
    spec.loader.exec_module(module)
    return module


def test_corpus_is_repeatable_and_bilingual(bench: ModuleType, tmp_path: Path) -> None:
    a = bench.build_corpus(tmp_path / "a", 50, seed=3, size=600)
    b = bench.build_corpus(tmp_path / "b", 50, seed=3, size=600)
    assert a.articles == 50 and a.chars == b.chars > 50 * 200
    files = sorted((tmp_path / "a").glob("*.txt"))
    assert [f.read_text(encoding="utf-8") for f in files] == [
        f.read_text(encoding="utf-8") for f in sorted((tmp_path / "b").glob("*.txt"))
    ]
    langs = {f.read_text(encoding="utf-8").split("lang: ", 1)[1].split("\n", 1)[0] for f in files}
    assert {"zh", "en"} <= langs


def test_ingest_measurements(bench: ModuleType, tmp_path: Path) -> None:
    corpus = bench.build_corpus(tmp_path / "corpus", 12, seed=4, size=500)
    assert bench.time_jieba(corpus.folder) > 0
    stages = bench.time_stages(corpus.folder, tmp_path / "stages.db", limit=6)
    assert set(stages) == {"read", "sentences", "extract", "segment", "attribute", "reposts", "write", "conflicts"}
    assert all(seconds > 0 for seconds in stages.values())
    assert sqlite_utils.Database(tmp_path / "stages.db").table("articles").count == 6
    seconds, peak = bench.run_measured(bench.ingest_command(corpus.folder, tmp_path / "two.db", 2))
    assert seconds > 0 and peak > 0
    one = bench.ingest_command(corpus.folder, tmp_path / "one.db", 1)
    bench.run_measured(one)
    assert bench.digest(tmp_path / "one.db") == bench.digest(tmp_path / "two.db")


def test_claims_database_conflicts_and_pages(bench: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "claims.db"
    info = bench.build_claims_db(path, 10000, seed=2)
    db = sqlite_utils.Database(path)
    assert info["claims"] == db.table("claims").count == 10000
    assert db.execute("select count(*) from claims where sentence_id not in (select id from sentences)").fetchone()[0] == 0
    seconds, cpu, groups, found = bench.time_conflicts(path)
    assert groups > 100 and found > 0 and seconds > 0 and cpu > 0
    pages = bench.time_pages(path, repeats=1)
    labels = {label for label, *_ in pages}
    assert {"query conflict_report", "query search", "table claims", "table articles", "table conflicts"} <= labels
    assert all(status == 200 for _, _, status, _ in pages), pages


def test_main_writes_results(bench: ModuleType, tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    assert bench.main(["--skip-ingest", "--claims", "2000", "--out", str(out), "--workdir", str(tmp_path / "w")]) == 0
    text = out.read_text(encoding="utf-8")
    assert "cores" in text and "| 2,000 |" in text and "query conflict_report" in text


def test_extract_startup_and_segmenter_switch(bench: ModuleType, tmp_path: Path) -> None:
    median, fastest, cpu = bench.time_extract_startup(repeats=1)
    assert median == fastest > 0 and cpu > 0
    corpus = bench.build_corpus(tmp_path / "corpus", 6, seed=4, size=400)
    usage: list[object] = []
    bench.run_measured(bench.ingest_command(corpus.folder, tmp_path / "rjieba.db", 1), usage_out=usage)
    bench.run_measured(bench.ingest_command(corpus.folder, tmp_path / "jieba.db", 1), env={"CLAIMS_SEGMENTER": "jieba"})
    assert len(usage) == 1
    assert bench.digest(tmp_path / "rjieba.db") == bench.digest(tmp_path / "jieba.db")
