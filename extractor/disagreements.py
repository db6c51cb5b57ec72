"""How two figures about the same quantity differ: one conflict of one kind, or a
difference the texts reconcile (extractor/reconcile.py says whether they do).

`conflicts` clusters a group's claims into sides and pairs each dissenting side with the
best-supported one; this module decides, side by side, what that difference is:

- blocked by order of magnitude first (a per-share price is not weighed against a
  company's price: more than MAGNITUDE_GAP apart, they are different quantities);
- reconciled when every pair was told in one sentence or about different periods, when
  they differ only by rounding, when one amount was converted at two dates' rates, or
  when one is a part that with another figure makes up the other;
- otherwise one kind per disagreement between sources (`_one_kind`), "internal" when the
  dissenting articles state both figures themselves, and the two language versions of
  one article compared even when neither is the best-supported figure.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from itertools import chain, combinations
from typing import TYPE_CHECKING, Any

from extractor import align, reconcile
from extractor import conflicts as C
from extractor.attribute import metric_info
from extractor.reconcile import Reconciliation, written_half_unit

if TYPE_CHECKING:
    from extractor.conflicts import Claim, Key, Pairing, Side

# C.Figures further apart than this factor are not one quantity misprinted (a slipped
# magnitude is 10 or 100 times), but different quantities under one metric: a price per
# share and the price of the company.
MAGNITUDE_GAP = 1000.0


def compare(sides: list[Side], subject: str, metric: str, unit: str,
            reconciled: list[Reconciliation] | None = None) -> Iterator[C.Conflict]:
    """`compare_block` within each block of sides of one order of magnitude, so that a
    per-share price is never weighed against a company's price."""
    for block in _magnitude_blocks(sides):
        yield from compare_block(block, subject, metric, unit, reconciled)


def _magnitude_blocks(sides: list[Side]) -> list[list[Side]]:
    if len(sides) < 2 or sides[0].claims[0].kind in ("year", "date"):
        return [sides]

    def size(s: Side) -> float:
        ends = [x for x in (s.lo, s.hi) if math.isfinite(x)]
        return max(abs(sum(ends) / len(ends)) if ends else 0.0, 1e-12)

    sizes = [size(s) for s in sides]
    if max(sizes) <= min(sizes) * MAGNITUDE_GAP:
        return [sides]  # nearly always: one block
    ranked = sorted(zip(sizes, range(len(sides)), sides, strict=True))
    blocks = [[ranked[0][2]]]
    for (prev, _, _), (this, _, side) in zip(ranked, ranked[1:], strict=False):
        if this > prev * MAGNITUDE_GAP:
            blocks.append([])
        blocks[-1].append(side)
    # Each block in the order its sides came, as one block would be.
    order = {id(s): i for i, s in enumerate(sides)}
    return [sorted(b, key=lambda s: order[id(s)]) for b in blocks]


def compare_block(sides: list[Side], subject: str, metric: str, unit: str,
                  reconciled: list[Reconciliation] | None = None) -> Iterator[C.Conflict]:
    """Each side's disagreement with the best-supported side: one conflict of one kind,
    unless the texts reconcile it (then it goes to `reconciled` with its reason).

    Comparing against the best-supported side (most independent sources, then the
    latest) rather than every pair of sides keeps a story told by hundreds of outlets
    to one conflict per dissenting figure, and the work linear in the number of sides.
    Conflicts come one side at a time: each lists the best-supported side's claims in
    full until it is written, so holding them all would grow as sides times its size.
    """
    if len(sides) < 2:
        return
    info = metric_info(metric)
    # Terms and running totals are compared across time; other figures only when their
    # periods can be the same.
    across_time = info is not None and (info.changeable or info.cumulative)
    center = max(sides, key=lambda s: (s.sources, s.latest, len(s.claims)))
    others = [s for s in sides if s is not center]
    pairs = sum(len(s.claims) for s in others) * len(center.claims)
    pair_up = C._pair_up_arrays if pairs >= C.ARRAY_PAIRS else C._pair_up
    mids = [_midpoint(s) for s in sides] if len(sides) <= MAX_SIDES_FOR_PARTS else []
    # Articles that state the best-supported figure, each in the language it does.
    voices = {(c.source, c.lang) for c in center.claims}
    for other, by_kind in zip(others, pair_up(others, center, info, across_time), strict=True):
        _drop_voiced_translations(by_kind, voices)
        reason, detail = _reconciled(other, center, by_kind, sides, mids, unit)
        if reason is not None:
            if reconciled is not None:
                reconciled.append(_reconciliation(reason, subject, metric, unit, other.claims, center.claims, detail))
            continue
        # An article that states both figures in one language (9,000 permanent jobs and
        # 41,000 construction jobs) is not contradicting the others that give one of them.
        own = all((c.source, c.lang) in voices for c in other.claims)
        for kind, (left, right) in _one_kind(by_kind, own).items():
            if kind == "superseded" and _too_soon(left, right.claims):
                kind = "contradiction"
            yield C._describe(C.Conflict(kind, subject, metric, unit, left, right.claims, b_figures=right), other, center)
    yield from _translations_apart(others, subject, metric, unit)


