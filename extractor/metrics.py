"""Metric refinements that need more than the nearest trigger word.

`attribute._metric` names what a number measures from the trigger closest to it. Some
readings need the claims around it or the noun the number counts:

- a change that follows the figure it changes: "delivered 124,000 vehicles, up 31%",
  "净收益88亿元（约合…），同比增长12%" (the growth of deliveries, of net income);
- a count whose own head noun says what it counts: "在9个国家", "4座晶圆厂", "two new
  plants", with what the sentence says of them (new ones, the total, the first phase);
- the day a statement was made: "said on Dec. 3 that …", "经济部3日表示";
- money someone receives, named by no word of its own, after a subsidy or a funding named
  just before: "a ¥90 billion subsidy programme … Kinta will receive ¥30 billion".

Every word list comes from `rules/metrics.yaml` (`change_words`, `statement_verbs`,
`counted_nouns`, `count_modifiers`, `receive_verbs`, `received_metrics`). Each pass looks at a claim and its neighbour or at a
few dozen characters around it, never the whole article: attribution stays linear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from extractor import rules
from extractor.errors import RuleError
from extractor.scan import _alternation

# How far a change may stand from the figure it changes, and what may not lie between.
CHANGE_GAP = 40
_HARD_STOPS = "。；;.!?！？\n"
# How far around a count its noun and modifiers are read.
HEAD_AFTER = 40
MODIFIER_BEFORE = 14
NOUN_BEFORE = 10
_CLAUSE_STOPS = ",，;；。.!?！？:：\n"
MODIFIER_FORMS = {"new": "new_{}", "total": "{}_total", "first_phase": "{}_first_phase"}


@dataclass(frozen=True)
class MetricRules:
    change_re: re.Pattern[str]
    statement_after_re: re.Pattern[str]
    statement_before_re: re.Pattern[str]
    noun_re: re.Pattern[str]
    noun_metric: dict[str, tuple[str, bool]]  # lowered noun → (metric, is a facility)
    modifier_re: re.Pattern[str]
    modifier_kind: dict[str, str]  # lowered word → new | total | first_phase
    change_of: dict[str, str]  # level metric → the metric of its change in percent
    receive_re: re.Pattern[str]  # ends right before the amount: "will receive up to"
    received: frozenset[str]  # metrics a received amount may carry on from
    list_re: re.Pattern[str]  # "¥18 billion and ¥9 billion": the second one of a list
    gap_re: re.Pattern[str]  # the gap between two figures of one metric


def _never() -> re.Pattern[str]:
    return re.compile(r"(?!x)x")


def _compile(words: list[str], suffix: str = "", prefix: str = "") -> re.Pattern[str]:
    return re.compile(prefix + "(?:" + _alternation(words) + ")" + suffix, re.IGNORECASE) if words else _never()


@cache
def metric_rules() -> MetricRules:
    data = rules.load("metrics")
    name = "metrics"
    change = rules.string_list(name, "change_words", data.get("change_words") or [])
    statement = data.get("statement_verbs") or {}
    if not isinstance(statement, dict):
        raise RuleError(rules.path_of(name), "statement_verbs", "needs `after` and `before` word lists")
    after = rules.string_list(name, "statement_verbs.after", statement.get("after") or [])
    before = rules.string_list(name, "statement_verbs.before", statement.get("before") or [])
    noun_metric: dict[str, tuple[str, bool]] = {}
    for i, entry in enumerate(data.get("counted_nouns") or []):
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("nouns"):
            raise RuleError(rules.path_of(name), f"counted_nouns entry {i + 1}", "each needs a name and nouns")
        for noun in rules.string_list(name, str(entry["name"]), entry["nouns"]):
            noun_metric[noun.lower()] = (str(entry["name"]), bool(entry.get("facility", False)))
    modifier_kind: dict[str, str] = {}
    mods = data.get("count_modifiers") or {}
    if not isinstance(mods, dict):
        raise RuleError(rules.path_of(name), "count_modifiers", "needs lists under new, total, first_phase")
    for kind, words in mods.items():
        if kind not in MODIFIER_FORMS:
            raise RuleError(rules.path_of(name), f"count_modifiers.{kind}", f"use one of {', '.join(MODIFIER_FORMS)}")
        for w in rules.string_list(name, f"count_modifiers.{kind}", words):
            modifier_kind[w.lower()] = str(kind)
    receive = rules.string_list(name, "receive_verbs", data.get("receive_verbs") or [])
    received = rules.string_list(name, "received_metrics", data.get("received_metrics") or [])
    change_of: dict[str, str] = {}
    for m in data.get("metrics") or []:
        if isinstance(m, dict) and m.get("level") and "percent" in (m.get("kinds") or []) and not m.get("units"):
            change_of.setdefault(str(m["level"]), str(m["name"]))
    return MetricRules(
        change_re=_compile(change),
        statement_after_re=_compile(after, prefix=r"\s*"),
        statement_before_re=_compile(before, suffix=r"\s*$"),
        noun_re=_compile(list(noun_metric)),
        noun_metric=noun_metric,
        modifier_re=_compile(list(modifier_kind)),
        modifier_kind=modifier_kind,
        change_of=change_of,
        receive_re=_compile(receive, suffix=r"(?:\s*(?:up to|as much as|about|roughly|nearly|最高|最多|约|約|逾|近))?\s*$"),
        received=frozenset(received),
        gap_re=_compile(rules.string_list(name, "gap_words", data.get("gap_words") or [])),
        list_re=re.compile(r"\s*(?:and|or|,|，|、|和|及|与|與)\s*$", re.IGNORECASE),
    )


def refine(text: str, order: list[dict[str, Any]], generic: frozenset[str]) -> None:
    """Apply the three refinements to an article's claims, in text order.

    `generic` names the metrics a bare word gives (growth, share): a change after a figure
    replaces those, and a specific metric whose trigger word stands after the change."""
    mr = metric_rules()
    prev = None
    for c in order:
        if c["kind"] == "percent" and prev is not None:
            _change_of_previous(text, prev, c, mr, generic)
        if c["kind"] not in ("year", "date"):  # "raised $5.9 billion in the first half of 2025, up 35%"
            prev = c
    for c in order:
        if c["kind"] in ("money", "count", "percent") and c.get("metric") not in generic:
            _gap(text, c, mr)
    for i, c in enumerate(order):
        if c["kind"] == "money" and c.get("metric") in generic:
            _received(text, order, i, mr, generic)
    for c in order:
        if c["kind"] == "count":
            _counted_noun(text, c, mr)
        elif c["kind"] == "date":
            _statement_day(text, c, mr)


def _note(c: dict[str, Any], note: str) -> None:
    c["explanation"] = (c.get("explanation") or "") + "; " + note


def _change_of_previous(text: str, prev: dict[str, Any], c: dict[str, Any], mr: MetricRules,
                        generic: frozenset[str]) -> None:
    """"delivered 124,000 vehicles, up 31%": the change is of the figure just before it."""
    change = mr.change_of.get(prev.get("metric") or "")
    if change is None or change == c.get("metric") or prev["kind"] not in ("money", "count"):
        return
    gap = text[prev["end"] : c["start"]]
    if len(gap) > CHANGE_GAP or any(ch in gap for ch in _HARD_STOPS) or not mr.change_re.search(gap):
        return
    trigger = c.get("_mtrig")
    # A metric of the change's own, named between the two figures (营收…，净利同比增长), stands.
    if c.get("metric") not in generic and trigger is not None and prev["end"] <= trigger[0] < c["start"]:
        return
    c["metric"] = change
    _note(c, f"metric {change}: the change of {prev['text']!r} just before it")


GAP_BEFORE = 80


def _gap(text: str, c: dict[str, Any], mr: MetricRules) -> None:
    """"the gap between their deliveries narrowed to 6,500 units": the gap in deliveries."""
    lo = max(0, c["start"] - GAP_BEFORE)
    stop = max(text.rfind(ch, lo, c["start"]) for ch in "。.;；\n")
    if not mr.gap_re.search(text, max(lo, stop + 1), c["start"]):
        return
    metric = str(c["metric"]).removesuffix("_change") + "_gap"
    c["metric"] = metric
    _note(c, f"metric {metric}: a gap between two figures")


RECEIVED_LOOKBACK = 12  # claims
RECEIVED_REACH = 900  # characters: the paragraph before, not the article


def _received(text: str, order: list[dict[str, Any]], i: int, mr: MetricRules, generic: frozenset[str]) -> None:
    """"Kinta will receive ¥30 billion": an amount received, with no word of its own,
    is the subsidy (or funding) named in the claims just before it."""
    c = order[i]
    prev = order[i - 1] if i else None
    listed = (prev is not None and prev.get("_received") and prev["kind"] == "money"
              and mr.list_re.match(text[prev["end"] : c["start"]]) is not None)
    if not listed and not mr.receive_re.search(text, max(0, c["start"] - 30), c["start"]):
        return
    for k in range(i - 1, max(-1, i - 1 - RECEIVED_LOOKBACK), -1):
        o = order[k]
        if c["start"] - o["end"] > RECEIVED_REACH:
            return
        if o["kind"] == "money" and o.get("metric") in mr.received:
            c["metric"], c["_received"] = o["metric"], True
            _note(c, f"metric {o['metric']}: an amount received, after {o['text']!r}")
            nxt = order[i + 1] if i + 1 < len(order) else None
            if nxt is not None and nxt.get("_converts") and nxt.get("metric") in generic:
                nxt["metric"] = o["metric"]
                _note(nxt, f"metric {o['metric']}: the same amount as {c['text']!r}")
            return
        if o["kind"] == "money" and o.get("metric") not in generic:
            return  # another kind of money stands between


def _counted_noun(text: str, c: dict[str, Any], mr: MetricRules) -> None:
    """A count whose own noun says what it counts: 9个国家, 4座晶圆厂, "two new plants"."""
    start, end = c["start"], c["end"]
    noun = None
    m = None
    for m in mr.noun_re.finditer(text, start, end):  # the noun inside the span: the last one
        noun = m
    after = text[start : noun.start()] if noun is not None else ""  # "two original fabs"
    if noun is None:
        # "three new fabs": up to three words, or a classifier, between the number and its noun.
        stop = end
        limit = min(len(text), end + HEAD_AFTER)
        while stop < limit and text[stop] not in _CLAUSE_STOPS:
            stop += 1
        m = mr.noun_re.search(text, end, stop)
        if m is not None:
            between = text[end : m.start()]
            # Latin words only: in Chinese the classifier and its noun are in the span.
            if between.isascii() and len(between.split()) <= 3 and len(between) <= 24:
                noun, after = m, between
    lo = max(0, start - MODIFIER_BEFORE)
    for k in range(start - 1, lo - 1, -1):
        if text[k] in _CLAUSE_STOPS:
            lo = k + 1
            break
    before = text[lo:start]
    if noun is None:
        # "晶圆厂将增至5座": a facility named a little before a bare classifier count.
        if len(re.sub(r"[\d.,\s]", "", c["text"])) > 1:
            return
        found = [f for f in mr.noun_re.finditer(text, max(lo, start - NOUN_BEFORE), start)
                 if len(f.group()) > 1 and mr.noun_metric[f.group().lower()][1]]
        if not found:
            return
        noun = found[-1]
        before = text[noun.end() : start]
    metric, facility = mr.noun_metric[noun.group().lower()]
    if facility:
        tail_end = noun.end()
        while tail_end < min(len(text), noun.end() + 6) and text[tail_end] not in _CLAUSE_STOPS:
            tail_end += 1
        kind = _modifier(mr, after) or _modifier(mr, before) or _modifier(mr, text[noun.end() : tail_end])
        if kind:
            metric = MODIFIER_FORMS[kind].format(metric)
    if metric != c.get("metric"):
        c["metric"] = metric
        _note(c, f"metric {metric}: it counts {noun.group()!r}")


def _modifier(mr: MetricRules, window: str) -> str | None:
    """The modifier nearest the end of the window (the one next to the number)."""
    found = list(mr.modifier_re.finditer(window))
    return mr.modifier_kind[found[-1].group().lower()] if found else None


def _statement_day(text: str, c: dict[str, Any], mr: MetricRules) -> None:
    """"said on Dec. 3 that", 经济部3日表示: the day of the statement, not of what it says."""
    if c.get("metric") == "event_date":
        return
    if mr.statement_after_re.match(text, c["end"]) or mr.statement_before_re.search(text, max(0, c["start"] - 20), c["start"]):
        c["metric"] = "event_date"
        _note(c, "metric event_date: the day a statement was made")
