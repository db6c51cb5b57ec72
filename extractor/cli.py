"""The `claims` command line: a thin layer over the library."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from extractor.errors import ClaimsError, DatabaseError, InputError, UsageError

DB_HELP = "SQLite database file (created if missing)."


class Seconds(click.ParamType):
    """A time limit in seconds: 0 or inf for none, else at least a millisecond."""

    name = "seconds"

    def convert(self, value: Any, param: Any, ctx: Any) -> float:
        import math

        try:
            seconds = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if math.isnan(seconds) or seconds < 0 or 0 < seconds < 0.001:
            self.fail(f"{value!r} is not 0 (no limit) or a number of seconds from 0.001", param, ctx)
        return 0.0 if math.isinf(seconds) else seconds


def db_option(fn: Any) -> Any:
    return click.option("--db", "db_path", default="claims.db", show_default=True, help=DB_HELP)(fn)


def say(prefix: str, message: str) -> None:
    """One line on standard error: control characters and newlines from file names or
    articles are shown as escapes, so none acts on the terminal or forges a line."""
    from extractor.sanitize import terminal_safe

    click.echo(f"{prefix}{terminal_safe(message, newlines=False)}", err=True)


def fail(message: str | ClaimsError, code: int = 2) -> NoReturn:
    """Print one error line, `error: [E700] ...` (codes in extractor/errors.py), and exit."""
    error = message if isinstance(message, ClaimsError) else UsageError(message)
    say("error: ", str(error))
    sys.exit(code)


# Commands that live beside their module, imported only when they run or --help lists
# them: `claims extract` must not pay for Datasette, sqlite-utils and conflicts.
LAZY_COMMANDS = {
    "serve": ("extractor.browse", "serve_command"),
    "specs": ("extractor.specs", "specs_command"),
    "report": ("extractor.report", "report_command"),
}


class ClaimsGroup(click.Group):
    """Turns every ClaimsError into one clear line instead of a traceback, and imports
    a command's module only when that command is asked for."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # plain `claims`: the help, as click shows it
                raise
            if exc.ctx is not None:
                click.echo(exc.ctx.get_usage(), err=True)
            fail(exc.format_message(), exc.exit_code)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ClaimsError as exc:
            fail(exc)
        except click.UsageError as exc:  # a bad flag or argument: the usage, then one error line
            if exc.ctx is not None:
                click.echo(exc.ctx.get_usage(), err=True)
            fail(exc.format_message(), exc.exit_code)
        except click.ClickException as exc:  # any other click error, in the same one-line format
            fail(exc.format_message(), exc.exit_code or 1)
        except KeyboardInterrupt:
            fail("interrupted; what was committed so far is kept", 130)
        except BrokenPipeError:
            sys.exit(0)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | {n for n in LAZY_COMMANDS if self._lazy(n)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or self._lazy(cmd_name)

    def _lazy(self, name: str) -> click.Command | None:
        if name not in LAZY_COMMANDS:
            return None
        import importlib

        module, attr = LAZY_COMMANDS[name]
        try:
            command = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError):
            return None  # a stage this checkout does not have yet
        return command if isinstance(command, click.Command) else None


@click.group(cls=ClaimsGroup)
@click.version_option(package_name="claims")
def cli() -> None:
    """Extract, attribute and cross-check numeric claims in Chinese and English news."""


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option("--url", help="URL of the article (single file only).")
@click.option("--outlet", help="Outlet that published it (single file only).")
@click.option("--title", help="Headline (single file only).")
@click.option("--published", help="Publication date, YYYY-MM-DD (single file only).")
@click.option("--time-limit", type=Seconds(), default=60.0, show_default=True,
              help="Seconds one article may take before it is skipped (0: no limit).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes that read and process articles, then compare claims for conflicts (the database is the same).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where articles are processed: this machine (--jobs processes), or a Dask "
                   "cluster: the one at DASK_SCHEDULER_ADDRESS, else a local one of --jobs workers "
                   "(pip install 'claims[dask]'). The database is the same.")
