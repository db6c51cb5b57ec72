"""Organisations and people that no list names, found in the text and linked.

`rules/entities.yaml` is the curated head start; this module finds the rest with the
words in `rules/discovery.yaml`:

- English capitalised runs ending in a corporate head (Motors, Holdings, Semiconductor …)
  or written right before a ticker in brackets;
- Chinese names ending in an organisation suffix (集团, 半导体, 资本 …), read back from
  the suffix to a boundary word;
- people introduced by a title (CEO Dana Whitlock, 创始人兼首席执行官刘承远).

Mentions of one entity are linked within an article: a bracketed alias or ticker right
after a name, the same name in Traditional and Simplified (OpenCC), the name without its
suffix (the short form), and the two language halves of a bilingual article (sentences
that state the same figures name the same parties in the same order). The result of an
article is a list of groups, each with a canonical name (English where one is linked).

Across articles, `link(db)` joins groups that share a key (a folded full name, a ticker)
and rewrites claims to the joined canonical name. It reads only the rows not linked yet
and looks keys up on an index, so it is incremental and never compares all pairs.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from extractor import rules, subjects
from extractor.errors import RuleError
from extractor.segment import Sentence

if TYPE_CHECKING:
    from extractor.rule_patterns import RulePattern

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
OPEN = "(（"
CLOSE = ")）"
QUOTES = "\"'“”「」『』‘’《》"


@dataclass(frozen=True)
class Vocabulary:
    heads: frozenset[str]
    weak_heads: frozenset[str]
    unit_places: frozenset[str]
    investor_heads: tuple[str, ...]
    zh_weak: tuple[str, ...]
    legal: frozenset[str]
    stop_words: frozenset[str]
    org_re: re.Pattern[str]  # English capitalised runs
    ticker_re: re.Pattern[str]  # a bracketed ticker, anchored at the bracket
    zh_suffix_re: re.Pattern[str]
    zh_max_core: int
    zh_boundaries: tuple[str, ...]  # longest first
    zh_generic_after: re.Pattern[str]
    zh_not_generic_after: re.Pattern[str]
    zh_places: tuple[str, ...]
    zh_not_names: frozenset[str]
    person_en_re: re.Pattern[str]
    person_en_after_re: re.Pattern[str]
    person_zh_re: re.Pattern[str]
    name_stops: frozenset[str]
    surnames: frozenset[str]
    offices: tuple[tuple[str, re.Pattern[str]], ...]  # (office, words that name it)
    zh_unit_re: re.Pattern[str]  # after a name: (旗下)日本子公司
    zh_unit_places: dict[str, str]  # 日本 → Japan
    zh_latin_re: re.Pattern[str]  # a Latin name after a Chinese organisation word: 公司Acme
    zh_quoted_re: re.Pattern[str]  # a quoted name after one: 芯片企业“地平微”
    en_after_re: re.Pattern[str]  # a name after an English one: "coding startup Acme"
    not_names: frozenset[str]  # capitalised words that are never a name (months, days)
    group_words: frozenset[str]  # a legal or group form (Holdings, Group): dropping it leaves the same company


def _words(key: str, data: dict[str, Any]) -> list[str]:
    return rules.string_list("discovery", key, rules.require("discovery", data, key, list))


def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def vocabulary() -> Vocabulary:
    data = rules.load("discovery")
    heads = _words("english_heads", data)
    legal = _words("legal_forms", data)
    word = r"[A-Z][A-Za-z0-9&'’.\-]*"
    # A connector (and, of, &) only inside a run: "Borealis Grid Systems and the …" ends at Systems.
    # A word of two lower-case letters or more then a full stop ends a sentence, not a name:
    # "… in Quorvia Labs. Harrow Peak Capital said" is two names ("U.S. Steel" stays one).
    org_re = re.compile(rf"(?<![A-Za-z0-9])(?:{word})(?:(?:[ ](?:&|of|and|de))?(?<![a-z]{{2}}\.)[ ](?:{word}))*")
    exch = _alt(_words("ticker_exchanges", data))
    suff = _alt(_words("ticker_suffixes", data))
    ticker_re = re.compile(
        rf"\s?[(（]\s*(?:(?P<exch>{exch})\s*[:：]\s*)?(?P<sym>[A-Z]{{2,5}}|\d{{4,6}})(?:\.(?:{suff}))?\s*[)）]")
    zh_suffixes = _words("chinese_suffixes", data)
    try:
        max_core = int(data.get("chinese_max_core", 4))
    except (TypeError, ValueError):
        raise RuleError(rules.path_of("discovery"), "chinese_max_core", "expected a whole number") from None
    titles_en = _words("person_titles_en", data)
    raw_offices = data.get("person_offices") or {}
    if not isinstance(raw_offices, dict):
        raise RuleError(rules.path_of("discovery"), "person_offices", "expected office: [words]")
    offices = tuple((str(k), re.compile(_alt(rules.string_list("discovery", f"person_offices.{k}", v))))
                    for k, v in raw_offices.items())
    titles_zh = _words("person_titles_zh", data)
    name = r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,2}"
    places = data.get("chinese_unit_places") or {}
    if not isinstance(places, dict) or not all(isinstance(v, str) for v in places.values()):
        raise RuleError(rules.path_of("discovery"), "chinese_unit_places", "expected 国名: English name")
    unit_words = _words("chinese_unit_words", data)
    links = _words("chinese_unit_links", data)
    zh_unit_re = re.compile(rf"(?:{_alt(links)})?(?P<place>{_alt(places)})(?P<unit>{_alt(unit_words)})") if places else \
        re.compile(r"(?!)")
    return Vocabulary(
        heads=frozenset(heads),
        weak_heads=frozenset(_words("english_weak_heads", data)),
        unit_places=frozenset(_words("english_unit_places", data)),
        investor_heads=tuple(_words("investor_heads", data)),
        zh_weak=tuple(_words("chinese_weak_suffixes", data)),
        legal=frozenset(legal),
        stop_words=frozenset(_words("english_stop_words", data)),
        org_re=org_re,
        ticker_re=ticker_re,
        zh_suffix_re=re.compile(f"(?:{_alt(zh_suffixes)})"),
        zh_max_core=max_core,
        zh_boundaries=tuple(sorted(set(_words("chinese_boundaries", data)), key=len, reverse=True)),
        zh_generic_after=re.compile(f"(?:{_alt(_words('chinese_generic_after', data))})"),
        zh_not_generic_after=re.compile(f"(?:{_alt(_words('chinese_not_generic_after', data))})"),
        zh_places=tuple(sorted(set(_words("chinese_leading_places", data)), key=len, reverse=True)),
        zh_not_names=frozenset(_words("chinese_not_names", data)),
        person_en_re=re.compile(rf"(?<![A-Za-z])(?:{_alt(titles_en)})(?: and (?:{_alt(titles_en)}))?,? (?P<name>{name})\b"),
        person_en_after_re=re.compile(rf"(?P<name>{name}), (?:the )?(?:company's |its )?(?:{_alt(titles_en)})\b"),
        person_zh_re=re.compile(rf"(?:{_alt(titles_zh)})(?:兼(?:{_alt(titles_zh)}))?(?P<name>[{_CJK}]{{2,3}})"),
        name_stops=frozenset(_words("person_name_stops", data)),
        surnames=frozenset(_words("person_surnames", data)),
        offices=offices,
        zh_unit_re=zh_unit_re,
        zh_unit_places={str(k): v for k, v in places.items()},
        zh_latin_re=re.compile(rf"(?:{_alt(_words('chinese_org_words_before_latin', data))})[ ]?"
                               r"(?P<name>[A-Z][A-Za-z0-9&]*(?:[ -][A-Z0-9][A-Za-z0-9&]*)*)(?![A-Za-z0-9.])"),
        zh_quoted_re=re.compile(rf"(?:{_alt(_words('chinese_org_words_before_latin', data))})[“「『]"
                                r"(?P<name>[\u4e00-\u9fffA-Za-z0-9·&]{2,10})[”」』]"),
        en_after_re=re.compile(rf"(?<![A-Za-z-])(?:{_alt(_words('english_org_words_before_name', data))}) "
                               r"(?P<name>[A-Z][A-Za-z0-9&]*(?: [A-Z][A-Za-z0-9&]*)*)(?![A-Za-z0-9])"),
        not_names=frozenset(_words("english_not_names", data)),
        group_words=frozenset(_words("english_group_words", data)),
    )


@cache
def _converter() -> Any:
    import opencc  # Traditional → Simplified with Taiwan phrases (軟體 → 软件)

    return opencc.OpenCC("tw2sp")


@lru_cache(maxsize=65536)  # bounded: a large archive names many distinct runs
def fold(name: str) -> str:
    """The key two spellings of one name share: Simplified, lower case, no spaces."""
    s = name.strip()
    if _CJK_RE.search(s):
        s = _converter().convert(s)
    return re.sub(r"[\s.\-·・'’]+", "", s).lower()


def ticker_spans(text: str) -> list[tuple[int, int]]:
    """Spans of tickers with their exchange in brackets ("(NASDAQ: NWMT)"): the exchange
    there names neither the subject nor the metric of the sentence's figures."""
    voc = vocabulary()
    out = []
    for k in [m.start() for m in re.finditer(r"[(（]", text)]:
        m = voc.ticker_re.match(text, k)
        if m is not None and m.group("exch"):
            out.append((k, m.end()))
    return out


