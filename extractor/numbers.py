"""Read the value of a written number: Arabic, Chinese numerals (mixed with Arabic, as in
4兆1300億), or English number words. The words come from `rules/numerals.yaml`.

Each reader starts at a position and reads the longest well-formed number there, so the
caller finds numbers in raw text without gluing tokens and without backtracking: the
work done is proportional to what is read.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache

from extractor import rules
from extractor.errors import RuleError

# Full-width forms are one code point each, like their ASCII twins, so translating them
# keeps every offset into the original text exact.
FULLWIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
        **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
        "％": "%",
        "．": ".",
        "，": ",",
        "＄": "$",
        "－": "-",
        "−": "-",
        "～": "~",
        "／": "/",
        "：": ":",
        "＋": "+",
        "＾": "^",
        "\u3000": " ",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
    }
)

_FULLWIDTH_MAP = {chr(k): str(v) for k, v in FULLWIDTH.items()}
_FULLWIDTH_RE = re.compile("[" + re.escape("".join(_FULLWIDTH_MAP)) + "]")


def normalize(text: str) -> str:
    """`text` with full-width forms as ASCII (FULLWIDTH), offsets unchanged. Faster than
    str.translate on Chinese text, where few characters change."""
    return _FULLWIDTH_RE.sub(lambda m: _FULLWIDTH_MAP[m.group()], text)


ARABIC = r"(?:\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"

# What the readers accept, in the normalized text: Indian (12,34,567) and space-grouped
# (1 234 567) thousands as well, and a power of ten or of the number (2e5, 2^5).
_DIGITS = (
    r"(?:\d{1,2}(?:,\d{2})+,\d{3}(?![\d,])(?:\.\d+)?"
    r"|\d{1,3}(?:,\d{3})+(?![\d])(?:\.\d+)?"
    r"|\d{1,3}(?: \d{3})+(?![\d])(?:\.\d+)?"
    r"|\d+(?:\.\d++(?!\.\d))?|(?<![.\d])\.\d+)"
)
_ARABIC_RE = re.compile(
    _DIGITS + r"(?:[eE][+-]?\d+(?![\w.])|(?:[x×]10)?\^[+-]?\d+(?![\d.]))?"
)
_POWER_RE = re.compile(r"([eE]|\^|[x×]10\^)([+-]?\d+)$")
_INTEGER_RE = re.compile(r"\d+")
# Readers never read more than this many characters of digits as one number.
_MAX_DIGITS = 400


@dataclass(frozen=True)
class Numerals:
    zh_digits: dict[str, int]
    zh_units: dict[str, int]
    zh_big_units: dict[str, int]
    zh_points: tuple[str, ...]
    zh_half: tuple[str, ...]
    zh_approx: tuple[str, ...]
    zh_dozen: tuple[str, ...]
    zh_minus: tuple[str, ...]
    zh_fraction: tuple[str, ...]
    zh_mixed: tuple[str, ...]
    zh_not_numbers: tuple[str, ...]
    zh_not_alone: tuple[str, ...]
    zh_not_after_point: tuple[str, ...]
    zh_before_big: tuple[str, ...]
    en_ones: dict[str, int]
    en_tens: dict[str, int]
    en_scales: dict[str, int]
    en_dozen: tuple[str, ...]
    en_ordinals: dict[str, int]
    en_ordinal_plurals: dict[str, int]
    en_connectors: tuple[str, ...]
    en_point: tuple[str, ...]
    en_minus: tuple[str, ...]
    en_articles: tuple[str, ...]
    en_fraction_words: dict[str, float]
    en_ratio_joiners: tuple[str, ...]
    en_not_after: tuple[str, ...]
    en_weak: tuple[str, ...]
    vulgar_fractions: dict[str, float] = field(default_factory=dict)
    en_vocab: frozenset[str] = field(default=frozenset())
    # Every character that can continue a Chinese numeral after an Arabic number (万, 点,
    # 多, 个 …): when the next one is none of them, the Arabic number is all there is.
    zh_continues: frozenset[str] = field(default=frozenset())

    @property
    def zh_chars(self) -> str:
        return "".join([*self.zh_digits, *self.zh_units, *self.zh_big_units])


def _int_map(name: str, section: str, data: object, key: str) -> dict[str, int]:
    if not isinstance(data, dict) or not isinstance(data.get(key), dict):
        raise RuleError(rules.path_of(name), f"{section}.{key}", "expected a mapping word: value")
    out: dict[str, int] = {}
    for word, value in data[key].items():
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise RuleError(rules.path_of(name), f"{section}.{key}.{word}", "value must be a number")
        out[str(word).lower()] = int(value)
    return out


def _words(section: str, data: dict[str, object], key: str) -> tuple[str, ...]:
    return tuple(rules.string_list("numerals", f"{section}.{key}", data.get(key, [])))


def _single_chars(section: str, key: str, words: dict[str, int] | tuple[str, ...]) -> None:
    for w in words:
        if len(w) != 1:
            raise RuleError(rules.path_of("numerals"), f"{section}.{key}.{w}", "must be one character")


@cache
def numerals() -> Numerals:
    data = rules.load("numerals")
    zh = rules.require("numerals", data, "zh", dict)
    en = rules.require("numerals", data, "en", dict)
    n = Numerals(
        zh_digits=_int_map("numerals", "zh", zh, "digits"),
        zh_units=_int_map("numerals", "zh", zh, "units"),
        zh_big_units=_int_map("numerals", "zh", zh, "big_units"),
        zh_points=_words("zh", zh, "decimal_point"),
        zh_half=_words("zh", zh, "half"),
        zh_approx=_words("zh", zh, "approximate"),
        zh_dozen=_words("zh", zh, "dozen"),
        zh_minus=_words("zh", zh, "minus"),
        zh_fraction=_words("zh", zh, "fraction"),
        zh_mixed=_words("zh", zh, "mixed"),
        zh_not_numbers=_words("zh", zh, "not_numbers"),
        zh_not_alone=_words("zh", zh, "not_alone"),
        zh_not_after_point=_words("zh", zh, "not_after_point"),
        zh_before_big=_words("zh", zh, "before_big_unit"),
        en_ones=_int_map("numerals", "en", en, "ones"),
        en_tens=_int_map("numerals", "en", en, "tens"),
        en_scales=_int_map("numerals", "en", en, "scales"),
        en_dozen=_words("en", en, "dozen"),
        en_ordinals=_int_map("numerals", "en", en, "ordinals"),
        en_ordinal_plurals=_int_map("numerals", "en", en, "ordinal_plurals"),
        en_connectors=_words("en", en, "connectors"),
        en_point=_words("en", en, "point"),
        en_minus=_words("en", en, "minus"),
        en_articles=_words("en", en, "articles"),
        en_fraction_words={
            str(k).lower(): float(v) for k, v in (en.get("fraction_words") or {}).items()
        },
        en_ratio_joiners=_words("en", en, "ratio_joiners"),
        en_not_after=_words("en", en, "not_after"),
        en_weak=_words("en", en, "weak"),
        vulgar_fractions={
            str(k): float(v) for k, v in (data.get("vulgar_fractions") or {}).items()
        },
    )
    for key, chars in (("digits", n.zh_digits), ("units", n.zh_units), ("big_units", n.zh_big_units),
                       ("decimal_point", n.zh_points), ("approximate", n.zh_approx),
                       ("half", n.zh_half), ("dozen", n.zh_dozen), ("minus", n.zh_minus)):
        _single_chars("zh", key, chars)
    vocab = frozenset(
        [*n.en_ones, *n.en_tens, *n.en_scales, *n.en_dozen, *n.en_ordinals,
         *n.en_ordinal_plurals, *n.en_connectors, *n.en_point, *n.en_articles,
         *n.en_fraction_words, *(w for j in n.en_ratio_joiners for w in j.split())]
    )
    continues = frozenset(
        [*n.zh_digits, *n.zh_units, *n.zh_big_units, *n.zh_points, *n.zh_approx, *n.zh_dozen,
         *n.zh_before_big, *n.zh_half]
    )
    return Numerals(**{**n.__dict__, "en_vocab": vocab, "zh_continues": continues})


@dataclass(frozen=True)
class Reading:
    """A number read from the text: its value (None: skip these characters, they are not
    a number) and where it ends. `approx`: the figure is a floor (十余万); `digit_string`:
    read digit by digit (三八); `magnitude`: the scale word that ended it (million)."""

    value: float | None
    end: int
    approx: bool = False
    digit_string: bool = False
    magnitude: float = 1.0
    fraction: bool = False


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def parse_arabic(text: str) -> float | None:
    """`1,350` → 1350.0; `2e5` → 200000.0; `2^5` → 32.0. Full-width forms are accepted.
    None when the text is not a number or its value is not finite."""
    if text.isascii() and text.isdigit():
        return _finite(float(text))  # the common case, as below without the work
    cleaned = text.translate(FULLWIDTH).replace(",", "").replace(" ", "")
    power = _POWER_RE.search(cleaned)
    try:
        if power and power.group(1) != "e" and power.group(1) != "E":
            base = float(cleaned[: power.start()])
            exponent = int(power.group(2))
            if abs(exponent) > 4000:
                return None
            if power.group(1) != "^":
                return _finite(base * 10.0**exponent)  # 1.3x10^6
            return _finite(base**exponent)
        return _finite(float(cleaned))
    except (ValueError, OverflowError, ZeroDivisionError):
        return None


# The last reading: a number is often read twice at the same place (as Chinese, which
# starts with its Arabic part, then as Arabic).
_last_arabic: tuple[str, int, tuple[float | None, int] | None] = ("", -1, None)


def read_arabic(text: str, pos: int) -> tuple[float | None, int] | None:
    """The Arabic number at `pos` of normalized text, and where it ends; the value is None
    when the digits are too many or the value is not finite (skip them)."""
    global _last_arabic
    last = _last_arabic
    if last[1] == pos and last[0] is text:
        return last[2]
    got = _read_arabic(text, pos)
    _last_arabic = (text, pos, got)
    return got


def _read_arabic(text: str, pos: int) -> tuple[float | None, int] | None:
    if pos >= 2 and text[pos - 1] == "." and text[pos - 2].isdigit():
        m = _INTEGER_RE.match(text, pos)  # 192.168.1.2: each part on its own
    else:
        m = _ARABIC_RE.match(text, pos)
    if not m:
        return None
    value = parse_arabic(m.group()) if m.end() - pos <= _MAX_DIGITS else None
    return value, m.end()


def _skip_blank(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t":
        i += 1
    return i


def _match_word(text: str, i: int, words: tuple[str, ...]) -> int | None:
    """End of one of `words` at `i`, spaces allowed between its characters."""
    for w in words:
        j = i
        for k, ch in enumerate(w):
            if k:
                j = _skip_blank(text, j)
            if j >= len(text) or text[j] != ch:
                break
            j += 1
        else:
            return j
    return None


def read_zh(text: str, pos: int) -> Reading | None:
    """The Chinese (or mixed Arabic) numeral at `pos`: 二十万, 4兆1300億, 2.5万亿, 十余万,
    两千三点一. Reads the longest well-formed prefix; None if there is none."""
    n = numerals()
    size = len(text)
    c = text[pos] if pos < size else ""
    if c not in n.zh_digits and (c.isdigit() or (c == "." and pos + 1 < size and text[pos + 1].isdigit())):
        # An Arabic number with nothing Chinese after it: what the loop below returns.
        got = read_arabic(text, pos)
        if got is not None and got[0] is not None:
            k = _skip_blank(text, got[1])
            if k >= size or text[k] not in n.zh_continues:
                return Reading(got[0], got[1])
    # Digits with no units read one by one: 二〇一九 → 2019, 三八(折) → 38. Two digits
    # before a unit (二三十, 三五年) are an approximate range, not a number.
    j, digits = pos, ""
    while j < size and text[j] in n.zh_digits and len(digits) < _MAX_DIGITS:
        digits += str(n.zh_digits[text[j]])
        j += 1
        k = _skip_blank(text, j)
        if k > j and k < size and text[k] in n.zh_digits:
            j = k
    if len(digits) >= 2:
        nxt = _skip_blank(text, j)
        if nxt < size and (text[nxt] in n.zh_units or text[nxt] in n.zh_big_units):
            return Reading(None, nxt + 1)
        return Reading(float(digits), j, digit_string=True)

    total = 0.0  # groups closed by a big unit (万, 亿)
    section = 0.0  # the group being written, below the next big unit
    digit: float | None = None
    digit_zh = False
    last_unit = 0
    last_big = 0
    biggest = 0
    zero = False
    approx = False
    valid = False
    end = pos
    i = pos
    group_total, group_end = 0.0, pos
    half = False

    def trailing() -> float:
        # 两千四百五 = 2450, 一万五 = 15000: a bare final digit takes the unit below.
        if digit is None:
            return 0.0
        unit = last_unit or last_big
        if digit_zh and not zero and digit < 10 and unit >= 100:
            return digit * unit / 10
        return digit

    while i < size:
        c = text[i]
        if c in " \t":
            k = _skip_blank(text, i)
            if k < size and (text[k] in n.zh_units or text[k] in n.zh_big_units
                             or text[k] in n.zh_approx or text[k] in n.zh_points
                             or (text[k] in n.zh_digits and (last_unit or last_big or zero))
                             or (text[k].isdigit() and (last_unit or last_big))):
                i = k
                continue
            break
        if c.isdigit() or (c == "." and i + 1 < size and text[i + 1].isdigit()):
            if digit is not None and not zero:
                break
            got = read_arabic(text, i)
            if got is None:
                return None if not valid else Reading(total + section + trailing(), end, approx)
            if got[0] is None:
                if valid:
                    return Reading(total + section + trailing(), end, approx)
                return Reading(None, got[1])  # too long to be a figure, or not finite
            digit, digit_zh = got[0], False
            i = end = got[1]
            valid = True
            continue
        if c in n.zh_digits:
            if digit is not None and not zero:
                break
            if n.zh_digits[c] == 0:
                zero = True
                digit = None
            else:
                digit, digit_zh = float(n.zh_digits[c]), True
                valid = True
                end = i + 1
            i += 1
            continue
        if c in n.zh_half and not valid and i + 1 < size and text[i + 1] in n.zh_units:
            digit, digit_zh, half = 0.5, False, True
            i += 1
            continue
        if c in n.zh_units:
            unit = n.zh_units[c]
            if last_unit and unit >= last_unit:
                break
            if digit is None and (valid or half) and not zero and not last_big:
                break
            section += (digit if digit is not None else 1.0) * unit
            digit, last_unit, zero, valid = None, unit, False, True
            i += 1
            end = i
            continue
        if c in n.zh_big_units:
            following = text[i + 1] if i + 1 < size else ""
            if not valid and not (i == pos and following in n.zh_big_units
                                  and n.zh_big_units[following] > n.zh_big_units[c]):
                break  # a lone 万 is no number, but 万亿 is a trillion
            if not valid:
                digit, valid = 1.0, True
            big = n.zh_big_units[c]
            part = section + (digit or 0.0)
            if part == 0 and last_big and not zero:
                total *= big  # 万万, 万亿: consecutive big units multiply
                big = last_big * big
            elif big > biggest:
                total = (total + part) * big
            elif big < last_big:
                total += part * big
            else:
                # 三万四万: a second group of the same size starts a new number
                return Reading(group_total, group_end, approx)
            section, digit, last_unit, zero = 0.0, None, 0, False
            last_big, biggest = big, max(biggest, big)
            i += 1
            end = i
            group_total, group_end = total, end
            continue
        if c in n.zh_points and valid:
            k = _skip_blank(text, i + 1)
            frac = ""
            while k < size and len(frac) < _MAX_DIGITS:
                if text[k] in n.zh_digits and text[k] not in n.zh_not_after_point:
                    frac += str(n.zh_digits[text[k]])
                elif text[k].isdigit():
                    frac += text[k]
                else:
                    break
                k += 1
            if not frac:
                break
            value = total + section + trailing() + float("0." + frac)
            after = _skip_blank(text, k)
            if total == 0 and after < size and text[after] in n.zh_big_units:
                # 一点五亿 = 150000000
                return Reading(value * n.zh_big_units[text[after]], after + 1, approx,
                               magnitude=float(n.zh_big_units[text[after]]))
            return Reading(value, k, approx)
        if c in n.zh_approx and valid:
            k = _skip_blank(text, i + 1)
            if k < size and (text[k] in n.zh_units or text[k] in n.zh_big_units):
                approx = True
                if digit is None and zero:
                    digit = 0.0
                i = k
                continue
            if not (k < size and (text[k] in n.zh_digits or text[k].isdigit())):
                # 二十余人, 100多倍: the figure is a floor; what follows is its unit
                return Reading(total + section + trailing(), i + 1, True)
            break
        if c in n.zh_before_big and valid and i + 1 < size and text[i + 1] in n.zh_big_units:
            i += 1  # 5个亿: a classifier before the big unit, said but not counted
            continue
        if c in n.zh_dozen and valid:
            return Reading((total + section + trailing()) * 12, i + 1, approx)
        break
    if not valid:
        return None
    return Reading(total + section + trailing(), end, approx,
                   magnitude=float(last_big) if digit is None and section == 0 and last_big else 1.0)


# ---------------------------------------------------------------------------
# English number words.

_EN_WORD = re.compile(r"[A-Za-z]+")
_EN_SEP = re.compile(r"[ \t]*-[ \t]*|[ \t]+")


@dataclass
class _Token:
    word: str  # lower case; '#' for an Arabic number
    start: int
    end: int
    sep: str  # what joins it to the token before: '', ' ' or '-'
    value: float = 0.0


class _Tokens:
    """English number tokens from `pos`, fetched only as far as the reader looks."""

    def __init__(self, text: str, pos: int) -> None:
        self.text = text
        self.pos = pos
        self.items: list[_Token] = []
        self.done = False

    def get(self, k: int) -> _Token | None:
        while len(self.items) <= k and not self.done:
            self._fetch()
        return self.items[k] if k < len(self.items) else None

    def _fetch(self) -> None:
        text = self.text
        if self.items:
            m = _EN_SEP.match(text, self.pos)
            if not m:
                self.done = True
                return
            sep = "-" if "-" in m.group() else " "
            i = m.end()
        else:
            sep, i = "", self.pos
        if i < len(text) and (text[i].isdigit() or text[i] == "."):
            got = read_arabic(text, i)
            if got is None or got[0] is None or (got[1] < len(text) and text[got[1]].isalpha()):
                self.done = True
                return
            self.items.append(_Token("#", i, got[1], sep, got[0]))
            self.pos = got[1]
            return
        w = _EN_WORD.match(text, i)
        if not w or w.group().lower() not in numerals().en_vocab:
            self.done = True
            return
        self.items.append(_Token(w.group().lower(), i, w.end(), sep))
        self.pos = w.end()


@dataclass
class _Cardinal:
    value: float
    k: int  # tokens read
    last: str  # class of the last token read
    scale: float = 1.0  # the last scale word (million) when it ended the number
    before_and: float | None = None  # value before the last 'and' (one hundred | and three)
    decimal: bool = False
    and_scale: float = 1.0  # the scale word before that 'and' (two million | and one half)


def _cls(n: Numerals, tok: _Token) -> str:
    w = tok.word
    if w == "#":
        return "arabic"
    if w in n.en_ones:
        return "ones"
    if w in n.en_tens:
        return "tens"
    if w == "hundred":
        return "hundred"
    if w in n.en_scales:
        return "scale"
    if w in n.en_dozen:
        return "dozen"
    if w in n.en_connectors:
        return "and"
    if w in n.en_articles:
        return "a"
    if w in n.en_point:
        return "point"
    if w in n.en_ordinals or w in n.en_ordinal_plurals:
        return "ordinal"
    return "other"


def _cardinal(n: Numerals, t: _Tokens, k: int) -> _Cardinal | None:
    """The whole number at token k: one hundred and three, 322 hundred, three lakh crore."""
    total, current = 0.0, 0.0
    last = ""
    prev_scale = math.inf
    scale_end = 1.0
    before_and: float | None = None
    and_scale = 1.0
    k0 = k
    # Where a large scale after a figure ended: bare ones or tens after it are another
    # number ("$9 billion two years ago", "3 million twenty times"), not 9,000,000,002.
    after_big: tuple[int, float] | None = None
    first = t.get(k0)
    from_figure = first is not None and _cls(n, first) == "arabic"
    while True:
        tok = t.get(k)
        if tok is None:
            break
        cls = _cls(n, tok)
        if cls == "and":
            nxt = t.get(k + 1)
            if last in ("hundred", "scale") and nxt is not None and _cls(n, nxt) in ("ones", "tens", "arabic"):
                before_and = total + current
                and_scale = scale_end if last == "scale" else 1.0
                last = "and"
                k += 1
                continue
            break
        if cls == "a":
            nxt = t.get(k + 1)
            if k == k0 and nxt is not None and _cls(n, nxt) in ("hundred", "scale", "dozen"):
                current, last = 1.0, "a"
                k += 1
                continue
            break
        if cls == "ones":
            v = n.en_ones[tok.word]
            ok = last in ("", "hundred", "scale", "and") or (last == "tens" and 0 < v < 10)
            if not ok or (last == "hundred" and current % 100) or (v == 0 and last not in ("",)):
                break
            if last == "tens" and tok.sep == "" :
                break
            current += v
        elif cls == "tens":
            if last not in ("", "hundred", "scale", "and"):
                break
            current += n.en_tens[tok.word]
        elif cls == "arabic":
            if last not in ("", "and", "scale"):
                break
            current += tok.value
        elif cls == "hundred":
            if (last not in ("ones", "tens", "arabic", "a") or current == 0
                    or (current >= 100 and last != "arabic")):
                break
            current *= 100
        elif cls == "scale":
            scale = n.en_scales[tok.word]
            if last in ("ones", "tens", "arabic", "hundred", "a") and current > 0:
                if scale >= prev_scale:
                    break
                total += current * scale
                current = 0.0
                prev_scale = scale
            elif last == "scale" and current == 0:
                total *= scale  # three lakh crore
            else:
                break
            scale_end = float(scale)
            # Only after figures ("$9 billion two years ago"); "nine million one" is one number.
            after_big = (k + 1, total) if scale >= 1_000_000 and from_figure else None
        elif cls == "dozen":
            if last not in ("ones", "tens", "arabic", "hundred", "a"):
                break
            current = (current or 1.0) * 12
            last = "dozen"
            k += 1
            break
        elif cls == "point" and last in ("ones", "tens", "hundred", "scale", "arabic"):
            digits = ""
            j = k + 1
            while (d := t.get(j)) is not None and (d.word in n.en_ones and n.en_ones[d.word] < 20):
                digits += str(n.en_ones[d.word])
                j += 1
            if not digits:
                break
            return _Cardinal(total + current + float("0." + digits), j, "point", decimal=True)
        else:
            break
        if cls != "scale":
            scale_end = 1.0
        last = cls
        k += 1
    if k == k0 or last in ("a", "and"):
        return None
    if after_big is not None and last in ("ones", "tens") and k > after_big[0]:
        k, total, current, last, scale_end = after_big[0], after_big[1], 0.0, "scale", float(prev_scale)
    return _Cardinal(total + current, k, last, scale_end, before_and, and_scale=and_scale)


def _ordinal(n: Numerals, tok: _Token | None) -> tuple[int, bool] | None:
    """A fraction's denominator word: (denominator, plural)."""
    if tok is None:
        return None
    if tok.word in n.en_ordinal_plurals:
        return n.en_ordinal_plurals[tok.word], True
    if tok.word in n.en_ordinals:
        return n.en_ordinals[tok.word], False
    return None