@click.option("--index-all", is_flag=True,
              help="Make every sentence searchable, not only those that carry a claim (slower: "
                   "segmenting is most of the cost).")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary line.")
def ingest(
    paths: tuple[str, ...],
    db_path: str,
    url: str | None,
    outlet: str | None,
    title: str | None,
    published: str | None,
    time_limit: float,
    jobs: int,
    engine: str,
    index_all: bool,
    quiet: bool,
) -> None:
    """Ingest articles into the database: files, folders (.txt, .md, .html), URLs, or -
    for standard input. Files that cannot be read are skipped, one line each, and the
    exit status is 1.

    Example: claims ingest corpus/ --db claims.db
    """
    from extractor import pipeline, store

    overrides = {"url": url, "outlet": outlet, "title": title, "published": published}
    if any(overrides.values()) and (len(paths) != 1 or Path(paths[0]).is_dir()):
        fail("--url, --outlet, --title and --published apply to a single file")
    if published is not None:
        from extractor.ingest import to_date

        if to_date(published) is None:
            fail(f"--published {published!r} is not a date like 2025-10-28")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if jobs > cores:  # more workers than cores only add memory and switching
        say("warning: ", f"--jobs {jobs} is more than the {cores} cores here; using {cores}")
        jobs = cores
    # A second ingest into the same database waits for the first: the same database as two
    # runs one after the other, never 'database is locked' midway.
    click.get_current_context().with_resource(store.writer_lock(
        db_path, on_wait=lambda: click.echo(f"note: waiting for another ingest into {db_path} to finish", err=True)))
    db = store.open_db(db_path)

    def on_skip(msg: str) -> None:
        say("skipped: ", msg)

    def run(progress: Any = None) -> pipeline.Summary:
        limit = time_limit or None
        if engine == "dask":
            from extractor import engines

            with engines.dask_client(jobs) as client:
                return engines.ingest_dask(paths, db, client, overrides=overrides, on_skip=on_skip,
                                           progress=progress, index_all=index_all)
        if jobs > 1:
            from extractor import parallel

            return parallel.ingest_parallel(paths, db, jobs=jobs, overrides=overrides, on_skip=on_skip,
                                            progress=progress, time_limit=limit, index_all=index_all)
        return pipeline.ingest(paths, db, overrides=overrides, on_skip=on_skip, progress=progress,
                               time_limit=limit, index_all=index_all)

    if sys.stderr.isatty() and not quiet:
        from rich.progress import Progress

        from extractor.ingest import find_files

        total = sum(1 for _ in find_files(paths, lambda _m: None))
        with Progress(transient=True) as bar:
            task = bar.add_task("ingesting", total=total)
            summary = run(lambda n: bar.advance(task, n))
    else:
        summary = run()
    for w in summary.warnings:
        say("warning: ", w)
    try:
        pipeline.after_ingest(db, jobs=jobs)
    except ClaimsError:
        raise
    except Exception as exc:  # a bug in a later stage: the articles are stored, say so in one line
        click.echo(summary.line())
        fail(f"after ingesting, the cross-article step failed ({type(exc).__name__}: {exc}); "
             "the articles are stored")
    click.echo(summary.line())
    if summary.skipped:
        sys.exit(1)


# `claims extract` prints each number's Quantity.public() fields, its rule and explanation,
# with --lines or without; with --attribute, also what `claims ingest` stores about who
# and what it is about.
ATTRIBUTION_FIELDS = ("subject", "object", "metric", "period", "period_basis", "hedged", "modality", "confidence")


@cli.command()
@click.argument("file", default="-", required=False)
@click.option("--lines", is_flag=True, help="Treat every input line as its own text.")
@click.option("--all-numbers", is_flag=True, help="Also report bare numbers (kind 'number').")
@click.option("--attribute", is_flag=True,
              help="Also say who and what each number is about (subject, metric, period, modality), "
                   "as ingest would store it.")
