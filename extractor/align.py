"""Which claims are about the same quantity: blocking, field comparison and evidence.

Aligning claims across outlets is record linkage. Comparing every pair of a million
claims is out of the question, so claims are first *blocked* on (subject, metric, unit)
in SQL, off an index; inside a block, `conflicts` compares them field by field (period at
its precision, value as an interval at its written precision, modality, source, language,
sentence) and `reconcile` explains the differences it can.

Attribution is noisy, and a block needs a subject. A claim whose subject was not read
is not dropped silently: when its article is clearly about one entity (rules/alignment.yaml
says how clearly), that entity stands in for it, at a capped confidence, and the evidence
says so; otherwise the claim is counted as unattributed, and the report and `claims eval`
say how many claims were left out of the comparison and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import sqlite_utils

from extractor import rules
from extractor.errors import RuleError

# Columns of a claim that detection reads, in the order conflicts.DIRTY_CLAIMS_QUERY reads them.
INFERRED_TABLE = "_conflict_inferred"
MAIN_SUBJECT_TABLE = "_conflict_main_subject"


@dataclass(frozen=True)
class Settings:
    min_claims: int
    min_share: float
    confidence: float
    revision_min_days: int


@cache
def settings() -> Settings:
    data = rules.load("alignment")
    infer = rules.require("alignment", data, "infer_subject", dict)
    min_claims = rules.require("alignment", infer, "min_claims", int, "infer_subject")
    min_share = rules.require("alignment", infer, "min_share", float, "infer_subject")
    confidence = rules.require("alignment", infer, "confidence", float, "infer_subject")
    if not 0 < min_share <= 1 or not 0 <= confidence <= 1 or min_claims < 1:
        raise RuleError(rules.path_of("alignment"), "infer_subject",
                        "min_share and confidence are between 0 and 1, min_claims at least 1")
    revision = rules.require("alignment", data, "revision", dict)
    min_days = rules.require("alignment", revision, "min_days", int, "revision")
    if min_days < 0:
        raise RuleError(rules.path_of("alignment"), "revision", "min_days is a number of days, 0 or more")
    return Settings(min_claims, min_share, confidence, min_days)


def infer_subjects(db: sqlite_utils.Database, metrics: list[str]) -> int:
    """Fill temp.INFERRED_TABLE with the compared claims that have no subject but whose
    article has a main subject, that subject in place; returns how many.

    Only articles holding such claims are looked at, so a database where every claim is
    attributed pays one index probe."""
    conn = db.conn
    marks = ",".join("?" for _ in metrics)
    for table in (INFERRED_TABLE, MAIN_SUBJECT_TABLE):
        conn.execute(f"drop table if exists temp.{table}")
    s = settings()
    conn.execute(f"""
        create temp table {MAIN_SUBJECT_TABLE} as
        with wanting as (select distinct article_id from claims where subject is null and metric in ({marks})),
        counts as (select c.article_id, c.subject, count(*) as n from claims c join wanting w using (article_id)
                   where c.subject is not null group by c.article_id, c.subject),
        totals as (select article_id, sum(n) as total, max(n) as top from counts group by article_id)
        select c.article_id, min(c.subject) as subject, t.top as n, t.total as total
        from counts c join totals t using (article_id)
        where c.n = t.top and t.top >= ? and t.top >= ? * t.total
        group by c.article_id having count(*) = 1""", [*metrics, s.min_claims, s.min_share])
    conn.execute(f"""
        create temp table {INFERRED_TABLE} as
        select c.rowid as crow, c.id, c.article_id, c.sentence_id, c.lang, c.object, c.kind, c.value, c.value_max,
               c.date, c.qualifier, c.vague, c.period, c.period_basis, c.modality,
               min(coalesce(c.confidence, 1.0), ?) as confidence, c.text, m.subject, c.metric, c.unit
        from claims c join {MAIN_SUBJECT_TABLE} m using (article_id)
        where c.subject is null and c.metric in ({marks})""", [s.confidence, *metrics])
    conn.execute(f"create index temp.{INFERRED_TABLE}_key on {INFERRED_TABLE} (subject, metric, unit)")
    return int(conn.execute(f"select count(*) from {INFERRED_TABLE}").fetchone()[0])


def drop_temp(db: sqlite_utils.Database) -> None:
    for table in (INFERRED_TABLE, MAIN_SUBJECT_TABLE):
        db.conn.execute(f"drop table if exists temp.{table}")


@dataclass(frozen=True)
class Unattributed:
    """Claims left out of the comparison, and why."""

    claims: int  # every claim stored
    compared: int  # with a subject and a metric that is compared
    inferred: int  # compared under their article's main subject (no subject of their own)
    no_subject: int  # a compared metric but no subject, and no main subject to stand in
    no_metric: int  # no metric, or only the fallback for their kind (a bare amount, count, share)
    not_compared: int  # metrics never compared by design (an event's date, a length of time)

    @property
    def left_out(self) -> int:
        return self.no_subject + self.no_metric

    def sentence(self) -> str:
        """One honest sentence for the report and `claims eval`."""
        parts = []
        if self.no_subject:
            parts.append(f"{self.no_subject:,} with no subject found")
        if self.no_metric:
            parts.append(f"{self.no_metric:,} whose metric was not recognised (only a bare amount, count or share)")
        if self.left_out:
            text = (f"{self.left_out:,} of {self.claims:,} claims could not be attributed and were not compared "
                    f"({'; '.join(parts)}): no conflict among them does not mean they agree.")
        else:
            text = f"Every claim that can be compared ({self.compared:,} of {self.claims:,}) was attributed."
        if self.inferred:
            text += (f" {self.inferred:,} claim{'s' if self.inferred != 1 else ''} without a subject of "
                     "their own were compared under their article's main subject.")
        if self.not_compared:
            text += f" {self.not_compared:,} are of a kind never compared (dates of events, lengths of time)."
        return text


def unattributed(db: sqlite_utils.Database, metrics: Iterable[str], fallbacks: Iterable[str]) -> Unattributed:
    """Count the claims detection could and could not compare (one pass over claims)."""
    compared, fallback = list(metrics), list(fallbacks)
    if not db.table("claims").exists():
        return Unattributed(0, 0, 0, 0, 0, 0)
    marks = ",".join("?" for _ in compared) or "NULL"
    fmarks = ",".join("?" for _ in fallback) or "NULL"
    total, with_subject, without_subject, no_metric = db.conn.execute(
        f"select count(*), sum(metric in ({marks}) and subject is not null), "
        f"sum(metric in ({marks}) and subject is null), sum(metric is null or metric in ({fmarks})) from claims",
        [*compared, *compared, *fallback]).fetchone()
    total, with_subject = total or 0, with_subject or 0
    without_subject, no_metric = without_subject or 0, no_metric or 0
    inferred = 0
    if without_subject:
        drop_temp(db)
        inferred = infer_subjects(db, compared)
        drop_temp(db)
    return Unattributed(total, with_subject + inferred, inferred, without_subject - inferred, no_metric,
                        total - with_subject - without_subject - no_metric)


def evidence(subject: str, metric: str, unit: str, inferred: int, claims: int, periods: set[str],
             same_period_basis: bool, read_periods: set[str] | None = None) -> str:
    """Why the claims of a group were compared: the fields they agree on. `periods` were
    written with their year; `read_periods` were written without one (first quarter,
    今年) or named by the article's lede, and dated from the article."""
    why = [f"same subject ({subject})" if not inferred else
           f"same subject ({subject}; {inferred} of {claims} claims have it only as their article's main subject)",
           f"same metric ({metric})", f"same unit ({unit})"]
    if periods:
        why.append(("periods compatible: " if not same_period_basis else "period ") + ", ".join(sorted(periods)[:4]))
    elif read_periods:
        why.append(("period " if len(read_periods) == 1 else "periods ") + ", ".join(sorted(read_periods)[:4])
                   + " (written without a year or named in the lede; the year from each article's date)")
    else:
        why.append("no period written (each dated by its article)")
    return "Aligned on " + "; ".join(why) + "."