def _fraction(n: Numerals, t: _Tokens, k: int) -> tuple[float, int, bool] | None:
    """A fraction at token k (two thirds, a twenty-first, one hundred thirty fifths,
    half a dozen): (value, tokens read, proper)."""
    first = t.get(k)
    if first is None:
        return None
    if first.word in n.en_fraction_words and first.sep != "-":
        # half million, quarter million, half a dozen
        value = n.en_fraction_words[first.word]
        return _scaled(n, t, k + 1, value, needed=True)
    if first.word in n.en_articles:
        ordinal = _compound_ordinal(n, t, k + 1)
        if ordinal is None or ordinal[2]:
            return None
        return _scaled(n, t, ordinal[1], 1 / ordinal[0])
    card = _cardinal(n, t, k)
    if card is None or card.decimal:
        return None
    ordtok = t.get(card.k)
    if ordtok is None or ordtok.sep == "":
        return None
    ordv = _ordinal(n, ordtok)
    j = card.k + 1
    if ordv is None:
        # three twenty firsts = 3/21
        comp = _compound_ordinal(n, t, card.k)
        if comp is None:
            return None
        ordv, j = (comp[0], comp[2]), comp[1]
    num = card.value
    den, plural = ordv
    last_tok = t.get(card.k - 1)
    if (card.last == "tens" and last_tok is not None and den < 10 and j == card.k + 1
            and (ordtok.sep == "-" or card.k - 1 > k and last_tok.sep == " "
                 and (prev := t.get(card.k - 2)) is not None and _cls(n, prev) != "and")):
        # one hundred thirty fifths = 100/35, a twenty-first = 1/21
        tens = float(n.en_tens[last_tok.word])
        num -= tens
        den += int(tens)
    if num <= 0 or den < 2:
        return None
    if not plural and (num if card.before_and is None else num - card.before_and) != 1:
        return None  # a fifth, one fifth; not "two fifth"
    if card.before_and is not None and (num - card.before_and) / den < 1:
        # one hundred and three quarters = 100 + 3/4; two million and one half = 2.5 million
        part = _scaled(n, t, j, (num - card.before_and) / den)
        if part is None:
            return None
        scale = card.and_scale if part[1] == j else 1.0
        return card.before_and + part[0] * scale, part[1], False
    return _scaled(n, t, j, num / den)


