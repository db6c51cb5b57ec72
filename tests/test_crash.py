"""Crash safety: `kill -9` in the middle of a large ingest, then the same command again,
gives the same database as a clean run; Datasette reads while ingest writes."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = 300
REPOSTS = 20

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

COMPANIES = ["微软", "OpenAI", "英伟达", "台积电", "Alphabet", "Meta", "苹果", "亚马逊", "特斯拉", "软银"]
METRICS = ["营收", "净利润", "资本支出", "研发投入", "估值", "市值"]


def _zh(rng: random.Random, i: int) -> str:
    c, m = rng.choice(COMPANIES), rng.choice(METRICS)
    lines = [
        f"第 {i} 号快讯：{c}{m}达到 {rng.randint(10, 9999)} 亿美元，同比增长 {rng.randint(1, 99)}%。",
        f"公司计划在 {rng.randint(2026, 2035)} 年前再投入约 {rng.randint(1, 900)} 亿元，员工人数超过 {rng.randint(1, 300)} 万人。",
        f"分析师预计，{c}第 {rng.randint(1, 4)} 季度的{m}将在 {rng.randint(5, 500)} 亿至 {rng.randint(501, 900)} 亿美元之间。",
        f"{c}股价当日上涨 {rng.randint(1, 20)}.{rng.randint(0, 9)}%，收于 {rng.randint(10, 999)} 美元。",
    ]
    return "\n".join(lines) + "\n"


def _en(rng: random.Random, i: int) -> str:
    c = rng.choice(["Microsoft", "OpenAI", "Nvidia", "TSMC", "Alphabet", "Meta"])
    return (
        f"Bulletin {i}: {c} reported revenue of ${rng.randint(10, 999)} billion, up {rng.randint(1, 99)}% from a year earlier.\n"
        f"The company plans to spend about ${rng.randint(1, 90)} billion on data centers by {rng.randint(2026, 2035)}.\n"
        f"It employs more than {rng.randint(10, 900)},000 people in {rng.randint(5, 120)} countries.\n"
    )


def make_corpus(folder: Path) -> None:
    rng = random.Random(2025)
    folder.mkdir()
    texts = []
    for i in range(ARTICLES - REPOSTS):
        text = _zh(rng, i) if i % 3 else _en(rng, i)
        texts.append(text)
        (folder / f"a{i:04d}.txt").write_text(text, encoding="utf-8")
    for j in range(REPOSTS):
        original = texts[rng.randrange(len(texts))]
        repost = f"来源：转载网 {j}\n{original}（责任编辑：李{j}，转载请注明出处。）\n"
        (folder / f"r{j:04d}.txt").write_text(repost, encoding="utf-8")


def claims_command() -> list[str]:
    script = Path(sys.executable).parent / "claims"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from extractor.cli import main; main()"]


def ingest(folder: Path, db: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*claims_command(), "ingest", str(folder), "--db", str(db), "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)


def count(db: Path, table: str = "articles") -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute(f"select count(*) from [{table}]").fetchone()[0])
    except sqlite3.Error:
        return 0  # not created yet


def snapshot(db: Path) -> dict[str, object]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert conn.execute("pragma foreign_key_check").fetchall() == []
        tables = [r[0] for r in conn.execute(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")]
        out: dict[str, object] = {f"count:{t}": conn.execute(f"select count(*) from [{t}]").fetchone()[0] for t in tables}
        for table in ("articles", "sentences", "claims"):
            out[f"ids:{table}"] = sorted(r[0] for r in conn.execute(f"select id from [{table}]"))
        out["articles"] = sorted(conn.execute("select id, path, duplicate_of, sha256, chars from articles").fetchall())
        out["claims"] = sorted(conn.execute(
            "select id, article_id, sentence_id, start, end, text, value, unit, subject, metric from claims").fetchall())
        out["rowids"] = conn.execute("select id from articles order by rowid").fetchall()
        return out
    finally:
        conn.close()


def datasette_reads(db: Path) -> int:
    from datasette.app import Datasette

    async def get() -> int:
        ds = Datasette([str(db)])
        response = await ds.client.get(f"/{db.stem}/articles.json?_shape=array&_size=5")
        return int(response.status_code)

    return asyncio.run(get())


@pytest.mark.timeout(900)
def test_kill_9_mid_ingest_then_rerun_equals_a_clean_run(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus)

    clean_db = tmp_path / "clean.db"
    clean = ingest(corpus, clean_db)
    out, err = clean.communicate(timeout=600)
    assert clean.returncode == 0, err.decode()
    assert out.decode().startswith(f"{ARTICLES} new articles, 0 already seen, {REPOSTS} reposts")
    want = snapshot(clean_db)

    killed_db = tmp_path / "killed.db"
    proc = ingest(corpus, killed_db)
    read_while_writing = []
    deadline = time.monotonic() + 600
    while proc.poll() is None and time.monotonic() < deadline:
        n = count(killed_db)
        if n and len(read_while_writing) < 3:
            read_while_writing.append(datasette_reads(killed_db))
        if n >= ARTICLES // 3:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the ingest ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert read_while_writing and set(read_while_writing) == {200}

    # What the killed run left: whole articles only, each with all its sentences and claims.
    partial = count(killed_db)
    assert 0 < partial < ARTICLES
    conn = sqlite3.connect(killed_db)
    for aid, sentences, claims in conn.execute(
        "select a.id, (select count(*) from sentences s where s.article_id = a.id), "
        "(select count(*) from claims c where c.article_id = a.id) from articles a"
    ):
        clean_conn = sqlite3.connect(clean_db)
        assert clean_conn.execute("select count(*) from sentences where article_id = ?", [aid]).fetchone()[0] == sentences
        assert clean_conn.execute("select count(*) from claims where article_id = ?", [aid]).fetchone()[0] == claims
        clean_conn.close()
    conn.close()

    again = ingest(corpus, killed_db)
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err.decode()
    assert out.decode().startswith(f"{ARTICLES - partial} new articles, {partial} already seen")
    got = snapshot(killed_db)
    assert got.keys() == want.keys()
    for key in want:
        assert got[key] == want[key], key
    print(f"\nkilled after {partial}/{ARTICLES} articles; rerun equals the clean run "
          f"({want['count:articles']} articles, {want['count:sentences']} sentences, {want['count:claims']} claims)")
