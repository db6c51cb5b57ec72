"""Which currency an ambiguous word names: a bare 元 by region, ¥ as yen or renminbi.

The region of an article comes from, in order: its URL's country, its outlet's name, and
the words and script of its text (rules/currencies.yaml, `ambiguous` and `regions`).
Words are matched in both scripts: OpenCC folds each rule word to its Traditional and
Simplified forms once, so the text itself is never converted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from extractor import rules
from extractor.errors import RuleError
from extractor.quantities import Quantity
from extractor.scripts import both_scripts, converters, fold, forms


@dataclass(frozen=True)
class Region:
    name: str
    url_suffixes: tuple[str, ...]
    names: re.Pattern[str]
    words: re.Pattern[str]


@dataclass(frozen=True)
class Regional:
    ambiguous: dict[str, dict[str, str]]  # word -> region (or "default") -> ISO code
    regions: dict[str, Region]
    traditional: re.Pattern[str]  # characters only Traditional script writes
    simplified: re.Pattern[str]


def _words_re(words: list[str]) -> re.Pattern[str]:
    written = sorted(set(fold(words)), key=len, reverse=True)
    alt = "|".join((rf"\b{re.escape(f)}\b" if f.isascii() else re.escape(f)) for f in written)
    return re.compile(alt or r"(?!x)x", re.IGNORECASE)


def _script_chars() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Characters whose form differs between the scripts, from OpenCC's tables."""
    if converters() is None:
        return re.compile(r"(?!x)x"), re.compile(r"(?!x)x")
    import opencc

    trad: set[str] = set()
    simp: set[str] = set()
    table = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    try:
        lines = table.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    for line in lines:
        t, _, s = line.partition("\t")
        if len(t) == 1 and s and s.split()[0] != t:
            trad.add(t)
            simp.add(s.split()[0])
    trad, simp = trad - simp, simp - trad
    return (re.compile("[" + re.escape("".join(sorted(trad))) + "]"),
            re.compile("[" + re.escape("".join(sorted(simp))) + "]"))


@cache
def regional() -> Regional:
    data = rules.load("currencies")
    amb_raw = data.get("ambiguous") or {}
    if not isinstance(amb_raw, dict):
        raise RuleError(rules.path_of("currencies"), "ambiguous", "expected a mapping word: {region: code}")
    ambiguous: dict[str, dict[str, str]] = {}
    for word, by_region in amb_raw.items():
        if not isinstance(by_region, dict) or "default" not in by_region:
            raise RuleError(rules.path_of("currencies"), f"ambiguous.{word}", "needs a default code")
        for code in by_region.values():
            if not re.fullmatch(r"[A-Z]{3}", str(code)):
                raise RuleError(rules.path_of("currencies"), f"ambiguous.{word}", f"{code!r} is not an ISO 4217 code")
        for form in both_scripts(str(word)):
            ambiguous[form] = {str(k): str(v) for k, v in by_region.items()}
    regions: dict[str, Region] = {}
    for name, entry in (data.get("regions") or {}).items():
        if not isinstance(entry, dict):
            raise RuleError(rules.path_of("currencies"), f"regions.{name}", "expected url_suffixes, names, words")
        regions[str(name)] = Region(
            str(name),
            tuple(s.lower() for s in rules.string_list("currencies", f"regions.{name}.url_suffixes", entry.get("url_suffixes", []))),
            _words_re(rules.string_list("currencies", f"regions.{name}.names", entry.get("names", []))),
            _words_re(rules.string_list("currencies", f"regions.{name}.words", entry.get("words", []))),
        )
    trad, simp = _script_chars()
    return Regional(ambiguous, regions, trad, simp)


_SAMPLE = 2500  # characters read to tell an article's script and region