def _compound_ordinal(n: Numerals, t: _Tokens, k: int) -> tuple[int, int, bool] | None:
    """An ordinal at token k, tens joined: fifth, twenty-first, twenty fifths."""
    tok = t.get(k)
    if tok is not None and tok.word in n.en_tens:
        nxt = t.get(k + 1)
        o = _ordinal(n, nxt)
        if nxt is not None and o is not None and o[0] < 10 and nxt.sep:
            return n.en_tens[tok.word] + o[0], k + 2, o[1]
        return None
    o = _ordinal(n, tok)
    if o is None or o[0] < 2:
        return None
    return o[0], k + 1, o[1]


def _scaled(n: Numerals, t: _Tokens, k: int, value: float, needed: bool = False) -> tuple[float, int, bool] | None:
    """A fraction then a scale: three quarters billion, two thirds of a million."""
    j = k
    tok = t.get(j)
    if tok is not None and tok.word == "of":
        j += 1
        tok = t.get(j)
    if tok is not None and tok.word in n.en_articles:
        j += 1
        tok = t.get(j)
    if tok is not None and (tok.word in n.en_scales or tok.word == "hundred"):
        return value * n.en_scales.get(tok.word, 100), j + 1, False
    if tok is not None and tok.word in n.en_dozen:
        return value * 12, j + 1, False
    if needed:
        return None
    return value, k, value < 1