def inside(spans: list[tuple[int, int]], pos: int) -> bool:
    i = bisect.bisect_right(spans, (pos, 1 << 62)) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def is_latin(name: str) -> bool:
    return not _CJK_RE.search(name)


@dataclass
class Group:
    """One entity as an article names it."""

    kind: str  # company, person
    names: list[str] = field(default_factory=list)  # full names as written, first seen first
    shorts: set[str] = field(default_factory=set)  # forms matched only within this article
    tickers: set[str] = field(default_factory=set)
    how: dict[str, str] = field(default_factory=dict)  # alias → how it was linked
    of: Group | None = None  # a person's organisation
    weak: bool = False  # found by a head that also names products: needs the article to confirm it
    curated: str | None = None  # the rules/entities.yaml name it is linked to
    offices: set[str] = field(default_factory=set)  # a person's offices (ceo, cfo) from their title
    romanised: str | None = None  # the English name of a unit of a company written only in Chinese

    @property
    def name(self) -> str:
        if self.curated:
            return self.curated
        latin = [n for n in self.names if is_latin(n)]
        if latin:
            return max(latin, key=lambda n: (len(n.split()), -self.names.index(n)))
        if self.romanised:
            return self.romanised
        if self.names and self.kind != "person" and (english := subjects.romanise(self.names[0])):
            return english  # written only in Chinese: its English form, as English coverage writes it
        return self.names[0] if self.names else next(iter(sorted(self.tickers)))

    def link_keys(self) -> set[str]:
        out = {fold(n) for n in self.names}
        out |= {"$" + t for t in self.tickers}
        return out

    def add(self, alias: str, how: str) -> None:
        if alias not in self.names:
            self.names.append(alias)
        self.how.setdefault(alias, how)


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    group: Group


