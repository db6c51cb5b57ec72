"""Benchmark: ingest throughput against jieba, conflict detection and browsing at scale.

    make bench                                      # 20,000 articles, up to 1M claims
    .venv/bin/python bench/run.py --articles 2000   # a shorter run
    .venv/bin/python bench/run.py --help

In one run, on one synthetic corpus made from the seed articles in corpus/ (sentences
recombined, digits perturbed, Chinese, English and mixed articles; `--seed` repeats it):

1. `jieba.lcut` over every article's text: the reference (timed before and after the
   ingest runs, the mean taken).
2. `claims ingest` end to end (a fresh process, as a user runs it): characters/s,
   articles/s and peak memory; then `--jobs 2` and whether both databases hold the same
   rows; then (unless --no-compare) the same ingest with jieba itself segmenting
   (CLAIMS_SEGMENTER=jieba) and with `--engine dask`, each database compared with the
   one-process one.
3. Time per stage (read, sentences, extract, segment, attribute, reposts, write,
   conflicts) in this process, warm, against `jieba.lcut` over the same articles.
   Then `claims extract` on one line from a fresh process: the start-up.
4. Peak memory of a parallel ingest of a quarter of the corpus against the whole: bounded
   by the batch size, it should not grow with the corpus.
5. Conflict detection (`conflicts.detect(db, full=True)`) on synthetic claim databases of
   10k, 100k and 1M claims, grouped as news groups them (many small subject/metric
   groups, a few large ones).
6. Every canned query in metadata.yml and the main table pages on the largest database,
   through Datasette's own client.

7. With --scaling: ingest without the cross-article step (conflicts, views), one process
   against --jobs, since that step runs once, after all articles.

It writes bench/RESULTS.md (or --out) with the machine's cores and memory and every figure,
and a table of the issue's targets, each met or missed.

The synthetic articles recombine five articles about one story, so their claims fall into
few (subject, metric, unit) groups that grow with the corpus (18,000 claims in the largest
at 20,000 articles): the hardest case for conflict detection, which compares each side
with the best-supported one. The claim databases of step 5 instead grow by adding groups
(sizes heavy-tailed, capped at 2,000 claims), as an archive of many stories does. The
default run (20,000 articles, 1M claims) takes about 15 minutes on a quiet 2-core machine,
and a few more for the two comparison ingests of step 2 (`--no-compare` skips them).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import io
import math
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlite_utils  # noqa: E402

# Imported once at the start: other people's half-saved edits cannot break a long run midway.
from extractor import attribute, conflicts, parallel, pipeline, segment, store  # noqa: E402
from extractor.ingest import read_article  # noqa: E402

BIN = Path(sys.executable).parent
OUTLETS = ["Caixin", "Reuters", "新华社", "Bloomberg", "财新网", "South China Morning Post", "每日经济新闻",
           "The Information", "36氪", "Financial Times", "界面新闻", "CNBC", "Nikkei Asia", "澎湃新闻"]
_DIGITS = re.compile(r"\d")
_CHINESE_DIGITS = "一二三四五六七八九"


# ---------------------------------------------------------------------------
# The synthetic corpus.


@dataclass
class Corpus:
    folder: Path
    articles: int
    chars: int
    texts_chars: list[int] = field(default_factory=list)


def seed_sentences(corpus: Path = ROOT / "corpus") -> dict[str, list[str]]:
    """The seed articles' sentences by language."""
    out: dict[str, list[str]] = {"zh": [], "en": []}
    for path in sorted(corpus.glob("*.txt")):
        article = read_article(path)
        for s in segment.sentences(article.text):
            if len(s.text) >= 8:
                out[s.lang].append(s.text)
    return out


def perturb(text: str, rng: random.Random) -> str:
    """Change some digits (never a leading zero) and some Chinese numerals, so numbers
    differ between articles as they do between outlets."""
    def digit(m: re.Match[str]) -> str:
        if rng.random() < 0.35:
            first = m.start() == 0 or not text[m.start() - 1].isdigit()
            return str(rng.randint(1 if first else 0, 9))
        return m.group()

    text = _DIGITS.sub(digit, text)
    if rng.random() < 0.3:
        text = "".join(rng.choice(_CHINESE_DIGITS) if ch in _CHINESE_DIGITS and rng.random() < 0.3 else ch for ch in text)
    return text