def _drop_voiced_translations(by_kind: Pairing, voices: set[tuple[str, str]]) -> None:
    """A figure in one language half that the same half also gives the other figure beside
    (a zh half stating 96亿 and 64亿, its English summary 9.6 billion) is that half's own
    second figure, not a mistranslation: only figures whose half lacks the other one are."""
    found = by_kind.get("translation_mismatch")
    if found is None:
        return
    left, right = found
    kept = [c for c in left if (c.source, c.lang) not in voices]
    if not kept:
        del by_kind["translation_mismatch"]
    elif len(kept) < len(left):
        by_kind["translation_mismatch"] = (kept, right)


def _translations_apart(others: list[Side], subject: str, metric: str, unit: str) -> Iterator[C.Conflict]:
    """The two language versions of one article on two dissenting sides (€3.7 billion
    against 3.7亿欧元, neither the best-supported figure): compared with each other, since
    each was only compared with the best-supported side."""
    where: dict[str, list[tuple[Side, str]]] = {}
    for side in others:
        for source, lang in dict.fromkeys((c.source, c.lang) for c in side.claims):
            where.setdefault(source, []).append((side, lang))
    for source, found in where.items():
        for (s1, l1), (s2, l2) in combinations(found[:MAX_VERSIONS], 2):
            if s1 is s2 or l1 == l2:
                continue
            a = [c for c in s1.claims if c.source == source and c.lang == l1]
            b = [c for c in s2.claims if c.source == source and c.lang == l2]
            if {c.sentence_id for c in a} & {c.sentence_id for c in b}:
                continue
            yield C._describe(C.Conflict("translation_mismatch", subject, metric, unit, a, b), s1, s2)


# Language versions of one article looked at on dissenting sides.
MAX_VERSIONS = 6


def _too_soon(a: list[Claim], b: list[Claim]) -> bool:
    """Were the two figures first published too close together for one to revise the other?
    (A figure printed differently the next day is a disagreement, not a revision.) Each
    figure's first appearance counts: later articles that restate the old figure beside the
    new one ("raised to 36 from 30") do not make the revision a same-day disagreement."""
    days = [reconcile.parse_day(min((c.published for c in side if c.published), default="")) for side in (a, b)]
    if days[0] is None or days[1] is None:
        return False
    return abs((days[0] - days[1]).days) < align.settings().revision_min_days


# Past this many sides in a group, sums of parts are not looked for.
MAX_SIDES_FOR_PARTS = 64
# Claims of each side tried when looking for a conversion between them.
CONVERSION_TRIES = 8


def _midpoint(side: Side) -> float | None:
    if not (math.isfinite(side.lo) and math.isfinite(side.hi)):
        return None
    return (side.lo + side.hi) / 2


def _reconciled(other: Side, center: Side, by_kind: Pairing, sides: list[Side], mids: list[float | None],
                unit: str) -> tuple[str | None, str]:
    """Why the texts explain the difference between two sides, or (None, "")."""
    center_sentences = {(c.source, c.sentence_id) for c in center.claims if c.sentence_id is not None}
    if by_kind and all((c.source, c.sentence_id) in center_sentences for c in other.claims) \
            and not (any(c.tentative for c in other.claims) and not any(c.tentative for c in center.claims)):
        # Every article that gives this figure gives the other one in the same sentence
        # ("cut its forecast to $37.8 billion from $38.4 billion"): it reports a change,
        # it does not dispute the figure. Not a plan against settled figures ("plans to cut
        # its 20% share to 10%" while others report 20% kept): that is a proposal's fate.
        return reconcile.ONE_SENTENCE, "each article that gives it reports the change to the other"
    if not by_kind:
        # No pair could be compared: every one was told inside one sentence ("from 15
        # to 17", or two things side by side), or about periods that cannot be the same.
        sentences = {c.sentence_id for c in center.claims}
        if all(c.sentence_id is not None and c.sentence_id in sentences for c in other.claims):
            return reconcile.ONE_SENTENCE, ""
        return reconcile.DIFFERENT_PERIOD, ""
    if _long_before(other, center) or _long_before(center, other):
        return reconcile.DIFFERENT_PERIOD, "a period written a year or more before the other figures were reported"
    kinds = set(by_kind)
    if "rounding" in kinds and kinds <= {"rounding", "internal"}:
        return reconcile.ROUNDING, ""
    if kinds & {"translation_mismatch", "extraction_doubt"}:
        return None, ""
    converted = _converted(other, center, unit)
    if converted:
        return reconcile.CONVERSION, converted
    # A proposed figure against the final one is the proposal's fate, not a part of it
    # ($600 million sought, $500 million invested), even when other figures sum; a side
    # that also differs from settled figures can still be a part.
    if mids and kinds - {"internal"} != {"proposal_vs_final"} and _part_of(other, center, sides, mids):
        return reconcile.TOTAL_VS_PART, ""
    return None, ""


