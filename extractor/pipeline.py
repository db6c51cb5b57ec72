"""From an article to database rows: sentences, quantities, and their attribution."""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from extractor import segment
from extractor.errors import ClaimsError, DatabaseError, TimeLimitError
from extractor.ingest import Article, find_files, preload_manifests, printable, read_article
from extractor.quantities import Quantity, extract

if TYPE_CHECKING:  # the database side loads when ingest runs: `claims extract` needs none of it
    import sqlite_utils


@dataclass
class Rows:
    article: dict[str, Any]
    sentences: list[dict[str, Any]]
    claims: list[dict[str, Any]]
    entities: list[dict[str, Any]] = field(default_factory=list)  # organisations and people it names
    notes: list[str] = field(default_factory=list)  # what reading it warned about, kept with it


class Stopwatch:
    """Seconds spent per stage, added up over articles (bench/run.py reads it)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def start(self) -> None:
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now


class _NoStopwatch(Stopwatch):
    def start(self) -> None:
        pass

    def lap(self, stage: str) -> None:
        pass


_NO_STOPWATCH = _NoStopwatch()


def process(article: Article, *, index_all: bool = False, stopwatch: Stopwatch | None = None) -> Rows:
    """Segment the article, extract every quantity and tie each to its sentence.

    Words (jieba for Chinese) are what the full-text index searches. Only sentences that
    carry a claim are segmented unless `index_all`: segmenting cost as much as all the
    rest of the work, and in news most sentences state no number.
    """
    clock = stopwatch or _NO_STOPWATCH
    clock.start()
    text = article.text
    sents = segment.sentences(text)
    clock.lap("sentences")
    quantities = extract(text, published=article.published, source=article.meta)
    aid = article.id
    starts = [s.start for s in sents]
    claim_rows = []
    carrying: set[int] = set()
    for q in quantities:
        i = bisect.bisect_right(starts, q.start) - 1
        sent = sents[i] if i >= 0 and sents[i].end >= q.end else None
        if sent is not None:
            carrying.add(i)
        claim_rows.append(claim_row(aid, q, sent))
    clock.lap("extract")
    wanted = range(len(sents)) if index_all else sorted(carrying)
    words: list[str | None] = [None] * len(sents)
    for i, w in zip(wanted, segment.words_many([sents[i].text for i in wanted], [sents[i].lang for i in wanted]),
                    strict=True):
        words[i] = " ".join(w)
    sentence_rows = [
        {
            "id": f"{aid}:{s.start}",
            "article_id": aid,
            "start": s.start,
            "end": s.end,
            "lang": s.lang,
            "text": s.text,
            "words": w,
        }
        for s, w in zip(sents, words, strict=True)
    ]
    clock.lap("segment")
    from extractor import attribute

    entity_rows = attribute.attribute_claims(article, sents, claim_rows)
    clock.lap("attribute")
    langs = {s.lang for s in sents}
    article_row = {
        "id": aid,
        "path": article.path,
        "url": article.meta.get("url"),
        "outlet": article.meta.get("outlet"),
        "title": article.meta.get("title"),
        "published": article.meta.get("published"),
        "published_approximate": 1 if article.meta.get("published_approximate") else 0,
        "lang": article.meta.get("lang") or ("mixed" if len(langs) > 1 else (langs.pop() if langs else None)),
        "body_start": article.body_start,
        "text": text,
        "sha256": article.sha256,
        "chars": len(text),
        "duplicate_of": None,
        "ingested_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }
    return Rows(article_row, sentence_rows, claim_rows, entity_rows, list(article.warnings))


def claim_row(article_id: str, q: Quantity, sent: segment.Sentence | None) -> dict[str, Any]:
    return {
        "id": f"{article_id}:{q.start}-{q.end}",
        "article_id": article_id,
        "sentence_id": f"{article_id}:{sent.start}" if sent else None,
        "start": q.start,
        "end": q.end,
        "text": q.text,
        "kind": q.kind,
        "value": q.value,
        "value_max": q.value_max,
        "date": q.date,
        "unit": q.unit,
        "qualifier": q.qualifier,
        "vague": int(q.vague),
        "rule": q.rule,
        "lang": sent.lang if sent else segment.language(q.text),
        "subject": None,
        "object": None,
        "metric": None,
        "period": None,
        "period_basis": None,
        "hedged": None,
        "modality": None,
        "confidence": None,
        "explanation": q.explanation,
        "direction": q.direction,
        "currency_reason": q.currency_reason,
    }


@dataclass
class Summary:
    new: int = 0
    seen: int = 0
    skipped: list[str] = field(default_factory=list)
    claims: int = 0
    warnings: list[str] = field(default_factory=list)
    duplicates: int = 0

    def line(self) -> str:
        parts = [f"{self.new} new article{'s' if self.new != 1 else ''}", f"{self.seen} already seen"]
        if self.duplicates:
            parts.append(f"{self.duplicates} repost{'s of earlier articles' if self.duplicates != 1 else ' of an earlier article'}")
        parts.append(f"{self.claims} claim{'s' if self.claims != 1 else ''} added")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        return ", ".join(parts)


# Seconds one article may take to read and process before it is skipped: the extraction
# engine must not stall a run of ten thousand files on one pathological input.
TIME_LIMIT = 60.0
_WARM_UP = "微软已向 OpenAI 投入了超过 130 亿美元。\nMicrosoft has invested $13 billion.\n"


def ingest(
    paths: Iterable[str],
    db: sqlite_utils.Database,
    *,
    overrides: dict[str, Any] | None = None,
    on_skip: Callable[[str], None] | None = None,
    progress: Callable[[int], None] | None = None,
    time_limit: float | None = TIME_LIMIT,
    index_all: bool = False,
    stopwatch: Stopwatch | None = None,
) -> Summary:
    """Ingest files, folders and URLs into `db`, committing every COMMIT_EVERY articles:
    after a crash each article is there whole or not at all. A large ingest into a
    smaller database builds the indexes and the full-text index once, at the end
    (store.bulk_load); until then Datasette finds the new sentences by browsing, not
    by search.

    A file that cannot be read, or that takes longer than `time_limit` seconds, is
    skipped with one line saying why; so is one that meets a bug (its exception type and
    message are in the line). Everything else is ingested. `index_all` segments every
    sentence for full-text search, not only those that carry a claim.
    """
    from extractor import store

    summary = Summary()

    def skip(msg: str) -> None:
        summary.skipped.append(msg)
        if on_skip:
            on_skip(msg)

    files = list(find_files(paths, skip))
    summary.warnings += preload_manifests(files)
    state = _Run(db, summary, skip, overrides if len(files) == 1 else None, time_limit, index_all,
                 stopwatch or _NO_STOPWATCH)
    try:
        with store.bulk_load(db, len(files)), store.memory_journals(db):
            try:
                for path in files:
                    state.ingest_one(path)
                    if progress:
                        progress(1)
            except BaseException:
                with contextlib.suppress(sqlite3.Error):  # keep the whole articles written so far
                    state.commit()
                raise
            state.commit()
            state.clock.start()
        state.clock.lap("write")  # rebuilding the indexes after a bulk load is writing too
    except sqlite3.OperationalError as exc:
        raise DatabaseError(f"committing: {exc}") from None
    return summary


# Articles written per transaction: a commit per article cost more than writing it.
COMMIT_EVERY = 16


@dataclass
class _Run:
    db: sqlite_utils.Database
    summary: Summary
    skip: Callable[[str], None]
    overrides: dict[str, Any] | None
    time_limit: float | None
    index_all: bool
    clock: Stopwatch
    warm: bool = False
    pending: int = 0  # articles written since the last commit

    def commit(self) -> None:
        if self.db.conn.in_transaction:
            self.db.conn.execute("COMMIT")
        self.pending = 0

    def ingest_one(self, path: str) -> None:
        from extractor import duplicates, store  # loaded once; then a dictionary lookup

        db, summary, name, clock = self.db, self.summary, printable(path), self.clock
        try:
            clock.start()
            with deadline(self.time_limit, name):
                article = read_article(path, self.overrides)
                summary.warnings += [f"{article.path}: {w}" for w in article.warnings]
                seen = store.article_exists(db, article.id)
            clock.lap("read")
            if seen:
                summary.seen += 1
                if store.update_metadata(db, article.id, article.path, article.meta):  # its manifest changed since
                    self.pending += 1
                return
            if not self.warm:
                # Load the segmenters and rules outside any time limit: an alarm must
                # not land in the middle of loading them.
                process(Article(path="warm-up", text=_WARM_UP, body_start=0))
                self.warm = True
            with deadline(self.time_limit, name):
                rows = process(article, index_all=self.index_all, stopwatch=self.clock)
                bands = duplicates.signature(article.text)
                rows.article["duplicate_of"] = duplicates.original_of(db, article.id, article.text, bands)
                clock.lap("reposts")
            if not db.conn.in_transaction:
                db.conn.execute("BEGIN")
            store.write_article(db, rows.article, rows.sentences, rows.claims, bands=bands,  # a savepoint
                                entities=rows.entities, notes=rows.notes)
            self.pending += 1
            if self.pending >= COMMIT_EVERY:
                self.commit()
            clock.lap("write")
            summary.new += 1
            summary.claims += len(rows.claims)
            summary.duplicates += rows.article["duplicate_of"] is not None
        except ClaimsError as exc:
            self.skip(str(exc.args[0]))
        except sqlite3.OperationalError as exc:
            # The database itself failed (locked, full, read-only): no later file would fare better.
            raise DatabaseError(f"writing {name}: {exc}") from None
        except Exception as exc:
            self.skip(f"{name}: unexpected {type(exc).__name__}: {_one_line(exc)} (a bug; please report it)")


class _Overtime(BaseException):
    """Raised by the alarm; a BaseException so that no `except Exception` swallows it."""


@contextlib.contextmanager
def deadline(seconds: float | None, path: str) -> Iterator[None]:
    """Raise TimeLimitError if the block runs longer than `seconds` (main thread, Unix)."""
    usable = (
        seconds is not None and seconds > 0 and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return
    assert seconds is not None

    armed = [True]

    def alarm(_signum: int, _frame: Any) -> None:
        if armed[0]:
            raise _Overtime

    previous = signal.signal(signal.SIGALRM, alarm)
    outer, started = 0.0, time.monotonic()
    try:
        # Inside the try: a limit shorter than this call's own time fires before it returns.
        outer, _interval = signal.setitimer(signal.ITIMER_REAL, seconds)
        yield
    except _Overtime:
        raise TimeLimitError(f"{path}: took longer than {seconds:g} s, the time limit (a pathological "
                             "text or a slow spot in extraction; see --time-limit)") from None
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # someone else's alarm (pytest-timeout, say) was pending: put it back
            signal.setitimer(signal.ITIMER_REAL, max(0.001, outer - (time.monotonic() - started)))


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:297] + "..."


def after_ingest(db: sqlite_utils.Database, jobs: int = 1) -> None:
    """Work that looks across articles: conflicts (in `jobs` processes), browse views."""
    from extractor import browse, conflicts, corpus_names, entities

    entities.link(db)  # before conflicts: linking renames subjects
    corpus_names.fill(db)  # names other articles taught us, for claims left without a subject
    conflicts.detect(db, jobs=jobs)
    browse.create_views(db)