def make_article(sentences: dict[str, list[str]], rng: random.Random, size: int) -> tuple[str, str]:
    """One article of about `size` characters: paragraphs of recombined sentences."""
    roll = rng.random()
    lang = "zh" if roll < 0.6 else "en" if roll < 0.9 else "mixed"
    paragraphs: list[str] = []
    length = 0
    while length < size:
        if lang == "mixed":
            i = rng.randrange(len(sentences["zh"]))
            para = [perturb(sentences["zh"][i], rng), perturb(rng.choice(sentences["en"]), rng)]
            joiner = "\n"
        else:
            para = [perturb(rng.choice(sentences[lang]), rng) for _ in range(rng.randint(2, 5))]
            joiner = "" if lang == "zh" else " "
        text = joiner.join(para)
        paragraphs.append(text)
        length += len(text) + 1
    return lang, "\n".join(paragraphs) + "\n"


def build_corpus(folder: Path, articles: int, seed: int = 5, size: int = 2500) -> Corpus:
    """Write `articles` files (front matter: outlet, title, published) into `folder`."""
    rng = random.Random(seed)
    sentences = seed_sentences()
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    sizes = []
    for n in range(articles):
        lang, body = make_article(sentences, rng, int(size * rng.uniform(0.5, 1.5)))
        day = f"20{rng.randint(19, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        front = f"---\noutlet: {rng.choice(OUTLETS)}\ntitle: Synthetic article {n}\npublished: {day}\nlang: {lang}\n---\n"
        (folder / f"{n:06d}.txt").write_text(front + body, encoding="utf-8")
        total += len(body)
        sizes.append(len(body))
    return Corpus(folder, articles, total, sizes)


def article_texts(folder: Path) -> Iterator[str]:
    for path in sorted(folder.glob("*.txt")):
        yield read_article(path).text


# ---------------------------------------------------------------------------
# Ingest.


def time_jieba(folder: Path, limit: int | None = None) -> float:
    """Seconds for jieba.lcut over every article's text, or the first `limit` articles'
    (read outside the clock)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.lcut("预热一下")
    texts = list(article_texts(folder))[:limit]
    start = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    return time.perf_counter() - start


def run_measured(args: list[str], env: dict[str, str] | None = None, stdin: bytes | None = None,
                 usage_out: list[Any] | None = None) -> tuple[float, int]:
    """Run a command; (seconds, peak resident memory in MB of its largest process).
    `env` adds variables; `usage_out` receives the process's resource usage (CPU time)."""
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as given:
        given.write(stdin or b"")
        given.seek(0)
        start = time.perf_counter()
        proc = subprocess.Popen(args, cwd=ROOT, stdin=given, stdout=subprocess.DEVNULL, stderr=err,
                                env={**os.environ, **env} if env else None)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        if usage_out is not None:
            usage_out.append(usage)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        message = err.read().decode(errors="replace")
    if proc.returncode not in (0, 1) or "Traceback" in message:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{message[-3000:]}")
    return seconds, usage.ru_maxrss // 1024


def has_jobs_option() -> bool:
    out = subprocess.run([str(BIN / "claims"), "ingest", "--help"], capture_output=True, text=True, cwd=ROOT).stdout
    return "--jobs" in out


def ingest_command(folder: Path, db: Path, jobs: int) -> list[str]:
    if jobs == 1:
        return [str(BIN / "claims"), "ingest", str(folder), "--db", str(db), "--quiet"]
    if has_jobs_option():
        return [str(BIN / "claims"), "ingest", str(folder), "--db", str(db), "--quiet", "--jobs", str(jobs)]
    code = (
        "import sys; from extractor import parallel, pipeline, store; "
        "db = store.open_db(sys.argv[2]); "
        "s = parallel.ingest_parallel([sys.argv[1]], db, jobs=int(sys.argv[3])); "
        "pipeline.after_ingest(db, jobs=int(sys.argv[3])); print(s.line())"
    )
    return [sys.executable, "-c", code, str(folder), str(db), str(jobs)]


def dask_command(folder: Path, db: Path, jobs: int) -> list[str]:
    """`claims ingest --engine dask` on a local cluster of `jobs` worker processes."""
    return [str(BIN / "claims"), "ingest", str(folder), "--db", str(db), "--quiet", "--engine", "dask",
            "--jobs", str(jobs)]