class _Article:
    """What the article says about its region, worked out once and only when needed."""

    def __init__(self, norm: str, source: Mapping[str, Any] | None, reg: Regional) -> None:
        # A sample tells the script and the region's words as well as the whole text would.
        self.norm = norm[:_SAMPLE]
        self.reg = reg
        url = str((source or {}).get("url") or "")
        self.host = (urlsplit(url).hostname or "").lower() if url else ""
        self.outlet = str((source or {}).get("outlet") or "")
        self._counts: dict[str, int] = {}
        self._script: str | None = None

    def count(self, region: str) -> int:
        if region not in self._counts:
            self._counts[region] = len(self.reg.regions[region].words.findall(self.norm))
        return self._counts[region]

    def script(self) -> str:
        if self._script is None:
            t = len(self.reg.traditional.findall(self.norm))
            s = len(self.reg.simplified.findall(self.norm))
            self._script = "traditional" if t > s else ("simplified" if s > t else "")
        return self._script

    def region(self, candidates: list[str]) -> tuple[str, str] | None:
        regions = [self.reg.regions[c] for c in candidates if c in self.reg.regions]
        for r in regions:
            if self.host and any(self.host.endswith(sfx) for sfx in r.url_suffixes):
                return r.name, f"the URL's country ({self.host})"
        named = [r for r in regions if self.outlet and r.names.search(self.outlet)]
        if len(named) == 1:
            return named[0].name, f"the outlet {self.outlet!r} names {named[0].name}"
        counts = sorted(((self.count(r.name), r.name) for r in regions), reverse=True)
        script = self.script()
        if script == "simplified" and "CN" in candidates and "TW" in candidates:
            return "CN", "the text is in Simplified script"
        if counts and counts[0][0] > 0 and (len(counts) == 1 or counts[0][0] > counts[1][0]):
            if script == "traditional" and counts[0][1] == "CN" and "TW" in candidates:
                return None  # Traditional script with mainland words: nothing sure
            return counts[0][1], f"the text's words point to {counts[0][1]} ({counts[0][0]} of them)"
        return None


def resolve(norm: str, quantities: list[Quantity], source: Mapping[str, Any] | None) -> list[Quantity]:
    """Set the code of each amount written with an ambiguous currency word, and say why."""
    reg = regional()
    article: _Article | None = None
    out = []
    for q in quantities:
        choices = reg.ambiguous.get(q.currency_word) if q.kind == "money" and q.currency_word else None
        if choices is None:
            out.append(q)
            continue
        if article is None:
            article = _Article(norm, source, reg)
        found = article.region([r for r in choices if r != "default"])
        if found is not None and found[0] in choices:
            code, reason = choices[found[0]], f"{q.currency_word} read as {choices[found[0]]}: {found[1]}"
        else:
            code, reason = choices["default"], f"{q.currency_word} read as {choices['default']}: nothing names a region"
        if code != q.unit:
            q = replace(q, unit=code, explanation=q.explanation.replace(f" {q.unit}", f" {code}", 1))
        out.append(replace(q, currency_reason=reason))
    return out


def cldr_names() -> list[tuple[str, list[str], list[str]]]:
    """(code, prefixes, suffixes) for every ISO 4217 currency, from CLDR via Babel, as
    rules/currencies.yaml `cldr` asks; empty without Babel or without that section."""
    conf = rules.load("currencies").get("cldr")
    if not isinstance(conf, dict):
        return []
    try:
        from babel import Locale
        from babel.numbers import get_currency_name, get_currency_symbol, list_currencies
    except ImportError:
        return []
    # Parsed once: babel parses a locale given by name on every call.
    locales = [Locale.parse(loc) for loc in rules.string_list("currencies", "cldr.locales", conf.get("locales", ["en"]))]
    english = Locale.parse("en")
    skip_codes = tuple(rules.string_list("currencies", "cldr.skip_code_prefixes", conf.get("skip_code_prefixes", [])))
    skip_names = set(rules.string_list("currencies", "cldr.skip_names", conf.get("skip_names", [])))
    found = []
    for code in sorted(list_currencies()):
        if not re.fullmatch(r"[A-Z]{3}", code) or code.startswith(skip_codes):
            continue
        names: set[str] = set()
        for loc in locales:
            for count in (None, 1, 2):
                name = get_currency_name(code, count=count, locale=loc)
                if name and name != code and "(" not in name and "（" not in name and name not in skip_names:
                    names.add(name)
        symbol = get_currency_symbol(code, english)
        prefixes = [symbol] if symbol and symbol != code and not symbol.isalpha() and len(symbol) <= 4 else []
        found.append((code, prefixes, sorted(names)))
    by_name = forms(n for _, _, ns in found for n in ns)
    return [(code, prefixes, sorted({f for n in ns for f in by_name[n]})) for code, prefixes, ns in found]