STALE_MONTHS = 12


def _long_before(old: Side, new: Side) -> bool:
    """Every figure of `old` is written for a period (May 2024, 2024-Q2) that ended a year
    or more before any figure of `new` is about (its own written period, else its article's
    month): a valuation of a past round against the latest one is another time, not a
    revision nor a contradiction. Linear in the sides."""
    if old.claims[0].kind in ("year", "date") or not all(c.basis == 1 and c.when for c in old.claims):
        return False
    # The other side's time: its own written period where it has one, else its article's month.
    months = [_period_end(c.when or "") if c.basis == 1 else _month_index(c.published or "") for c in new.claims]
    if not months or None in months:
        return False
    ends = [_period_end(c.when or "") for c in old.claims]
    if None in ends:
        return False
    return min(m for m in months if m is not None) - max(e for e in ends if e is not None) >= STALE_MONTHS


def _month_index(day: str) -> int | None:
    """2025-09-16 → months since year 0, or None."""
    if len(day) < 7 or not day[:4].isdigit() or not day[5:7].isdigit():
        return None
    return int(day[:4]) * 12 + int(day[5:7])


def _period_end(period: str) -> int | None:
    """The month a written period ends in (2024 → December, 2024-Q2 → June, 2024-H1 → June)."""
    if not period[:4].isdigit():
        return None
    year, rest = int(period[:4]), period[5:]
    if not rest:
        return year * 12 + 12
    if rest[:1] in "QH" and rest[1:2].isdigit():
        return year * 12 + (3 if rest[0] == "Q" else 6) * int(rest[1])
    if rest[:2].isdigit():
        return year * 12 + int(rest[:2])
    return None


def _converted(other: Side, center: Side, unit: str) -> str:
    """The rates at which every tried claim of `other` is the same amount as a claim of
    `center` on another date, in words; "" when they are not."""
    if other.claims[0].kind != "money" or unit == "USD":
        return ""
    centers = list({c.published: c for c in center.claims if c.value and c.value_max is None}.values())
    centers = centers[:CONVERSION_TRIES]
    said = ""
    for a in other.claims[:CONVERSION_TRIES]:
        if not a.value or a.value_max is not None:
            return ""
        day_a = reconcile.parse_day(a.published)
        for b in centers:
            day_b = reconcile.parse_day(b.published)
            assert b.value is not None
            if reconcile.same_amount(a.value, unit, day_a, b.value, unit, day_b,
                                     a.half, b.half) \
                    and reconcile.rate_moved(unit, day_a, day_b, a.value, b.value):
                assert day_a is not None and day_b is not None
                said = said or (f"{reconcile.per_usd(unit, day_a):.4g} {unit} per US dollar on {day_a} and "
                                f"{reconcile.per_usd(unit, day_b):.4g} on {day_b}")
                break
        else:
            return ""
    return said


def _part_of(other: Side, center: Side, sides: list[Side], mids: list[float | None]) -> bool:
    """Is the smaller of the two sides a part that, with another side, sums to the larger?"""
    i, j = sides.index(other), sides.index(center)
    if mids[i] is None or mids[j] is None:
        return False
    small, large = (i, j) if abs(mids[i] or 0) < abs(mids[j] or 0) else (j, i)
    values = [abs(m) if m is not None and k != large else -1.0 for k, m in enumerate(mids)]
    found = reconcile.parts_summing_to(abs(mids[large] or 0), values)
    return found is not None and small in found