def time_extract_startup(repeats: int = 7) -> tuple[float, float, float]:
    """`claims extract --lines` on one line from a fresh process, `repeats` times:
    (median seconds, fastest seconds, median CPU seconds)."""
    walls, cpus = [], []
    for _ in range(repeats):
        usage: list[Any] = []
        seconds, _peak = run_measured([str(BIN / "claims"), "extract", "--lines"],
                                      stdin="翠湾科技去年营收增长 12.5%，达到 340 亿元。\n".encode(), usage_out=usage)
        walls.append(seconds)
        cpus.append(usage[0].ru_utime + usage[0].ru_stime)
    walls.sort()
    cpus.sort()
    return walls[len(walls) // 2], walls[0], cpus[len(cpus) // 2]


def ingest_only_command(folder: Path, db: Path, jobs: int) -> list[str]:
    """Ingest without the cross-article work (conflicts, views): the part that scales."""
    code = (
        "import sys; from extractor import parallel, store; "
        "db = store.open_db(sys.argv[2]); "
        "print(parallel.ingest_parallel([sys.argv[1]], db, jobs=int(sys.argv[3])).line())"
    )
    return [sys.executable, "-c", code, str(folder), str(db), str(jobs)]


def scaling_section(args: argparse.Namespace, work: Path, say: Callable[[str], None], figures: dict[str, Any]) -> None:
    """One process against `--jobs` on reading, processing and writing alone."""
    folder = work / "corpus"
    if not folder.exists():
        build_corpus(folder, args.articles, args.seed, args.size)
    chars = sum(len(t) for t in article_texts(folder))
    say(f"## Ingest without conflicts and views: {args.articles:,} articles, {chars:,} characters")
    say("")
    say("| run | seconds | chars/s | articles/s | peak memory |")
    say("|---|---:|---:|---:|---:|")
    runs = {}
    for jobs in (1, args.jobs):
        db = work / f"only-{jobs}.db"
        for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            p.unlink(missing_ok=True)
        seconds, peak = run_measured(ingest_only_command(folder, db, jobs))
        runs[jobs] = (seconds, db)
        label = "`pipeline.ingest`" if jobs == 1 else f"`parallel.ingest_parallel(jobs={jobs})`"
        say(f"| {label} | {seconds:.1f} | {fmt_rate(chars, seconds)} | {args.articles / seconds:,.1f} | {peak} MB |")
    same = digest(runs[1][1]) == digest(runs[args.jobs][1])
    say("")
    say(f"Speed-up of {args.jobs} processes on ingest alone: {runs[1][0] / runs[args.jobs][0]:.2f}x; "
        f"same rows: {'yes' if same else 'NO'}.")
    say("")


def digest(db_path: Path) -> dict[str, str]:
    """A digest of every table's rows (ingested_at aside; the full-text index's own tables
    follow from sentences.words): equal digests, equal databases."""
    db = sqlite_utils.Database(db_path)
    out = {}
    for table in sorted(db.table_names()):
        if table.startswith("sentences_fts"):
            continue
        cols = [c for c in db.table(table).columns_dict if c != "ingested_at"]
        h = hashlib.sha256()
        for row in db.execute(f"select {', '.join(f'[{c}]' for c in cols)} from [{table}] order by rowid"):
            h.update(repr(row).encode())
        out[table] = h.hexdigest()[:16]
    return out


def time_stages(folder: Path, db_path: Path, limit: int | None = None) -> dict[str, float]:
    """Ingest in this process, `pipeline.ingest` with its stopwatch on (the same code a
    user runs, each stage clocked where it happens), then conflict detection."""
    db = store.open_db(db_path)
    parallel._warm_up()  # jieba's dictionary and the rules load before the clock starts
    paths = [str(p) for p in sorted(folder.glob("*.txt"))[:limit]]
    stopwatch = pipeline.Stopwatch()
    pipeline.ingest(paths, db, time_limit=None, stopwatch=stopwatch)
    order = ("read", "sentences", "extract", "segment", "attribute", "reposts", "write")
    t = {name: stopwatch.seconds.get(name, 0.0) for name in order}
    c = time.perf_counter()
    pipeline.after_ingest(db)  # conflicts, then the browse views
    t["conflicts"] = time.perf_counter() - c
    return t


# ---------------------------------------------------------------------------
# A synthetic claims database of any size.


def _zipf_sizes(rng: random.Random, total: int, cap: int) -> Iterator[int]:
    """Group sizes with a heavy tail: most groups a few claims, a few up to `cap`."""
    left = total
    while left > 0:
        size = min(cap, max(1, int(rng.paretovariate(1.2))), left)
        left -= size
        yield size


def build_claims_db(path: Path, claims: int, seed: int = 5, group_cap: int = 2000, batch: int = 20000) -> dict[str, int]:
    """A claims database with `claims` claims, 20 per article and 4 per sentence: groups
    (subject, metric, unit) with one to three true values, each claim exact, rounded,
    bounded or off by a slip, from articles of many dates and outlets."""
    lexicon = attribute.lexicon
    _compared_metrics = conflicts._compared_metrics

    rng = random.Random(seed)
    lex = lexicon()
    subjects = [e.name for e in lex.entities] + [f"Company {i:05d}" for i in range(20000)]
    metrics = _compared_metrics()
    units = {"money": ["USD", "CNY", "USD", "USD", "EUR"], "percent": ["percent"], "multiplier": ["multiplier"],
             "count": ["count"], "year": ["year"], "date": ["date"], "duration": ["years", "months"], "points": ["points"],
             "measure": ["GWH"]}
    seeds = seed_sentences()
    pool = [(lang, text, " ".join(segment.words(text, lang))) for lang in ("zh", "en") for text in seeds[lang][:300]]
    if path.exists():
        path.unlink()
    db = store.open_db(path)
    db.execute("PRAGMA synchronous=OFF")
    n_articles = max(1, claims // 20)
    articles: list[dict[str, Any]] = []
    sentences: list[dict[str, Any]] = []
    for a in range(n_articles):
        aid = f"a{a:07d}"
        parts = [rng.choice(pool) for _ in range(5)]
        text, offset = "", 0
        for lang, sent, words in parts:
            sentences.append({"id": f"{aid}:{offset}", "article_id": aid, "start": offset, "end": offset + len(sent),
                              "lang": lang, "text": sent, "words": words})
            text += sent + "\n"
            offset += len(sent) + 1
        articles.append({
            "id": aid, "path": f"synthetic/{aid}.txt", "url": f"https://example.com/{aid}", "outlet": rng.choice(OUTLETS),
            "title": f"Synthetic article {a}", "published": f"20{rng.randint(19, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "published_approximate": 0, "lang": parts[0][0], "body_start": 0, "text": text,
            "sha256": hashlib.sha256(text.encode()).hexdigest(), "chars": len(text),
            "duplicate_of": f"a{rng.randrange(a):07d}" if a and rng.random() < 0.03 else None,
            "ingested_at": "2026-01-01T00:00:00+00:00",
        })
        if len(sentences) >= batch:
            _flush(db, articles, sentences)
    _flush(db, articles, sentences)
    # Claims: slots are (article, sentence) places, dealt out to groups at random.
    slots = list(range(n_articles * 20))
    rng.shuffle(slots)
    rows: list[dict[str, Any]] = []
    placed = 0
    groups = 0
    used: set[tuple[str, str, str]] = set()
    fresh = iter(range(10**9))
    for size in _zipf_sizes(rng, claims, group_cap):
        groups += 1
        # Well-known subjects come up most; each group is its own subject, metric and
        # unit, so a larger archive has more groups, not ever larger ones.
        subject = subjects[min(int(rng.paretovariate(0.9)) - 1, len(subjects) - 1)]
        metric = rng.choice(metrics)
        kind = sorted(lex.metrics[metric].kinds)[rng.randrange(len(lex.metrics[metric].kinds))]
        unit = rng.choice(units[kind])
        while (subject, metric, unit) in used:
            subject = f"Entity {next(fresh):07d}"
        used.add((subject, metric, unit))
        truths = [_truth(kind, rng) for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))]
        for _ in range(size):
            slot = slots[placed]
            placed += 1
            a, s = divmod(slot, 20)
            aid = f"a{a:07d}"
            rows.append(_claim_row(rng, aid, s, kind, unit, subject, metric, rng.choice(truths)))
            if len(rows) >= batch:
                _fix_sentences(db, rows)
                db.table("claims").insert_all(rows, batch_size=1000)
                rows = []
    _fix_sentences(db, rows)
    db.table("claims").insert_all(rows, batch_size=1000)
    db.execute("PRAGMA synchronous=NORMAL")
    db.conn.commit()
    db.execute("ANALYZE")
    return {"claims": placed, "articles": n_articles, "sentences": n_articles * 5, "groups": groups}