@click.option("--published", help="Date that relative expressions count from, YYYY-MM-DD.")
@click.option("--time-limit", type=Seconds(), default=60.0, show_default=True,
              help="Seconds the text may take before extraction stops (0: no limit).")
def extract(file: str, lines: bool, all_numbers: bool, attribute: bool, published: str | None,
            time_limit: float) -> None:
    """Print the quantities in a text as JSON, without a database.

    Example: echo '微软投资 130 亿美元' | claims extract --lines --attribute
    """
    from extractor import readers
    from extractor.ingest import decode, printable, read_file_bytes, to_date
    from extractor.pipeline import deadline
    from extractor.sanitize import json_dumps

    day = to_date(published) if published else None
    if published and day is None:
        fail(f"--published {published!r} is not a date like 2025-10-28")
    if attribute and all_numbers:
        fail("--attribute reads the numbers ingest stores; it does not take --all-numbers")
    # The limits of ingest: a regular file (not a FIFO or a device) of at most MAX_BYTES.
    if file == "-":
        data = sys.stdin.buffer.read(readers.MAX_BYTES + 1)
        if len(data) > readers.MAX_BYTES:
            fail(InputError(f"standard input: larger than {readers.MAX_BYTES // 1_000_000} MB; not an article"))
    else:
        try:
            data = read_file_bytes(Path(file), printable(file))
        except InputError as exc:
            fail(exc)
    text = decode(data, file)
    texts = text.split("\n") if lines else [text]  # split once: per line, 80,000 lines took 10 minutes
    if lines and texts and not texts[-1]:
        texts.pop()  # the newline that ends the last line starts no new one
    found: list[list[dict[str, Any]]]
    if attribute:
        found = _attributed(texts, published, time_limit or None)
    else:
        from extractor.quantities import extract as find

        find("130 亿美元")  # the rules load outside the time limit
        found = []
        with deadline(time_limit or None, printable(file) if file != "-" else "standard input"):
            for t in texts:
                found.append([])
                for q in find(t, published=day, all_numbers=all_numbers):
                    found[-1].append(q.public() | {"rule": q.rule, "explanation": q.explanation})
    if lines:
        for n, quantities in enumerate(found, 1):
            click.echo(json_dumps({"line": n, "quantities": quantities}))
    else:
        click.echo(json_dumps(found[0], indent=2))


def _attributed(texts: list[str], published: str | None, time_limit: float | None) -> list[list[dict[str, Any]]]:
    """Each text's claims as ingest stores them, read back from a throwaway database."""
    import tempfile

    from extractor import pipeline, store
    from extractor.quantities import extract as find

    # The fields the plain `extract` prints, in its order, then the attribution.
    sample = find("5%")[0]
    fields = [*sample.public(), "rule", "explanation"]
    out: list[list[dict[str, Any]]] = []
    with tempfile.TemporaryDirectory(prefix="claims-extract-") as tmp:
        db = store.open_db(Path(tmp) / "extract.db")
        for n, text in enumerate(texts):
            if not text.strip():
                out.append([])
                continue
            path = Path(tmp) / f"text-{n}.txt"
            path.write_text(text, encoding="utf-8")
            summary = pipeline.ingest([str(path)], db, overrides={"published": published}, time_limit=time_limit)
            if summary.skipped:
                fail(InputError(summary.skipped[0]))
            row = db.execute("select id from articles where text = ?", [text]).fetchone()
            claims = [] if row is None else list(db.query(
                "select * from claims where article_id = ? order by start, [end]", [row[0]]))
            out.append([{k: c.get(k) for k in (*fields, *ATTRIBUTION_FIELDS)} for c in claims])
        db.close()
    return out


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "html", "json"]), default="text",
              show_default=True, help="Report format.")