def en_word_at(text: str, pos: int) -> bool:
    """Whether a word `read_en` reads (a number word, 'and', 'point') starts at `pos`. After
    a figure and spaces, no such word means `read_en` stops at the figure."""
    w = _EN_WORD.match(text, pos)
    return w is not None and w.group().lower() in numerals().en_vocab


def read_en(text: str, pos: int) -> Reading | None:
    """English number words (with Arabic parts) at `pos`: one hundred and three, two
    thirds, 3 dozens, nine point nought four, one billion and a quarter million."""
    n = numerals()
    t = _Tokens(text, pos)
    first = t.get(0)
    if first is None:
        return None
    value: float
    k: int
    fraction = False
    scale = 1.0
    frac = _fraction_any(n, t, 0)
    card = _cardinal(n, t, 0)
    if frac is not None and (card is None or frac[1] >= card.k):
        value, k, _ = frac
        fraction = True
    elif card is not None:
        value, k, scale = card.value, card.k, card.scale
        ordinal = t.get(card.k)
        if ordinal is not None and ordinal.sep == "-" and _ordinal(n, ordinal) is not None:
            return Reading(None, ordinal.end)  # the twenty-first century: an ordinal
        # twenty and three fifths, one million and a half
        nxt = t.get(k)
        if nxt is not None and nxt.word in n.en_connectors:
            mixed = _mixed_tail(n, t, k + 1)
            if mixed is not None:
                part, k2, own_scale = mixed
                if card.last == "scale" and not own_scale:
                    part *= card.scale
                end_tok = t.get(k2 - 1)
                tail_scale = float(n.en_scales.get(end_tok.word, 0)) if end_tok is not None else 0.0
                if own_scale and card.last != "scale" and tail_scale > value and part < tail_scale:
                    # two and a half million: the scale after the fraction scales the whole
                    value, k, fraction, scale = (value + part / tail_scale) * tail_scale, k2, True, tail_scale
                else:
                    value, k, fraction, scale = value + part, k2, True, 1.0
        # one over three, two out of five hundred
        ratio = _ratio(n, t, k, value)
        if ratio is not None:
            value, k = ratio
            fraction = True
    else:
        return None
    last = t.get(k - 1)
    assert last is not None
    return Reading(value, last.end, fraction=fraction, magnitude=scale)


