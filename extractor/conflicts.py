"""Where sources disagree: group claims about the same thing, compare them as intervals,
and say what kind of disagreement each is.

Claims are grouped by subject + metric + unit (never across currencies: amounts are not
converted). Inside a group, values are intervals (超过130亿 is [13e9, ∞), "about 27%" is
27 ± rounding), so 超过130亿 agrees with 130亿. Agreeing claims form one side; each pair
of sides that cannot both be true is a conflict of one kind:

- translation_mismatch: two language versions inside one article disagree;
- proposal_vs_final: a proposed, planned or forecast figure against an asserted one;
- superseded: a later source reports a changed term (metric marked `changeable`, or a
  higher running total for a `cumulative` one);
- rounding: a round or vague figure against a precise one it could be rounded from;
- contradiction: anything else;
- extraction_doubt: a side resting only on low-confidence attribution, kept apart so a
  parsing slip is not reported as a source disagreement.

Each dissenting side is compared with the best-supported side only, and a conflict lists
the dissenting claims and at most ten of the best-supported side's (the summary gives
their full count). Groups are recomputed only when their claims changed since the last run.
"""

from __future__ import annotations

import gc
import hashlib
import heapq
import json
import math
import multiprocessing
import sqlite3
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import chain, compress
from json.encoder import encode_basestring as _quote_utf8  # the same with ensure_ascii=False
from json.encoder import encode_basestring_ascii as _quote  # what json.dumps writes for a str
from operator import attrgetter, itemgetter, not_
from typing import Any

import numpy as np
import sqlite_utils

from extractor import align, reconcile
from extractor.attribute import Metric, lexicon, metric_info
from extractor.conflict_rows import _Rows, _Writer
from extractor.reconcile import Reconciliation, written_half_unit

LOW_CONFIDENCE = 0.5
TENTATIVE = ("proposed", "planned", "conditional")
# Metrics that name no comparable fact: each event_date is a different event.
NOT_COMPARED_FALLBACK = ("event_date", "period_duration")


@dataclass(slots=True)
class Claim:
    id: str
    article_id: str
    sentence_id: str | None
    source: str  # the independent source: a syndicated copy counts as its original
    published: str | None
    lang: str
    subject: str
    object: str | None
    metric: str
    unit: str
    kind: str
    value: float | None
    value_max: float | None
    date: str | None
    qualifier: str
    vague: bool
    period: str | None
    period_basis: str | None
    modality: str
    confidence: float
    outlet: str | None = None
    text: str = ""  # the figure as written: it says the precision (100亿 is ±0.5亿, not ±50亿)
    inferred: bool = False  # the subject is the article's main subject, not read beside the figure
    # Derived once: every claim of a group is labelled, clustered and compared.
    label: str = field(init=False, repr=False, compare=False)
    tentative: bool = field(init=False, repr=False, compare=False)
    # Written roughly: vague, "about", or a bound ("more than 12%", 逾12%), which a precise
    # figure meets at the bound's written precision (see _rounds_to).
    approximate: bool = field(init=False, repr=False, compare=False)
    lo: float = field(init=False, repr=False, compare=False)
    hi: float = field(init=False, repr=False, compare=False)
    bounded: bool = field(init=False, repr=False, compare=False)
    when: str | None = field(init=False, repr=False, compare=False)  # the period compared, and how it was set
    basis: int = field(init=False, repr=False, compare=False)
    half: float = field(init=False, repr=False, compare=False)  # half a unit of its last written digit

    def __post_init__(self) -> None:
        # What the figure as written gives (precision, label, interval) is the same for
        # every claim that writes it alike: a group repeats a few figures many times.
        key = (self.kind, self.unit, self.value, self.value_max, self.text, self.qualifier, self.vague, self.date)
        derived = _DERIVED.get(key)
        if derived is None:
            derived = self._figure()
            if len(_DERIVED) >= _DERIVED_MAX:
                _DERIVED.clear()
            _DERIVED[key] = derived
        self.half, self.label, self.lo, self.hi, self.bounded = derived
        if self.period_basis == "explicit" or (self.period_basis == "context" and _market(self.metric)):
            # A market figure's day named by the lede ("closed at ... last Friday") is as
            # much its day as one written beside it: a close in July is not one in September.
            self.when, self.basis = _comparable_period(self)
        elif self.period_basis in ("relative", "context") and _named_part(self.period) and _flow(self.metric):
            # A flow over a named part of a year ("the second quarter", 10月, the quarter the
            # lede names) is for that part whichever year it was read in: Q2 deliveries are
            # not Q3's, nor a nine-month total one quarter's.
            self.when, self.basis = self.period, _BASIS["explicit"]
        else:
            self.when, self.basis = self.period, _BASIS.get(self.period_basis or "", 0)
        self.tentative = self._tentative()
        self.approximate = self.vague or self.qualifier == "about" or self.qualifier in _BOUND

    def _figure(self) -> tuple[float, str, float, float, bool]:
        """(half, label, lo, hi, bounded): what the fields of the figure as written give."""
        share = self.kind == "percent"
        # Worked out once: intervals, rounding and the reconciled listing all read it.
        self.half = written_half_unit(self.value, self.text, share, self.qualifier == "about" and not share) \
            if self.value else 0.0
        lo, hi = _interval(self) if self.value is not None else (0.0, 0.0)
        bounded = (not self.vague and self.qualifier in ("exact", "about", "range")
                   and math.isfinite(lo) and math.isfinite(hi))
        return self.half, self._label(), lo, hi, bounded

    def _label(self) -> str:
        if self.kind in ("year", "date"):
            return self.date or "?"
        if self.value is None:
            return "?"
        return _value_label(self.value, self.value_max, self.unit)

    def _tentative(self) -> bool:
        """A proposal, plan, condition or forecast rather than a settled figure."""
        if self.modality in TENTATIVE:
            return True
        # A modal before a date or a length ("这可能导致六年联盟解体") rarely hedges the
        # figure itself, which the sentence presupposes.
        return self.modality == "estimated" and self.kind not in ("year", "date", "duration")


# Claim._figure by the fields it reads, emptied when full: memory stays bounded.
_DERIVED: dict[tuple[Any, ...], tuple[float, str, float, float, bool]] = {}
_DERIVED_MAX = 1 << 16


@dataclass
class Side:
    claims: list[Claim] = field(default_factory=list)
    lo: float = -math.inf
    hi: float = math.inf
    date: str | None = None
    # Derived figures, each with the number of claims it was computed from: a side is
    # read many times once built (a best-supported side once per dissenting figure).
    _sources: tuple[int, int] = field(default=(-1, 0), repr=False, compare=False)
    _latest: tuple[int, str] = field(default=(-1, ""), repr=False, compare=False)
    _label: tuple[int, str] = field(default=(-1, ""), repr=False, compare=False)

    @property
    def sources(self) -> int:
        if self._sources[0] != len(self.claims):
            self._sources = (len(self.claims), len({c.source for c in self.claims}))
        return self._sources[1]

    @property
    def label(self) -> str:
        if self._label[0] != len(self.claims):
            self._label = (len(self.claims), _side_label(self))
        return self._label[1]

    @property
    def latest(self) -> str:
        if self._latest[0] != len(self.claims):
            self._latest = (len(self.claims), max((c.published or "") for c in self.claims))
        return self._latest[1]