class _Union:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        while self.parent.get(x, x) != x:
            x = self.parent[x]
        return x

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _strip_legal(name: str, voc: Vocabulary) -> str:
    words = name.split()
    while len(words) > 1 and words[-1] in voc.legal:
        words.pop()
    return " ".join(words)


def _english_orgs(text: str, voc: Vocabulary, outlet: str = "") -> list[tuple[int, int, str, str | None]]:
    """(start, end, name, ticker) of English organisation names."""
    out: list[tuple[int, int, str, str | None]] = []
    for run in voc.org_re.finditer(text):
        pos = run.start()
        whole = run.group()
        if " " not in whole and "(" not in text[pos + len(whole) : pos + len(whole) + 2] \
                and "（" not in text[pos + len(whole) : pos + len(whole) + 2]:
            continue  # one word with no bracket after it: neither a head after a name nor a ticker
        for part in re.split(r"( and | of )", whole) if " and " in whole or " of " in whole else (whole,):
            if part in (" and ", " of "):
                pos += len(part)
                continue
            found = _english_org(text, voc, part, pos, run.end(), outlet)
            if found is not None:
                out.append(found)
            pos += len(part)
    return out


def _english_org(text: str, voc: Vocabulary, run: str, start: int, run_end: int,
                 outlet: str) -> tuple[int, int, str, str | None] | None:
    words = run.split(" ")
    end = start + len(run)
    # Most runs (a capitalised word or two) have no head after their first word and no
    # ticker after them: no name, whatever follows finds (the same None, sooner).
    if not any(w in voc.legal or _bare(w) in voc.heads for w in words[1:]) and (
            end != run_end or voc.ticker_re.match(text, end) is None):
        return None
    offs = []
    pos = start
    for w in words:
        offs.append(pos)
        pos += len(w) + 1
    if outlet and fold(run).startswith(outlet[: max(6, len(fold(run)))]):
        return None  # the outlet's own name in a byline or dateline
    # Leading description words are not part of the name.
    i = 0
    while i < len(words) and (words[i] in voc.stop_words or words[i].rstrip("'s’") in voc.stop_words):
        i += 1
    # "Hong Kong-based Crescent Capital": what comes up to an adjective is a description.
    adjective = [k for k, w in enumerate(words) if re.search(r"-(?:based|listed|backed|owned|headquartered)$", w)]
    if adjective:
        i = max(i, adjective[-1] + 1)
    end_i = None
    for k in range(len(words) - 1, i, -1):
        if _bare(words[k]) in voc.heads or words[k] in voc.legal:
            end_i = k
            break
    tick = voc.ticker_re.match(text, end) if end == run_end else None
    if tick is not None and not tick.group("exch") and not tick.group("sym").isdigit() and end_i is None:
        tick = None  # (ABCD) after a name with no head: as often an acronym as a ticker
    if end_i is None and tick is not None and i < len(words):
        end_i = len(words) - 1
    if end_i is None or end_i < i:
        return None
    if end_i + 1 < len(words) and _bare(words[end_i + 1]) in voc.unit_places and tick is None:
        end_i += 1  # "Brevik Cell Japan": the group's local unit
    # The head must follow a name word (Group alone is not a name), and a run that
    # goes on past its head with other capitalised words names something else
    # (an outlet: "Northwind Tech Ledger").
    if all(w in voc.heads or w in voc.legal for w in words[i : end_i + 1]) and tick is None:
        return None
    rest = [w for w in words[end_i + 1 :] if w not in voc.legal]
    if rest and not all(w in voc.stop_words for w in rest):
        return None
    s = offs[i]
    e = offs[end_i] + len(_bare(words[end_i])) if end_i < len(words) - 1 or tick is None else end
    name = text[s:e]
    ticker = tick.group("sym") if tick is not None and e == end else None
    return (s, e, _strip_legal(name, voc), ticker)


def _org_kind(name: str, voc: Vocabulary) -> str:
    """investor for a fund or capital firm, company for any other organisation."""
    return "investor" if any(name.endswith(h) for h in voc.investor_heads) else "company"


def _bare(word: str) -> str:
    """A word without a possessive or trailing punctuation: Holdings' → Holdings."""
    if word[-1:] not in "'’s.,":  # nothing to strip (most words): no regex call
        return word
    return re.sub(r"(?:['’]s?|[.,])+$", "", word)


