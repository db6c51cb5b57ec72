"""Score a claims database against hand-checked gold: the seed format (shared/gold/GOLD.md,
`seed`) or the devset's (`article`), counted the way shared/tools/score.py counts them.

A prediction matches a gold claim when it is in the same article, its span overlaps the
gold span, its value equals the gold value (relative tolerance 1e-6; years and dates
compare as ISO text) and its unit is the same after folding synonyms (%, percent).
Predictions overlapping an optional gold claim are ignored; every other unmatched
prediction is a false positive.
"""

from __future__ import annotations

import json
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
    """Gold claims, in the seed format (`seed`) or the devset's (`article`): both become
    `seed`, the file name the claim's offsets count in."""
    rows = []
    for n, row in enumerate(load_jsonl(path), 1):
        row["seed"] = row.get("seed") or row.get("article")
        for key in ("seed", "start", "end", "value", "unit"):
            if key not in row or (key == "seed" and not row[key]):
                raise GoldError(f"{path}: record {n}: missing {'seed (or article)' if key == 'seed' else repr(key)}")
        rows.append(row)
    return rows


# Units written differently by annotators and by the extractor (as the shared scorer folds them).
UNIT_SYNONYMS = {"%": "percent", "pct": "percent", "x": "multiplier", "times": "multiplier",
                 "duration_years": "years", "parameters": "count"}


def norm_unit(unit: Any) -> str | None:
    if unit is None:
        return None
    u = str(unit).strip()
    low = u.lower()
    if low in UNIT_SYNONYMS:
        return UNIT_SYNONYMS[low]
    return u.upper() if len(u) == 3 and u.isalpha() and low != "day" else low


def same_value(gold: dict[str, Any], pred: dict[str, Any]) -> bool:
    """The same value in the same unit, as tools/score.py decides it."""
    gu, pu = norm_unit(gold["unit"]), norm_unit(pred["unit"])
    if gu in ("year", "date"):
        if pu not in ("year", "date"):
            return False
        if pred.get("date") is not None and str(pred["date"]) == str(gold["value"]):
            return True
        if gu == "year" and pred.get("value") is not None:
            try:
                return int(round(float(pred["value"]))) == int(gold["value"])
            except (TypeError, ValueError):
                return False
        return False
    if gu != pu or pred.get("value") is None or isinstance(gold["value"], str):
        return False
    try:
        g, p = float(gold["value"]), float(pred["value"])
    except (TypeError, ValueError):
        return False
    return abs(p - g) <= 1e-6 * max(1.0, abs(g))


