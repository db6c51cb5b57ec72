"""Alignment and reconciliation, unit by unit, on claims built by hand (fictional companies
and figures): written precision, conversion at a dated rate, total and parts, periods,
one kind per disagreement, ties, one article's own two figures, noisy subjects."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from pathlib import Path

import pytest
import sqlite_utils

from extractor import align, conflicts, disagreements, reconcile, store
from extractor.attribute import metric_info
from extractor.conflicts import Claim

_ids = itertools.count()


def claim(value: float, text: str, *, source: str = "a1", published: str = "2025-06-10", lang: str = "en",
          metric: str = "net_income", unit: str = "USD", kind: str = "money", qualifier: str = "exact",
          value_max: float | None = None, period: str | None = None, basis: str | None = None,
          modality: str = "asserted", sentence: str | None = None, confidence: float = 0.9) -> Claim:
    n = next(_ids)
    return Claim(f"c{n}", source, sentence or f"{source}:{n}", source, published, lang, "Brightwater Freight", None,
                 metric, unit, kind, value, value_max, None, qualifier, False, period, basis, modality, confidence,
                 f"Outlet {source}", text)


def run(claims: list[Claim], metric: str = "net_income", unit: str = "USD"
        ) -> tuple[list[conflicts.Conflict], list[reconcile.Reconciliation]]:
    sides = conflicts.sides_of(claims)
    found: list[reconcile.Reconciliation] = []
    out = list(conflicts.compare(sides, "Brightwater Freight", metric, unit, found))
    return out, found + disagreements.within_sides(sides, "Brightwater Freight", metric, unit)


# ---------------------------------------------------------------------------
# Written precision.

@pytest.mark.parametrize(("value", "text", "share", "loose", "half"), [
    (138000, "13.8万辆", False, False, 500),            # the digits set the precision
    (1.38e5, "13.8萬輛", False, False, 500),            # Traditional
    (1e10, "100亿美元", False, False, 5e7),             # 100亿 is to the 亿, not to the 100亿
    (6.84e9, "$6.84 billion", False, False, 5e6),
    (3800, "3,800 jobs", False, False, 50),
    (20, "两成", True, False, 5),                       # a share in words: to the 成
    (10, "十年", False, False, 0.5),                    # a count in words: to the unit
    (2e9, "约20亿美元", False, True, 5e8),              # about a round figure: to its last nonzero digit
    (35, "35%", True, False, 0.5),
    (1.3, "130 basis points", False, False, 0.005),
])
def test_written_half_unit(value: float, text: str, share: bool, loose: bool, half: float) -> None:
    assert reconcile.written_half_unit(value, text, share, loose) == pytest.approx(half)


def test_figure_rounded_from_a_precise_one_is_reconciled_not_a_conflict() -> None:
    found, rec = run([claim(412_380, "412,380 units", metric="deliveries", unit="count", kind="count"),
                      claim(412_000, "41.2万辆", source="a2", lang="zh", metric="deliveries", unit="count",
                            kind="count"),
                      claim(410_000, "近41万辆", source="a3", lang="zh", qualifier="about", metric="deliveries",
                            unit="count", kind="count")], "deliveries", "count")
    assert found == []
    assert [r.reason for r in rec] == ["rounding"]
    assert "412,380" in rec[0].summary and "412,000" in rec[0].summary


def test_transposed_digits_are_a_contradiction_even_when_approximate() -> None:
    found, rec = run([claim(7.26e9, "$7.26 billion"), claim(7.26e9, "72.6亿美元", source="a2", lang="zh"),
                      claim(7.3e9, "about US$7.3 billion", source="a4", qualifier="about"),
                      claim(7.62e9, "約76.2億美元", source="a3", lang="zh", qualifier="about")])
    assert [c.kind for c in found] == ["contradiction"]
    assert {x.text for x in found[0].a} == {"約76.2億美元"}
    assert "7.3 billion" not in {x.label for x in found[0].a}  # "about 7.3" sides with 7.26


def test_a_point_inside_a_range_is_reconciled() -> None:
    found, rec = run([claim(3.1e9, "HK$3.1 billion to HK$3.4 billion", unit="HKD", value_max=3.4e9, qualifier="range"),
                      claim(3.2e9, "HK$3.2 billion", source="a2", unit="HKD")], unit="HKD")
    assert found == [] and [r.reason for r in rec] == ["range"]


# ---------------------------------------------------------------------------
# Conversion at the rate of each article's date.

def test_rates_from_the_ecb_history_and_from_rules() -> None:
    assert reconcile.per_usd("USD", dt.date(2025, 3, 3)) == 1.0
    cny = reconcile.per_usd("CNY", dt.date(2025, 9, 15))
    assert cny is not None and 7.0 < cny < 7.3
    twd_april, twd_july = reconcile.per_usd("TWD", dt.date(2025, 4, 8)), reconcile.per_usd("TWD", dt.date(2025, 7, 15))
    assert twd_april is not None and twd_july is not None and twd_april > twd_july  # from rules/rates.yaml
    assert reconcile.per_usd("XXX", dt.date(2025, 1, 1)) is None


def test_same_amount_in_two_currencies_at_the_dated_rate() -> None:
    day = dt.date(2025, 9, 15)
    rate = reconcile.per_usd("CNY", day)
    assert rate is not None
    assert reconcile.same_amount(1e9 * rate, "CNY", day, 1e9, "USD", day)
    assert not reconcile.same_amount(1.2e9 * rate, "CNY", day, 1e9, "USD", day)
    assert not reconcile.same_amount(1e9, "USD", day, 1.01e9, "USD", day)  # no conversion to explain it


def test_one_amount_converted_at_two_dates_is_reconciled_as_conversion() -> None:
    april, july = dt.date(2025, 4, 8), dt.date(2025, 7, 15)
    usd = 5e10
    in_april = round(usd * (reconcile.per_usd("TWD", april) or 0) / 1e10) * 1e10
    in_july = round(usd * (reconcile.per_usd("TWD", july) or 0) / 1e10) * 1e10
    assert in_april != in_july
    found, rec = run([claim(in_april, f"新台幣{in_april / 1e12:g}兆元", published="2025-04-08", lang="zh", unit="TWD"),
                      claim(in_july, f"NT${in_july / 1e12:g} trillion", source="a2", published="2025-07-15", unit="TWD")],
                     unit="TWD")
    assert found == [] and [r.reason for r in rec] == ["conversion"]
    assert "TWD per US dollar on 2025-04-08" in rec[0].summary


def test_a_share_price_a_few_cents_apart_is_not_a_conversion() -> None:
    found, _ = run([claim(88.15, "$88.15", metric="share_price"), claim(88.51, "88.51美元", source="a2", lang="zh",
                                                                      published="2025-06-11", metric="share_price")],
                   "share_price")
    assert [c.kind for c in found] == ["contradiction"]


# ---------------------------------------------------------------------------
# Totals and parts; periods.

def test_parts_that_add_up_to_a_total_are_reconciled() -> None:
    assert reconcile.parts_summing_to(70, [28, 42, 70]) == (0, 1)
    assert reconcile.parts_summing_to(50, [28, 42]) is None
    found, rec = run([claim(9e9, "$9 billion", metric="capex"), claim(9e9, "90亿美元", source="a2", lang="zh", metric="capex"),
                      claim(5.5e9, "$5.5 billion", source="a3", metric="capex"),
                      claim(3.5e9, "35亿美元", source="a4", lang="zh", metric="capex")], "capex")
    assert found == []
    assert sorted(r.reason for r in rec) == ["total_vs_part", "total_vs_part"]


def test_written_periods_that_differ_are_reconciled_as_different_periods() -> None:
    found, rec = run([claim(1.1e9, "$1.1 billion", period="2025-Q2", basis="explicit"),
                      claim(1.1e9, "11亿美元", source="a2", lang="zh", period="2025-Q2", basis="explicit"),
                      claim(1.4e9, "$1.4 billion", source="a3", period="2025-Q3", basis="explicit")])
    assert found == [] and [r.reason for r in rec] == ["different_period"]


def test_figures_dated_only_by_articles_months_apart_are_different_periods() -> None:
    found, rec = run([claim(41.3, "€41.30", metric="share_price", unit="EUR", published="2025-03-02", period="2025-03",
                            basis="article"),
                      claim(47.9, "€47.90", source="a2", metric="share_price", unit="EUR", published="2025-06-20",
                            period="2025-06", basis="article")], "share_price", "EUR")
    assert found == [] and [r.reason for r in rec] == ["different_period"]


def test_two_figures_of_one_sentence_are_not_a_conflict() -> None:
    found, rec = run([claim(2.1e9, "$2.1 billion", sentence="s1"), claim(3.4e9, "$3.4 billion", sentence="s1")])
    assert found == [] and [r.reason for r in rec] == ["one_sentence"]


# ---------------------------------------------------------------------------
# One disagreement, one kind; ties; one article.

def test_one_dissenting_figure_is_one_conflict_of_one_kind() -> None:
    assert metric_info("valuation") is not None and metric_info("valuation").changeable  # type: ignore[union-attr]
    found, _ = run([claim(6.1e9, "$6.1 billion", metric="valuation", published="2025-05-01", modality="proposed"),
                    claim(6.1e9, "61亿美元", source="a2", lang="zh", metric="valuation", published="2025-05-02"),
                    claim(6.5e9, "$6.5 billion", source="a3", metric="valuation", published="2025-06-01"),
                    claim(6.5e9, "65億美元", source="a4", lang="zh", metric="valuation", published="2025-06-02"),
                    claim(6.5e9, "$6.5bn", source="a5", metric="valuation", published="2025-06-03")], "valuation")
    assert len(found) == 1 and found[0].kind in conflicts.BETWEEN_SOURCES


def test_a_revision_needs_days_between_the_figures() -> None:
    def kinds(later: str) -> list[str]:
        found, _ = run([claim(6.1e9, "$6.1 billion", metric="valuation", published="2025-05-01"),
                        claim(6.5e9, "$6.5 billion", source="a2", metric="valuation", published=later),
                        claim(6.5e9, "$6.5bn", source="a3", metric="valuation", published=later)], "valuation")
        return [c.kind for c in found]

    assert kinds("2025-05-02") == ["contradiction"]
    assert kinds("2025-05-20") == ["superseded"]


def test_a_tie_is_undecided() -> None:
    found, _ = run([claim(1.2e8, "$120 million"), claim(2.1e8, "$210 million", source="a2")])
    assert len(found) == 1 and found[0].undecided and found[0].best is None
    assert "Undecided" in found[0].summary


def test_one_article_never_contradicts_itself_without_saying_so() -> None:
    found, _ = run([claim(1.2e4, "12,000 jobs", metric="jobs", unit="count", kind="count"),
                    claim(3e4, "30,000 jobs", metric="jobs", unit="count", kind="count")], "jobs", "count")
    assert [c.kind for c in found] == ["internal"] and "One article" in found[0].summary
    # The article states both figures; another outlet states one of them: still its own difference.
    found, _ = run([claim(1.2e4, "12,000 jobs", metric="jobs", unit="count", kind="count"),
                    claim(1.2e4, "1.2万个", source="a2", lang="zh", metric="jobs", unit="count", kind="count"),
                    claim(3e4, "30,000 jobs", metric="jobs", unit="count", kind="count")], "jobs", "count")
    assert [c.kind for c in found] == ["internal"]


def test_two_language_versions_of_one_article() -> None:
    found, _ = run([claim(4.4e9, "US$4.4 billion"), claim(4.4e8, "4.4亿美元", lang="zh"),
                    claim(4.4e9, "$4.4 billion", source="a2")])
    assert "translation_mismatch" in {c.kind for c in found}


# ---------------------------------------------------------------------------
# Noisy subjects, end to end in a database.

ARTICLES = {
    # The subject is named once; the figure's own sentence does not name it.
    "n1.txt": ("2025-03-03", "Brightwater Freight Holdings reported results on Monday. Brightwater Freight Holdings "
                             "said its fleet grew. Brightwater Freight Holdings raised its outlook.\n\n"
                             "Net income came to $412 million in the quarter."),
    "n2.txt": ("2025-03-04", "Brightwater Freight Holdings posted net income of $412 million."),
    "n3.txt": ("2025-03-04", "Brightwater Freight Holdings posted net income of $421 million, the paper said."),
}


@pytest.fixture(scope="module")
def noisy(tmp_path_factory: pytest.TempPathFactory) -> sqlite_utils.Database:
    import yaml

    from extractor import pipeline

    folder: Path = tmp_path_factory.mktemp("noisy")
    manifest = {}
    for name, (published, text) in ARTICLES.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
        manifest[name] = {"published": published, "lang": "en", "outlet": f"Outlet {name[:2]}"}
    (folder / "sources.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    db = store.open_db(folder / "claims.db")
    pipeline.ingest([str(folder)], db)
    pipeline.after_ingest(db)
    return db


def test_unattributed_claims_are_counted_with_the_reason(noisy: sqlite_utils.Database) -> None:
    count = align.unattributed(noisy, conflicts._compared_metrics(), conflicts.fallback_metrics())
    assert count.claims == noisy.table("claims").count
    assert count.compared + count.no_subject + count.no_metric + count.not_compared == count.claims
    text = count.sentence()
    assert "every figure agrees" not in text


def test_a_claim_without_subject_is_aligned_under_its_article_main_subject(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "x.db")
    rows = []
    for n, (aid, subject, value, published) in enumerate([
            ("x1", "Brightwater Freight", 4.12e8, "2025-03-03"), ("x1", "Brightwater Freight", 9e9, "2025-03-03"),
            ("x1", "Brightwater Freight", 3e9, "2025-03-03"), ("x1", None, 4.12e8, "2025-03-03"),
            ("x2", "Brightwater Freight", 4.12e8, "2025-03-04"), ("x3", None, 4.21e8, "2025-03-04"),
            ("x3", "Brightwater Freight", 1e9, "2025-03-04"), ("x3", "Brightwater Freight", 2e9, "2025-03-04"),
            ("x3", "Brightwater Freight", 5e9, "2025-03-04")]):
        if not db["articles"].count_where("id = ?", [aid]):
            db["articles"].insert({"id": aid, "path": f"{aid}.txt", "outlet": f"Outlet {aid}", "text": "…",
                                   "published": published, "lang": "en"})
        rows.append({"id": f"k{n}", "article_id": aid, "start": n, "end": n + 1, "text": f"${value / 1e6:g} million",
                     "kind": "money", "value": value, "unit": "USD", "qualifier": "exact", "vague": 0, "lang": "en",
                     "subject": subject, "metric": "net_income" if value < 1e9 else "revenue",
                     "modality": "asserted", "confidence": 0.9})
    db["claims"].insert_all(rows)
    conflicts.detect(db)
    found = list(db.query("select * from conflicts where metric = 'net_income'"))
    assert len(found) == 1 and found[0]["subject"] == "Brightwater Freight"
    assert "article's main subject" in found[0]["why"]
    members = {r["claim_id"] for r in db.query("select claim_id from conflict_claims where conflict_id = ?",
                                               [found[0]["id"]])}
    assert "k5" in members  # the unattributed $421 million, compared under its article's subject
    count = align.unattributed(db, conflicts._compared_metrics(), conflicts.fallback_metrics())
    assert (count.inferred, count.no_subject) == (2, 0)


def test_qualifiers_apply_to_the_magnitude_of_a_fall() -> None:
    fall = claim(-17.42, "17.42%", metric="share_price_change", unit="percent", kind="percent")
    more = claim(-17.0, "逾17%", source="a2", lang="zh", qualifier="more_than", metric="share_price_change",
                 unit="percent", kind="percent")
    other = claim(-8.5, "8.5%", source="a3", metric="share_price_change", unit="percent", kind="percent")
    assert more.lo == -math.inf and more.hi == -17.0  # a fall of more than 17%
    sides = conflicts.sides_of([fall, more, other])
    assert {tuple(sorted(c.text for c in s.claims)) for s in sides} == {("17.42%", "逾17%"), ("8.5%",)}


def test_one_amount_in_two_currencies_is_listed_as_a_conversion(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "fx.db")
    day = dt.date(2025, 9, 15)
    rate = reconcile.per_usd("CNY", day)
    assert rate is not None
    rows = [("f1", "USD", 3.6e8, "$360 million"), ("f2", "CNY", round(3.6e8 * rate / 1e7) * 1e7, "人民币X亿元"),
            ("f3", "USD", 3.6e8, "US$360 million"), ("f4", "CNY", 4e9, "40亿元人民币")]
    for aid, unit, value, text in rows:
        db["articles"].insert({"id": aid, "path": f"{aid}.txt", "outlet": f"Outlet {aid}", "text": "…",
                               "published": day.isoformat(), "lang": "zh"})
        db["claims"].insert({"id": f"k{aid}", "article_id": aid, "start": 0, "end": 1,
                             "text": f"{value / 1e8:g}亿" if unit == "CNY" else text, "kind": "money",
                             "value": value, "unit": unit, "qualifier": "exact", "vague": 0, "lang": "zh",
                             "subject": "Brightwater Freight", "metric": "net_income", "modality": "asserted",
                             "confidence": 0.9})
    conflicts.detect(db)
    found = list(db.query("select * from reconciliations where reason = 'conversion'"))
    assert len(found) == 1 and found[0]["unit"] == "CNY/USD"
    assert "per US dollar on 2025-09-15" in found[0]["summary"]
    held = {r["claim_id"] for r in db.query("select claim_id from reconciliation_claims where reconciliation_id = ?",
                                            [found[0]["id"]])}
    assert held == {"kf1", "kf2", "kf3"}  # 40亿元 is no conversion of $360 million
    conflicts.detect(db, full=True)  # recomputed, not duplicated
    assert db["reconciliations"].count_where("reason = 'conversion'") == 1


def test_open_ended_figures_join_each_other_before_a_far_bounded_one() -> None:
    up_to = claim(-33.1, "33.1%", qualifier="up_to", metric="share_price_change", unit="percent", kind="percent")
    more = claim(-33.0, "逾33%", source="a2", lang="zh", qualifier="more_than", metric="share_price_change",
                 unit="percent", kind="percent")
    other = claim(-6.2, "6.2%", source="a3", metric="share_price_change", unit="percent", kind="percent")
    sides = conflicts.sides_of([up_to, other, more])
    assert {tuple(sorted(c.text for c in s.claims)) for s in sides} == {("33.1%", "逾33%"), ("6.2%",)}