def _flush(db: sqlite_utils.Database, articles: list[dict[str, Any]], sentences: list[dict[str, Any]]) -> None:
    with db.atomic():
        db.table("articles").insert_all(articles, batch_size=1000)
        db.table("sentences").insert_all(sentences, batch_size=1000)
    articles.clear()
    sentences.clear()


def _truth(kind: str, rng: random.Random) -> float:
    if kind == "money":
        return round(rng.uniform(1, 999)) * 10 ** rng.randint(6, 10)
    if kind == "percent":
        return float(rng.randint(1, 99))
    if kind == "multiplier":
        return float(rng.randint(2, 100))
    if kind == "count":
        return float(rng.randint(1, 5000) * 10 ** rng.randint(0, 4))
    if kind in ("year", "date"):
        return float(rng.randint(2019, 2035))
    return float(rng.randint(1, 20))


def _claim_row(rng: random.Random, aid: str, slot: int, kind: str, unit: str, subject: str, metric: str,
               truth: float) -> dict[str, Any]:
    roll = rng.random()
    value, qualifier, vague, value_max = truth, "exact", 0, None
    if roll < 0.10:
        qualifier = "about"
        value = float(f"{truth:.2g}") if kind not in ("year", "date") else truth
    elif roll < 0.18:
        qualifier = "more_than"
        value = truth * 0.9
    elif roll < 0.22:
        qualifier = "up_to"
    elif roll < 0.26 and kind not in ("year", "date"):
        qualifier, value_max = "range", truth * 1.2
    elif roll < 0.28 and kind == "money":
        vague, value = 1, 10 ** math.floor(math.log10(truth))
    elif roll < 0.30 and kind not in ("year", "date"):
        value = truth * 10  # a slipped magnitude
    year = int(truth) if kind in ("year", "date") else None
    modality = rng.choices(["asserted", "reported", "estimated", "planned", "proposed", "conditional"],
                           [80, 12, 3, 3, 1, 1])[0]
    period_year = rng.randint(2019, 2026) if rng.random() < 0.4 else None
    start = 40 * slot
    return {
        "id": f"{aid}:{start}-{start + 6}", "article_id": aid, "sentence_id": f"{aid}:{slot // 4}",
        "start": start, "end": start + 6, "text": f"{value:g}", "kind": kind,
        "value": value if kind not in ("date",) else None, "value_max": value_max,
        "date": str(year) if year else None, "unit": unit, "qualifier": qualifier, "vague": vague,
        "rule": "synthetic", "lang": rng.choice(("zh", "en")), "subject": subject,
        "object": rng.choice(("OpenAI", "Microsoft", "SoftBank")) if rng.random() < 0.05 else None, "metric": metric,
        "period": str(period_year) if period_year else None,
        "period_basis": rng.choice(("explicit", "relative", "article")) if period_year else None,
        "hedged": int(modality != "asserted"), "modality": modality,
        "confidence": round(rng.uniform(0.3, 0.5) if rng.random() < 0.05 else rng.uniform(0.6, 1.0), 2), "explanation": "synthetic claim for the benchmark",
    }


