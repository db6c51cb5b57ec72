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
    change_break_re: re.Pattern[str]  # a turn to something else between a figure and a change
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
    addition_re: re.Pattern[str]  # "on top of $28 billion", 连同首期280亿美元: more of the same
    date_roles: tuple[tuple[str, frozenset[str], re.Pattern[str] | None, re.Pattern[str] | None], ...]
    sequential_before_re: re.Pattern[str] = re.compile(r"(?!x)x")  # 环比增长 | 12.4%
    sequential_after_re: re.Pattern[str] = re.compile(r"(?!x)x")  # 8.2% | sequentially
    comparison_re: re.Pattern[str] = re.compile(r"(?!x)x")  # 12.4% | from the 81,850 units
    sequential_of: dict[str, str] | None = None  # a growth metric → its quarter-on-quarter one


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
    roles = []
    for i, entry in enumerate(data.get("date_roles") or []):
        where = f"date_roles entry {i + 1}"
        if not isinstance(entry, dict) or not entry.get("metric") or not (entry.get("after") or entry.get("before")):
            raise RuleError(rules.path_of(name), where, "each needs a metric and an `after` or `before` pattern")
        after_rx = rules.check_regex(name, where, str(entry["after"])) if entry.get("after") else None
        before_rx = rules.check_regex(name, where, str(entry["before"]) + "$") if entry.get("before") else None
        kinds = frozenset(rules.string_list(name, where, entry.get("kinds") or ["year", "date"]))
        roles.append((str(entry["metric"]), kinds, after_rx, before_rx))
    change_of: dict[str, str] = {}
    for m in data.get("metrics") or []:
        if isinstance(m, dict) and m.get("level") and "percent" in (m.get("kinds") or []) and not m.get("units"):
            change_of.setdefault(str(m["level"]), str(m["name"]))
    names = {str(m["name"]) for m in data.get("metrics") or [] if isinstance(m, dict) and m.get("name")}
    sequential = rules.string_list(name, "sequential_words", data.get("sequential_words") or [])
    return MetricRules(
        sequential_before_re=_compile(sequential, suffix=r"[^,，;；。:：\n\d]{0,6}$"),
        sequential_after_re=_compile(sequential, prefix=r"^\s*(?:growth\s*)?"),
        comparison_re=_compile(rules.string_list(name, "comparison_markers", data.get("comparison_markers") or []),
                               prefix=r"^\s*"),
        sequential_of={g: f"{g}_qoq" for g in change_of.values() if f"{g}_qoq" in names},
        change_re=_compile(change),
        change_break_re=_compile(rules.string_list(name, "change_breaks", data.get("change_breaks") or [])),
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
        addition_re=_compile(rules.string_list(name, "addition_markers", data.get("addition_markers") or []),
                             suffix=r"[^,，;；。:：\n]{0,10}$"),
        date_roles=tuple(roles),
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
        if c["kind"] == "money" and mr.addition_re.search(text, max(0, c["start"] - ADDITION_BEFORE), c["start"]):
            _added_to(order, i, generic)
    for i, c in enumerate(order):
        if c["kind"] == "percent" and c.get("metric") in (mr.sequential_of or {}):
            _sequential(text, order, i, mr)
    listed: tuple[int, str] | None = None  # the end and modifier of the facility count before
    for c in order:
        if c["kind"] == "count":
            listed = _counted_noun(text, c, mr, listed)
        elif c["kind"] in ("date", "year"):
            _date_role(text, c, mr)


def _note(c: dict[str, Any], note: str) -> None:
    c["explanation"] = (c.get("explanation") or "") + "; " + note


def _change_of_previous(text: str, prev: dict[str, Any], c: dict[str, Any], mr: MetricRules,
                        generic: frozenset[str]) -> None:
    """"delivered 124,000 vehicles, up 31%": the change is of the figure just before it."""
    change = mr.change_of.get(prev.get("metric") or "")
    if change is None or change == c.get("metric") or prev["kind"] not in ("money", "count"):
        return
    gap = text[prev["end"] : c["start"]]
    if len(gap) > CHANGE_GAP or any(ch in gap for ch in _HARD_STOPS) or not mr.change_re.search(gap) \
            or mr.change_break_re.search(gap):
        return
    trigger = c.get("_mtrig")
    # A metric of the change's own, named between the two figures (营收…，净利同比增长), stands.
    if c.get("metric") not in generic and trigger is not None and prev["end"] <= trigger[0] < c["start"]:
        return
    c["metric"] = change
    _note(c, f"metric {change}: the change of {prev['text']!r} just before it")


SEQUENTIAL_BEFORE = 12
BASE_AFTER = 16


def _sequential(text: str, order: list[dict[str, Any]], i: int, mr: MetricRules) -> None:
    """"环比增长12.4%", "up 8.2% sequentially", "rose 12.4% from the 81,850 units handed over in
    the second quarter": growth over the previous quarter, another figure than over a year."""
    c = order[i]
    qoq = (mr.sequential_of or {})[c["metric"]]
    why = None
    if mr.sequential_before_re.search(text, max(0, c["start"] - SEQUENTIAL_BEFORE), c["start"]):
        why = "a word of the previous quarter before it"
    elif mr.sequential_after_re.search(text[c["end"] : c["end"] + 40]):
        why = "a word of the previous quarter after it"
    elif i + 1 < len(order):
        base = order[i + 1]
        if base["kind"] in ("count", "money") and base["start"] - c["end"] <= BASE_AFTER \
                and mr.comparison_re.search(text[c["end"] : base["start"]]) \
                and _quarter_before(base.get("period"), c.get("period")):
            why = f"measured from {base['text']!r}, a figure of the quarter before"
    if why:
        c["metric"] = qoq
        _note(c, f"metric {qoq}: {why}")


def _quarter_before(early: str | None, late: str | None) -> bool:
    """2025-Q2 before 2025-Q3, 2024-Q4 before 2025-Q1."""
    if not early or not late or len(early) != 7 or len(late) != 7 or early[5] != "Q" or late[5] != "Q":
        return False
    try:
        a, b = int(early[:4]) * 4 + int(early[6]), int(late[:4]) * 4 + int(late[6])
    except ValueError:
        return False
    return b - a == 1


GAP_BEFORE = 80


def _gap(text: str, c: dict[str, Any], mr: MetricRules) -> None:
    """"the gap between their deliveries narrowed to 6,500 units": the gap in deliveries."""
    lo = max(0, c["start"] - GAP_BEFORE)
    found = mr.gap_re.search(text, lo, c["start"])
    if found is None:  # the usual case: looked at once, cheaply
        return
    stop = max(text.rfind(ch, found.start(), c["start"]) for ch in "。.;；\n")
    if stop >= 0 and not mr.gap_re.search(text, stop + 1, c["start"]):
        return  # the gap word is in an earlier sentence
    metric = str(c["metric"]).removesuffix("_change") + "_gap"
    c["metric"] = metric
    _note(c, f"metric {metric}: a gap between two figures")


ADDITION_BEFORE = 24
ADDITION_REACH = 400


def _added_to(order: list[dict[str, Any]], i: int, generic: frozenset[str]) -> None:
    """"$42 billion, on top of $28 billion announced in 2023", 连同首期280亿美元: the amount
    added to is the same kind of money as the amount named before it."""
    c = order[i]
    for k in range(i - 1, max(-1, i - 1 - RECEIVED_LOOKBACK), -1):
        o = order[k]
        if c["start"] - o["end"] > ADDITION_REACH:
            return
        if o["kind"] == "money" and o.get("metric") not in generic:
            if o["metric"] != c.get("metric"):
                c["metric"] = o["metric"]
                _note(c, f"metric {o['metric']}: added to {o['text']!r}, the same kind of money")
            return


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


def _counted_noun(text: str, c: dict[str, Any], mr: MetricRules,
                  listed: tuple[int, str] | None) -> tuple[int, str] | None:
    """A count whose own noun says what it counts: 9个国家, 4座晶圆厂, "two new plants".

    Returns where a facility count's noun ends and the modifier it took (new, total,
    first_phase), for the next one in a list ("兴建3座晶圆厂、1座封装厂及1座研发中心": all
    three are new)."""
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
            return None
        found = [f for f in mr.noun_re.finditer(text, max(lo, start - NOUN_BEFORE), start)
                 if len(f.group()) > 1 and mr.noun_metric[f.group().lower()][1]]
        if not found:
            return None
        noun = found[-1]
        before = text[noun.end() : start]
    metric, facility = mr.noun_metric[noun.group().lower()]
    kind: str | None = None
    if facility:
        tail_end = noun.end()
        while tail_end < min(len(text), noun.end() + 6) and text[tail_end] not in _CLAUSE_STOPS:
            tail_end += 1
        kind = _modifier(mr, after) or _modifier(mr, before) or _modifier(mr, text[noun.end() : tail_end])
        if kind is None and listed is not None and mr.list_re.fullmatch(text[listed[0] : start]):
            kind = listed[1]
        if kind:
            metric = MODIFIER_FORMS[kind].format(metric)
    if metric != c.get("metric"):
        c["metric"] = metric
        _note(c, f"metric {metric}: it counts {noun.group()!r}")
    return (max(noun.end(), end), kind) if facility and kind else None


def _modifier(mr: MetricRules, window: str) -> str | None:
    """The modifier nearest the end of the window (the one next to the number)."""
    found = list(mr.modifier_re.finditer(window))
    return mr.modifier_kind[found[-1].group().lower()] if found else None


def _date_role(text: str, c: dict[str, Any], mr: MetricRules) -> None:
    """What the words right around a date make it: a deadline (在2027年前), a start (自4月1日起)."""
    for metric, kinds, after_rx, before_rx in mr.date_roles:
        if c["kind"] not in kinds:
            continue
        if (after_rx is not None and after_rx.match(text, c["end"])) or \
                (before_rx is not None and before_rx.search(text, max(0, c["start"] - 40), c["start"])):
            if c.get("metric") != metric:
                c["metric"] = metric
                _note(c, f"metric {metric}: by the words right around it")
            return
    if c["kind"] == "date":
        _statement_day(text, c, mr)


def _statement_day(text: str, c: dict[str, Any], mr: MetricRules) -> None:
    """"said on Dec. 3 that", 经济部3日表示: the day of the statement, not of what it says."""
    if c.get("metric") == "event_date":
        return
    if mr.statement_after_re.match(text, c["end"]) or mr.statement_before_re.search(text, max(0, c["start"] - 20), c["start"]):
        c["metric"] = "event_date"
        _note(c, "metric event_date: the day a statement was made")