def _fraction_any(n: Numerals, t: _Tokens, k: int) -> tuple[float, int, bool] | None:
    first = t.get(k)
    if first is None:
        return None
    if first.word in n.en_articles:
        nxt = t.get(k + 1)
        if nxt is not None and (nxt.word == "hundred" or nxt.word in n.en_scales):
            card = _cardinal(n, t, k)
            if card is None:
                return None
            o = _ordinal(n, t.get(card.k))
            if o is None:
                return None
            return card.value / o[0], card.k + 1, True
    return _fraction(n, t, k)


def _mixed_tail(n: Numerals, t: _Tokens, k: int, depth: int = 0) -> tuple[float, int, bool] | None:
    """After 'and': a proper fraction, or a whole number then one (three and three fifths)."""
    frac = _fraction_any(n, t, k)
    if frac is not None:
        value, j, proper = frac
        own_scale = not proper and value >= 1
        if proper or own_scale:
            return value, j, own_scale
        return None
    card = _cardinal(n, t, k)
    if card is None or card.decimal:
        return None
    nxt = t.get(card.k)
    if nxt is not None and nxt.word in n.en_connectors and depth < 2:
        rest = _mixed_tail(n, t, card.k + 1, depth + 1)
        if rest is not None and not rest[2]:
            return card.value + rest[0], rest[1], False
    return None