def _fix_sentences(db: sqlite_utils.Database, rows: list[dict[str, Any]]) -> None:
    """Point each claim at a real sentence of its article (sentence ids are offsets)."""
    starts: dict[str, list[str]] = {}
    ids = sorted({r["article_id"] for r in rows})
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        for sid, aid in db.execute(
            f"select id, article_id from sentences where article_id in ({','.join('?' * len(chunk))}) order by article_id, start",
            chunk,
        ):
            starts.setdefault(aid, []).append(sid)
    for r in rows:
        sents = starts.get(r["article_id"], [])
        r["sentence_id"] = sents[int(r["sentence_id"].rsplit(":", 1)[1]) % len(sents)] if sents else None


# ---------------------------------------------------------------------------
# Conflicts and pages.


def time_conflicts(path: Path) -> tuple[float, float, int, int]:
    """(seconds for detect(full=True), CPU seconds of this process meanwhile, groups
    recomputed, conflicts found). The CPU time says what the wall time means when other
    work shares the machine."""
    db = sqlite_utils.Database(path)
    start, cpu = time.perf_counter(), time.process_time()
    groups = conflicts.detect(db, full=True)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return seconds, cpu, groups, db.table("conflicts").count


def page_paths(entity: str = "Microsoft", metric: str = "investment") -> list[tuple[str, str]]:
    """(label, path) for every canned query in metadata.yml and the main table pages."""
    from urllib.parse import urlencode

    from extractor.browse import load_metadata

    queries = load_metadata()["databases"]["claims"]["queries"]
    params = {"kind": "", "entity": entity, "subject": entity, "metric": metric, "q": "微软 投资"}
    out = []
    for name, spec in queries.items():
        wanted = re.findall(r"(?<!:):(\w+)", spec["sql"])
        args = {k: params.get(k, "") for k in dict.fromkeys(wanted)}
        out.append((f"query {name}", f"/claims/{name}" + (f"?{urlencode(args)}" if args else "")))
        if name == "search":
            out.append(("query search (English)", f"/claims/{name}?{urlencode({'q': 'Microsoft investment'})}"))
    for table in ("claims", "articles", "conflicts", "sentences", "claims_in_context", "conflict_sides"):
        out.append((f"table {table}", f"/claims/{table}"))
        out.append((f"table {table}, rows only", f"/claims/{table}?_nofacet=1&_nocount=1"))
    out.append(("table claims, filtered", f"/claims/claims?{urlencode({'subject': entity, 'metric': metric})}"))
    out.append(("view conflict_sides, filtered", f"/claims/conflict_sides?{urlencode({'subject': entity})}"))
    return out