@lru_cache(maxsize=4096)
def _value_label(value: float, value_max: float | None, unit: str) -> str:
    lo = human_number(value)
    if value_max is not None:
        lo = f"{lo}–{human_number(value_max)}"
    # A count is its own unit ("3,000", not "3,000 count"); a multiplier reads 3×.
    return lo if unit == "count" else f"{lo}×" if unit == "multiplier" else f"{lo} {unit}"


def human_number(v: float) -> str:
    """13000000000 → '13 billion'; 27 → '27'."""
    if abs(v) >= 1000 and abs(v - round(v)) < 1e-6 * abs(v):
        v = float(round(v))  # 57.3亿 read as 5730000000.000001
    if v == int(v) and abs(v) < 1e18:
        n = int(v)
        for div, word in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million")):
            if abs(n) >= div and n % (div // 100) == 0:
                return f"{n / div:g} {word}"
        return f"{n:,}"
    return f"{v:g}"


def _side_label(side: Side) -> str:
    return _labels({c.label for c in side.claims})


def _labels(labels: set[str]) -> str:
    return " / ".join(sorted(labels)[:3])


def _interval(c: Claim) -> tuple[float, float]:
    """The values a claim allows. Qualifiers apply to the magnitude: a fall of more than
    9% (-9, more_than) allows -9 and below, a fall of up to 33% allows -33 to 0."""
    assert c.value is not None
    v = c.value
    if c.value_max is not None:
        return min(v, c.value_max), max(v, c.value_max)
    m = abs(v)
    q = c.qualifier
    if c.vague:
        lo, hi = (m, math.inf) if q == "at_least" else (m, m * 10)
    elif q in ("more_than", "at_least"):
        lo, hi = m, math.inf
    elif q in ("up_to", "less_than"):
        lo, hi = 0.0, m
    else:
        # A figure as written covers what rounds to it: 27.4万 is 273,500-274,500. About a
        # figure is that figure rounded, at its own precision ("about 57億" is 56.5-57.5億,
        # never 75.1億), trailing zeros included for amounts ("about 30亿" is 25-35亿) but
        # not for percentages written in digits ("约40%" is not 35%): see Claim.half.
        tol = c.half * (1 - 1e-9)  # bounds left out: "$2 billion" and "$3 billion" do not meet at 2.5
        lo, hi = m - tol, m + tol
    return (lo, hi) if v >= 0 else (-hi, -lo)


def _dates_agree(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


# How a claim's period was set, for comparing periods: written in the text, or the
# article's own date (its month). Relative periods (今年, last year) stay open.
_BASIS = {"explicit": 1, "article": 2}


@lru_cache(maxsize=4096)
def _market(metric: str | None) -> bool:
    info = metric_info(metric) if metric else None
    return info is not None and info.market


@lru_cache(maxsize=4096)
def _flow(metric: str | None) -> bool:
    info = metric_info(metric) if metric else None
    return info is not None and info.flow


def _named_part(period: str | None) -> bool:
    """A quarter, half, nine months or month of a year (2025-Q3, 2025-9M, 2025-10), not a
    year or a day."""
    return bool(period) and len(period or "") in (7, 8) and (period or "")[4:5] == "-"


def _comparable_period(c: Claim) -> tuple[str | None, int]:
    """The period a claim is compared on and how it was set (_BASIS). A written day that
    is its article's own, give or take one ("announced on Thursday"), is the news day
    rather than the time the figure is about: it counts as the article's month."""
    basis = 1 if c.period_basis == "context" else _BASIS.get(c.period_basis or "", 0)  # a market day from the lede
    p = c.period
    if basis == 1 and p and len(p) == 10 and c.published and p[:7] == c.published[:7]:
        day, published = reconcile.parse_day(p), reconcile.parse_day(c.published)
        if day is not None and published is not None and abs((day - published).days) <= 1:
            return c.published[:7], 2
    return p, basis


def _periods_compatible(a: Claim, b: Claim) -> bool:
    """Periods set the same way must overlap at their precision: two written periods
    (Q2 against Q3), or two figures dated only by their articles, months apart (a share
    price in July against one in September). Otherwise the periods are open."""
    if a.basis == 0 or a.basis != b.basis:
        return True
    if a.basis == 2 and a.tentative != b.tentative and not _market(a.metric):
        # A proposal comes before the final figure: months apart by nature. A market
        # figure is never a proposal (a close quoted beside an offer is still that day's).
        return True
    return bool(a.when and b.when and _dates_agree(a.when, b.when))


def sides_of(claims: list[Claim]) -> list[Side]:
    """Cluster claims into sides that agree. Figures as written (exact at their precision,
    ranges) anchor the sides; approximate ones (约, about) then join the side they fit
    nearest, so "about 57億" cannot bridge 57.1億 and 75.1億; open-ended ones (超过, up
    to, 数十亿) last. A figure that fits no side makes one of its own."""
    if not claims:
        return []
    if claims[0].kind in ("year", "date"):
        by_date: dict[str, Side] = {}
        for c in sorted(claims, key=lambda c: len(c.date or "")):
            key = next((k for k in by_date if _dates_agree(k, c.date or "")), c.date or "")
            side = by_date.setdefault(key, Side(date=key))
            side.claims.append(c)
        return list(by_date.values())
    sides: list[Side] = []
    anchored = sorted((c for c in claims if c.bounded and c.qualifier != "about"), key=lambda c: c.lo)
    for c in anchored:
        lo, hi = c.lo, c.hi
        for side in sides:
            if lo <= side.hi and side.lo <= hi:
                side.claims.append(c)
                side.lo, side.hi = max(side.lo, lo), min(side.hi, hi)
                break
        else:
            sides.append(Side([c], lo, hi))
    about = sorted((c for c in claims if c.bounded and c.qualifier == "about"), key=lambda c: c.lo)
    open_ended = [c for c in claims if not c.bounded]
    if len(open_ended) > 1:
        # Those far from every side first, so that "up to 21%" can join "more than 20%"
        # rather than whichever bounded figure it happened to meet before it.
        bounded = list(sides)
        open_ended.sort(key=lambda c: -min((_distance(c.value or 0.0, s) for s in bounded
                                            if c.lo <= s.hi and s.lo <= c.hi), default=math.inf))
    for c in chain(about, open_ended):
        lo, hi = c.lo, c.hi
        fits = [s for s in sides if lo <= s.hi and s.lo <= hi]
        if not c.bounded and not c.tentative:
            # A settled open-ended figure ("more than 20%") does not merely fit a proposal
            # (30% under discussion): it is its own report, compared on its own.
            fits = [s for s in fits if not all(map(_TENTATIVE, s.claims))]
        if fits:
            value = c.value or 0.0
            # The side nearest the figure as written (0 inside it), bounded sides first on a tie.
            best = min(fits, key=lambda s: (_distance(value, s), not math.isfinite(s.lo + s.hi)))
            best.claims.append(c)
            first = best.claims[0]
            if not first.bounded or first.qualifier == "about":
                best.lo, best.hi = max(best.lo, lo), min(best.hi, hi)
        else:
            sides.append(Side([c], lo, hi))
    return sides


def _distance(value: float, side: Side) -> float:
    """How far a value lies outside a side's interval (0 inside it)."""
    return max(side.lo - value, value - side.hi, 0.0)


_ID, _SOURCE, _PUBLISHED, _LABEL = attrgetter("id"), attrgetter("source"), attrgetter("published"), attrgetter("label")
_TENTATIVE, _OBJECT, _PERIOD = attrgetter("tentative"), attrgetter("object"), attrgetter("period")
_VALUE, _CONFIDENCE, _OUTLET = attrgetter("value"), attrgetter("confidence"), attrgetter("outlet")
_ROWID = itemgetter(1)  # of a row of DIRTY_CLAIMS_QUERY


class Figures:
    """What a conflict's id, summary and rows read of one of its lists of claims.

    The best-supported side's list is often thousands of claims long and the same for
    many dissenting figures; working these out once per distinct list, rather than once
    per conflict, is most of detection's time on a one-story database."""

    __slots__ = ("claims", "ids_json", "sources", "labels", "periods", "first_value", "confidences",
                 "_latest", "_by_tentative", "_objects", "_listed")

    def __init__(self, claims: list[Claim]) -> None:
        # Attributes read with map() and sets rather than per-claim Python loops; those
        # only some kinds of conflict read are worked out when first read.
        self.claims = claims
        self.ids_json = _json_strings(sorted(map(_ID, claims)))
        self.sources = set(map(_SOURCE, claims))
        self.labels = set(map(_LABEL, claims))
        self.periods = {p for p in set(map(_PERIOD, claims)) if p}
        self.first_value = next(filter(None, map(_VALUE, claims)), None)  # what `_ratio` reads
        self.confidences = list(map(_CONFIDENCE, claims))
        self._latest: str | None = None
        self._by_tentative: tuple[set[str], set[str]] | None = None
        self._objects: set[str] | None = None
        self._listed: list[Claim] | None = None

    @property
    def label(self) -> str:
        return _labels(self.labels)

    @property
    def latest(self) -> str:
        if self._latest is None:
            self._latest = max((d or "" for d in set(map(_PUBLISHED, self.claims))), default="")
        return self._latest

    @property
    def tentative_labels(self) -> set[str]:
        return self._tentative_split()[0]

    @property
    def final_labels(self) -> set[str]:
        return self._tentative_split()[1]

    def _tentative_split(self) -> tuple[set[str], set[str]]:
        if self._by_tentative is None:
            tentative = list(map(_TENTATIVE, self.claims))
            if any(tentative):
                labels = list(map(_LABEL, self.claims))
                self._by_tentative = set(compress(labels, tentative)), set(compress(labels, map(not_, tentative)))
            else:
                self._by_tentative = set(), self.labels
        return self._by_tentative

    @property
    def objects(self) -> set[str]:
        if self._objects is None:
            self._objects = {o for o in set(map(_OBJECT, self.claims)) if o}
        return self._objects

    @property
    def listed(self) -> list[Claim]:
        if self._listed is None:
            self._listed = _listed(self.claims)
        return self._listed


@dataclass
class Conflict:
    kind: str
    subject: str
    metric: str
    unit: str
    a: list[Claim]
    b: list[Claim]
    severity: str = "medium"
    summary: str = ""
    best: Side | None = None
    confidence: float = 0.0
    undecided: bool = False  # as many independent sources on each side: no best value
    # Figures of `a` and `b`, worked out when first read; `b`'s may come shared.
    a_figures: Figures | None = field(default=None, repr=False, compare=False)
    b_figures: Figures | None = field(default=None, repr=False, compare=False)

    @property
    def figures(self) -> tuple[Figures, Figures]:
        if self.a_figures is None:
            self.a_figures = Figures(self.a)
        if self.b_figures is None:
            self.b_figures = Figures(self.b)
        return self.a_figures, self.b_figures

    @property
    def id(self) -> str:
        fa, fb = self.figures
        # json.dumps of [kind, subject, metric, unit, sorted a ids, sorted b ids], the id
        # lists encoded once per list.
        key = _json_prefix(self.kind, self.subject, self.metric, self.unit) + f"{fa.ids_json}, {fb.ids_json}]"
        return hashlib.sha256(key.encode()).hexdigest()[:16]


def _json_prefix(*values: str | None) -> str:
    """json.dumps of a list that starts with `values`, up to where the next item goes."""
    return "[" + "".join((_quote(v) if isinstance(v, str) else json.dumps(v)) + ", " for v in values)


def _json_strings(values: Iterable[str]) -> str:
    """json.dumps of a list of strings, without the encoder's per-call set-up."""
    return "[" + ", ".join(map(_quote, values)) + "]"


def _pair_kind(a: Claim, b: Claim, info: Metric | None) -> str:
    if min(a.confidence, b.confidence) < LOW_CONFIDENCE:
        return "extraction_doubt"
    if a.source == b.source:
        # One article against itself: its two language versions, or two of its own
        # sentences, never "sources" that contradict each other.
        return "translation_mismatch" if a.lang != b.lang else "internal"
    if a.tentative != b.tentative:
        return "proposal_vs_final"
    approximate = a.approximate or b.approximate
    if a.kind not in ("year", "date") and approximate and (_rounds_to(a, b) or _rounds_to(b, a)):
        return "rounding"
    if a.source != b.source and a.published and b.published and a.published != b.published:
        later, earlier = (a, b) if a.published > b.published else (b, a)
        # Both sides are as settled as each other here (a proposal against a final figure
        # was caught above), so an estimate revised by a later estimate (guidance raised,
        # a cost estimate revised up) is a revision like a final term changed.
        if info is not None and info.changeable:
            return "superseded"
        if a.tentative or b.tentative:
            return "contradiction"
        if info is not None and info.cumulative and later.value is not None and earlier.value is not None:
            return "superseded" if later.value > earlier.value else "contradiction"
    return "contradiction"


def _rounds_to(rough: Claim, precise: Claim) -> bool:
    """Could the precise figure be written as the rough one?"""
    if rough.value is None or precise.value is None or rough.value == 0:
        return False
    if rough.vague:
        return abs(rough.value) <= abs(precise.value) < abs(rough.value) * 10
    # A bound is a bound at any precision: 18% is near 20% but not "more than 20%" (逾两成).
    bound = _BOUND.get(rough.qualifier or "", 0)
    if bound and (abs(precise.value) - abs(rough.value)) * bound < 0:
        return False
    return abs(precise.value - rough.value) <= rough.half


# Qualifiers that bound a figure's magnitude: from below (+1) or above (-1).
_BOUND = {"more_than": 1, "at_least": 1, "up_to": -1, "less_than": -1}


KINDS = ("extraction_doubt", "translation_mismatch", "internal", "proposal_vs_final", "rounding", "superseded",
         "contradiction")
# Kinds that oppose two different sources; one disagreement between sources gets one of
# them (`_one_kind`), in this order of preference when as many claims point to each.
BETWEEN_SOURCES = ("superseded", "proposal_vs_final", "contradiction")
# Past this many claim pairs a group is compared with arrays rather than pair by pair.
ARRAY_PAIRS = 1024
# Pairs compared in one block of arrays: bounds memory whatever the size of a group.
BLOCK_PAIRS = 1 << 18

# For each dissenting side, kind → (its claims, the best-supported side's claims with
# their figures) that pair up with that kind, each list in order of first pairing.
Pairing = dict[str, tuple[list[Claim], Figures]]
# Distinct lists of the best-supported side's claims whose figures are kept per group: each
# can be a megabyte on a one-story database; 8 find nearly all the reuse 64 find (peak
# memory on 20,000 articles 117 MB rather than 174 MB, main's 110 MB).
SHARED_FIGURES = 8


def compare(sides: list[Side], subject: str, metric: str, unit: str,
            reconciled: list[Reconciliation] | None = None) -> Iterator[Conflict]:
    """Each side's disagreement with the best-supported side (extractor/disagreements.py)."""
    return disagreements.compare(sides, subject, metric, unit, reconciled)


def _pair_up(others: list[Side], center: Side, info: Metric | None, across_time: bool) -> list[Pairing]:
    """Pair by pair: the reference for `_pair_up_arrays`, and faster on small groups."""
    found = []
    for other in others:
        by_kind: dict[str, tuple[dict[str, Claim], dict[str, Claim]]] = {}
        for a in other.claims:
            for b in center.claims:
                if not across_time and not _periods_compatible(a, b):
                    continue
                if a.sentence_id is not None and a.sentence_id == b.sentence_id:
                    continue  # "from 15 亿 to 1750 亿": a change told in one sentence
                kind = _pair_kind(a, b, info)
                left, right = by_kind.setdefault(kind, ({}, {}))
                left[a.id] = a
                right[b.id] = b
        found.append({k: (list(left.values()), Figures(list(right.values()))) for k, (left, right) in by_kind.items()})
    return found


class _Columns:
    """What `_pair_kind` reads of each claim, as arrays (strings as shared codes)."""

    def __init__(self, claims: list[Claim], codes: dict[str, dict[Any, int]], published: dict[str, int]) -> None:
        def code(table: str, value: Any) -> int:
            return codes[table].setdefault(value, len(codes[table]))

        n = len(claims)
        self.low = np.fromiter((c.confidence < LOW_CONFIDENCE for c in claims), bool, n)
        self.source = np.fromiter((code("source", c.source) for c in claims), np.int64, n)
        self.lang = np.fromiter((code("lang", c.lang) for c in claims), np.int64, n)
        self.sentence = np.fromiter((-1 if c.sentence_id is None else code("sentence", c.sentence_id) for c in claims),
                                    np.int64, n)
        self.period = np.fromiter((code("period", c.when) if c.when else -1 for c in claims), np.int64, n)
        self.basis = np.fromiter((c.basis for c in claims), np.int64, n)
        self.tentative = np.fromiter((c.tentative for c in claims), bool, n)
        self.approximate = np.fromiter((c.approximate for c in claims), bool, n)
        self.dated = np.fromiter((c.kind in ("year", "date") for c in claims), bool, n)
        self.vague = np.fromiter((c.vague for c in claims), bool, n)
        self.has_value = np.fromiter((c.value is not None for c in claims), bool, n)
        self.value = np.fromiter((math.nan if c.value is None else c.value for c in claims), np.float64, n)
        # How far a precise figure may be from this one, read as a rough figure.
        self.slack = np.fromiter((c.half if c.value else math.nan for c in claims), np.float64, n)
        self.bound = np.fromiter((_BOUND.get(c.qualifier or "", 0) for c in claims), np.int64, n)
        self.published = np.fromiter((published.get(c.published or "", -1) for c in claims), np.int64, n)

    def rows(self, start: int, stop: int) -> dict[str, np.ndarray]:
        return {k: v[start:stop, None] for k, v in vars(self).items()}

    def cols(self) -> dict[str, np.ndarray]:
        return {k: v[None, :] for k, v in vars(self).items()}


def _rounds_to_arrays(rough: dict[str, np.ndarray], precise: dict[str, np.ndarray]) -> np.ndarray:
    """`_rounds_to` over arrays that broadcast against each other."""
    rv, pv = rough["value"], precise["value"]
    usable = rough["has_value"] & precise["has_value"] & (rv != 0)
    vague = (rv <= pv) & (pv < rv * 10)
    near = (np.abs(pv - rv) <= rough["slack"]) & ((np.abs(pv) - np.abs(rv)) * rough["bound"] >= 0)
    return usable & np.where(rough["vague"], vague, near)


def _pair_up_arrays(others: list[Side], center: Side, info: Metric | None, across_time: bool) -> Iterator[Pairing]:
    """`_pair_up` on a block of pairs at a time: the same kinds, claims and order.

    Each side's pairing is yielded as soon as the blocks have passed its last claim, so
    memory holds the sides of one block, not every side's columns at once."""
    rows = [c for s in others for c in s.claims]
    codes: dict[str, dict[Any, int]] = {"source": {}, "lang": {}, "sentence": {}, "period": {}}
    dates = sorted({c.published for c in [*rows, *center.claims] if c.published})
    published = {d: i for i, d in enumerate(dates)}
    a_all, b_cols = _Columns(rows, codes, published), _Columns(center.claims, codes, published)
    changeable = info is not None and info.changeable
    cumulative = info is not None and info.cumulative and not changeable
    market = info is not None and info.market
    # The best-supported side's claims compared once per class of claims no comparison
    # tells apart: the kinds of a class's pairs are those of each of its claims.
    reps, class_of = _column_classes(a_all, b_cols, across_time, changeable or cumulative)
    b = {k: v[None, reps] for k, v in vars(b_cols).items()}
    periods = list(codes["period"])
    # agree[i, j]: periods i and j can be the same; the last row and column stand for none.
    agree = np.zeros((len(periods) + 1, len(periods) + 1), bool)
    if not across_time:
        for i, p in enumerate(periods):
            for j, q in enumerate(periods):
                agree[i, j] = _dates_agree(p, q)
    width = len(center.claims)
    none = len(rows) * width  # larger than any position
    # Per side and kind: its rows, the first row each class pairs with, the first pair.
    side_of = np.repeat(np.arange(len(others)), [len(s.claims) for s in others])
    found: list[dict[int, tuple[list[int], np.ndarray, int]]] = [{} for _ in others]
    ends = np.cumsum([len(s.claims) for s in others]).tolist()  # one past each side's last row
    done = 0  # sides yielded so far
    shared: OrderedDict[bytes, Figures] = OrderedDict()  # by the columns listed, most recent last
    step = max(1, BLOCK_PAIRS // len(reps))
    for start in range(0, len(rows), step):
        stop = min(start + step, len(rows))
        a = a_all.rows(start, stop)
        valid = ~((a["sentence"] == b["sentence"]) & (a["sentence"] >= 0))
        if not across_time:
            valid &= ~((a["basis"] == b["basis"]) & (a["basis"] > 0) & ~agree[a["period"], b["period"]]
                       & ~((a["basis"] == 2) & (a["tentative"] != b["tentative"]) & (not market)))
        conditions = [
            ~valid,
            a["low"] | b["low"],
            (a["source"] == b["source"]) & (a["lang"] != b["lang"]),
            a["source"] == b["source"],
            a["tentative"] != b["tentative"],
            (a["approximate"] | b["approximate"]) & ~a["dated"] & (_rounds_to_arrays(a, b) | _rounds_to_arrays(b, a)),
        ]
        if changeable or cumulative:
            later = (a["source"] != b["source"]) & (a["published"] >= 0) & (b["published"] >= 0) \
                & (a["published"] != b["published"])
            if cumulative:
                later &= ~a["tentative"] & ~b["tentative"]
                higher = np.where(a["published"] > b["published"], a["value"] > b["value"], b["value"] > a["value"])
                later &= higher & a["has_value"] & b["has_value"]
            conditions.append(later)
        kinds = np.select(conditions, [-1, *range(len(conditions) - 1)], default=KINDS.index("contradiction"))
        index = np.arange(start, stop)
        sides = side_of[start:stop]
        # Where each side's rows begin inside this block.
        cuts = np.flatnonzero(np.r_[True, sides[1:] != sides[:-1]])
        # The kinds present (-1, an uncompared pair, counts in the first bin).
        for kind in np.flatnonzero(np.bincount(kinds.ravel() + 1, minlength=len(KINDS) + 1)[1:]).tolist():
            hit = kinds == kind
            any_row = hit.any(axis=1)
            # Classes are in order of their first column, so the first class hit holds the
            # first column hit.
            first_pair = np.where(any_row, index * width + reps[hit.argmax(axis=1)], none)
            first_row = np.where(hit, index[:, None], none)
            side_first_pair = np.minimum.reduceat(first_pair, cuts)
            side_first_row = np.minimum.reduceat(first_row, cuts, axis=0)
            for n, cut in enumerate(cuts):
                if side_first_pair[n] == none:
                    continue
                end = cuts[n + 1] if n + 1 < len(cuts) else stop - start
                side = int(sides[cut])
                hits = (index[cut:end][any_row[cut:end]]).tolist()
                if int(kind) in found[side]:
                    old_rows, old_first, old_pair = found[side][int(kind)]
                    found[side][int(kind)] = (old_rows + hits, np.minimum(old_first, side_first_row[n]),
                                              min(old_pair, int(side_first_pair[n])))
                else:
                    found[side][int(kind)] = (hits, side_first_row[n], int(side_first_pair[n]))
        while done < len(others) and ends[done] <= stop:
            yield _pairing(found[done], rows, center, class_of, none, shared)
            found[done] = {}
            done += 1
    for by_kind in found[done:]:
        yield _pairing(by_kind, rows, center, class_of, none, shared)


def _column_classes(a: _Columns, b: _Columns, across_time: bool, by_date: bool) -> tuple[np.ndarray, np.ndarray]:
    """Classes of b's claims that compare alike with every claim of a: the first column of
    each class (ascending) and each column's class.

    Codes that matter only by equality with a's (source, sentence) or by order against
    them (publication date) are rewritten first, in both, so that claims differing only
    there share a class; codes a comparison does not read are blanked."""
    b.source = np.where(np.isin(b.source, a.source), b.source, -2)  # equal to none of a's
    b.lang = np.where(b.source == -2, -1, b.lang)  # read only beside an equal source
    b.sentence = np.where(np.isin(b.sentence, a.sentence), b.sentence, -1)
    if across_time:
        b.period, b.basis = np.full_like(b.period, -1), np.zeros_like(b.basis)
    else:
        b.period = np.where(b.basis > 0, b.period, -1)
    if by_date:
        # a's dates become odd codes in their order, each of b's even between them unless
        # it is one of a's: every test of a's date against b's (>=0, !=, >) is unchanged.
        known = np.unique(a.published[a.published >= 0])
        for cols in (a, b):
            at = np.searchsorted(known, cols.published)
            same = known[np.minimum(at, len(known) - 1)] == cols.published if len(known) else False
            cols.published = np.where(cols.published < 0, -1, 2 * at + same)
    else:
        b.published = np.full_like(b.published, -1)
    key = np.stack([v.view(np.int64) if v.dtype == np.float64 else v.astype(np.int64) for v in vars(b).values()])
    _, first, inverse = np.unique(key, axis=1, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return first[order], rank[inverse.reshape(-1)]


def _pairing(by_kind: dict[int, tuple[list[int], np.ndarray, int]], rows: list[Claim], center: Side,
             class_of: np.ndarray, none: int, shared: OrderedDict[bytes, Figures]) -> Pairing:
    pairing: Pairing = {}
    for kind, (hits, first_of_class, _) in sorted(by_kind.items(), key=lambda item: item[1][2]):
        first = first_of_class[class_of]  # the first row each column pairs with
        cols = np.flatnonzero(first < none)
        order = cols[np.lexsort((cols, first[cols]))]
        key = order.tobytes()
        figures = shared.get(key)
        if figures is None:
            figures = shared[key] = Figures([center.claims[j] for j in order.tolist()])
            if len(shared) > SHARED_FIGURES:
                shared.popitem(last=False)
        else:
            shared.move_to_end(key)
        pairing[KINDS[kind]] = ([rows[i] for i in hits], figures)
    return pairing


def _best(conflict: Conflict, a_side: Side, b_side: Side) -> Side | None:
    """Which side the evidence favours; None when it favours neither."""
    a, b = Side(conflict.a, a_side.lo, a_side.hi, a_side.date), Side(conflict.b, b_side.lo, b_side.hi, b_side.date)
    fa, fb = conflict.figures
    if conflict.kind == "superseded":
        return a if fa.latest >= fb.latest else b
    if conflict.kind == "proposal_vs_final":
        return a if not all(c.tentative for c in a.claims) else b
    if conflict.kind == "translation_mismatch":
        # The version that agrees with the rest of the group wins.
        return a if a_side.sources >= b_side.sources else b
    full_a, full_b = a_side.sources, b_side.sources
    if full_a != full_b:
        return a_side if full_a > full_b else b_side
    return None  # a tie is undecided: being published later is no evidence


def _describe(conflict: Conflict, a_side: Side, b_side: Side) -> Conflict:
    best = _best(conflict, a_side, b_side)
    conflict.best = best
    conflict.undecided = best is None
    fa, fb = conflict.figures
    a_lab, b_lab = fa.label, fb.label
    a_src, b_src = len(fa.sources), len(fb.sources)
    info = metric_info(conflict.metric)
    label = info.label if info else conflict.metric.replace("_", " ")
    if info is not None and info.symmetric and (fa.objects or fb.objects):
        what = f"the {conflict.subject}–{min(fa.objects | fb.objects)} {label}"
    else:
        what = f"{conflict.subject}'s {label}"
    What = what[0].upper() + what[1:]
    ratio = _ratio(conflict)
    tail = f" (a {ratio:g}-fold gap, the size of a slipped magnitude)" if ratio and ratio >= 9.5 and abs(math.log10(ratio) - round(math.log10(ratio))) < 0.02 else ""
    # Only the sentence for this kind is built: some read every claim again.
    texts: dict[str, Callable[[], str]] = {
        "translation_mismatch": lambda: f"The two language versions of one article disagree on {what}: {a_lab} against {b_lab}{tail}.",
        "proposal_vs_final": lambda: f"{What} was proposed or forecast as {_tentative_label(conflict)} but stated as {_final_label(conflict)}.",
        "superseded": lambda: f"{What} changed over time: {_older_label(conflict)} earlier, {_newer_label(conflict)} in the later source.",
        "rounding": lambda: f"{What}: {a_lab} and {b_lab} differ only by rounding or vagueness.",
        "extraction_doubt": lambda: f"Possible extraction slip, not a source disagreement: {a_lab} against {b_lab} for {what}, read with low confidence.",
        "contradiction": lambda: f"Sources contradict each other on {what}: {a_lab} ({a_src} source{'s' if a_src != 1 else ''}) against {b_lab} ({b_src} source{'s' if b_src != 1 else ''}){tail}.",
        "internal": lambda: f"One article gives two figures for {what}: {a_lab} and {b_lab}"
                            f"{' (one conditional, planned or proposed)' if fa.tentative_labels or fb.tentative_labels else ''}"
                            f"{tail}; check whether both sentences are about the same thing.",
    }
    conflict.summary = texts[conflict.kind]()
    if conflict.undecided and conflict.kind in ("contradiction", "internal", "extraction_doubt"):
        conflict.summary += " Undecided: as many independent sources give each figure."
    conflict.severity = {
        "contradiction": "high" if tail or (ratio and ratio >= 1.5) else "medium",
        "translation_mismatch": "high",
        "proposal_vs_final": "low",
        "superseded": "low",
        "rounding": "info",
        "extraction_doubt": "info",
        "internal": "low",
    }[conflict.kind]
    # The same additions in the same order as summing over a + b.
    conflict.confidence = round(sum(chain(fa.confidences, fb.confidences)) / (len(conflict.a) + len(conflict.b)), 2)
    return conflict


def _ratio(c: Conflict) -> float | None:
    """How many times the first nonzero figure of one list is the other's."""
    fa, fb = c.figures
    if fa.first_value is None or fb.first_value is None or c.a[0].kind in ("year", "date"):
        return None
    x, y = sorted([abs(fa.first_value), abs(fb.first_value)])
    return y / x if x else None


def _tentative_label(c: Conflict) -> str:
    fa, fb = c.figures
    return _labels(fa.tentative_labels | fb.tentative_labels)


def _final_label(c: Conflict) -> str:
    fa, fb = c.figures
    return _labels(fa.final_labels | fb.final_labels)


def _older_label(c: Conflict) -> str:
    fa, fb = c.figures
    return fb.label if fa.latest >= fb.latest else fa.label


def _newer_label(c: Conflict) -> str:
    fa, fb = c.figures
    return fa.label if fa.latest >= fb.latest else fb.label


# ---------------------------------------------------------------------------
# Database side.

# Each group's fingerprint: its claim count and a checksum of ids, confidences and values.
GROUPS_QUERY = (
    "select subject, metric, unit, _conflict_fingerprint(count(*), "
    "sum(length(id) + coalesce(confidence, 0) * 1000 + coalesce(value, 0) % 9973)) as fingerprint, count(*) as claims "
    "from claims where subject is not null and metric in ({marks}) "
    "group by subject, metric, unit having count(*) > 1"
)
# The same, with the claims whose subject was inferred from their article (align.py).
GROUPS_QUERY_INFERRED = (
    "select subject, metric, unit, _conflict_fingerprint(count(*), "
    "sum(length(id) + coalesce(confidence, 0) * 1000 + coalesce(value, 0) % 9973)) as fingerprint, count(*) as claims "
    "from (select subject, metric, unit, id, confidence, value from claims where subject is not null and metric in ({marks}) "
    f"union all select subject, metric, unit, id, confidence, value from {align.INFERRED_TABLE}) "
    "group by subject, metric, unit having count(*) > 1"
)
# The claims of every group to redo, group after group. A group without a unit matches no
# claim (`unit = NULL`) and comes as one empty row. Claims come in any order inside their
# group and are put back in the order stored (c.rowid) in Python: ordering by c.rowid in
# SQL lets the planner pick the index on unit alone, which yields rowid order but reads
# every claim of that unit once per group (7.8 s rather than 1.8 s on a one-story
# database of 20,000 articles).
DIRTY_CLAIMS_QUERY = """
select d.rowid, c.rowid, c.id, c.article_id, c.sentence_id, c.lang, c.object, c.kind,
       c.value, c.value_max, c.date, c.qualifier, c.vague, c.period, c.period_basis, c.modality, c.confidence, c.text
from _conflict_dirty d
left join claims c on c.subject = d.subject and c.metric = d.metric and c.unit = d.unit
order by d.rowid
"""
# The claims of the groups to redo whose subject was inferred, flagged by a last column.
DIRTY_INFERRED_QUERY = f"""
select d.rowid, c.crow, c.id, c.article_id, c.sentence_id, c.lang, c.object, c.kind,
       c.value, c.value_max, c.date, c.qualifier, c.vague, c.period, c.period_basis, c.modality, c.confidence, c.text, 1
from _conflict_dirty d
join {align.INFERRED_TABLE} c on c.subject = d.subject and c.metric = d.metric and c.unit = d.unit
order by d.rowid
"""
# Each article's independent source, date and outlet, looked up in Python by the claims
# of the queries above: a join would look each up in SQL and convert the three strings
# again on every claim row (a quarter of reading the claims on a million).
SOURCES_QUERY = "select id, source, published, outlet from _conflict_sources"
# Claims of the groups handed to a worker at a time when detection runs in several processes.
CHUNK_CLAIMS = 20000
# Claims of the best-supported side listed with each conflict: a story retold by
# hundreds of outlets would otherwise list that side again for every dissenting figure.
LISTED_PER_SIDE = 10
TEMP_TABLES = ("_conflict_current", "_conflict_dirty", "_conflict_keys", "_conflict_sources")

Key = tuple[str, str, str]


def init_tables(db: sqlite_utils.Database) -> None:
    """The columns and tables this module adds to the conflict schema (store.init_schema
    creates the rest): why a group was aligned, whether its best value is undecided, and
    the differences the texts reconcile."""
    conflicts = db.table("conflicts")
    if conflicts.exists():
        have = set(conflicts.columns_dict)
        for name, kind in (("undecided", int), ("why", str)):
            if name not in have:
                conflicts.add_column(name, kind)
    if not db.table("reconciliations").exists():
        db.table("reconciliations").create(
            {"id": str, "reason": str, "subject": str, "metric": str, "unit": str, "period": str, "summary": str},
            pk="id")
        db.table("reconciliations").create_index(["subject", "metric"])
    if not db.table("reconciliation_claims").exists():
        db.table("reconciliation_claims").create(
            {"reconciliation_id": str, "claim_id": str, "side": str}, pk=("reconciliation_id", "claim_id"),
            foreign_keys=[("reconciliation_id", "reconciliations", "id"), ("claim_id", "claims", "id")])
        db.table("reconciliation_claims").create_index(["claim_id"])


def fallback_metrics() -> list[str]:
    """What a figure measures when no trigger said (a bare amount, count or share)."""
    return sorted(set(lexicon().defaults.values()) - set(NOT_COMPARED_FALLBACK))


def _compared_metrics() -> list[str]:
    lex = lexicon()
    defaults = set(lex.defaults.values()) | set(NOT_COMPARED_FALLBACK)
    return [name for name, m in lex.metrics.items() if name not in defaults and m.compare]


def detect(db: sqlite_utils.Database, *, full: bool = False, jobs: int = 1) -> int:
    """Recompute conflicts for every group whose claims changed; returns how many groups
    were recomputed. `full` recomputes everything.

    Which groups changed is worked out in SQL, claims are read one group at a time, and
    results wait in temporary tables until they replace the old ones in one transaction,
    so memory depends on the largest group, not on the database.

    With `jobs` > 1, worker processes read and compare runs of groups on connections of
    their own (reading only) while this one writes their rows in the order of the groups,
    so the rows are the ones one process writes. A database only in memory, or one the
    caller has changed in a transaction still open, which other connections cannot see,
    is done in this process.
    """
    metrics = _compared_metrics()
    marks = ",".join("?" for _ in metrics)
    conn = db.conn
    caller_transaction = conn.in_transaction
    conn.create_function("_conflict_fingerprint", 2, lambda n, ids: f"{n}:{ids}", deterministic=True)
    _drop_temp(db)
    unattributed = conn.execute(f"select 1 from claims where subject is null and metric in ({marks}) limit 1",
                                metrics).fetchone()
    inferred = bool(unattributed) and align.infer_subjects(db, metrics) > 0
    query = GROUPS_QUERY_INFERRED if inferred else GROUPS_QUERY
    conn.execute(f"create temp table _conflict_current as {query.format(marks=marks)}", metrics)
    conn.execute("create unique index temp._conflict_current_key on _conflict_current (subject, metric, unit)")
    same_group = "g.subject = c.subject and g.metric = c.metric and g.unit is c.unit"
    conn.execute(
        "create temp table _conflict_dirty as select c.subject, c.metric, c.unit, c.fingerprint, c.claims "
        f"from _conflict_current c left join conflict_groups g on {same_group} "
        "where ? or g.fingerprint is not c.fingerprint order by c.subject, c.metric, c.unit",
        [full],
    )
    # What across_currencies looks up for each subject and metric in several currencies:
    # without it, a scan of the dirty groups each (1.4 s of a million claims' run).
    conn.execute("create index temp._conflict_dirty_subject on _conflict_dirty (subject, metric)")
    conn.execute(
        "create temp table _conflict_keys as select subject, metric, unit from _conflict_dirty union all "
        "select subject, metric, unit from conflict_groups g "
        f"where not exists (select 1 from _conflict_current c where {same_group})"
    )
    dirty = conn.execute("select count(*) from _conflict_dirty").fetchone()[0]
    if dirty:
        # Each article's independent source, read once rather than once per claim.
        conn.execute("create temp table _conflict_sources (id text primary key, source text, published text, "
                     "outlet text) without rowid")
        conn.execute("insert into _conflict_sources select id, coalesce(duplicate_of, id), published, outlet from articles")
        path = _db_path(db)
        workers = jobs > 1 and path is not None and not caller_transaction
        # A full run in this process empties the tables and writes the new rows straight
        # into them, committed at the end: readers see the old rows until then, as with
        # temporary tables, without copying every row twice (workers read on connections
        # of their own, which an open write transaction could block outside WAL mode).
        direct = full and not workers and not caller_transaction
        if direct:
            _delete_all(db)
        out = _Writer(db, direct=direct)
        try:
            if workers:
                assert path is not None
                _recompute_in_workers(db, path, jobs, out, inferred)
            else:
                with _fewer_collections():
                    for key, fingerprint, claims in _dirty_groups(db, inferred):
                        _recompute(db, key, fingerprint, claims, out)
            converted = disagreements.across_currencies(db)
            out.add("reconciliations", [(r.id, r.reason, r.subject, r.metric, r.unit, None, r.summary)
                                        for r in converted])
            out.add("reconciliation_claims", [(r.id, x.id, side) for r in converted
                                              for side, xs in (("a", r.a), ("b", r.b)) for x in xs])
            out.flush()
            if direct:
                out.publish()
                conn.commit()
        except BaseException:
            if direct:
                conn.rollback()
            raise
        if direct:
            _drop_temp(db)
            return int(dirty)
    if not caller_transaction:
        conn.commit()  # only temporary tables were written
    with db.atomic():
        if full:
            _delete_all(db)
        else:
            _clear_keys(db)
        if dirty:
            out.publish(rebuild_indexes=full)
    _drop_temp(db)
    return int(dirty)


# Objects allocated (net) between two collections of the youngest generation while groups
# are compared. At Python's 700 a group's claims, sides and conflicts are traversed again
# and again while alive; at this, most are freed before a collection sees them, and
# cyclic garbage is still collected, so memory stays bounded.
GC_THRESHOLD = 50000


@contextmanager
def _fewer_collections() -> Iterator[None]:
    threshold = gc.get_threshold()
    if threshold[0]:  # 0: automatic collection is off, and stays off
        gc.set_threshold(max(threshold[0], GC_THRESHOLD), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def _delete_all(db: sqlite_utils.Database) -> None:
    for table in ("conflict_claims", "conflicts", "corroborations", "conflict_groups",
                  "reconciliation_claims", "reconciliations"):
        db.conn.execute(f"delete from {table}")


def _db_path(db: sqlite_utils.Database) -> str | None:
    row = db.execute("select file from pragma_database_list where name = 'main'").fetchone()
    return row[0] if row and row[0] else None


def _chunks(db: sqlite_utils.Database) -> Iterator[list[tuple[str, str, str, str]]]:
    """The groups to redo, in order, in runs of about CHUNK_CLAIMS claims (a group whole)."""
    chunk: list[tuple[str, str, str, str]] = []
    size = 0
    for subject, metric, unit, fingerprint, claims in db.conn.execute(
            "select subject, metric, unit, fingerprint, claims from _conflict_dirty order by rowid"):
        chunk.append((subject, metric, unit, fingerprint))
        size += claims
        if size >= CHUNK_CLAIMS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _recompute_in_workers(db: sqlite_utils.Database, path: str, jobs: int, out: _Writer, inferred: bool) -> None:
    """`_recompute` for each run of groups in a worker; rows written here in group order.
    At most 2 * jobs runs are in flight, so memory grows with the run size."""
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ctx.Pool(jobs) as pool:
        pending: deque[Any] = deque()

        def write(rows: dict[str, list[tuple[Any, ...]]]) -> None:
            for table, table_rows in rows.items():
                out.add(table, table_rows)

        for chunk in _chunks(db):
            if len(pending) >= 2 * jobs:
                write(pending.popleft().get())
            pending.append(pool.apply_async(_work_chunk, (path, chunk, inferred)))
        while pending:
            write(pending.popleft().get())


def _work_chunk(path: str, chunk: list[tuple[str, str, str, str]], inferred: bool = False) -> dict[str, list[tuple[Any, ...]]]:
    """In a worker: the rows of a run of groups, read on this process's own connection."""
    db = _worker_db(path)
    if inferred and not db.conn.execute("select 1 from sqlite_temp_master where name = ?",
                                        [align.INFERRED_TABLE]).fetchone():
        align.infer_subjects(db, _compared_metrics())  # once per worker and run
    db.conn.execute("delete from _conflict_dirty")
    db.conn.executemany("insert into _conflict_dirty (subject, metric, unit, fingerprint) values (?, ?, ?, ?)", chunk)
    db.conn.commit()  # no read transaction left open between runs
    rows = _Rows()
    with _fewer_collections():
        for key, fingerprint, claims in _dirty_groups(db, inferred):
            _recompute(db, key, fingerprint, claims, rows)
    return rows.rows


@cache
def _worker_db(path: str) -> sqlite_utils.Database:
    """One read-only connection per worker, with the articles' sources read once."""
    db = sqlite_utils.Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True))
    db.conn.execute("create temp table _conflict_dirty (subject text, metric text, unit text, fingerprint text)")
    db.conn.execute("create temp table _conflict_sources (id text primary key, source text, published text, "
                    "outlet text) without rowid")
    db.conn.execute("insert into _conflict_sources select id, coalesce(duplicate_of, id), published, outlet from articles")
    return db


def _drop_temp(db: sqlite_utils.Database) -> None:
    for table in TEMP_TABLES + tuple(_Writer.temp_name(t) for t in _Writer.TABLES):
        db.conn.execute(f"drop table if exists temp.{table}")
    align.drop_temp(db)


def _dirty_groups(db: sqlite_utils.Database, inferred: bool = False) -> Iterator[tuple[Key, str, list[Claim]]]:
    """Each group to redo with its fingerprint and claims; one group is held at a time."""
    # The groups in one cursor and their claims in another, both in group order: the
    # group's key is not repeated on every claim row.
    groups = db.conn.execute("select rowid, subject, metric, unit, fingerprint from _conflict_dirty order by rowid")
    sources = {r[0]: r[1:] for r in db.conn.execute(SOURCES_QUERY)}
    group: tuple[Any, ...] | None = None
    rows: list[tuple[Any, ...]] = []
    get = sources.get

    def claims() -> list[Claim]:
        assert group is not None
        rows.sort(key=_ROWID)  # the order stored
        subject, metric, unit = group[1], group[2], group[3]
        # A claim from a row of DIRTY_CLAIMS_QUERY (or DIRTY_INFERRED_QUERY, one column
        # longer) and its article's (source, published, outlet), built inline: a call
        # per claim is a tenth of reading a million. A claim whose article is not stored
        # is left out.
        claims = [Claim(r[2], r[3], r[4], article[0], article[1], r[5] or "", subject, r[6], metric, unit, r[7],
                        r[8], r[9], r[10], r[11] or "exact", bool(r[12]), r[13], r[14], r[15] or "asserted",
                        1.0 if r[16] is None else r[16], article[2], r[17] or "", len(r) > 18)
                  for r in rows if (article := get(r[3])) is not None]
        rows.clear()  # not held beside the claims while the group is compared
        return claims

    found: Iterable[tuple[Any, ...]] = db.conn.execute(DIRTY_CLAIMS_QUERY)
    if inferred:
        found = heapq.merge(found, db.conn.execute(DIRTY_INFERRED_QUERY), key=itemgetter(0))
    for r in found:
        if group is None or r[0] != group[0]:
            if group is not None:
                yield (group[1], group[2], group[3]), group[4], claims()
            group, rows = next(groups), []
            assert group[0] == r[0]
        if r[2] is not None:
            rows.append(r)
    if group is not None:
        yield (group[1], group[2], group[3]), group[4], claims()
    groups.close()


def _clear_keys(db: sqlite_utils.Database) -> None:
    """Delete what earlier runs stored for the groups in temp._conflict_keys."""
    in_keys = "(subject, metric, unit) in (select subject, metric, unit from _conflict_keys)"
    db.execute(f"delete from conflict_claims where conflict_id in (select id from conflicts where {in_keys})")
    db.execute("delete from reconciliation_claims where reconciliation_id in "
               f"(select id from reconciliations where {in_keys})")
    for table in ("conflicts", "corroborations", "conflict_groups", "reconciliations"):
        db.execute(f"delete from {table} where {in_keys}")
    across = disagreements.cross_currency_keys(db)
    db.execute(f"delete from reconciliation_claims where reconciliation_id in (select id from reconciliations where {across})")
    db.execute(f"delete from reconciliations where {across}")


def _listed(claims: list[Claim], limit: int = LISTED_PER_SIDE) -> list[Claim]:
    """At most `limit` of a side's claims, in their order: the first (it gives the side's
    value), then one for each figure as written, then one for each source, then the rest."""
    if len(claims) <= limit:
        return claims
    chosen: dict[int, None] = {0: None}
    for pick in (_LABEL, _SOURCE, _ID):
        if len(chosen) >= limit:
            break
        # Each new value at its first place, in order (built in C: a side can be
        # thousands of claims with a handful of values).
        values = list(map(pick, claims))
        seen = {values[i] for i in chosen}
        first = dict(zip(reversed(values), range(len(values) - 1, -1, -1), strict=True))
        for value in dict.fromkeys(values):
            if value not in seen:
                chosen[first[value]] = None
                if len(chosen) >= limit:
                    break
    return [claims[i] for i in sorted(chosen)]


def _recompute(
    db: sqlite_utils.Database,
    key: Key,
    fingerprint: str,
    claims: list[Claim],
    writer: _Rows,
) -> None:
    subject, metric, unit = key
    sides = sides_of(claims)
    rows, links = [], []
    reconciled: list[Reconciliation] = []
    why = ""
    for c in compare(sides, subject, metric, unit, reconciled):
        why = why or disagreements.why(key, claims)  # only for groups with a conflict
        best = c.best
        cid = c.id  # a digest of every claim id: computed once, not once per link
        fa, fb = c.figures
        listed = fb.listed
        summary = c.summary
        if len(listed) < len(c.b):
            summary += f" {len(c.b):,} claims give {fb.label}; {len(listed)} of them are listed."
        first = best.claims[0] if best and best.claims else None
        dated = first is not None and first.kind in ("year", "date")
        rows.append((
            cid, c.kind, subject, metric, _period_of(fa.periods | fb.periods), summary, c.severity, c.confidence, unit,
            first.value if first is not None and not dated else None,
            first.value_max if first is not None else None,
            first.date if first is not None and dated else None,
            len(fb.sources) + sum(1 for x in fa.sources if x not in fb.sources),
            int(c.undecided), why,
        ))
        links += [(cid, x.id, "a") for x in c.a]
        links += [(cid, x.id, "b") for x in listed]
    writer.add("conflicts", rows)
    writer.add("conflict_claims", links)
    reconciled += disagreements.within_sides(sides, subject, metric, unit)
    keyed = [(r.id, r) for r in reconciled]  # each id a digest of every claim id: made once
    writer.add("reconciliations", [(rid, r.reason, subject, metric, unit, r.period, r.summary) for rid, r in keyed])
    writer.add("reconciliation_claims", [(rid, x.id, side) for rid, r in keyed
                                         for side, xs in (("a", r.a), ("b", r.b)) for x in xs])
    support = []
    prefix = _json_prefix(subject, metric, unit)
    for side in sides:
        label = side.label
        support.append((
            hashlib.sha256((prefix + _quote(label) + "]").encode()).hexdigest()[:16],
            subject, metric, unit, label, side.sources, len(side.claims),
            _json_strings(sorted(map(_ID, side.claims))),
            ", ".join(sorted(filter(None, set(map(_OUTLET, side.claims))))),
        ))
    writer.add("corroborations", support)
    best = max(sides, key=lambda s: (s.sources, s.latest)) if sides else None
    writer.add("conflict_groups", [(
        subject, metric, unit, fingerprint, len(set(map(_SOURCE, claims))),
        _json_counts({s.label: s.sources for s in sides}),
        best.label if best else None,
    )])


def _json_counts(counts: dict[str, int]) -> str:
    """json.dumps(counts, ensure_ascii=False), without the encoder's per-call set-up."""
    return "{" + ", ".join(f"{_quote_utf8(k)}: {v}" for k, v in counts.items()) + "}"


def _period_of(found: set[str]) -> str | None:
    """One period, or the first and last of several."""
    periods = sorted(found)
    if not periods:
        return None
    return periods[0] if len(periods) == 1 else f"{periods[0]}..{periods[-1]}"


# Last, as it imports this module: imported once here rather than on every group.
from extractor import disagreements  # noqa: E402