def check(paths: tuple[str, ...], fmt: str) -> None:
    """Print the conflict report for a few files, folders or URLs, without keeping a database.

    Example: claims check story-a.md story-b.md
    """
    import shutil
    import tempfile

    from extractor import pipeline, report, store

    with tempfile.TemporaryDirectory(prefix="claims-check-") as tmp:
        db = store.open_db(Path(tmp) / "check.db")
        summary = pipeline.ingest(paths, db, on_skip=lambda m: say("skipped: ", m))
        for w in summary.warnings:
            say("warning: ", w)
        pipeline.after_ingest(db)
        click.echo(summary.line(), err=True)
        color = fmt == "text" and sys.stdout.isatty()
        width = shutil.get_terminal_size((110, 24)).columns if color else None
        text = report.render(db, fmt, color=color, width=width)
        db.close()
    click.echo(text, nl=not text.endswith("\n"))
    if summary.skipped:
        sys.exit(1)


@cli.command("eval")
@click.argument("gold", type=click.Path(dir_okay=False))
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--conflicts", "conflicts_path", type=click.Path(dir_okay=False),
              help="Gold conflicts (seed_conflicts.jsonl or conflicts.jsonl); default: the one next to GOLD.")
def eval_command(gold: str, db_path: str, as_json: bool, conflicts_path: str | None) -> None:
    """Score the database against gold claims: precision, recall, F1, misses.

    Example: claims eval tests/gold/seed_claims.jsonl --db claims.db
    """
    from extractor import evaluate, store

    if not Path(db_path).exists():
        raise DatabaseError(f"{db_path}: no such database; run 'claims ingest' first")
    db = store.open_db(db_path)
    rows = evaluate.load_gold(gold)
    result = evaluate.score(db, rows)
    acc = evaluate.attribute_accuracy(result)
    cpath = Path(conflicts_path) if conflicts_path else evaluate.conflicts_file_for(gold)
    conflict_recall = evaluate.conflict_recall(db, cpath, result) if cpath and cpath.exists() else None
    silence = evaluate.unattributed_line(db)
    if as_json:
        click.echo(json.dumps({
            "precision": result.precision, "recall": result.recall, "f1": result.f1,
            "tp": result.tp, "fp": result.fp, "fn": result.fn,
            "subject_accuracy": acc["subject"], "metric_accuracy": acc["metric"],
            "hedged_accuracy": acc["hedged"], "conflicts": conflict_recall, "unattributed": silence,
            "misses": [{k: g.get(k) for k in ("id", "mention", "value", "unit")} for g in result.misses],
            "false_positives": [{k: p.get(k) for k in ("seed", "file_start", "text", "value", "date", "unit", "rule")}
                                for p in result.false_positives],
        }, ensure_ascii=False, indent=2))
        return
    for g in result.misses:
        click.echo(f"miss  {g['id']:<10} {g['mention']!r} = {g['value']} {g['unit']}")
    for p in result.false_positives:
        shown = p["date"] if p["unit"] in ("year", "date") else p["value"]
        click.echo(f"extra {p['seed'][:3]}:{p['file_start']:<6} {p['text']!r} = {shown} {p['unit']} ({p['rule']})")
    if result.unknown_articles:
        click.echo(f"not in the database: {', '.join(result.unknown_articles)}")
    click.echo(f"claims: precision {result.precision:.3f}  recall {result.recall:.3f}  "
               f"F1 {result.f1:.3f}  (tp {result.tp}, fp {result.fp}, fn {result.fn})")
    fmt = {k: ("n/a" if v is None else f"{v:.3f}") for k, v in acc.items()}
    click.echo(f"attribution on {len(result.matched)} matched claims: subject {fmt['subject']}  "
               f"metric {fmt['metric']}  hedged {fmt['hedged']}")
    if conflict_recall is not None:
        click.echo(evaluate.conflict_line(conflict_recall))
    click.echo(silence)


def main() -> None:
    cli()
