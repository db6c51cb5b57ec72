"""Score the extractor on the peer spec cases of Microsoft Recognizers-Text.

A spec file is a JSON list of cases: an `Input` text and the `Results` a model should
find in it. A case passes when the quantities the extractor returns for that model's
kind have the same surface texts (ignoring spaces and case) and values as the spec, and
the same ISO currency where the spec names one (`shared/specs/SOURCE.md`).

Values are compared in the spec's unit: the peer resolves "50 cents" to 50 Cent, we to
0.50 USD (README: money is in its ISO currency), and a cent is a minor unit of USD in
`rules/currencies.yaml`, so the two agree.

    $ claims specs --specs-dir ../shared/specs
"""

from __future__ import annotations

import json
import math
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import click

from extractor.quantities import Quantity, engine, extract, numbers

# Which of our kinds answers each peer model.
MODEL_KINDS = {"NumberModel": "number", "PercentModel": "percent", "CurrencyModel": "money"}


@dataclass(frozen=True)
class Found:
    """One result, reduced to what the comparison looks at."""

    text: str
    value: float | None
    currency: str | None = None
    unit: str | None = None


@dataclass
class FileScore:
    path: str
    passed: int = 0
    total: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


def default_specs_dir() -> Path:
    """$CLAIMS_SPECS, else `shared/specs` beside the checkout."""
    env = os.environ.get("CLAIMS_SPECS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared" / "specs"


def spec_files(specs_dir: Path) -> list[Path]:
    return sorted(p for p in specs_dir.rglob("*.json") if p.stem in MODEL_KINDS)


def _surface(text: str) -> str:
    # The peer writes surfaces in half-width forms; compare both sides the same way.
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def _value(raw: object) -> float | None:
    if raw is None:
        return None
    s = str(raw).strip().rstrip("%")
    try:
        v = float(s)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def expected(case: dict[str, Any]) -> list[Found]:
    out = []
    for r in case.get("Results", []):
        res = r.get("Resolution") or {}
        out.append(Found(_surface(r["Text"]), _value(res.get("value")), res.get("isoCurrency") or None,
                         res.get("unit") or None))
    return out


def _found(q: Quantity) -> Found:
    return Found(_surface(q.text), q.value, q.unit if q.kind == "money" else None)


def predicted(text: str, model: str) -> list[Found]:
    """What the extractor reports for one peer model."""
    if model == "NumberModel":
        return [_found(q) for q in numbers(text)]
    kind = MODEL_KINDS[model]
    return [_found(q) for q in extract(text, mentions=True, signed=False) if q.kind == kind]


def _in_spec_unit(want: Found, got: Found) -> float | None:
    """Our value in the unit the spec states, when that unit is a minor unit (cent) of
    our currency."""
    if got.value is None or want.unit is None or got.currency is None:
        return got.value
    minors = engine().minor_units.entries
    share = minors.get(want.unit.lower(), {}).get(got.currency)
    return got.value / share if share else got.value


def _same(want: Found, got: Found) -> bool:
    if want.text != got.text:
        return False
    value = _in_spec_unit(want, got)
    if want.value is None or value is None:
        if want.value is not value:
            return False
    elif not math.isclose(want.value, value, rel_tol=1e-9, abs_tol=1e-12):
        return False
    return want.currency is None or want.currency == got.currency


def case_passes(want: list[Found], got: list[Found]) -> bool:
    return len(want) == len(got) and all(_same(w, g) for w, g in zip(want, got, strict=True))


def score_file(path: Path) -> FileScore:
    model = path.stem
    cases = json.loads(path.read_text(encoding="utf-8"))
    score = FileScore(str(path))
    for case in cases:
        want = expected(case)
        got = predicted(case["Input"], model)
        score.total += 1
        if case_passes(want, got):
            score.passed += 1
        else:
            score.failures.append({
                "input": case["Input"],
                "expected": [asdict(f) for f in want],
                "got": [asdict(f) for f in got],
            })
    return score


def score_all(specs_dir: Path) -> list[FileScore]:
    return [score_file(p) for p in spec_files(specs_dir)]


def _relative(path: str, base: Path) -> str:
    try:
        return str(Path(path).relative_to(base))
    except ValueError:
        return path


def report(scores: Iterable[FileScore], base: Path) -> str:
    lines = [
        f"{_relative(s.path, base):<45} {s.passed:>4}/{s.total:<4} {s.rate:7.1%}" for s in scores
    ]
    return "\n".join(lines)


@click.command("specs")
@click.option("--specs-dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder of spec JSON files (default: ../shared/specs).")
@click.option("--json", "as_json", is_flag=True, help="Print scores and failures as JSON.")
@click.option("--failures", is_flag=True, help="Also list the failing cases.")
def specs_command(specs_dir: Path | None, as_json: bool, failures: bool) -> None:
    """Report the pass rate on the Recognizers-Text spec cases, per file.

    Example: claims specs --specs-dir ../shared/specs
    """
    base = specs_dir or default_specs_dir()
    if not base.is_dir():
        raise click.ClickException(f"{base}: no such folder of spec files")
    scores = score_all(base)
    if as_json:
        click.echo(json.dumps([
            {"file": _relative(s.path, base), "passed": s.passed, "total": s.total,
             "rate": round(s.rate, 4), **({"failures": s.failures} if failures else {})}
            for s in scores
        ], ensure_ascii=False, indent=2))
        return
    if failures:
        for s in scores:
            for f in s.failures:
                click.echo(f"{_relative(s.path, base)}: {f['input'][:80]!r}\n"
                           f"  want {[(e['text'], e['value'], e['currency']) for e in f['expected']]}\n"
                           f"  got  {[(g['text'], g['value'], g['currency']) for g in f['got']]}")
    click.echo(report(scores, base))


if __name__ == "__main__":
    specs_command()