def time_pages(path: Path, repeats: int = 3) -> list[tuple[str, str, int, float]]:
    """(label, path, status, best-of-`repeats` milliseconds) for each page."""
    from extractor.browse import create_views, make_datasette

    create_views(sqlite_utils.Database(path))
    ds = make_datasette(path)

    async def run() -> list[tuple[str, str, int, float]]:
        await ds.invoke_startup()
        await ds.client.get("/claims/search?q=%E5%BE%AE%E8%BD%AF")  # load jieba before the clock
        out = []
        for label, p in page_paths():
            times, status = [], 0
            for _ in range(repeats):
                start = time.perf_counter()
                response = await ds.client.get(p)
                times.append((time.perf_counter() - start) * 1000)
                status = response.status_code
            out.append((label, p, status, min(times)))
        return out

    # Datasette prints a traceback for each query that hits its time limit: keep the
    # status code, drop the noise.
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return asyncio.run(run())


# ---------------------------------------------------------------------------
# The report.


def machine() -> str:
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB memory"
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        names = [ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} cores ({cpu}), {mem}, Python {platform.python_version()}, "
            f"SQLite {__import__('sqlite3').sqlite_version}, load average {load:.1f} at the start")


def fmt_rate(chars: float, seconds: float) -> str:
    return f"{chars / seconds / 1000:,.0f}k chars/s" if seconds else "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=20000, help="synthetic articles to ingest (default 20000)")
    parser.add_argument("--size", type=int, default=2500, help="mean characters per article (default 2500)")
    parser.add_argument("--claims", default="10000,100000,1000000", help="claim counts for conflict detection")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the parallel ingest (default 2)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--workdir", type=Path, help="keep the corpus and databases here (default: a temporary folder)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--stage-articles", type=int, default=0, help="articles timed stage by stage (default all)")
    parser.add_argument("--skip-ingest", action="store_true", help="only conflicts and pages")
    parser.add_argument("--no-compare", dest="compare", action="store_false",
                        help="skip the ingests that check the database against jieba's and --engine dask's")
    parser.add_argument("--scaling", action="store_true",
                        help="also time ingest without conflicts and views, one process against --jobs")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="claims-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Benchmark results",
        "",
        f"Command: `{' '.join(['.venv/bin/python', 'bench/run.py', *(argv if argv is not None else sys.argv[1:])])}`  ",
        f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  ",
        f"Machine: {machine()}",
        "",
    ]

    def say(line: str = "") -> None:
        print(line, flush=True)
        lines.append(line)

    figures: dict[str, Any] = {}
    if not args.skip_ingest:
        ingest_section(args, work, say, figures)
    if args.scaling:
        scaling_section(args, work, say, figures)
    conflict_section(args, work, say, figures)
    targets(say, figures)
    say(f"Load average at the end: {os.getloadavg()[0]:.1f} (other developers' tests share this machine).")
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def fresh(db: Path) -> Path:
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    return db


