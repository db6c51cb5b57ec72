"""Rule files are checked when they are loaded: a broken file or a bad rule stops the
engine with a RuleError that names the file and the rule."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractor import quantities, rules
from extractor.errors import RuleError

RULES = rules.DEFAULT_RULES_DIR


@pytest.fixture
def rules_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of rules/ that CLAIMS_RULES points at; the engine is rebuilt before and after."""
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    monkeypatch.setenv("CLAIMS_RULES", str(target))
    quantities.reset()
    yield target
    monkeypatch.delenv("CLAIMS_RULES")
    quantities.reset()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _error() -> RuleError:
    with pytest.raises(RuleError) as info:
        quantities.extract("微软投资 130 亿美元")
    return info.value


def test_the_shipped_rules_load(rules_copy: Path) -> None:
    assert [q.text for q in quantities.extract("投资 130 亿美元")] == ["130 亿美元"]


def test_unit_rule_ids_are_unique() -> None:
    data = rules.load("units")
    ids = [e["id"] for kind in ("percent", "multiplier", "count", "duration") for e in data[kind]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    "name,old,new,rule,problem",
    [
        ("numerals", "zh:\n", "zh:\n  digits: [\n", None, "not valid YAML"),
        ("currencies", "code: USD", "code: usd", "usd", "three capital letters"),
        ("furniture", "id: url\n    pattern: '", "id: url\n    pattern: '(?:", "url", "bad regular expression"),
        ("dates", "id: date.iso\n    pattern: '", "id: date.iso\n    pattern: '[", "date.iso", "bad regular expression"),
        ("qualifiers", "  about: [约", "  roughly: [约", "before.roughly", "unknown qualifier"),
        ("units", "  - id: multiplier.zh\n", "  - after: [倍]\n", "multiplier", "needs an id"),
        ("units", "    max_value: 10\n", "    max_value: ten\n", "percent.zh_tenths", "expected a number"),
        ("numerals", "    三: 3\n", "    三: three\n", "zh.digits.三", "value must be a number"),
        ("currencies", "minor_alone: [cents,", "minor_alone: [dimes, cents,", "minor_alone.dimes",
         "not a minor unit"),
        ("numerals", "  minus: [负, 負]", "  minus: [负号]", "zh.minus.负号", "one character"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 and "\n" not in v else None,
)
def test_a_broken_rule_names_file_and_rule(
    rules_copy: Path, name: str, old: str, new: str, rule: str | None, problem: str
) -> None:
    _edit(rules_copy / f"{name}.yaml", old, new)
    quantities.reset()
    err = _error()
    assert err.path == rules_copy / f"{name}.yaml"
    assert err.rule == rule
    assert problem in err.problem
    assert str(err).startswith("[E100]") and f"{name}.yaml" in str(err)


def test_a_missing_rule_file(rules_copy: Path) -> None:
    (rules_copy / "magnitudes.yaml").unlink()
    quantities.reset()
    err = _error()
    assert err.path.name == "magnitudes.yaml" and "missing" in err.problem


def test_a_new_word_in_the_rules_needs_no_code(rules_copy: Path) -> None:
    assert quantities.extract("它花了5000比索") == []
    _edit(rules_copy / "currencies.yaml", "suffixes: [墨西哥比索,", "suffixes: [墨西哥比索, 比索,")
    quantities.reset()
    (q,) = quantities.extract("它花了5000比索")
    assert (q.kind, q.value, q.unit) == ("money", 5000.0, "MXN")


def test_reset_restores_the_shipped_rules(rules_copy: Path) -> None:
    _edit(rules_copy / "units.yaml", "after: [倍]", "after: [倍, 番]")
    quantities.reset()
    assert [q.kind for q in quantities.extract("营收翻了3番")] == ["multiplier"]


@pytest.fixture
def entities_copy(rules_copy: Path) -> Iterator[Path]:
    """rules_copy, with the entity lexicon read again from it before and after."""
    from extractor import attribute

    attribute.lexicon.cache_clear()
    yield rules_copy / "entities.yaml"
    attribute.lexicon.cache_clear()


@pytest.mark.parametrize(
    "old,new,rule,problem",
    [
        ("tickers: [NVDA]", "tickers: [nvda]", "Nvidia", "SYMBOL.EXCHANGE"),
        ("{name: Nvidia, tickers", "{name: Nvidia, kind: chipmaker, tickers", "Nvidia", "unknown kind"),
        ("{name: Lei Jun, of: Xiaomi,", "{name: Lei Jun, of: Leijun Labs,", "people entry", "needs `of`"),
    ],
)
def test_a_broken_gazetteer_entry_names_it(entities_copy: Path, old: str, new: str, rule: str, problem: str) -> None:
    from extractor import attribute

    _edit(entities_copy, old, new)
    quantities.reset()
    with pytest.raises(RuleError) as info:
        attribute.lexicon()
    assert info.value.path == entities_copy
    assert rule in str(info.value.rule) and problem in info.value.problem


def test_a_journalist_adds_a_company_without_code(entities_copy: Path) -> None:
    from extractor import attribute
    from extractor.ingest import Article
    from extractor.pipeline import process

    text = "据报道，星河云端计划投资20亿美元建设数据中心。"
    assert attribute.lexicon().by_name.get("Xinghe Cloud") is None
    _edit(entities_copy, "\nentities:\n", "\nentities:\n  - {name: Xinghe Cloud, tickers: [XHC], aliases: [星河云端, 星河雲端]}\n")
    quantities.reset()
    attribute.lexicon.cache_clear()
    rows = process(Article("j.txt", text, 0, {"published": "2025-06-01"}))
    assert [c["subject"] for c in rows.claims if c["text"] == "20亿美元"] == ["Xinghe Cloud"]


def test_no_alias_names_two_gazetteer_entries() -> None:
    """An alias listed under two entries would silently go to the first: an extension
    of rules/entities.yaml must not reuse one (folded: 軟銀 is 软银)."""
    from extractor import subjects

    data = rules.load("entities")
    owners: dict[str, set[str]] = {}
    for section in ("entities", "places", "indexes", "people"):
        for entry in data.get(section) or []:
            owner = str(entry.get("of") or entry["name"])
            for alias in [entry["name"], *(entry.get("aliases") or [])]:
                owners.setdefault(subjects.fold_chars(str(alias).lower()), set()).add(owner)
    assert {a: o for a, o in owners.items() if len(o) > 1} == {}