def articles_by_file(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    """Articles keyed by file name, so gold rows (keyed by file) find theirs."""
    out = {}
    for row in db.query("select id, path, body_start from articles"):
        row["body_start"] = row["body_start"] or 0
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
    """Match predictions to gold claims as tools/score.py does: each required gold claim
    takes the first unused prediction that overlaps it with the same value and unit;
    predictions overlapping an optional gold claim are neither hits nor false positives."""
    result = Score()
    by_file = articles_by_file(db)
    gold_by_seed: dict[str, list[dict[str, Any]]] = {}
    for g in gold:
        gold_by_seed.setdefault(g["seed"], []).append(g)
    for seed, golds in sorted(gold_by_seed.items()):
        required = [g for g in golds if not g.get("optional")]
        optional = [g for g in golds if g.get("optional")]
        article = by_file.get(seed)
        if article is None:
            result.unknown_articles.append(seed)
            result.fn += len(required)
            result.misses += required
            continue
        preds = predictions(db, article)
        used: set[str] = set()
        for g in required:
            hit = next((p for p in preds if p["id"] not in used and p["file_start"] < _end(g)
                        and g["start"] < p["file_end"] and same_value(g, p)), None)
            if hit is None:
                result.fn += 1
                result.misses.append(g)
                continue
            used.add(hit["id"])
            result.tp += 1
            result.matched.append((g, hit))
        for p in preds:
            if p["id"] in used or any(p["file_start"] < _end(g) and g["start"] < p["file_end"] for g in optional):
                continue
            result.fp += 1
            result.false_positives.append({**p, "seed": seed})
    return result


def _end(g: dict[str, Any]) -> int:
    """Where a gold claim ends: its start plus its mention, as the shared scorer reads it."""
    return int(g["start"]) + len(g["mention"]) if g.get("mention") else int(g["end"])


def attribute_accuracy(result: Score) -> dict[str, float | None]:
    """Share of matched claims (with a gold metric) whose subject, metric and hedged agree
    with the gold; `alt_metrics` and `alt_subjects` count, subjects ignore case."""
    pairs = [(g, p) for g, p in result.matched if g.get("metric")]
    if not pairs:
        return {"subject": None, "metric": None, "hedged": None}

    def metric_ok(g: dict[str, Any], p: dict[str, Any]) -> bool:
        return p["metric"] is not None and p["metric"] in [g.get("metric"), *(g.get("alt_metrics") or [])]

    def subject_ok(g: dict[str, Any], p: dict[str, Any]) -> bool:
        allowed = {str(x or "").lower() for x in [g.get("subject"), *(g.get("alt_subjects") or [])]}
        return str(p["subject"] or "").lower() in allowed

    return {
        "subject": sum(subject_ok(g, p) for g, p in pairs) / len(pairs),
        "metric": sum(metric_ok(g, p) for g, p in pairs) / len(pairs),
        "hedged": sum(bool(p["hedged"]) == bool(g.get("hedged")) for g, p in pairs) / len(pairs),
    }


ALARM_KINDS = ("contradiction", "translation_mismatch")


def conflict_recall(db: sqlite_utils.Database, path: Path | str, result: Score | None = None) -> dict[str, Any]:
    """The gold conflicts found, as tools/score.py counts them.

    A record is found when one predicted conflict holds two of its claims (matched to
    gold as `score` matches them) with different values on different sides; `found` asks
    that conflict to be of the record's kind, `found_any_kind` does not. An `apparent`
    record is a false alarm when such a conflict is a contradiction or translation
    mismatch."""
    if result is None:
        result = score(db, load_gold(Path(path).with_name(_claims_file(path))))
    g2p = {(g["seed"], g["start"]): p for g, p in result.matched}
    sides: dict[str, dict[str, str | None]] = {}
    kinds: dict[str, str] = {}
    for row in db.query("select c.id, c.kind, cc.claim_id, cc.side from conflicts c "
                        "join conflict_claims cc on cc.conflict_id = c.id"):
        sides.setdefault(row["claim_id"], {})[row["id"]] = row["side"]
        kinds[row["id"]] = row["kind"]
    out: dict[str, Any] = {"hard": 0, "found": 0, "found_any_kind": 0, "apparent": 0,
                           "apparent_called_contradiction": 0, "records": []}
    for rec in load_jsonl(path):
        mapped = [g2p.get((c.get("seed") or c.get("article"), c["start"])) for c in rec["claims"]]
        shared: set[str] = set()
        for i, a in enumerate(mapped):
            for b in mapped[i + 1:]:
                if a is None or b is None or (a["value"], a["date"]) == (b["value"], b["date"]):
                    continue
                sa, sb = sides.get(a["id"], {}), sides.get(b["id"], {})
                shared |= {c for c in sa.keys() & sb.keys() if sa[c] is None or sa[c] != sb[c]}
        strength = rec.get("strength")
        status = "not extracted" if sum(m is not None for m in mapped) < 2 else "missed"
        if strength == "hard":
            out["hard"] += 1
            if shared:
                out["found_any_kind"] += 1
                status = "found, other kind"
            if any(kinds[c] == rec["kind"] for c in shared):
                out["found"] += 1
                status = "found"
        elif strength == "apparent":
            out["apparent"] += 1
            status = "not flagged"
            if any(kinds[c] in ALARM_KINDS for c in shared):
                out["apparent_called_contradiction"] += 1
                status = "called a contradiction"
        out["records"].append({"kind": rec["kind"], "strength": strength, "subject": rec.get("subject"),
                               "metric": rec.get("metric"), "status": status,
                               "predicted_kinds": sorted({kinds[c] for c in shared})})
    return out


def _claims_file(conflicts_path: Path | str) -> str:
    name = Path(conflicts_path).name
    return "seed_claims.jsonl" if name.startswith("seed_") else "claims.jsonl"


def conflicts_file_for(gold: Path | str) -> Path | None:
    """The gold conflicts beside a gold claims file: seed_conflicts.jsonl or conflicts.jsonl."""
    folder = Path(gold).parent
    for name in ("seed_conflicts.jsonl", "conflicts.jsonl"):
        if (folder / name).exists():
            return folder / name
    return None


def unattributed_line(db: sqlite_utils.Database) -> str:
    """How many claims could not be attributed, and why (align.unattributed)."""
    from extractor import align, conflicts

    return align.unattributed(db, conflicts._compared_metrics(), conflicts.fallback_metrics()).sentence()


def conflict_line(c: dict[str, Any]) -> str:
    return (f"conflicts: {c['found']}/{c['hard']} hard found with the right kind "
            f"({c['found_any_kind']}/{c['hard']} of any kind); "
            f"{c['apparent_called_contradiction']}/{c['apparent']} apparent called a contradiction "
            "or translation mismatch")


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