def ingest_section(args: argparse.Namespace, work: Path, say: Callable[[str], None], figures: dict[str, Any]) -> None:
    folder = work / "corpus"
    if folder.exists():
        shutil.rmtree(folder)
    corpus = build_corpus(folder, args.articles, args.seed, args.size)
    say(f"## Ingest: {corpus.articles:,} synthetic articles, {corpus.chars:,} characters (seed {args.seed})")
    say("")
    # jieba is timed before and after the ingest runs, and the mean taken: the machine's
    # load drifts over minutes, and both sides of the ratio should see the same.
    tj_before = time_jieba(folder)
    runs = {}
    peaks = {}
    for jobs in (1, args.jobs):
        db = fresh(work / f"ingest-{jobs}.db")
        seconds, peak = run_measured(ingest_command(folder, db, jobs))
        runs[jobs] = (seconds, db)
        peaks[jobs] = peak
    tj_after = time_jieba(folder)
    tj = (tj_before + tj_after) / 2
    say("| run | seconds | chars/s | articles/s | peak memory | vs jieba.lcut |")
    say("|---|---:|---:|---:|---:|---:|")
    say(f"| `jieba.lcut` over the same texts (in process, reading excluded; mean of {tj_before:.1f} s before "
        f"and {tj_after:.1f} s after the ingest runs) | {tj:.1f} | {fmt_rate(corpus.chars, tj)} "
        f"| {corpus.articles / tj:,.1f} | | 1.00 |")
    for jobs in (1, args.jobs):
        seconds, peak = runs[jobs][0], peaks[jobs]
        label = "`claims ingest`" if jobs == 1 else f"`--jobs {jobs}` ({'claims ingest' if has_jobs_option() else 'parallel.ingest_parallel'})"
        say(f"| {label}, end to end with conflicts, fresh process | {seconds:.1f} | {fmt_rate(corpus.chars, seconds)} "
            f"| {corpus.articles / seconds:,.1f} | {peak} MB | {tj / seconds:.2f} |")
    one = digest(runs[1][1])
    same = one == digest(runs[args.jobs][1])
    figures["vs_jieba"] = tj / runs[1][0]
    figures["jobs"] = (args.jobs, runs[1][0] / runs[args.jobs][0], same)
    say("")
    say(f"`--jobs {args.jobs}` speed-up over one process: {runs[1][0] / runs[args.jobs][0]:.2f}x; "
        f"same rows in every table: {'yes' if same else 'NO'}.")
    if args.compare:
        say("")
        reference = fresh(work / "ingest-jieba.db")
        seconds, _ = run_measured(ingest_command(folder, reference, args.jobs), env={segment.SEGMENTER_ENV: "jieba"})
        figures["segmenters"] = one == digest(reference)
        say(f"With jieba itself segmenting (`{segment.SEGMENTER_ENV}=jieba`, `--jobs {args.jobs}`, {seconds:.1f} s): "
            f"every table the same as with rjieba: {'yes' if figures['segmenters'] else 'NO'}.")
        on_dask = fresh(work / "ingest-dask.db")
        try:
            seconds, _ = run_measured(dask_command(folder, on_dask, args.jobs))
        except RuntimeError as exc:
            say(f"`--engine dask` did not run: {str(exc).splitlines()[-1]}")
        else:
            figures["dask"] = (runs[1][0] / seconds, one == digest(on_dask))
            say(f"`--engine dask --jobs {args.jobs}` (a local cluster of {args.jobs} worker processes, started by the "
                f"command): {seconds:.1f} s, {runs[1][0] / seconds:.2f}x one process; every table the same as one "
                f"process: {'yes' if figures['dask'][1] else 'NO'}.")
    quarter = work / "quarter"
    if quarter.exists():
        shutil.rmtree(quarter)
    quarter.mkdir()
    for p in sorted(folder.glob("*.txt"))[: max(1, args.articles // 4)]:
        os.link(p, quarter / p.name)
    _, qpeak = run_measured(ingest_command(quarter, fresh(work / "quarter.db"), 1))
    figures["memory"] = (qpeak, peaks[1])
    say("")
    say(f"Peak memory, one process: {qpeak} MB for a quarter of the corpus "
        f"({len(list(quarter.glob('*.txt'))):,} articles) against {peaks[1]} MB for all of it.")
    limit = args.stage_articles or None
    tj_warm = time_jieba(folder, limit)
    stages = time_stages(folder, fresh(work / "stages.db"), limit)
    staged = sum(corpus.texts_chars[:limit])
    total = sum(stages.values())
    figures["warm"] = tj_warm / total
    say("")
    say(f"Time per stage (one warm process: jieba, spaCy and the rules loaded before the clock; "
        f"pipeline functions timed one by one, {min(args.stage_articles or args.articles, args.articles):,} "
        f"articles, {staged:,} characters):")
    say("")
    say("| stage | seconds | share | chars/s for this stage alone |")
    say("|---|---:|---:|---:|")
    for name, sec in stages.items():
        say(f"| {name} | {sec:.1f} | {100 * sec / total:.0f}% | {fmt_rate(staged, sec)} |")
    say(f"| total | {total:.1f} | 100% | {fmt_rate(staged, total)} |")
    say("")
    say(f"In this warm process `jieba.lcut` took {tj_warm:.1f} s over the same articles, just before: "
        f"ingest runs at {figures['warm']:.2f}x `jieba.lcut`.")
    say("")
    median, fastest, cpu = time_extract_startup()
    figures["extract"] = median
    say(f"`claims extract --lines` on one line, a fresh process each time (7 runs): median {median:.2f} s, "
        f"fastest {fastest:.2f} s, median CPU {cpu:.2f} s.")
    say("")


def conflict_section(args: argparse.Namespace, work: Path, say: Callable[[str], None], figures: dict[str, Any]) -> None:
    sizes = [int(x) for x in args.claims.split(",") if x]
    if not sizes:
        return
    say("## Conflict detection: `conflicts.detect(db, full=True)` on synthetic claims")
    say("")
    say("| claims | groups (subject, metric, unit) | build seconds | detect seconds | detect CPU seconds | claims/s | conflicts |")
    say("|---:|---:|---:|---:|---:|---:|---:|")
    last = None
    for n in sizes:
        path = work / f"claims-{n}.db"
        start = time.perf_counter()
        info = build_claims_db(path, n, args.seed)
        built = time.perf_counter() - start
        seconds, cpu, groups, found = time_conflicts(path)
        figures.setdefault("detect", []).append((n, seconds))
        say(f"| {n:,} | {groups:,} | {built:.0f} | {seconds:.1f} | {cpu:.1f} | {n / seconds:,.0f} | {found:,} |")
        del info
        last = (n, path)
    if last is None:
        return
    n, path = last
    say("")
    say(f"## Pages on the {n:,}-claim database (Datasette client, best of 3)")
    say("")
    say("| page | status | ms |")
    say("|---|---:|---:|")
    pages = time_pages(path)
    figures["pages"] = (n, pages)
    for label, p, status, ms in pages:
        say(f"| {label} `{p}` | {status}{' (time limit)' if status == 400 else ''} | {ms:,.0f} |")
    say("")


def targets(say: Callable[[str], None], figures: dict[str, Any]) -> None:
    """Each target of the issue against the figure measured, met or missed."""
    say("## Targets")
    say("")
    say("| target | measured | met |")
    say("|---|---|---|")

    def row(target: str, measured: str, met: bool) -> None:
        say(f"| {target} | {measured} | {'yes' if met else '**no**'} |")

    if "vs_jieba" in figures:
        row("single-process ingest >= 1.2x `jieba.lcut`, whole run (fresh process)", f"{figures['vs_jieba']:.2f}x",
            figures["vs_jieba"] >= 1.2)
        row("single-process ingest >= 1.5x `jieba.lcut` inside one warm process", f"{figures['warm']:.2f}x",
            figures["warm"] >= 1.5)
        jobs, speedup, same = figures["jobs"]
        row(f"`--jobs {jobs}` >= 1.7x one process, identical results", f"{speedup:.2f}x, identical: {same}",
            speedup >= 1.7 and same)
        if "segmenters" in figures:
            row("database identical with jieba and with rjieba", "identical" if figures["segmenters"] else "differs",
                figures["segmenters"])
        if "dask" in figures:
            ratio, same = figures["dask"]
            row("`--engine dask` gives the one-process database", f"identical: {same} ({ratio:.2f}x one process)", same)
        quarter, full = figures["memory"]
        row("memory bounded by batch size, not corpus size", f"{quarter} MB for 1/4 of the corpus, {full} MB for all",
            full <= 1.25 * quarter)
        row("`claims extract` on one line under 1 s (wall, fresh process)", f"median {figures['extract']:.2f} s",
            figures["extract"] < 1)
    detect = figures.get("detect", [])
    if detect:
        n, seconds = detect[-1]
        row(f"conflict detection on {n:,} claims within 30 s", f"{seconds:.1f} s", seconds <= 30)
        (n0, s0) = detect[0]
        growth = (seconds / s0) / (n / n0) if s0 else float("nan")
        row("conflict detection close to linear", f"time per claim x{growth:.2f} from {n0:,} to {n:,} claims",
            growth <= 1.5)
    if "pages" in figures:
        n, pages = figures["pages"]
        slow = [f"{label} ({ms:,.0f} ms{', time limit' if status == 400 else ''})" for label, _p, status, ms in pages
                if (ms >= 500 or status != 200) and "rows only" not in label]
        row(f"every canned query and table page under 500 ms on {n:,} claims",
            "all under 500 ms" if not slow else "over: " + "; ".join(slow), not slow)
    say("")


if __name__ == "__main__":
    sys.exit(main())