def _ratio(n: Numerals, t: _Tokens, k: int, value: float) -> tuple[float, int] | None:
    for joiner in n.en_ratio_joiners:
        parts = joiner.split()
        if all((tok := t.get(k + i)) is not None and tok.word == p for i, p in enumerate(parts)):
            den = _cardinal(n, t, k + len(parts))
            if den is None or den.decimal or not 0 < value < den.value:
                return None
            first = t.get(k + len(parts))
            if joiner == "in" and first is not None and first.word == "#" and 1000 <= den.value < 3000:
                return None  # 3 in 2025 is a time, not one in 2025
            return value / den.value, den.k
    return None


def parse_zh(text: str) -> float | None:
    """Value of a Chinese numeral, possibly with Arabic parts: 二十万, 4兆1300億, 2.5万亿.
    None unless all of `text` is one well-formed number."""
    norm = text.translate(FULLWIDTH).strip()
    r = read_zh(norm, 0)
    if r is None or r.value is None or r.end != len(norm):
        return None
    return r.value


def parse_en_words(text: str) -> float | None:
    """`one hundred and three` → 103; `two thirds` → 0.666…; None if not all a number."""
    norm = text.strip()
    r = read_en(norm, 0)
    if r is None or r.value is None or r.end != len(norm):
        return None
    return r.value


def format_value(value: float) -> str:
    """A value as a short string without float noise: 13000000000.0 → '13000000000'."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e18:
        return str(int(value))
    return f"{value:.10g}"
