"""The Quantity record: one number with its unit as written, where it stands and which
rule read it; the kinds and qualifiers a quantity may have."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

KINDS = ("money", "percent", "multiplier", "count", "year", "date", "duration", "points", "measure", "number")
QUALIFIERS = ("exact", "more_than", "at_least", "about", "up_to", "less_than", "range")


@dataclass(frozen=True)
class Quantity:
    """One number with its unit, as written: where, what, how much, and which rule."""

    text: str
    start: int
    end: int
    kind: str
    value: float | None
    unit: str
    rule: str
    value_max: float | None = None
    date: str | None = None
    qualifier: str = "exact"
    vague: bool = False
    explanation: str = ""
    direction: str | None = None  # up or down for a change (跌3.7% → -3.7, down)
    currency_reason: str | None = None  # why an ambiguous currency word (元, ¥) got its code
    currency_word: str = ""  # the currency word as written, when one names the code

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["vague"] = int(self.vague)
        return d

    def public(self) -> dict[str, Any]:
        """The fields `claims extract` prints."""
        return {
            k: (int(v) if k == "vague" else v)
            for k, v in asdict(self).items()
            if k
            in (
                "text",
                "start",
                "end",
                "kind",
                "value",
                "value_max",
                "date",
                "unit",
                "qualifier",
                "vague",
                "direction",
            )
        }
