"""Revisions of forward-looking figures: guidance, budgets and cost estimates are revised by
later sources, reported results are not. Claims built by hand (fictional company, figures)."""

from __future__ import annotations

import itertools

import pytest

from extractor import conflicts
from extractor.attribute import metric_info
from extractor.conflicts import Claim

_ids = itertools.count()


def claim(value: float, text: str, *, source: str, published: str, metric: str, lang: str = "en",
          unit: str = "HKD", kind: str = "money", modality: str = "asserted", qualifier: str = "exact",
          value_max: float | None = None, period: str | None = None, basis: str | None = None,
          sentence: str | None = None) -> Claim:
    n = next(_ids)
    return Claim(f"r{n}", source, sentence or f"{source}:{n}", source, published, lang, "Quillmoor Logistics", None,
                 metric, unit, kind, value, value_max, None, qualifier, False, period, basis, modality, 0.9,
                 f"Outlet {source}", text)


@pytest.fixture(params=["scalar", "arrays"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    # The same kinds whichever pairing engine runs.
    if request.param == "arrays":
        monkeypatch.setattr(conflicts, "ARRAY_PAIRS", 0)
    else:
        monkeypatch.setattr(conflicts, "ARRAY_PAIRS", 10**9)
    return str(request.param)


def kinds(claims: list[Claim], metric: str, unit: str = "HKD") -> list[str]:
    return [c.kind for c in conflicts.compare(conflicts.sides_of(claims), "Quillmoor Logistics", metric, unit, [])]


@pytest.mark.parametrize("metric", ["guidance_revenue", "guidance_deliveries", "price_target", "capex",
                                    "severance_cost"])
def test_forward_looking_metrics_are_changeable(metric: str) -> None:
    info = metric_info(metric)
    assert info is not None and info.changeable


@pytest.mark.parametrize("metric", ["revenue", "eps", "net_income"])
def test_reported_results_are_not_changeable(metric: str) -> None:
    info = metric_info(metric)
    assert info is not None and not info.changeable


@pytest.mark.parametrize(("early", "late"), [
    (("HK$2.35 billion", "en"), ("HK$2.61 billion", "en")),
    (("23.5亿港元", "zh"), ("26.1亿港元", "zh")),
    (("23.5億港元", "zh"), ("HK$2.61 billion", "en")),
])
def test_an_estimate_revised_by_a_later_estimate_is_superseded(path: str, early: tuple[str, str],
                                                                late: tuple[str, str]) -> None:
    found = kinds([claim(2.35e9, early[0], source="o1", published="2026-02-03", metric="severance_cost",
                         lang=early[1], modality="estimated"),
                   claim(2.35e9, early[0], source="o2", published="2026-02-03", metric="severance_cost",
                         lang=early[1], modality="estimated"),
                   claim(2.61e9, late[0], source="o3", published="2026-02-24", metric="severance_cost",
                         lang=late[1], modality="estimated")], "severance_cost")
    assert found == ["superseded"]


def test_estimates_a_day_apart_disagree_rather_than_revise(path: str) -> None:
    found = kinds([claim(2.35e9, "HK$2.35 billion", source="o1", published="2026-02-03", metric="severance_cost",
                         modality="estimated"),
                   claim(2.35e9, "HK$2.35 billion", source="o2", published="2026-02-03", metric="severance_cost",
                         modality="estimated"),
                   claim(2.61e9, "26.1亿港元", source="o3", published="2026-02-04", metric="severance_cost",
                         lang="zh", modality="estimated")], "severance_cost")
    assert found == ["contradiction"]


def test_an_estimate_against_a_final_figure_stays_a_proposal(path: str) -> None:
    found = kinds([claim(2.35e9, "HK$2.35 billion", source="o1", published="2026-02-03", metric="severance_cost",
                         modality="estimated"),
                   claim(2.61e9, "HK$2.61 billion", source="o2", published="2026-03-20", metric="severance_cost"),
                   claim(2.61e9, "26.1億港元", source="o3", published="2026-03-21", metric="severance_cost",
                         lang="zh")], "severance_cost")
    assert found == ["proposal_vs_final"]


def test_reported_revenue_printed_differently_later_is_a_contradiction(path: str) -> None:
    found = kinds([claim(4.27e9, "$4.27 billion", source="o1", published="2026-02-03", metric="revenue", unit="USD"),
                   claim(4.27e9, "42.7亿美元", source="o2", published="2026-02-03", metric="revenue", unit="USD",
                         lang="zh"),
                   claim(4.72e9, "47.2億美元", source="o3", published="2026-02-24", metric="revenue", unit="USD",
                         lang="zh")], "revenue", "USD")
    assert found == ["contradiction"]


def test_estimates_of_a_running_total_are_not_revisions(path: str) -> None:
    # A cumulative metric only treats settled figures as a growing total.
    cumulative = [m for m in ("investment_total", "deliveries_cumulative", "users")
                  if (i := metric_info(m)) is not None and i.cumulative and not i.changeable]
    if not cumulative:
        pytest.skip("no cumulative metric in the rules")
    metric = cumulative[0]
    found = kinds([claim(2.0e9, "$2 billion", source="o1", published="2026-02-03", metric=metric, unit="USD",
                         modality="estimated"),
                   claim(2.0e9, "20亿美元", source="o2", published="2026-02-03", metric=metric, unit="USD", lang="zh",
                         modality="estimated"),
                   claim(2.6e9, "$2.6 billion", source="o3", published="2026-02-24", metric=metric, unit="USD",
                         modality="estimated")], metric, "USD")
    assert found == ["contradiction"]


# ---------------------------------------------------------------------------
# Bounds: a figure near a rough one is not reconciled by rounding when the rough one's
# qualifier bounds it away ("more than 20%" against 18%).

def share(value: float, text: str, source: str, qualifier: str, lang: str = "en") -> Claim:
    return claim(value, text, source=source, published="2026-02-03", metric="layoff_share", lang=lang,
                 unit="percent", kind="percent", qualifier=qualifier,
                 modality="proposed" if "三成" in text else "asserted")


def share_kinds(claims: list[Claim]) -> list[str]:
    return kinds(claims, "layoff_share", "percent")


@pytest.mark.parametrize(("rough", "qualifier", "expected"), [
    ("逾两成", "more_than", ["contradiction"]),       # 18% is not more than 20%
    ("超過兩成", "more_than", ["contradiction"]),     # Traditional
    ("more than 20%", "more_than", ["contradiction"]),
    ("两成", "exact", []),                            # 18% written to the 成
    ("約兩成", "about", []),
    ("at most 15%", "up_to", ["contradiction"]),      # 18% is above the ceiling
])
def test_a_bound_is_kept_at_any_precision(path: str, rough: str, qualifier: str, expected: list[str]) -> None:
    value = 15.0 if "15" in rough else 20.0
    found = share_kinds([share(18.0, "about 18%", "o1", "about"), share(18.0, "18%", "o2", "about"),
                         share(value, rough, "o3", qualifier, "en" if rough.isascii() else "zh")])
    assert found == expected


def test_a_bound_the_precise_figure_meets_is_still_rounding(path: str) -> None:
    found = share_kinds([share(17.42, "17.42%", "o1", "exact"), share(17.42, "17.42%", "o2", "exact"),
                         share(17.0, "more than 17%", "o3", "more_than")])
    assert found == []


# ---------------------------------------------------------------------------
# A later article that states the old target and the new one reports the revision.

def target(lo: float, hi: float, text: str, source: str, published: str, lang: str = "en",
           period: str = "2026") -> Claim:
    return claim(lo, text, source=source, published=published, metric="guidance_deliveries", lang=lang,
                 unit="count", kind="count", modality="estimated", qualifier="range", value_max=hi,
                 period=period, basis="explicit")


def targets(later_day: str, new_period: str = "2026") -> list[str]:
    return kinds([target(4e4, 4.2e4, "40,000 to 42,000 vehicles", "o1", "2026-01-10"),
                  target(4e4, 4.2e4, "4万至4.2万辆", "o2", "2026-01-10", "zh"),
                  target(4e4, 4.2e4, "4萬至4.2萬輛", "o3", later_day, "zh"),
                  target(4.5e4, 4.7e4, "4.5萬至4.7萬輛", "o3", later_day, "zh", new_period)],
                 "guidance_deliveries", "count")


def test_a_later_article_restating_the_old_target_reports_a_revision(path: str) -> None:
    assert targets("2026-02-20") == ["superseded"]


def test_the_same_day_an_articles_two_targets_are_its_own_difference(path: str) -> None:
    assert targets("2026-01-10") == ["internal"]


def test_a_figure_for_another_period_beside_the_target_is_not_a_revision(path: str) -> None:
    assert targets("2026-02-20", "2026-Q4") == ["internal"]


# A budget raised on results day, reported the day after by outlets that give the old
# figure beside the new one ("raised to 3.6 from 3.0"): each figure's first appearance is
# days apart, so it is a revision, not a same-day disagreement.

def budget(value: float, text: str, source: str, published: str, lang: str = "en") -> Claim:
    return claim(value, text, source=source, published=published, metric="capex", modality="estimated",
                 period="2026", basis="explicit", lang=lang)


@pytest.mark.parametrize(("old", "new", "lang"), [
    ("HK$3.0 billion", "HK$3.6 billion", "en"),
    ("30亿港元", "36亿港元", "zh"),
    ("30億港元", "36億港元", "zh"),
])
def test_a_budget_raised_and_restated_beside_the_old_one_is_superseded(path: str, old: str, new: str,
                                                                      lang: str) -> None:
    found = kinds([budget(3.0e9, old, "o1", "2026-03-02", lang),
                   budget(3.0e9, old, "o2", "2026-03-05", lang), budget(3.6e9, new, "o2", "2026-03-05", lang),
                   budget(3.0e9, old, "o3", "2026-03-06", lang), budget(3.6e9, new, "o3", "2026-03-06", lang),
                   budget(3.6e9, new, "o4", "2026-03-06", lang)], "capex")
    assert found == ["superseded"]


def test_a_budget_printed_differently_the_next_day_is_a_contradiction(path: str) -> None:
    found = kinds([budget(3.0e9, "HK$3.0 billion", "o1", "2026-03-02"), budget(3.0e9, "30亿港元", "o2", "2026-03-02", "zh"),
                   budget(3.6e9, "36億港元", "o3", "2026-03-03", "zh")], "capex")
    assert found == ["contradiction"]


# ---------------------------------------------------------------------------
# A proposal is not a total of the final figure and another one.

def tranche(value: float, text: str, source: str, modality: str = "asserted", lang: str = "en") -> Claim:
    return claim(value, text, source=source, published="2026-03-02", metric="funding_tranche", unit="USD",
                 modality=modality, lang=lang)


def kinds_of(claims: list[Claim], which: Claim) -> list[str]:
    found = conflicts.compare(conflicts.sides_of(claims), "Quillmoor Logistics", "funding_tranche", "USD", [])
    return [c.kind for c in found if which.id in {x.id for x in [*c.a, *c.b]}]


def test_a_proposal_against_the_final_figure_is_not_a_total_of_parts(path: str) -> None:
    sought = tranche(7e8, "sought $700 million", "o1", "proposed")
    claims = [sought, tranche(5.5e8, "$550 million", "o2"), tranche(5.5e8, "5.5亿美元", "o3", lang="zh"),
              tranche(1.5e8, "$150 million", "o4")]
    assert kinds_of(claims, sought) == ["proposal_vs_final"]


def test_settled_parts_still_make_a_total(path: str) -> None:
    total = tranche(7e8, "$700 million", "o1")
    claims = [total, tranche(5.5e8, "$550 million", "o2"), tranche(5.5e8, "5.5亿美元", "o3", lang="zh"),
              tranche(1.5e8, "$150 million", "o4")]
    assert kinds_of(claims, total) == []


# ---------------------------------------------------------------------------
# Market figures are of one day: a close the lede dates in one month is not a close in another.

def close(value: float, text: str, source: str, published: str, period: str, basis: str,
          modality: str = "asserted", lang: str = "en", metric: str = "share_price") -> Claim:
    return claim(value, text, source=source, published=published, metric=metric, unit="EUR", lang=lang,
                 modality=modality, period=period, basis=basis)


@pytest.mark.parametrize("modality", ["asserted", "proposed"])
def test_closes_months_apart_are_different_days(path: str, modality: str) -> None:
    # The earlier close is quoted beside an offer (read as proposed, or not): still that day's.
    found = kinds([close(41.3, "上周五收盘价41.3欧元", "o1", "2026-04-14", "2026-04-14", "context", modality, "zh"),
                   close(44.85, "€44.85", "o2", "2026-06-09", "2026-06", "article")], "share_price", "EUR")
    assert found == []


def test_closes_of_one_day_still_disagree(path: str) -> None:
    found = kinds([close(41.3, "41.3欧元", "o1", "2026-04-14", "2026-04-14", "context", lang="zh"),
                   close(41.3, "€41.30", "o2", "2026-04-14", "2026-04", "article"),
                   close(43.1, "€43.10", "o3", "2026-04-14", "2026-04", "article")], "share_price", "EUR")
    assert found == ["contradiction"]


def test_a_flow_keeps_the_quarter_its_lede_names_open(path: str) -> None:
    # Not a market figure: a quarter the lede names stays comparable with an article's month.
    found = kinds([claim(4.27e9, "$4.27 billion", source="o1", published="2026-02-03", metric="revenue", unit="USD",
                         period="2025-Q4", basis="context"),
                   claim(4.27e9, "$4.27 billion", source="o2", published="2026-02-03", metric="revenue", unit="USD",
                         period="2025-Q4", basis="context"),
                   claim(4.72e9, "47.2億美元", source="o3", published="2026-02-04", metric="revenue", unit="USD",
                         lang="zh", period="2026-02", basis="article")], "revenue", "USD")
    assert found == ["contradiction"]


def test_a_settled_bound_is_not_folded_into_a_proposal(path: str) -> None:
    # 30% under discussion and "more than 20%" reported as settled are two disagreements
    # with the 18% announced: one a proposal's fate, the other a contradiction.
    found = share_kinds([share(30.0, "近三成", "o1", "about", "zh"), share(18.0, "about 18%", "o2", "about"),
                         share(18.0, "18%", "o3", "about"), share(20.0, "逾两成", "o4", "more_than", "zh")])
    assert sorted(found) == ["contradiction", "proposal_vs_final"]


# ---------------------------------------------------------------------------
# A bound the precise figure meets at its written precision ("more than 17%" of a 17.42%
# fall) is rounding: it stands beside a real misprint (17.24%) without being accused.

def fall(value: float, text: str, source: str, lang: str = "en", qualifier: str = "exact") -> Claim:
    return claim(value, text, source=source, published="2026-03-02", metric="share_price_change", unit="percent",
                 kind="percent", qualifier=qualifier, lang=lang)


@pytest.mark.parametrize(("bound", "misprint", "lang"), [
    ("more than 17%", "17.24%", "en"),
    ("跌逾17%", "跌17.24%", "zh"),
    ("下跌超過17%", "下跌17.24%", "zh"),
])
def test_a_bound_the_figure_meets_is_not_a_side_of_the_misprint(path: str, bound: str, misprint: str,
                                                                 lang: str) -> None:
    claims = [fall(-17.42, "17.42%", "o1"), fall(-17.42, "17.42%", "o2"), fall(-17.4, "17.4%", "o3"),
              fall(-17.0, bound, "o4", lang, "more_than"), fall(-17.24, misprint, "o5", lang)]
    found = list(conflicts.compare(conflicts.sides_of(claims), "Quillmoor Logistics", "share_price_change",
                                   "percent", []))
    assert [c.kind for c in found] == ["contradiction"]
    assert {c.text for c in found[0].a + found[0].b} == {misprint, "17.42%", "17.4%"}


# ---------------------------------------------------------------------------
# A flow over a named part of a year is for that part, however the year was read: the
# previous quarter's deliveries ("the second quarter", relative) are not the quarter the
# lede names (context), nor is a nine-month total one quarter's.

def delivered(value: float, text: str, source: str, period: str, basis: str, lang: str = "en") -> Claim:
    return claim(value, text, source=source, published="2025-10-03", metric="deliveries", unit="count",
                 kind="count", period=period, basis=basis, lang=lang)


@pytest.mark.parametrize(("q3", "q2", "nine", "lang"), [
    ("138,400 vehicles", "112,000 units", "347,000 vehicles", "en"),
    ("13.84万辆", "11.2万辆", "34.7万辆", "zh"),
    ("13.84萬輛", "11.2萬輛", "34.7萬輛", "zh"),
])
def test_flows_of_other_parts_of_the_year_are_different_periods(path: str, q3: str, q2: str, nine: str,
                                                                lang: str) -> None:
    claims = [delivered(138400, q3, "o1", "2025-Q3", "context", lang), delivered(138400, q3, "o2", "2025-Q3", "relative"),
              delivered(112000, q2, "o3", "2025-Q2", "relative", lang),
              delivered(347000, nine, "o4", "2025-9M", "relative", lang)]
    reconciled: list = []
    found = list(conflicts.compare(conflicts.sides_of(claims), "Quillmoor Logistics", "deliveries", "count",
                                   reconciled))
    assert found == []
    assert {r.reason for r in reconciled} == {"different_period"}


def test_a_year_figure_stays_comparable_with_its_quarters(path: str) -> None:
    claims = [delivered(138400, "138,400 vehicles", "o1", "2025-Q3", "context"),
              delivered(138400, "138,400 vehicles", "o2", "2025-Q3", "relative"),
              delivered(131000, "131,000 vehicles", "o3", "2025", "relative")]
    assert [c.kind for c in conflicts.compare(conflicts.sides_of(claims), "Quillmoor Logistics", "deliveries",
                                              "count", [])] == ["contradiction"]


# ---------------------------------------------------------------------------
# The two language halves of one article disagree only when a half lacks the other figure:
# a Chinese half that gives both the new commitment and the earlier one, beside an English
# summary that gives the new one, holds its own second figure, not a mistranslation.

def commitment(value: float, text: str, source: str, lang: str) -> Claim:
    return claim(value, text, source=source, published="2026-03-02", metric="investment", unit="USD", lang=lang)


@pytest.mark.parametrize(("new", "old"), [("420亿美元", "280亿美元"), ("420億美元", "280億美元")])
def test_a_half_that_gives_both_figures_is_no_translation_mismatch(path: str, new: str, old: str) -> None:
    claims = [commitment(4.2e10, "$42 billion", "o1", "en"), commitment(4.2e10, new, "o2", "zh"),
              commitment(2.8e10, old, "o3", "zh"),
              commitment(4.2e10, new, "brief", "zh"), commitment(2.8e10, old, "brief", "zh"),
              commitment(4.2e10, "US$42 billion", "brief", "en")]
    found = conflicts.compare(conflicts.sides_of(claims), "Quillmoor Logistics", "investment", "USD", [])
    assert "translation_mismatch" not in [c.kind for c in found]


def test_a_half_that_lacks_the_figure_is_a_translation_mismatch(path: str) -> None:
    claims = [commitment(4.2e10, "$42 billion", "o1", "en"), commitment(4.2e10, "420亿美元", "o2", "zh"),
              commitment(4.2e9, "42億美元", "brief", "zh"), commitment(4.2e10, "US$42 billion", "brief", "en")]
    found = conflicts.compare(conflicts.sides_of(claims), "Quillmoor Logistics", "investment", "USD", [])
    assert "translation_mismatch" in [c.kind for c in found]
