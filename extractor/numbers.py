"""Read the value of a written number: Arabic, Chinese numerals (mixed with Arabic, as in
4兆1300億), or English number words. The words come from `rules/numerals.yaml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from extractor import rules
from extractor.errors import RuleError

# Full-width forms are one code point each, like their ASCII twins, so translating them
# keeps every offset into the original text exact.
FULLWIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "％": "%",
        "．": ".",
        "，": ",",
        "＄": "$",
        "－": "-",
        "～": "~",
        "／": "/",
        "：": ":",
        "＋": "+",
        "\u3000": " ",
        "\u00a0": " ",
    }
)

ARABIC = r"(?:\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"


@dataclass(frozen=True)
class Numerals:
    zh_digits: dict[str, int]
    zh_units: dict[str, int]
    zh_big_units: dict[str, int]
    zh_points: tuple[str, ...]
    zh_half: tuple[str, ...]
    zh_not_numbers: tuple[str, ...]
    en_ones: dict[str, int]
    en_tens: dict[str, int]
    en_scales: dict[str, int]
    en_specials: dict[str, int]
    en_connectors: tuple[str, ...]
    en_weak: tuple[str, ...]

    @property
    def zh_chars(self) -> str:
        return "".join([*self.zh_digits, *self.zh_units, *self.zh_big_units])

    @property
    def en_words(self) -> list[str]:
        words = [*self.en_ones, *self.en_tens, *self.en_scales]
        return sorted(words, key=len, reverse=True)


def _int_map(name: str, section: str, data: object, key: str) -> dict[str, int]:
    if not isinstance(data, dict) or not isinstance(data.get(key), dict):
        raise RuleError(rules.path_of(name), f"{section}.{key}", "expected a mapping word: value")
    out: dict[str, int] = {}
    for word, value in data[key].items():
        if not isinstance(value, int | float):
            raise RuleError(rules.path_of(name), f"{section}.{key}.{word}", "value must be a number")
        out[str(word)] = int(value)
    return out


@cache
def numerals() -> Numerals:
    data = rules.load("numerals")
    zh = rules.require("numerals", data, "zh", dict)
    en = rules.require("numerals", data, "en", dict)
    return Numerals(
        zh_digits=_int_map("numerals", "zh", zh, "digits"),
        zh_units=_int_map("numerals", "zh", zh, "units"),
        zh_big_units=_int_map("numerals", "zh", zh, "big_units"),
        zh_points=tuple(rules.string_list("numerals", "zh.decimal_point", zh.get("decimal_point", []))),
        zh_half=tuple(rules.string_list("numerals", "zh.half", zh.get("half", []))),
        zh_not_numbers=tuple(rules.string_list("numerals", "zh.not_numbers", zh.get("not_numbers", []))),
        en_ones=_int_map("numerals", "en", en, "ones"),
        en_tens=_int_map("numerals", "en", en, "tens"),
        en_scales=_int_map("numerals", "en", en, "scales"),
        en_specials=_int_map("numerals", "en", en, "specials") if "specials" in en else {},
        en_connectors=tuple(rules.string_list("numerals", "en.connectors", en.get("connectors", []))),
        en_weak=tuple(rules.string_list("numerals", "en.weak", en.get("weak", []))),
    )


def parse_arabic(text: str) -> float | None:
    """`1,350` → 1350.0; full-width digits and the Chinese comma are accepted."""
    cleaned = text.translate(FULLWIDTH).replace(",", "").replace(" ", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


_ARABIC_RE = re.compile(ARABIC)


def parse_zh(text: str) -> float | None:
    """Value of a Chinese numeral, possibly with Arabic parts: 二十万, 4兆1300億, 2.5万亿.

    Returns None when the text is not a well-formed number (a lone 万, say).
    """
    n = numerals()
    text = text.translate(FULLWIDTH)
    # Digit strings with no units read digit by digit: 二〇一九 → 2019.
    chars = [c for c in text if not c.isspace()]
    if len(chars) >= 2 and all(c in n.zh_digits for c in chars):
        return float("".join(str(n.zh_digits[c]) for c in chars))

    total = 0.0
    section = 0.0
    current: float | None = None
    biggest_seen = 0
    last_unit = 0
    zero_seen = False
    i = 0
    seen_number = False
    while i < len(text):
        c = text[i]
        if c.isspace() or c in "多余餘几幾":
            i += 1
            continue
        m = _ARABIC_RE.match(text, i)
        if m and m.start() == i and c not in n.zh_digits:
            if current is not None:
                return None
            current = parse_arabic(m.group())
            seen_number = True
            i = m.end()
            continue
        if c in n.zh_digits:
            if current is not None and not zero_seen:
                return None
            value = n.zh_digits[c]
            if value == 0:
                zero_seen = True
                current = None
            else:
                current = float(value)
                seen_number = True
            i += 1
            continue
        if c in n.zh_points:
            # Digits after the point are read one by one: 二点五 → 2.5.
            frac = ""
            j = i + 1
            while j < len(text) and text[j] in n.zh_digits:
                frac += str(n.zh_digits[text[j]])
                j += 1
            if not frac:
                return None
            current = (current or 0.0) + float("0." + frac)
            i = j
            continue
        if c in n.zh_units:
            unit = n.zh_units[c]
            section += (current if current is not None else 1.0) * unit
            current = None
            last_unit = unit
            zero_seen = False
            seen_number = True
            i += 1
            continue
        if c in n.zh_big_units:
            big = n.zh_big_units[c]
            part = section + (current or 0.0)
            if part == 0 and total == 0 and not seen_number:
                return None  # a lone 万 is not a number
            if total == 0 or big > biggest_seen:
                total = (total + (part or (1.0 if total == 0 else 0.0))) * big
                biggest_seen = max(biggest_seen, big)
            else:
                total += part * big
            section = 0.0
            current = None
            last_unit = big
            zero_seen = False
            i += 1
            continue
        return None
    if current is not None and last_unit >= 100 and not zero_seen and current < 10:
        # 两千四百五 = 2450, 一万五 = 15000: a trailing digit takes the next unit down.
        last_char = text.rstrip()[-1:]
        if last_char in n.zh_digits:
            current *= last_unit / 10
    result = total + section + (current or 0.0)
    if not seen_number:
        return None
    return result


def parse_en_words(text: str) -> float | None:
    """`one hundred and three` → 103; `twenty-two` → 22; None if not a number."""
    n = numerals()
    words = [w for w in re.split(r"[\s\-]+", text.lower()) if w]
    if not words:
        return None
    phrase = " ".join(words)
    if phrase in n.en_specials:
        return float(n.en_specials[phrase])
    if words[0] in n.en_scales:
        return None  # "billion" alone is a magnitude, not a number
    total = 0.0
    current = 0.0
    seen = False
    for w in words:
        if w in n.en_connectors:
            continue
        if w == "a" and not seen:
            current = 1.0
            continue
        if w in n.en_ones:
            current += n.en_ones[w]
            seen = True
        elif w in n.en_tens:
            current += n.en_tens[w]
            seen = True
        elif w in n.en_scales:
            scale = n.en_scales[w]
            if current == 0:
                current = 1.0
            if scale == 100:
                current *= 100
            else:
                total += current * scale
                current = 0.0
            seen = True
        elif w in n.en_specials:
            current += n.en_specials[w]
            seen = True
        else:
            return None
    if not seen:
        return None
    return total + current


def format_value(value: float) -> str:
    """A value as a short string without float noise: 13000000000.0 → '13000000000'."""
    if value == int(value) and abs(value) < 1e18:
        return str(int(value))
    return f"{value:.10g}"