def _chinese_orgs(text: str, voc: Vocabulary) -> list[tuple[int, int, str, str]]:
    """(start, end, full name, short form) of Chinese organisation names."""
    out = []
    boundaries, places = _as_set(voc.zh_boundaries), _ranks(voc.zh_places)
    for m in voc.zh_suffix_re.finditer(text):
        after = voc.zh_generic_after.match(text, m.end())
        if after is not None and voc.zh_not_generic_after.match(text, m.end()) is None:
            continue
        lo = m.start()
        while lo > 0 and m.start() - lo < voc.zh_max_core + 2 and _CJK_RE.match(text[lo - 1]):
            lo -= 1
        body = text[lo : m.start()]
        # The body is a few characters: look its substrings up rather than searching it
        # for each of the hundreds of boundary words and places.
        subs = [(j, body[i:j]) for i in range(len(body)) for j in range(i + 1, len(body) + 1)]
        # Cut at the last boundary word (where the last one found ends), then drop leading places.
        cut = max((j for j, sub in subs if sub in boundaries), default=0)
        body = body[cut:]
        for p in sorted({sub for _, sub in subs if sub in places}, key=places.__getitem__):
            k = body.rfind(p)  # in the order of zh_places, as a scan of all of them would
            if k >= 0 and len(body) - k - len(p) >= 2:
                body = body[k + len(p):]
        if len(body) > voc.zh_max_core:
            body = body[-voc.zh_max_core :]
        if len(body) < 2 or body in voc.zh_not_names or body in places:
            continue
        if voc.zh_suffix_re.fullmatch(body):
            continue
        s = m.start() - len(body)
        out.append((s, m.end(), text[s : m.end()], body))
    # A legal form after a name with a suffix of its own (蓝湾生物科技股份有限公司): the whole
    # registered name, its body the name before the legal form, which the form confirms.
    ends = {e: (s, name) for s, e, name, _ in out}
    for s, e, name, _body in list(out):
        legal = next((f for f in _LEGAL_SUFFIXES if name.endswith(f) and len(name) > len(f)), None)
        inner = ends.get(e - len(legal)) if legal else None
        if inner is not None and inner[0] < s:
            out.append((inner[0], e, text[inner[0] : e], inner[1]))
    return out


_LEGAL_SUFFIXES = ("股份有限公司", "有限责任公司", "有限責任公司", "有限公司")


def _quoted_after_org_word(text: str, voc: Vocabulary) -> list[tuple[int, int, str]]:
    """(start, end, name) of names quoted right after a Chinese organisation word:
    智能驾驶芯片企业“地平微”, 初創公司「雲杉智能」 (a startup's name needs no suffix there)."""
    out = []
    for m in voc.zh_quoted_re.finditer(text):
        name = m.group("name")
        if name in voc.zh_not_names:
            continue
        out.append((m.start("name"), m.end("name"), name))
    return out


def _latin_after_org_word(text: str, voc: Vocabulary) -> list[tuple[int, int, str]]:
    """(start, end, name) of Latin names introduced by an organisation word: 编程工具公司Acme,
    云计算初创企业Acme Cloud, "coding startup Acme". A name needs a small letter (CEO, AI,
    IPO after 公司 are words, not names) and is not a description word (The, Chief, May)."""
    out = []
    for rx in (voc.zh_latin_re, voc.en_after_re):
        for m in rx.finditer(text):
            name = m.group("name")
            words = name.split()
            if not any(c.islower() for c in name) or words[0] in voc.stop_words or words[0] in voc.not_names:
                continue
            out.append((m.start("name"), m.end("name"), _strip_legal(name, voc)))
    return sorted(out)


@lru_cache(maxsize=8)
def _skipping(rx: re.Pattern[str]) -> RulePattern:
    """`rx` scanned by quantities.RulePattern: the same matches, the engine skipping to
    where one can start (a title word) instead of trying the pattern everywhere."""
    from extractor.rule_patterns import RulePattern

    return RulePattern(rx)