def _one_kind(by_kind: Pairing, own: bool = False) -> Pairing:
    """One disagreement, one kind. A dissenting figure's pairs with sources other than its
    own make one conflict, of the kind most of its claims point to (a tie goes to the
    kind pairing with more claims, then the one first in C.BETWEEN_SOURCES); the two language versions of one article disagreeing,
    or a parsing doubt, are disagreements of their own. Rounding against one source
    beside a real disagreement with another is not a second conflict, nor is one
    article's own second figure. With `own`, the dissenting articles state the other
    figure themselves: every pair between sources is one internal difference."""
    between = {k: v for k, v in by_kind.items() if k in C.BETWEEN_SOURCES}
    out = {k: v for k, v in by_kind.items() if k in ("translation_mismatch", "extraction_doubt")}
    if own and between and "proposal_vs_final" not in between and not _restated_revision(between):
        # a plan beside the fact accuses no one
        inner = {**between, **({"internal": by_kind["internal"]} if "internal" in by_kind else {})}
        left = list({c.id: c for v in inner.values() for c in v[0]}.values())
        right = list({c.id: c for v in inner.values() for c in v[1].claims}.values())
        out["internal"] = (left, C.Figures(right))
        return out
    if len(between) == 1:
        out.update(between)
    elif between:
        # Most dissenting claims, then most claims they pair with, then the order of preference.
        kind = max(between, key=lambda k: (len(between[k][0]), len(between[k][1].claims), -C.BETWEEN_SOURCES.index(k)))
        left = list({c.id: c for k in C.BETWEEN_SOURCES if k in between for c in between[k][0]}.values())
        right = list({c.id: c for k in C.BETWEEN_SOURCES if k in between for c in between[k][1].claims}.values())
        out[kind] = (left, C.Figures(right))
    elif not out and "internal" in by_kind:
        out["internal"] = by_kind["internal"]
    if between and "extraction_doubt" in out:
        # The same two figures also set apart by sources read with confidence: a doubtful
        # reading of one of them is that disagreement's evidence, not a second conflict.
        kind = next(k for k in out if k in C.BETWEEN_SOURCES)
        (dl, dr), (bl, br) = out["extraction_doubt"], out[kind]
        left_labels, right_labels = {c.label for c in bl}, {c.label for c in br.claims}
        if all(c.label in left_labels for c in dl) and all(c.label in right_labels for c in dr.claims):
            del out["extraction_doubt"]
            left = list({c.id: c for c in (*bl, *dl)}.values())
            right = list({c.id: c for c in (*br.claims, *dr.claims)}.values())
            out[kind] = (left, C.Figures(right))
    return out


def _restated_revision(between: Pairing) -> bool:
    """A later article giving the old figure and the new one for the same period
    ("target raised from 40,000-42,000 to 45,000") reports the revision itself: it stays
    superseded rather than becoming that article's own internal difference."""
    if set(between) != {"superseded"}:
        return False
    left, right = between["superseded"]
    periods = {c.period for c in right.claims}
    return all(c.period is not None and c.period in periods for c in left)


def _reconciliation(reason: str, subject: str, metric: str, unit: str, a: list[Claim], b: list[Claim],
                    detail: str = "") -> Reconciliation:
    info = metric_info(metric)
    label = info.label if info else metric.replace("_", " ")
    a_lab, b_lab = C._labels({c.label for c in a}), C._labels({c.label for c in b})
    text = reconcile.REASON_TEXT[reason]
    summary = f"{subject}'s {label}: {a_lab} and {b_lab} are not in conflict: {text}"
    summary += f" ({detail})." if detail else "."
    periods = {c.period for c in chain(a, b) if c.period}
    return Reconciliation(reason, subject, metric, unit, C._listed(a), C._listed(b), summary, C._period_of(periods))




def why(key: Key, claims: list[Claim]) -> str:
    subject, metric, unit = key
    inferred = sum(1 for c in claims if c.inferred)
    periods = {c.period for c in claims if c.period and c.period_basis == "explicit"}
    read = {c.period for c in claims if c.period and c.period_basis in ("relative", "context")}
    return align.evidence(subject, metric, unit, inferred, len(claims), periods, len(periods) == 1, read)


def within_sides(sides: list[Side], subject: str, metric: str, unit: str) -> list[Reconciliation]:
    """C.Figures that agree but are written differently by different sources (27.4万 and
    273,950; HK$2.3 billion inside HK$2.1-2.5 billion): listed as reconciled, so a reader
    sees why they are not a conflict."""
    found = []
    for side in sides:
        if len(side.claims) < 2 or side.claims[0].kind in ("year", "date") or side.sources < 2:
            continue
        if len(set(map(C._LABEL, side.claims))) < 2:
            continue  # every source writes it the same way
        # Open-ended figures (more than, up to, 数十亿) agree by logic, not by rounding.
        claims = [c for c in side.claims if c.bounded]
        labels = {c.label for c in claims}
        if len(labels) < 2:
            continue
        # The most precisely written figure against the others.
        anchor = min(claims, key=lambda c: (c.value_max is not None,
                                            c.half / (abs(c.value or 0) or 1)))
        a = [c for c in claims if c.label != anchor.label]
        b = [c for c in claims if c.label == anchor.label]
        if len({c.source for c in a} | {c.source for c in b}) < 2:
            continue
        ranged = any(c.value_max is not None for c in claims)
        found.append(_reconciliation(reconcile.RANGE if ranged else reconcile.ROUNDING, subject, metric, unit, a, b))
    return found




