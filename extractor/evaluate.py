"""Score a claims database against hand-checked gold (format: shared/gold/GOLD.md).

A prediction matches a gold claim when it is in the same article, its span overlaps the
gold span, its value equals the gold value (relative tolerance 1e-6; years and dates
compare as ISO text) and its unit is the same. Predictions overlapping an optional gold
claim are ignored; every other unmatched prediction is a false positive.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from extractor.errors import GoldError


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)
    false_positives: list[dict[str, Any]] = field(default_factory=list)
    matched: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    unknown_articles: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_gold(path: Path | str) -> list[dict[str, Any]]:
    rows = []
    for n, row in enumerate(load_jsonl(path), 1):
        for key in ("seed", "start", "end", "value", "unit"):
            if key not in row:
                raise GoldError(f"{path}: record {n}: missing {key!r}")
        rows.append(row)
    return rows


def same_value(gold: dict[str, Any], pred: dict[str, Any]) -> bool:
    if gold["unit"] != pred["unit"]:
        return False
    if gold["unit"] in ("year", "date"):
        return str(gold["value"]) == str(pred["date"])
    try:
        g = float(gold["value"])
    except (TypeError, ValueError):
        return False
    p = pred["value"]
    return p is not None and math.isclose(g, float(p), rel_tol=1e-6, abs_tol=1e-9)


def articles_by_file(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    """Articles keyed by file name, so gold rows (keyed by seed file) find theirs."""
    out = {}
    for row in db.query("select id, path, body_start from articles"):
        out[Path(row["path"]).name] = row
    return out


def predictions(db: sqlite_utils.Database, article: dict[str, Any]) -> list[dict[str, Any]]:
    rows = list(db.query("select * from claims where article_id = ? order by start", [article["id"]]))
    for r in rows:
        # Gold offsets count from the start of the file, ours from the body.
        r["file_start"] = r["start"] + article["body_start"]
        r["file_end"] = r["end"] + article["body_start"]
    return rows


def score(db: sqlite_utils.Database, gold: Iterable[dict[str, Any]]) -> Score:
    result = Score()
    by_file = articles_by_file(db)
    gold_by_seed: dict[str, list[dict[str, Any]]] = {}
    for g in gold:
        gold_by_seed.setdefault(g["seed"], []).append(g)
    for seed, golds in sorted(gold_by_seed.items()):
        article = by_file.get(seed)
        if article is None:
            result.unknown_articles.append(seed)
            for g in golds:
                if not g.get("optional"):
                    result.fn += 1
                    result.misses.append(g)
            continue
        preds = predictions(db, article)
        used: set[str] = set()
        for g in golds:
            hit = None
            for p in preds:
                if p["id"] in used:
                    continue
                if p["file_start"] < g["end"] and g["start"] < p["file_end"] and same_value(g, p):
                    hit = p
                    break
            if hit is not None:
                used.add(hit["id"])
                if not g.get("optional"):
                    result.tp += 1
                    result.matched.append((g, hit))
            elif not g.get("optional"):
                result.fn += 1
                result.misses.append(g)
        optional = [g for g in golds if g.get("optional")]
        for p in preds:
            if p["id"] in used:
                continue
            if any(p["file_start"] < g["end"] and g["start"] < p["file_end"] for g in optional):
                continue
            result.fp += 1
            result.false_positives.append({**p, "seed": seed})
    return result


def attribute_accuracy(result: Score) -> dict[str, float | None]:
    """Share of matched claims whose subject, metric and hedged agree with the gold."""
    pairs = result.matched
    if not pairs:
        return {"subject": None, "metric": None, "hedged": None}

    def metric_ok(g: dict[str, Any], p: dict[str, Any]) -> bool:
        return p["metric"] is not None and p["metric"] in [g.get("metric"), *g.get("alt_metrics", [])]

    return {
        "subject": sum(1 for g, p in pairs if p["subject"] == g.get("subject")) / len(pairs),
        "metric": sum(1 for g, p in pairs if metric_ok(g, p)) / len(pairs),
        "hedged": sum(1 for g, p in pairs if p["hedged"] is not None and bool(p["hedged"]) == bool(g.get("hedged"))) / len(pairs),
    }


def _claim_at(db: sqlite_utils.Database, by_file: dict[str, dict[str, Any]], seed: str, start: int) -> dict[str, Any] | None:
    article = by_file.get(seed)
    if article is None:
        return None
    pos = start - article["body_start"]
    rows = list(db.query(
        "select id, value, date from claims where article_id = ? and start <= ? and ? < end",
        [article["id"], pos, pos],
    ))
    return rows[0] if rows else None


def conflict_recall(db: sqlite_utils.Database, path: Path | str) -> dict[str, Any]:
    """How many `hard` gold conflicts the checker found with the right kind.

    A gold conflict counts as found when one predicted conflict of the same kind holds
    at least two of the record's claims with different values (the disagreement itself);
    `found_all_claims` also asks that it holds every claim the record lists. An `apparent` record is a false alarm when a
    predicted contradiction holds two of its claims with different values.
    """
    by_file = articles_by_file(db)
    members: dict[str, set[str]] = {}
    kinds: dict[str, str] = {}
    for row in db.query("select c.id, c.kind, cc.claim_id from conflicts c join conflict_claims cc on cc.conflict_id = c.id"):
        members.setdefault(row["id"], set()).add(row["claim_id"])
        kinds[row["id"]] = row["kind"]
    out: dict[str, Any] = {"hard": 0, "found": 0, "found_all_claims": 0, "apparent": 0,
                           "apparent_called_contradiction": 0, "records": []}
    for rec in load_jsonl(path):
        mapped = [_claim_at(db, by_file, c["seed"], c["start"]) for c in rec["claims"]]
        ids = {m["id"] for m in mapped if m}
        values: dict[str, set[str]] = {}
        for m in mapped:
            if m:
                values.setdefault(f"{m['value']}|{m['date']}", set()).add(m["id"])
        status = "not found"
        if rec.get("strength") == "hard":
            out["hard"] += 1
            for cid, claim_ids in members.items():
                if kinds[cid] != rec["kind"] or len(values) < 2:
                    continue
                if sum(1 for v in values.values() if v & claim_ids) >= 2:
                    status = "found"
                    if len(ids) == len(rec["claims"]) and ids <= claim_ids:
                        status = "found with all claims"
                    break
            if status != "not found":
                out["found"] += 1
            if status == "found with all claims":
                out["found_all_claims"] += 1
        elif rec.get("strength") == "apparent":
            out["apparent"] += 1
            status = "not flagged"
            for cid, claim_ids in members.items():
                if kinds[cid] == "contradiction" and sum(1 for v in values.values() if v & claim_ids) >= 2:
                    status = "called a contradiction"
                    out["apparent_called_contradiction"] += 1
                    break
        out["records"].append({"kind": rec["kind"], "strength": rec.get("strength"),
                               "subject": rec.get("subject"), "metric": rec.get("metric"), "status": status})
    return out


def conflict_line(c: dict[str, Any]) -> str:
    return (f"conflicts: {c['found']}/{c['hard']} hard found with the right kind "
            f"({c['found_all_claims']} with every listed claim); "
            f"{c['apparent_called_contradiction']}/{c['apparent']} apparent called a contradiction")


def load_jsonl(path: Path | str) -> list[dict[str, Any]]:
    """One JSON object per line; anything else (binary, a null line, nesting no gold file
    has) is a GoldError naming the line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise GoldError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise GoldError(f"{path}: not UTF-8 text; gold files are JSON lines") from None
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise GoldError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
            except RecursionError:
                raise GoldError(f"{path}:{n}: not valid JSON (nested too deep)") from None
            if not isinstance(row, dict):
                raise GoldError(f"{path}:{n}: not a JSON object ({type(row).__name__})")
            out.append(row)
    return out