@lru_cache(maxsize=8)
def _as_set(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(words)


@lru_cache(maxsize=8)
def _ranks(words: tuple[str, ...]) -> dict[str, int]:
    """Each word's first place in `words`."""
    out: dict[str, int] = {}
    for i, w in enumerate(words):
        out.setdefault(w, i)
    return out


def _people(text: str, voc: Vocabulary) -> list[tuple[int, int, str, int]]:
    """(start, end, name, title start) of people introduced by a title."""
    out = []
    for rx in (voc.person_en_re, voc.person_en_after_re):
        for m in (_skipping(rx).finditer(text) if rx is voc.person_en_re else rx.finditer(text)):
            name = m.group("name")
            if any(w in voc.heads or w in voc.stop_words for w in name.split()):
                continue
            out.append((m.start("name"), m.end("name"), name, m.start()))
    for m in voc.person_zh_re.finditer(text):
        name = m.group("name")
        if len(name) == 3 and name[2] in voc.name_stops:
            name = name[:2]
        if name[-1] in voc.name_stops or voc.zh_suffix_re.search(name):
            continue
        if name[0] not in voc.surnames and name[:2] not in voc.surnames:
            continue
        out.append((m.start("name"), m.start("name") + len(name), name, m.start()))
    return out


def _fund_arm(name: str, taken: list[tuple[int, int, str]], starts: list[int], s: int, e: int,
              voc: Vocabulary) -> bool:
    """A listed name at the start of a longer one ending in an investor's suffix is that
    company's fund, an investor of its own (小米产业基金 is not 小米)."""
    if not name.endswith(voc.investor_heads):
        return False
    i = bisect.bisect_right(starts, e) - 1
    while i >= 0 and taken[i][1] > s:
        ts, te, _ = taken[i]
        if ts < e and not (ts == s and te < e):
            return False
        i -= 1
    return True


@dataclass
class Discovery:
    found: list[Found]
    groups: list[Group]


def discover(text: str, taken: list[tuple[int, int, str]], parallel: Iterable[tuple[int, int, int, int]] = (),
             outlet: str = "") -> Discovery:
    """Organisations and people in `text` beyond the curated ones.

    `taken`: (start, end, curated name) of curated mentions, which win where they overlap.
    `parallel`: (start, end, start, end) pairs of spans in two languages that state the
    same figures (a bilingual article's halves), whose unlinked names are paired in order.
    """
    voc = vocabulary()
    raw: list[tuple[int, int, Group]] = []
    taken_starts = [t[0] for t in taken]

    def overlaps_taken(s: int, e: int) -> str | None:
        i = bisect.bisect_right(taken_starts, e) - 1
        while i >= 0 and taken[i][1] > s:
            if taken[i][0] < e:
                return taken[i][2]
            i -= 1
        return None

    for s, e, name, ticker in _english_orgs(text, voc, fold(outlet) if outlet else ""):
        last = name.rsplit(" ", 1)[-1]
        # A local unit's place ("… Cell Japan") may be a curated country: the unit wins.
        core_end = e - len(last) - 1 if " " in name and last in voc.unit_places else e
        if overlaps_taken(s, core_end):
            continue
        g = Group(_org_kind(name, voc))
        g.add(name, "written with a corporate head" if ticker is None else "written before its ticker")
        g.weak = name.split()[-1] in voc.weak_heads and ticker is None
        if ticker:
            g.tickers.add(ticker.lstrip("0") or ticker)
        raw.append((s, e, g))
    for s, e, name, body in _chinese_orgs(text, voc):
        if overlaps_taken(s, e) and not _fund_arm(name, taken, taken_starts, s, e, voc):
            continue
        g = Group(_org_kind(name, voc))
        g.add(name, "written with an organisation suffix")
        g.weak = name.endswith(voc.zh_weak)
        g.shorts.add(body)
        raw.append((s, e, g))
    for s, e, name in _latin_after_org_word(text, voc):
        same = [g for rs, re_, g in raw if rs < e and s < re_]
        for g in same:
            g.weak = False  # "Acme Labs" after 初创企业 is a company, not a product
        if same or overlaps_taken(s, e):
            continue
        g = Group(_org_kind(name, voc))
        g.add(name, "written after an organisation word")
        raw.append((s, e, g))
    for s, e, name in _quoted_after_org_word(text, voc):
        if overlaps_taken(s, e) or any(rs < e and s < re_ for rs, re_, _ in raw):
            continue
        g = Group(_org_kind(name, voc))
        g.add(name, "quoted after an organisation word")
        raw.append((s, e, g))
    for s, e, name, t in _people(text, voc):
        if overlaps_taken(s, e) or any(rs < e and s < re_ for rs, re_, _ in raw):
            continue
        g = Group("person")
        g.add(name, "introduced by a title")
        title = text[t:s] if t < s else text[e : e + 40]  # "X, chief executive" puts it after
        g.offices = {o for o, rx in voc.offices if rx.search(title)}
        raw.append((s, e, g))
    raw.sort(key=lambda r: (r[0], -r[1]))
    # Overlapping finds: the first, longest one stays.
    kept: list[tuple[int, int, Group]] = []
    for r in raw:
        if kept and r[0] < kept[-1][1]:
            continue
        kept.append(r)
    groups = [g for _, _, g in kept]
    union = _Union()

    # Bracketed aliases and tickers right after a name.
    for k, (_s, e, g) in enumerate(kept):
        j = e
        while j < len(text) and text[j] in QUOTES + " ":
            j += 1
        if j >= len(text) or text[j] not in OPEN:
            continue
        close = next((x for x in range(j + 1, min(len(text), j + 60)) if text[x] in CLOSE), None)
        if close is None:
            continue
        inner = text[j + 1 : close].strip().strip(QUOTES).strip()
        tick = voc.ticker_re.match(text, j)
        if tick is not None and g.kind != "person":
            g.tickers.add(tick.group("sym").lstrip("0") or tick.group("sym"))
            continue
        nxt = next((i for i in range(k + 1, len(kept)) if kept[i][0] > j and kept[i][1] <= close), None)
        if nxt is not None:
            union.join(k, nxt)
            kept[nxt][2].how[kept[nxt][2].names[0]] = "bracketed after " + g.names[0]
        elif inner and len(inner) <= 40 and not re.search(r"\d", inner):
            cjk_inner = bool(_CJK_RE.search(inner))
            if cjk_inner != (not is_latin(g.names[0])) and (cjk_inner or inner[:1].isupper()):
                g.add(inner, "bracketed after " + g.names[0])
    # The same key (Traditional and Simplified, spacing) or ticker within the article.
    by_key: dict[str, int] = {}
    for k, g in enumerate(groups):
        for key in g.link_keys():
            if key in by_key:
                union.join(by_key[key], k)
            else:
                by_key[key] = k
    # Short forms: an English name without its heads, a Chinese one without its suffix.
    # A name that differs from another only by a group word or legal form ("Harbourline
    # Logistics" in the headline, "Harbourline Logistics Holdings" in the text) is the same.
    same_company: list[tuple[int, str]] = []
    for k, g in enumerate(groups):
        if g.kind == "person":
            # "Elena Voss ... Voss said": a Latin name's surname, once it is at least
            # three letters and capitalised.
            for n in list(g.names):
                last = n.split()[-1] if is_latin(n) and " " in n else ""
                if len(last) >= 3 and last[0].isupper() and last not in voc.stop_words:
                    g.shorts.add(last)
            continue
        for n in list(g.names):
            if is_latin(n):
                words = n.split()
                # Every form down to the first head: Harbourline Logistics Holdings →
                # Harbourline Logistics → Harbourline.
                only_group_words = True
                while len(words) > 1 and (words[-1] in voc.heads or words[-1] in voc.legal):
                    only_group_words = only_group_words and (words[-1] in voc.legal or words[-1] in voc.group_words)
                    words.pop()
                    if len(" ".join(words)) >= 4:
                        g.shorts.add(" ".join(words))
                        if only_group_words and len(words) > 1:
                            same_company.append((k, fold(" ".join(words))))
    for k, key in same_company:
        if key in by_key:
            union.join(by_key[key], k)
    short_owner: dict[str, int | None] = {}
    for k, g in enumerate(groups):
        for sf in g.shorts:
            key = fold(sf)
            if key in by_key and union.find(by_key[key]) != union.find(k):
                short_owner[key] = None
                continue
            owner = short_owner.get(key, k)
            short_owner[key] = k if owner is not None and union.find(owner) == union.find(k) else None
    for key, owner in short_owner.items():
        if owner is not None and key in by_key:
            union.join(by_key[key], owner)
    # Persons' organisations: the organisation named just before the title.
    merged = _merge(groups, union)
    found = [Found(s, e, merged[union.find(k)]) for k, (s, e, _) in enumerate(kept)]
    found = _short_mentions(text, found, short_owner, merged, union, taken)
    found = _local_units(text, found, voc)
    _pair_halves(found, parallel)
    found = _confirmed(found)
    _affiliate(text, found)
    out_groups = list(dict.fromkeys(id(f.group) for f in found))
    by_id = {id(f.group): f.group for f in found}
    return Discovery(found, [by_id[i] for i in out_groups])


def _local_units(text: str, found: list[Found], voc: Vocabulary) -> list[Found]:
    """X（alias）旗下日本子公司: the mention is of the local unit, named like the English
    form ("X Japan") when the parent has an English name, else X日本子公司."""
    units: dict[tuple[int, str], Group] = {}
    out = []
    for f in found:
        g = f.group
        j = f.end
        if g.kind != "company":
            out.append(f)
            continue
        if j < len(text) and text[j] in OPEN:
            close = next((x for x in range(j + 1, min(len(text), j + 60)) if text[x] in CLOSE), None)
            j = close + 1 if close is not None else j
        m = voc.zh_unit_re.match(text, j)
        if m is None:
            out.append(f)
            continue
        place = m.group("place")
        unit = units.get((id(g), place))
        if unit is None:
            unit = units[(id(g), place)] = Group("company")
            latin = [n for n in g.names if is_latin(n)]
            if latin:
                unit.add(f"{max(latin, key=len)} {voc.zh_unit_places[place]}", "local unit of " + g.names[0])
            elif not g.curated and (english := subjects.romanise(g.names[0])):
                unit.romanised = f"{english} {voc.zh_unit_places[place]}"  # a name, not an alias written
            unit.add(text[f.start : f.end] + place + m.group("unit"), "local unit of " + g.names[0])
        out.append(Found(f.start, m.end(), unit))
    # A name inside a unit's mention (its bracketed alias) is part of it.
    kept: list[Found] = []
    for f in out:
        if kept and f.start < kept[-1].end:
            continue
        kept.append(f)
    return kept


def _merge(groups: list[Group], union: _Union) -> dict[int, Group]:
    merged: dict[int, Group] = {}
    for k, g in enumerate(groups):
        root = union.find(k)
        if root not in merged:
            merged[root] = g
            continue
        m = merged[root]
        for n in g.names:
            m.add(n, g.how.get(n, "the same name"))
        m.shorts |= g.shorts
        m.tickers |= g.tickers
        if g.kind != "person":
            m.kind = g.kind if m.kind == "person" else m.kind
        m.weak = m.weak and g.weak
    return merged


def _short_mentions(text: str, found: list[Found], short_owner: dict[str, int | None], merged: dict[int, Group],
                    union: _Union, taken: list[tuple[int, int, str]]) -> list[Found]:
    """Mentions of each group's names and short forms where nothing longer was found."""
    forms: dict[str, Group] = {}
    for g in merged.values():
        for sf in g.shorts:
            if short_owner.get(fold(sf)) is not None:
                forms[sf] = g
        for n in g.names:  # a person named again without the title, a name written twice
            if len(n) >= 2:
                forms.setdefault(n, g)
    if not forms:
        return found
    occupied = sorted([(f.start, f.end) for f in found] + [(t[0], t[1]) for t in taken])
    occ_starts = [o[0] for o in occupied]
    out = list(found)
    for start, end, form in _find_forms(text, sorted(forms, key=len, reverse=True)):
        i = bisect.bisect_right(occ_starts, start) - 1
        if i >= 0 and occupied[i][1] > start:
            continue
        if i + 1 < len(occupied) and occupied[i + 1][0] < end:
            continue
        g = forms[form]
        g.how.setdefault(form, "short form of " + g.names[0])
        out.append(Found(start, end, g))
    out.sort(key=lambda f: f.start)
    return out


def _find_forms(text: str, forms: list[str]) -> list[tuple[int, int, str]]:
    """What the alternation of `forms`, in this order, finds left to right (a Latin form
    not inside a word: no letter before it, no small letter after it), found with
    str.find: compiling that regex for every article cost more than the rest of this."""
    cands = []
    for order, form in enumerate(forms):
        latin = is_latin(form)
        k = text.find(form)
        while k >= 0:
            e = k + len(form)
            if not latin or not ((k > 0 and _ascii_letter(text[k - 1])) or (e < len(text) and "a" <= text[e] <= "z")):
                cands.append((k, order, e))
            k = text.find(form, k + 1)
    cands.sort()
    out: list[tuple[int, int, str]] = []
    pos = 0
    for k, order, e in cands:  # at one start the first form in order wins, as in the regex
        if k >= pos:
            out.append((k, e, forms[order]))
            pos = e
    return out


def _ascii_letter(ch: str) -> bool:
    return "a" <= ch <= "z" or "A" <= ch <= "Z"


def _pair_halves(found: list[Found], parallel: Iterable[tuple[int, int, int, int]]) -> None:
    """Join the names of two spans that state the same figures in two languages, in
    order, when each side names the same number of entities not yet on both sides."""
    starts = [f.start for f in found]
    for a0, a1, b0, b1 in parallel:
        side_a = _groups_in(found[bisect.bisect_left(starts, a0) : bisect.bisect_left(starts, a1)])
        side_b = _groups_in(found[bisect.bisect_left(starts, b0) : bisect.bisect_left(starts, b1)])
        both = [g for g in side_a if g in side_b]
        if not all(_two_scripts(g) for g in both):
            continue  # one side mixes the languages (a bilingual headline): no order to trust
        side_a = [g for g in side_a if g not in both]
        side_b = [g for g in side_b if g not in both]
        if not side_a or len(side_a) != len(side_b):
            continue
        if any(_two_scripts(g) for g in side_a + side_b):
            continue  # a name already linked across scripts stands unpaired: ambiguous
        if any(ga.kind != gb.kind or is_latin(ga.names[0]) == is_latin(gb.names[0])
               for ga, gb in zip(side_a, side_b, strict=True)):
            continue
        for ga, gb in zip(side_a, side_b, strict=True):
            if _unit(ga) != _unit(gb):
                continue
            for n in gb.names:
                ga.add(n, "the same place in the other language half")
            ga.shorts |= gb.shorts
            ga.tickers |= gb.tickers
            for i, f in enumerate(found):
                if f.group is gb:
                    found[i] = Found(f.start, f.end, ga)


def _unit(g: Group) -> bool:
    """A local unit ("Brevik Cell Japan"): never paired with a name that may be its parent."""
    places = vocabulary().unit_places
    return any(" " in n and n.rsplit(" ", 1)[-1] in places for n in g.names if is_latin(n))


def _groups_in(found: list[Found]) -> list[Group]:
    out: list[Group] = []
    for f in found:
        if f.group not in out:
            out.append(f.group)
    return out


def _two_scripts(g: Group) -> bool:
    return any(is_latin(n) for n in g.names) and any(not is_latin(n) for n in g.names)


def _confirmed(found: list[Found]) -> list[Found]:
    """Drop names the article never confirms: written once, with no ticker, no
    other-script alias and no short form of their own (电商集团, 仓储物流 are industries,
    "Azure AI" a product)."""
    seen: dict[int, int] = {}
    for f in found:
        seen[id(f.group)] = seen.get(id(f.group), 0) + 1
    out = []
    for f in found:
        g = f.group
        if g.kind != "person" and g.weak and not g.tickers and not _two_scripts(g) and seen[id(g)] < 2:
            continue
        out.append(f)
    return out


def _affiliate(text: str, found: list[Found]) -> None:
    """A person's organisation: named just before the title, else the article's first."""
    first_org = next((f.group for f in found if f.group.kind != "person"), None)
    for i, f in enumerate(found):
        g = f.group
        if g.kind != "person" or g.of is not None:
            continue
        before = [o for o in found[:i] if o.group.kind != "person" and f.start - o.end <= 20]
        g.of = before[-1].group if before else first_org


def group_rows(article_id: str, groups: Iterable[Group]) -> list[dict[str, Any]]:
    """One `entities` row per alias of each group, as the article links them."""
    rows = []
    for g in groups:
        aliases = [(n, g.how.get(n, "")) for n in g.names]
        aliases += [(sf, g.how.get(sf, "short form")) for sf in sorted(g.shorts) if sf not in g.names]
        aliases += [("$" + t, "ticker in brackets after the name") for t in sorted(g.tickers)]
        if g.name not in g.names and g.name not in g.shorts and (g.romanised or (g.names and subjects.romanise(g.names[0]) == g.name)):
            aliases.append((g.name, subjects.ROMANISED))
        keys = {a: (a if a.startswith("$") else fold(a)) for a, _h in aliases}
        if g.of is not None:
            # The same office at the same organisation links one person across scripts.
            org = ["$" + t for t in sorted(g.of.tickers)] or sorted(fold(n) for n in g.of.names)
            for office in sorted(g.offices):
                for o in org:
                    alias = f"{office} of {o}"
                    aliases.append((alias, "holds that office there"))
                    keys[alias] = "@" + o + ":" + office
        for alias, how in aliases:
            key = keys[alias]
            rows.append({
                "id": f"{article_id}:{g.name}:{alias}",
                "name": g.name,
                "local_name": g.name,
                "kind": g.kind,
                "alias": alias,
                "key": key,
                # Short forms and romanised names find mentions but join no groups (华悦, 华岳: one pinyin).
                "linking": 0 if (alias in g.shorts and alias not in g.names) or how == subjects.ROMANISED else 1,
                "how": how,
                "of": g.of.name if g.of else None,
                "article_id": article_id,
                "linked": 0,
            })
    return rows


def parallel_spans(text: str, sentences: list[Sentence], claims: list[dict[str, Any]]) -> list[tuple[int, int, int, int]]:
    """Pairs of passages in two languages that state the same figures: a bilingual
    article's halves. A passage is a run of sentences of one language within a line (a
    Chinese paragraph splits at ；, its English one does not). Indexed by value, so this
    is linear in the claims."""
    units: list[tuple[int, int, str]] = []
    for s in sentences:
        if units and units[-1][2] == s.lang and "\n" not in text[units[-1][0] : s.end]:
            units[-1] = (units[-1][0], s.end, s.lang)
        else:
            units.append((s.start, s.end, s.lang))
    starts = [u[0] for u in units]
    values: dict[int, set[tuple[str, Any]]] = {}
    for c in claims:
        if c["kind"] == "year" or (c["kind"] == "date" and len(c.get("date") or "") < 10):
            continue
        key = ("date", c["date"]) if c["kind"] == "date" else (c["unit"], c["value"])
        i = bisect.bisect_right(starts, c["start"]) - 1
        if i >= 0 and key[1] is not None:
            values.setdefault(i, set()).add(key)
    by_value: dict[tuple[str, Any], list[int]] = {}
    for i, vs in values.items():
        if units[i][2] == "en":
            for v in vs:
                by_value.setdefault(v, []).append(i)
    out = []
    for i, vs in values.items():
        if units[i][2] != "zh":
            continue
        shared = Counter(j for v in vs for j in by_value.get(v, ())[:8])
        if shared:
            j, _n = shared.most_common(1)[0]
            out.append((units[j][0], units[j][1], units[i][0], units[i][1]))
    return out


def link(db: Any) -> int:
    """Join the entities of newly stored articles to those already known and rewrite
    claims to the joined canonical name. Returns how many article groups were linked.

    Only rows with `linked = 0` are read; each group's keys (folded full names,
    tickers) are looked up on an index. A name already known keeps its canonical form
    unless the new group brings the first English one.
    """
    conn = db.conn
    if not db.table("entities").exists():
        return 0
    pending = conn.execute(
        "select e.article_id, e.local_name, e.kind, e.key, e.linking, a.published from entities e "
        "left join articles a on a.id = e.article_id where e.linked = 0 "
        "order by a.published, e.article_id, e.local_name"
    ).fetchall()
    if not pending:
        return 0
    groups: dict[tuple[str, str], set[str]] = {}
    for article_id, local, _kind, key, linking, _pub in pending:
        keys = groups.setdefault((article_id, local), set())
        if linking:
            keys.add(key)
    with db.conn:
        for (article_id, local), keys in groups.items():
            known: list[str] = []
            for key in sorted(keys):
                for (name,) in conn.execute(
                    "select distinct name from entities where key = ? and linked = 1 order by rowid", (key,)
                ):
                    if name not in known:
                        known.append(name)
            romanised = {name for name in [*known, local] if is_latin(name) and conn.execute(  # on the key index
                "select 1 from entities where key = ? and alias = ? and how = ? limit 1",
                (fold(name), name, subjects.ROMANISED)).fetchone()}
            canonical = _canonical(known, local, romanised)
            for old in [*known, local]:
                if old == canonical:
                    continue
                if old != local:
                    conn.execute("update entities set name = ? where name = ?", (canonical, old))
                    conn.execute("update entities set [of] = ? where [of] = ?", (canonical, old))
                    conn.execute("update claims set subject = ?, explanation = explanation || ? where subject = ?",
                                 (canonical, _renamed(old, canonical), old))
                    conn.execute("update claims set object = ? where object = ?", (canonical, old))
            conn.execute("update entities set name = ?, linked = 1 where article_id = ? and local_name = ?",
                         (canonical, article_id, local))
            if canonical != local:
                conn.execute("update entities set [of] = ? where article_id = ? and [of] = ?", (canonical, article_id, local))
                conn.execute("update claims set subject = ?, explanation = explanation || ? "
                             "where article_id = ? and subject = ?", (canonical, _renamed(local, canonical), article_id, local))
                conn.execute("update claims set object = ? where article_id = ? and object = ?",
                             (canonical, article_id, local))
    return len(groups)


def _renamed(old: str, canonical: str) -> str:
    """What a claim's explanation gains when its subject is renamed by linking."""
    return f"; {old} is {canonical}, linked across articles (see the entities table)"


def _canonical(known: list[str], local: str, romanised: Collection[str] = ()) -> str:
    """English as a text writes it where any is linked; else a romanised one; otherwise the name seen first."""
    for name in [*known, local]:
        if is_latin(name) and name not in romanised:
            return name
    for name in [*known, local]:
        if is_latin(name):
            return name
    return known[0] if known else local