# Claims of one subject and metric, in all currencies, looked at for conversions at most:
# a story's few figures in two or three currencies, not a database's thousands.
MAX_CROSS_CURRENCY = 200

CROSS_CURRENCY_GROUPS = """
select subject, metric, group_concat(unit, char(31)) from _conflict_current
where length(unit) = 3 and unit = upper(unit)
group by subject, metric
having count(*) > 1 and sum(claims) <= ?
   and exists (select 1 from _conflict_dirty d where d.subject = _conflict_current.subject
               and d.metric = _conflict_current.metric)
"""
CROSS_CURRENCY_CLAIMS = """
select c.id, c.unit, c.value, c.value_max, c.qualifier, c.vague, c.text, a.published, a.source
from claims c join _conflict_sources a on a.id = c.article_id
where c.subject = ? and c.metric = ? and c.unit = ?
"""


def cross_currency_keys(db: Any) -> str:
    """Where this module's conversions between currencies are stored: `unit` holds both
    codes ("CNY/USD"), so they are cleared with their subject and metric."""
    return ("reason = 'conversion' and instr(unit, '/') > 0 and "
            "(subject, metric) in (select subject, metric from _conflict_keys)")


def across_currencies(db: Any) -> list[Reconciliation]:
    """The same amount stated in two currencies (53.3 billion yuan and $7.49 billion),
    at the rate of each article's date: groups never compare across currencies, so these
    are found here, for each subject and metric whose groups changed, and kept as
    reconciled conversions. Amounts in two currencies that do not match are not accused:
    a conversion may be rounded, dated or wrong in ways a rate cannot tell."""
    found: list[Reconciliation] = []
    for subject, metric, units in db.conn.execute(CROSS_CURRENCY_GROUPS, [MAX_CROSS_CURRENCY]).fetchall():
        figures: dict[tuple[str, float], list[Any]] = {}
        for unit in sorted(set(units.split(chr(31)))):
            for row in db.conn.execute(CROSS_CURRENCY_CLAIMS, [subject, metric, unit]):
                cid, unit, value, value_max, qualifier, vague, text, published, source = row
                if value is None or value_max is not None or vague or qualifier not in ("exact", "about") or not published:
                    continue
                figures.setdefault((unit, value), []).append((cid, text or "", published, source))
        keys = sorted(figures)
        for i, (unit_a, value_a) in enumerate(keys):
            for unit_b, value_b in keys[i + 1:]:
                if unit_a == unit_b:
                    continue
                a, b = figures[(unit_a, value_a)], figures[(unit_b, value_b)]
                day_a, day_b = reconcile.parse_day(a[0][2]), reconcile.parse_day(b[0][2])
                if not reconcile.same_amount(value_a, unit_a, day_a, value_b, unit_b, day_b,
                                             written_half_unit(value_a, a[0][1]), written_half_unit(value_b, b[0][1])):
                    continue
                rates = "; ".join(f"{reconcile.per_usd(u, d or dt.date.min) or 0:.4g} {u} per US dollar on {d}"
                                  for u, d in ((unit_a, day_a), (unit_b, day_b)) if u != "USD")
                summary = (f"{subject}'s {_label(metric)}: {C.human_number(value_a)} {unit_a} and "
                           f"{C.human_number(value_b)} {unit_b} are not in conflict: "
                           f"{reconcile.REASON_TEXT[reconcile.CONVERSION]} ({rates}).")
                found.append(Reconciliation(reconcile.CONVERSION, subject, metric, f"{unit_a}/{unit_b}",
                                            [_Ref(x[0]) for x in a[:C.LISTED_PER_SIDE]],
                                            [_Ref(x[0]) for x in b[:C.LISTED_PER_SIDE]], summary))
    return found


class _Ref:
    """A claim by id: what a reconciliation's rows need of it."""

    __slots__ = ("id",)

    def __init__(self, id_: str) -> None:
        self.id = id_


def _label(metric: str) -> str:
    info = metric_info(metric)
    return info.label if info else metric.replace("_", " ")
