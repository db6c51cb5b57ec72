"""Attribution: who a number is about, what it measures, when, and how sure the text is.

Everything language-specific comes from `rules/entities.yaml`, `rules/metrics.yaml` and
`rules/hedges.yaml`. Each claim gets `subject`, `object`, `metric`, `period`, `hedged`,
`modality`, a `confidence` and a sentence of `explanation` saying why.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from typing import Any

from rapidfuzz import fuzz, process

from extractor import entities, hedging, measure, metrics, period_phrases, rules, subjects
from extractor.errors import RuleError
from extractor.ingest import Article
from extractor.scan import _NEVER, Scanner, _alternation, _first_char, _prefiltered
from extractor.segment import Sentence

__all__ = ["Entity", "Mention", "Metric", "Scanner", "_alternation", "_first_char", "_prefiltered",
           "attribute_claims", "find_entities", "lexicon", "metric_info"]

CLAUSE_BREAKS = ",，;；:：(（)）—|"
_BREAK_RE = re.compile("[" + re.escape(CLAUSE_BREAKS) + "]")
CLAUSE_PENALTY = 25
AFTER_BREAK_PENALTY = 5
MAX_METRIC_DISTANCE = 60
COMPOUND_BONUS = 20
HEDGE_MAX_LEN = 30  # the longest text a hedge pattern matches (据……报道 spans up to 24)
MODALITIES = ("asserted", "reported", "estimated", "planned", "proposed", "conditional")


@dataclass(frozen=True)
class Entity:
    name: str
    kind: str
    aliases: tuple[str, ...]
    of: str | None = None  # a person's organisation, which they otherwise speak for


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    entity: Entity


@dataclass(frozen=True)
class Metric:
    name: str
    kinds: frozenset[str]
    subject_role: str = "agent"
    window: int = 30
    has_also: bool = False
    also_required: bool = True
    changeable: bool = False
    cumulative: bool = False
    dated_by_event: str | None = None
    compare: bool = True
    label: str = ""
    symmetric: bool = False
    personal: bool = False  # a person's own figure (net worth): its subject is the person
    holdable: bool = False  # a person may hold it (a founder's stake): a person subject keeps it
    penalty: int = 0  # added to its distance: generic metrics (growth) yield to specific ones
    flow: bool = False  # accumulates over a period (revenue): takes the quarter or year named
    market: bool = False  # a figure of one trading day: takes the day named
    level: str | None = None  # for a change, the metric of the level it changes
    units: frozenset[str] = frozenset()  # when set, only claims in these units (percentage_points)
    forecast: bool = False  # guidance, targets: an estimate whatever the sentence's wording
    adjacent: bool = False  # a trigger counts only right by the number ($1.84 per share, 每股0.94元)
    max_value: float | None = None  # larger figures are something else (a per-share price is no billion)
    total: str | None = None  # the metric of the total a per-share figure is restated as (", or €2.4 billion")
    partner: str | None = None  # the metric when a trading partner is named with it (对美国出口, exports to Japan)


_MISSING = object()


class _Lru:
    """A dict of at most `size` entries that forgets the least recently used one."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.data: dict[str, Any] = {}

    def get(self, key: str) -> Any:
        value = self.data.pop(key, _MISSING)
        if value is not _MISSING:
            self.data[key] = value  # now the most recent
        return value

    def put(self, key: str, value: Any) -> None:
        if len(self.data) >= self.size:
            del self.data[next(iter(self.data))]
        self.data[key] = value


_NEVER_PATTERN = r"(?!x)x"


@dataclass
class Lexicon:
    entities: list[Entity]
    entity_re: re.Pattern[str]
    entity_scan: Scanner  # entity_re's matches, faster
    alias_to_entity: dict[str, Entity]
    fuzzy_names: dict[str, Entity]
    metrics: dict[str, Metric]
    trigger_re: re.Pattern[str]
    trigger_scan: Scanner  # trigger_re's matches, faster
    trigger_index: dict[str, list[tuple[str, str]]]  # word → [(metric, 'trigger'|'also')]
    defaults: dict[str, str]
    object_marker_re: re.Pattern[str]
    payment_re: re.Pattern[str]
    embedding_re: re.Pattern[str]
    anaphora_re: re.Pattern[str]
    hedges: list[tuple[str, str, re.Pattern[str]]]
    hedge_after_window: int
    # Languages whose conditions may follow what they govern past a clause break.
    hedge_reach_back: frozenset[str]
    estimated_qualifiers: frozenset[str]
    by_name: dict[str, Entity]
    # Short Latin aliases (lowered) → the forms they match: as written, or all in capitals.
    cased: dict[str, frozenset[str]] = field(default_factory=dict)
    tickers: dict[str, Entity] = field(default_factory=dict)  # a listing's symbol → its entry
    relative_years: dict[str, int] = field(default_factory=dict)
    conversion_re: re.Pattern[str] = re.compile(_NEVER_PATTERN)
    passive_re: re.Pattern[str] = re.compile(_NEVER_PATTERN)
    relative_clause_re: re.Pattern[str] = re.compile(_NEVER_PATTERN)
    raise_re: re.Pattern[str] = re.compile(_NEVER_PATTERN)
    comparison_re: re.Pattern[str] = re.compile(_NEVER_PATTERN)
    level_re: re.Pattern[str] = re.compile(_NEVER_PATTERN)
    owner_marker_re: re.Pattern[str] = re.compile(_NEVER_PATTERN)
    company_anaphora_re: re.Pattern[str] = re.compile(_NEVER_PATTERN)
    # A trigger labelling the figure after a colon ("Revenue: about $6.8 billion").
    label_re: re.Pattern[str] = re.compile(r"[^\S\n]*(?:/[^:：\n]{0,20})?[:：][^\S\n]*(?:[^\d\s:：;；,，]{0,12}[^\S\n]?)?")
    increment_re: re.Pattern[str] = re.compile(_NEVER_PATTERN)
    relative_re: re.Pattern[str] = re.compile(r"(?!x)x")
    # Derived once here rather than per claim or per capitalized run.
    metric_rank: dict[str, int] = field(default_factory=dict)  # order in metrics.yaml: breaks ties
    fuzzy_choices: list[str] = field(default_factory=list)  # fuzzy_names' keys, for rapidfuzz
    # Near-spellings already scored: the same capitalized runs recur across articles.
    fuzzy_seen: _Lru = field(default_factory=lambda: _Lru(4096))
    # (word, metric) pairs whose `also` role the word's own entry lists: a word that only
    # inherits a metric's `also` from a shorter word in it (收跌 from 跌) is not a second clue.
    own_also: frozenset[tuple[str, str]] = frozenset()
    generic: frozenset[str] = frozenset()  # metrics of bare words (growth) and the defaults


def _words(name: str, rule: str, value: Any) -> list[str]:
    return rules.string_list(name, rule, value or [])


@cache
def lexicon() -> Lexicon:
    ent_data = rules.load("entities")
    entities: list[Entity] = []
    alias_to_entity: dict[str, Entity] = {}
    tickers: dict[str, Entity] = {}
    for i, e in enumerate(rules.require("entities", ent_data, "entities", list)):
        if not isinstance(e, dict) or "name" not in e:
            raise RuleError(rules.path_of("entities"), f"entry {i + 1}", "each entity needs a name")
        name = str(e["name"])
        kind = str(e.get("kind", "company"))
        if kind not in ENTITY_KINDS:
            raise RuleError(rules.path_of("entities"), name, f"unknown kind {kind!r}; use one of {', '.join(ENTITY_KINDS)}")
        aliases = tuple(dict.fromkeys([name, *_words("entities", name, e.get("aliases"))]))
        ent = Entity(name, kind, aliases)
        entities.append(ent)
        for a in aliases:
            alias_to_entity.setdefault(a.lower(), ent)
        for t in _words("entities", name, e.get("tickers")):
            if not _TICKER_RE.fullmatch(t):
                raise RuleError(rules.path_of("entities"), name, f"ticker {t!r} is not SYMBOL or SYMBOL.EXCHANGE")
            tickers.setdefault(ticker_key(t), ent)
    for section, kind in (("places", "place"), ("indexes", "index")):
        for i, e in enumerate(ent_data.get(section) or []):
            if not isinstance(e, dict) or "name" not in e:
                raise RuleError(rules.path_of("entities"), f"{section} entry {i + 1}", "each entry needs a name")
            name = str(e["name"])
            ent = Entity(name, kind, tuple(dict.fromkeys([name, *_words("entities", name, e.get("aliases"))])))
            entities.append(ent)
            for a in ent.aliases:
                alias_to_entity.setdefault(a.lower(), ent)
    by_name = {e.name: e for e in entities}
    person_aliases: list[str] = []
    for i, p in enumerate(ent_data.get("people") or []):
        if not isinstance(p, dict) or p.get("of") not in by_name:
            raise RuleError(rules.path_of("entities"), f"people entry {i + 1}", "each person needs `of` naming an entity")
        for a in [str(p.get("name", "")), *_words("entities", str(p.get("name")), p.get("aliases"))]:
            if a:
                alias_to_entity.setdefault(a.lower(), by_name[str(p["of"])])
                person_aliases.append(a)
    # Chinese aliases are matched folded to Simplified character by character, so any mix
    # of scripts and variants in the text finds them (find_entities folds the text alike).
    for key, ent in list(alias_to_entity.items()):
        alias_to_entity.setdefault(subjects.fold_chars(key), ent)
    entity_words = list(dict.fromkeys(subjects.fold_chars(w) for w in [*alias_to_entity_keys(entities), *person_aliases]))
    entity_re = re.compile(_alternation(entity_words), re.IGNORECASE)
    fuzzy_names = {a.lower(): ent for ent in entities for a in ent.aliases if a.isascii() and len(a) >= 5}
    cased: dict[str, set[str]] = {}
    for a in [*alias_to_entity_keys(entities), *person_aliases]:
        if _cased(a):
            cased.setdefault(a.lower(), set()).add(a)

    met = rules.load("metrics")
    metrics: dict[str, Metric] = {}
    index: dict[str, list[tuple[str, str]]] = {}
    for i, m in enumerate(rules.require("metrics", met, "metrics", list)):
        if not isinstance(m, dict) or "name" not in m:
            raise RuleError(rules.path_of("metrics"), f"entry {i + 1}", "each metric needs a name")
        mname = str(m["name"])
        if mname in metrics:
            # A second entry of one metric: other triggers with their own second group.
            # Kept apart under its own key; claims get the plain name.
            mname = f"{mname}#{i}"
        role = str(m.get("subject_role", "agent"))
        if role not in ("agent", "nearest", "target", "recipient", "investor", "raiser", "acquirer"):
            raise RuleError(rules.path_of("metrics"), mname, f"unknown subject_role {role!r}")
        if not m.get("kinds"):
            raise RuleError(rules.path_of("metrics"), mname, "needs the kinds of quantity it applies to")
        triggers = _words("metrics", mname, m.get("triggers"))
        if not triggers and not m.get("derived"):
            # Only a metric another one leads to (its `partner` or `total`) has no word of its own.
            raise RuleError(rules.path_of("metrics"), mname, "needs at least one trigger word")
        also = _words("metrics", mname, m.get("also"))
        metrics[mname] = Metric(
            name=mname,
            kinds=frozenset(_words("metrics", mname, m.get("kinds"))),
            subject_role=role,
            window=int(m.get("window", 30)),
            has_also=bool(also),
            also_required=bool(m.get("also_required", True)),
            changeable=bool(m.get("changeable", False)),
            cumulative=bool(m.get("cumulative", False)),
            dated_by_event=m.get("dated_by_event"),
            compare=bool(m.get("compare", True)),
            label=str(m.get("label") or mname.split("#")[0].replace("_", " ")),
            symmetric=bool(m.get("symmetric", False)),
            personal=bool(m.get("personal", False)),
            holdable=bool(m.get("holdable", False)),
            penalty=int(m.get("penalty", 0)),
            flow=bool(m.get("flow", False)),
            market=bool(m.get("market", False)),
            level=str(m["level"]) if m.get("level") else None,
            units=frozenset(_words("metrics", mname, m.get("units"))),
            forecast=bool(m.get("forecast", False)),
            adjacent=bool(m.get("adjacent", False)),
            max_value=float(m["max_value"]) if m.get("max_value") is not None else None,
            total=str(m["total"]) if m.get("total") else None,
            partner=str(m["partner"]) if m.get("partner") else None,
        )
        for w in triggers:
            index.setdefault(w.lower(), []).append((mname, "trigger"))
        for w in also:
            index.setdefault(w.lower(), []).append((mname, "also"))
    # A trigger inside a longer one still counts: 收入分成 carries 分成's metrics too.
    # Not for the kinds the longer word itself triggers a metric of: 收入分成 is a revenue
    # share total, not revenue, though 收入 is in it.
    words = list(index)
    own_also = frozenset((w, name) for w in words for name, role in index[w] if role == "also")
    own_kinds = {w: {k for name, role in index[w] if role == "trigger" for k in metrics[name].kinds} for w in words}
    for w in words:
        for shorter in words:
            if shorter != w and shorter in w:
                inherited = [(name, role) for name, role in index[shorter]
                             if role != "trigger" or not metrics[name].kinds & own_kinds[w]]
                index[w] = list(dict.fromkeys(index[w] + inherited))
    for mname, metric in metrics.items():
        if metric.dated_by_event and metric.dated_by_event not in metrics:
            raise RuleError(rules.path_of("metrics"), mname, f"dated_by_event names unknown metric {metric.dated_by_event!r}")
    defaults = {str(k): str(v) for k, v in (met.get("defaults") or {}).items()}

    hed = rules.load("hedges")
    hedges = []
    for modality, spec in rules.require("hedges", hed, "modalities", dict).items():
        if modality not in MODALITIES:
            raise RuleError(rules.path_of("hedges"), str(modality), f"unknown modality; use one of {', '.join(MODALITIES)}")
        scope = str(spec.get("scope", "clause"))
        if scope not in ("clause", "after", "sentence"):
            raise RuleError(rules.path_of("hedges"), str(modality), f"unknown scope {scope!r}")
        triggers = _words("hedges", str(modality), spec.get("triggers"))
        pattern = "|".join(f"(?:{t})" for t in triggers)
        hedges.append((str(modality), scope, _prefiltered(rules.check_regex("hedges", str(modality), pattern), triggers)))
    dates = rules.load("dates")
    return Lexicon(
        entities=entities,
        entity_re=entity_re,
        entity_scan=Scanner.of(entity_words),
        alias_to_entity=alias_to_entity,
        fuzzy_names=fuzzy_names,
        metrics=metrics,
        trigger_re=re.compile(_alternation(index), re.IGNORECASE),
        trigger_scan=Scanner.of(index),
        trigger_index=index,
        defaults=defaults,
        object_marker_re=re.compile(r"(?:" + _alternation(_words("metrics", "object_markers", met.get("object_markers"))) + r")\s*$", re.IGNORECASE),
        owner_marker_re=re.compile(r"(?:" + _alternation(_words("metrics", "owner_markers", met.get("owner_markers")))
                                   + r")\s*$", re.IGNORECASE),
        anaphora_re=re.compile(_alternation(_words("metrics", "anaphora", met.get("anaphora"))), re.IGNORECASE),
        level_re=re.compile("(?:" + _alternation(_words("metrics", "level_markers", met.get("level_markers")))
                            + r")\s*(?:about|nearly|roughly|around|约|約|近|逾)?\s*(?:US|NT|HK)?[$€¥£]?\s*$", re.IGNORECASE),
        comparison_re=re.compile("(?:" + _alternation(_words("metrics", "comparison_markers", met.get("comparison_markers")))
                                 # past a short modifier (高于两周前公布的, 较去年同期的)
                                 + r")\s*(?:the\s+|[\u4e00-\u9fff]{0,8}的)?$", re.IGNORECASE),
        raise_re=re.compile(_alternation(_words("metrics", "raise_verbs", met.get("raise_verbs"))), re.IGNORECASE),
        relative_clause_re=re.compile(r"\s*(?:" + _alternation(_words("metrics", "relative_pronouns", met.get("relative_pronouns"))) + r")\b",
                                      re.IGNORECASE),
        company_anaphora_re=re.compile(_alternation(_words("metrics", "company_anaphora", met.get("company_anaphora"))),
                                       re.IGNORECASE),
        passive_re=re.compile(r"(?:" + _alternation(_words("metrics", "passive_markers", met.get("passive_markers")))
                              + r")\s*(?:[A-Z][a-z]+(?:'s|’s)\s+|[\u4e00-\u9fff]{1,3}的)?$", re.IGNORECASE),
        embedding_re=re.compile(r"\s*(?:" + _alternation(_words("metrics", "embedding_verbs", met.get("embedding_verbs"))) + r")\s*$", re.IGNORECASE),
        payment_re=re.compile(_alternation(_words("metrics", "payment_verbs", met.get("payment_verbs"))), re.IGNORECASE),
        hedges=hedges,
        hedge_after_window=int(hed.get("after_window", 8)),
        hedge_reach_back=frozenset(_words("hedges", "reach_back", hed.get("reach_back"))),
        by_name=by_name,
        cased={k: frozenset(v) for k, v in cased.items()},
        tickers=tickers,
        estimated_qualifiers=frozenset(_words("hedges", "estimated_qualifiers", hed.get("estimated_qualifiers"))),
        relative_years={str(k).lower(): int(v) for k, v in (dates.get("relative_years") or {}).items()},
        relative_re=re.compile(_alternation([str(k) for k in (dates.get("relative_years") or {})]), re.IGNORECASE),
        metric_rank={name: n for n, name in enumerate(metrics)},
        increment_re=re.compile(_alternation(_words("metrics", "increment_words", met.get("increment_words"))), re.IGNORECASE),
        conversion_re=_conversion_re(_words("metrics", "conversion_markers", met.get("conversion_markers"))),
        fuzzy_choices=list(fuzzy_names),
        own_also=own_also,
        generic=frozenset([*(n for n, m in metrics.items() if m.penalty), *defaults.values()]),
    )


def _conversion_re(markers: list[str]) -> re.Pattern[str]:
    """What stands between an amount and itself in another currency: a bracket with or
    without a marker (（约合…）, "(about …)"), or a comma and a marker ("，约合…", ", or about …")."""
    words = "|".join(re.escape(w) for w in sorted(markers, key=len, reverse=True))
    marker = rf"(?:(?:{words})\s*){{1,2}}" if words else _NEVER
    return re.compile(rf"\s*(?:[(（]\s*(?:{marker})?|[,，]\s*{marker})\s*", re.IGNORECASE)


def alias_to_entity_keys(entities: list[Entity]) -> list[str]:
    return [a for e in entities for a in e.aliases]


ENTITY_KINDS = ("company", "investor", "regulator")
# A listing as rules/entities.yaml writes it: NVDA, BRK.B, 2330.TW, 005930.KS, NOVO-B.CO.
_TICKER_RE = re.compile(r"[A-Z0-9][A-Z0-9\-]*(?:\.[A-Z]{1,3})?")
# Latin aliases this short are often words too (Apple, Intel, Fed, SAP): matched only with
# their capitals as written, or all in capitals (a headline).
CASED_ALIAS_MAX = 6


def _cased(alias: str) -> bool:
    return alias.isascii() and len(alias) <= CASED_ALIAS_MAX and any(c.isupper() for c in alias)


def ticker_key(ticker: str) -> str:
    """The symbol a bracketed ticker is read as (entities.discover keeps the same): no
    exchange suffix, no leading zeros. 0700.HK → 700, 2330.TW → 2330, BRK.B → BRK."""
    sym = ticker.split(".", 1)[0]
    return sym.lstrip("0") or sym


def _as_written(lex: Lexicon, word: str) -> bool:
    """Whether `word`, found ignoring case, is written as a short Latin alias must be."""
    forms = lex.cased.get(word.lower())
    return forms is None or word in forms or word.isupper()


# A capitalized run of Latin words ("Softbank Grp"), not preceded by a letter. The class
# comes before the look-behind so that the engine skips straight to capitals.
_CAPITALIZED_RE = re.compile(r"[A-Z](?<![A-Za-z].)[A-Za-z]+(?:[ -][A-Z][A-Za-z]+)*")


# "Hong Kong-based", "Tokyo-listed": a place that only describes something else.
_ADJECTIVE_RE = re.compile(r"-(?:based|listed|headquartered|registered|born)\b")


def _setting_only(text: str, start: int, end: int, ent: Entity) -> bool:
    """A place that only sets the scene: an adjective ("Hong Kong-based") or a
    dateline in capitals ("TOKYO, Oct 14 -")."""
    if ent.kind != "place":
        return False
    word = text[start:end]
    return bool(_ADJECTIVE_RE.match(text, end)) or (len(word) > 3 and word.isupper())


def find_entities(text: str) -> list[Mention]:
    """Named entities in `text`: exact aliases, plus near-spellings of Latin names."""
    lex = lexicon()
    alias_to_entity = lex.alias_to_entity
    out = []
    for s, e, word in lex.entity_scan.find(subjects.fold_chars(text)):  # folded: any mix of scripts matches
        if not _as_written(lex, word):
            continue
        named = alias_to_entity[word.lower()]
        if named.kind != "place" or not _setting_only(text, s, e, named):  # only a place can be a setting
            out.append(Mention(s, e, named))
    starts = [m.start for m in out]  # in order: the scan finds them left to right
    # Near-spellings ("Open-AI", "Softbank Grp"): capitalized runs scored with rapidfuzz.
    for m in _CAPITALIZED_RE.finditer(text):
        if m.end() - m.start() < 5:
            continue
        # Exact mentions do not overlap each other, so the one starting last before this
        # run's end is the only one that can overlap it.
        i = bisect.bisect_left(starts, m.end()) - 1
        if i >= 0 and out[i].end > m.start():
            continue
        ent = _near_spelling(lex, m.group().lower())
        if ent is not None and not _setting_only(text, m.start(), m.end(), ent):
            out.append(Mention(m.start(), m.end(), ent))
    if len(out) > len(starts):  # near-spellings were added at the end
        out.sort(key=lambda m: m.start)
    return out


def _near_spelling(lex: Lexicon, run: str) -> Entity | None:
    """The entity whose Latin name `run` (lowered) nearly spells, scored once per run."""
    ent = lex.fuzzy_seen.get(run)
    if ent is _MISSING:
        hit = process.extractOne(run, lex.fuzzy_choices, scorer=fuzz.ratio, score_cutoff=88)
        ent = lex.fuzzy_names[hit[0]] if hit else None
        lex.fuzzy_seen.put(run, ent)
    return ent


# ---------------------------------------------------------------------------


@dataclass
class _Context:
    """Per-article lookups computed once: mentions, triggers, clause breaks."""

    text: str
    article: Article
    mentions: list[Mention]
    mention_starts: list[int]
    triggers: list[tuple[int, int, str, str]]  # start, end, metric, role
    trigger_starts: list[int]
    breaks: list[int]
    main_entity: Entity | None
    frequency: Counter[str]
    published: dt.date | None  # the article's date, parsed once rather than per claim
    as_of: str | None  # its month
    # Article-level answers, the same for every claim: computed once each.
    actors: dict[str, Entity | None] = field(default_factory=dict)
    investor: list[Entity | None] = field(default_factory=list)
    acquirer: list[Entity | None] = field(default_factory=list)  # a takeover's bidder, found once
    # Whether an object marker (向, to …) comes just before the mention starting here.
    marked: dict[int, bool] = field(default_factory=dict)
    # The relative year word (今年, last year) first in a sentence window, by window.
    relative: dict[tuple[int, int], str | None] = field(default_factory=dict)
    # Every entity the article names (curated and discovered), by canonical name.
    by_name: dict[str, Entity] = field(default_factory=dict)
    discovered: list[entities.Group] = field(default_factory=list)
    # Period phrases (第三季, first half, last quarter) and the one the lede names.
    period_mentions: list[period_phrases.PeriodMention] = field(default_factory=list)
    period_starts: list[int] = field(default_factory=list)
    context_period: period_phrases.PeriodMention | None = None


def _context(article: Article, parallel: list[tuple[int, int, int, int]]) -> _Context:
    lex = lexicon()
    text = article.text
    mentions, discovered = _all_mentions(text, parallel, str(article.meta.get("outlet") or ""))
    index = lex.trigger_index
    tickers = entities.ticker_spans(text)  # "(NASDAQ: NWMT)" names no index and no subject
    if tickers:  # most articles have none: no test per mention and trigger then
        mentions = [m for m in mentions if not entities.inside(tickers, m.start)]
    triggers = [(s, e, metric, role) for s, e, word in lex.trigger_scan.find(text)
                if not tickers or not entities.inside(tickers, s) for metric, role in index.get(word.lower(), ())]
    breaks = [m.start() for m in _BREAK_RE.finditer(text)]
    freq = Counter(m.entity.name for m in mentions)
    main = mentions[0].entity if mentions else None
    published = article.published
    as_of = published.isoformat()[:7] if published else None
    ctx = _Context(text, article, mentions, [m.start for m in mentions], triggers,
                   [t[0] for t in triggers], breaks, main, freq, published, as_of)
    ctx.by_name = {**lex.by_name, **{m.entity.name: m.entity for m in mentions}}
    ctx.discovered = discovered
    ctx.period_mentions = period_phrases.find_periods(text, published)
    ctx.period_starts = [p.start for p in ctx.period_mentions]
    ctx.context_period = period_phrases.context_period(ctx.period_mentions, _lede_end(text))
    return ctx


def _lede_day(ctx: _Context, claims: _ClaimIndex) -> dict[str, Any] | None:
    """The first date at day precision in the headline and lede (a dateline, 4日)."""
    end = _lede_end(ctx.text)
    return next((o for o in claims.dated_in(0, end) if len(str(o.get("date") or "")) == 10), None)


def _lede_end(text: str) -> int:
    """Where the headline and first paragraph of body text end."""
    seen = 0
    pos = 0
    for line in text.split("\n"):
        pos += len(line) + 1
        if len(line.strip()) > 60:  # a paragraph, not a byline or dateline
            seen += 1
            if seen == 1:
                return pos
    return min(len(text), 600)


def _all_mentions(text: str, parallel: list[tuple[int, int, int, int]],
                  outlet: str) -> tuple[list[Mention], list[entities.Group]]:
    """Curated mentions and those `entities.discover` finds beyond them."""
    curated = find_entities(text)
    found = entities.discover(text, [(m.start, m.end, m.entity.name) for m in curated], parallel, outlet)
    if not found.found:
        return curated, []
    as_entity: dict[int, Entity] = {}
    tickers = lexicon().tickers
    for g in found.groups:
        # A name written before a listed entry's ticker is that entry ("台湾积体电路制造（2330.TW）").
        listed = next((tickers[t] for t in sorted(g.tickers) if t in tickers), None) if g.tickers else None
        as_entity[id(g)] = listed or Entity(g.name, g.kind, tuple(g.names), g.of.name if g.of else None)
    # A curated name inside a discovered one is part of it (the country in "Brevik Cell Japan").
    spans = sorted((f.start, f.end) for f in found.found)
    starts = [sp[0] for sp in spans]
    curated = [m for m in curated if not _inside(spans, starts, m.start, m.end)]
    out = curated + [Mention(f.start, f.end, as_entity[id(f.group)]) for f in found.found]
    out.sort(key=lambda m: m.start)
    return out, found.groups


def _inside(spans: list[tuple[int, int]], starts: list[int], s: int, e: int) -> bool:
    i = bisect.bisect_right(starts, s) - 1
    return i >= 0 and spans[i][1] >= e and (spans[i][0], spans[i][1]) != (s, e)


_OPENS, _CLOSES = "(（", ")）"


def _between(ctx: _Context, a: int, b: int) -> int:
    """How many clause breaks lie between offsets a and b. A bracket closed in between
    counts for nothing, whatever it holds: "营收352.9亿元（约合49.5亿美元），同比增长" is one
    step from 营收 to 增长, and "Shares of X (NYSE: XQ) fell 4%" none. A bracket only
    entered or only left counts once."""
    lo, hi = min(a, b), max(a, b)
    i, j = bisect.bisect_left(ctx.breaks, lo), bisect.bisect_left(ctx.breaks, hi)
    if j - i <= 1:
        return j - i
    n = depth = 0
    text = ctx.text
    for k in ctx.breaks[i:j]:
        ch = text[k]
        if ch in _OPENS:
            depth += 1
        elif ch in _CLOSES:
            if depth:
                depth -= 1
            else:
                n += 1  # left a bracket that opened before a
        elif not depth:
            n += 1
    return n + (1 if depth else 0)


def _clause(ctx: _Context, sent: Sentence, start: int, end: int) -> tuple[int, int]:
    i = bisect.bisect_left(ctx.breaks, start)
    lo = ctx.breaks[i - 1] + 1 if i > 0 else sent.start
    j = bisect.bisect_left(ctx.breaks, end)
    hi = ctx.breaks[j] if j < len(ctx.breaks) else sent.end
    return max(lo, sent.start), min(hi, sent.end)


def _distance(ctx: _Context, s: int, e: int, cs: int, ce: int) -> int:
    if s < ce and cs < e:
        return 0
    gap = cs - e if e <= cs else s - ce
    return gap + CLAUSE_PENALTY * _between(ctx, s, cs)


class _ClaimIndex:
    """The article's claims by position, so every lookup is a bisect, never a scan:
    attribution stays linear in the number of claims."""

    LOOKBACK = 50  # claims to look back over for discourse continuity

    def __init__(self, claims: list[dict[str, Any]]) -> None:
        self.order = sorted(claims, key=lambda c: c["start"])
        self.starts = [c["start"] for c in self.order]
        self.dated = [c for c in self.order if c["kind"] in _YEAR_KINDS and c.get("date")]
        self.dated_starts = [c["start"] for c in self.dated]

    def dated_in(self, lo: int, hi: int) -> list[dict[str, Any]]:
        return self.dated[bisect.bisect_left(self.dated_starts, lo) : bisect.bisect_left(self.dated_starts, hi)]

    def between(self, lo: int, hi: int) -> list[dict[str, Any]]:
        return self.order[bisect.bisect_left(self.starts, lo) : bisect.bisect_left(self.starts, hi)]

    def before(self, pos: int) -> Iterator[dict[str, Any]]:
        """Claims starting before `pos`, nearest first, at most LOOKBACK of them."""
        i = bisect.bisect_left(self.starts, pos)
        for k in range(i - 1, max(-1, i - 1 - self.LOOKBACK), -1):
            yield self.order[k]


# Context beyond this many characters either side of a number is not read: a sentence
# with no punctuation for a megabyte would otherwise make attribution quadratic.
WINDOW = 400


def attribute_claims(article: Article, sentences: list[Sentence], claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fill subject, object, metric, period, hedged and modality on each claim row.

    Returns the `entities` rows of the organisations and people found in the article."""
    if not claims:
        return []
    parallel = entities.parallel_spans(article.text, sentences, claims)
    ctx = _context(article, parallel)
    index = _ClaimIndex(claims)
    starts = [s.start for s in sentences]
    windows: list[Sentence] = []
    for c in claims:
        i = bisect.bisect_right(starts, c["start"]) - 1
        sent = sentences[i] if i >= 0 and sentences[i].end >= c["end"] else Sentence(c["start"], c["end"], c["lang"], c["text"])
        lo, hi = max(sent.start, c["start"] - WINDOW), min(sent.end, c["end"] + WINDOW)
        if (lo, hi) != (sent.start, sent.end):
            sent = Sentence(lo, hi, sent.lang, ctx.text[lo:hi])
        windows.append(sent)
        _attribute_one(ctx, sent, c, index)
    _conversions(ctx.text, index)
    read = [c["metric"] for c in claims]
    metrics.refine(ctx.text, index.order, lexicon().generic)
    _share_metrics(claims)
    _parallel_metrics(parallel, index)
    for c, sent, metric in zip(claims, windows, read, strict=True):
        if c["metric"] != metric:
            # Read again from its neighbours: its period follows the metric it has now (a
            # start date is as of the article, a statement's day is that day).
            c["period"], c["period_basis"], _note = _period(ctx, sent, c, _clause(ctx, sent, c["start"], c["end"]), index)
    for c in claims:
        _undated(c, index, sentences, starts)
        c.pop("_mtrig", None)
        c.pop("_mscore", None)
        c.pop("_converts", None)
        c.pop("_received", None)
    return entities.group_rows(article.id, ctx.discovered)


def _attribute_one(ctx: _Context, sent: Sentence, c: dict[str, Any], claims: _ClaimIndex) -> None:
    lex = lexicon()
    notes: list[str] = []
    clause = _clause(ctx, sent, c["start"], c["end"])  # the same for every step: found once
    metric, metric_conf, trigger = _metric(ctx, sent, c, clause, notes, claims)
    moved = _index_moved(ctx, c, clause, metric, claims)
    if moved is not None:
        notes[:] = [n for n in notes if not n.startswith("metric ")]  # the reading it replaces
        notes.append(f"metric index_change: {moved}")
        metric, metric_conf, trigger = "index_change", 0.8, None
    total = _restated_total(ctx, c, claims)
    if total is not None:
        notes[:] = [n for n in notes if not n.startswith("metric ")]
        notes.append(f"metric {total[0]}: the total that {total[1]!r} per share comes to")
        metric, metric_conf, trigger = total[0], 0.8, None
    partner = _partner(ctx, lex.metrics.get(metric), trigger)
    if partner is not None:
        notes.append(f"metric {partner[0]}: trade with {partner[1].name} alone")
        metric = partner[0]
    c["metric"] = metric
    info = lex.metrics.get(metric)
    subject, obj, subject_conf = _subject(ctx, sent, c, clause, info, trigger, notes, claims)
    if partner is not None and (obj is None or obj.name == partner[1].name):
        obj = partner[1]
        if subject is not None and subject.name == partner[1].name:
            subject = None  # the partner is not the exporter
    if subject is not None and subject.kind != "person" and info is not None and info.holdable:
        # "X founder and CEO Y owns 30% of the company": X names Y's organisation, Y holds it.
        holder = _their_person(ctx, sent, c, subject)
        if holder is not None:
            notes.append(f"subject {holder.name}: {subject.name}'s {holder.name} holds it")
            subject, obj = holder, (obj if obj is not None and obj.name != holder.name else subject)
    if subject is not None and subject.kind == "person" and info is not None and info.holdable and not info.personal:
        # "Voss owns roughly 30% of the firm": the founder's own stake, in the firm.
        org = (ctx.by_name.get(subject.of) if subject.of else None) or _main_organisation(ctx)
        if obj is None and org is not None and org is not subject:
            obj = org
            notes.append(f"object {org.name}: the organisation {subject.name} holds it in")
    elif subject is not None and subject.kind == "person" and not (info and info.personal):
        # A person speaks for their organisation; one with none named, for the article's.
        org = ctx.by_name.get(subject.of) if subject.of else _main_organisation(ctx)
        if org is not None:
            notes.append(f"subject {org.name}: {subject.name} speaks for it")
            subject = org
    if subject is not None and subject.kind == "investor" and subjects.names_a_valuation(ctx.text, metric, trigger, c["start"]):
        # A valuation is the valued company's: the organisation named nearest before it, else the article's.
        company = _investee(ctx, c["start"])
        if company is not None:
            notes.append(f"subject {company.name}: a {metric} is the company's, not its investor {subject.name}'s")
            subject = company
    if (c["kind"] in ("date", "duration") and subjects.names_a_deal_term(ctx.text, sent.start, sent.end)
            and (bidder := _article_acquirer(ctx)) is not None and bidder != subject):
        notes.append(f"subject {bidder.name}: a term of the takeover the article reports, the acquirer's")
        subject, obj = bidder, (subject if subject is not None and subject != bidder else obj)
    if info is not None and info.symmetric and subject is not None:
        subject, obj = _pair(ctx, subject, obj, notes)
    c["subject"] = subject.name if subject else None
    c["object"] = obj.name if obj else None
    modality, mnote = _modality(ctx, sent, c, clause)
    if modality == "asserted" and info is not None and info.forecast:
        modality, mnote = "estimated", f"estimated ({info.label} is a forecast)"
    # A start or completion still ahead is the schedule, also when a forecast word frames it
    # ("would begin in 2031"): a later schedule against an earlier one is then a revision.
    if modality in ("asserted", "estimated") and hedging.planned_by_date(metric, c.get("date"), ctx.published):
        modality, mnote = "planned", f"planned ({metric} after the article's date)"
    c["modality"] = modality
    c["hedged"] = int(modality != "asserted")
    if mnote:
        notes.append(mnote)
    c["period"], c["period_basis"], pnote = _period(ctx, sent, c, clause, claims)
    if pnote:
        notes.append(pnote)
    c["measure"] = None
    if info is None and c["kind"] in ("money", "percent", "count", "multiplier"):
        # No trigger named it: keep what the text says it measures.
        c["measure"] = measure.head_phrase(ctx.text, clause[0], c["start"], sent.lang)
        if c["measure"]:
            notes.append(f"measures {c['measure']!r}")
    c["confidence"] = round(min(metric_conf, subject_conf), 2)
    c["explanation"] = (c.get("explanation") or "") + (" | " + "; ".join(notes) if notes else "")


def _previous_of_kind(ctx: _Context, c: dict[str, Any], claims: _ClaimIndex) -> dict[str, Any] | None:
    para_start = ctx.text.rfind("\n", 0, c["start"]) + 1
    for o in claims.before(c["start"]):
        if o["start"] < para_start:
            return None
        if o["kind"] == c["kind"]:
            return o
    return None


def _metric(
    ctx: _Context, sent: Sentence, c: dict[str, Any], clause: tuple[int, int], notes: list[str], claims: _ClaimIndex
) -> tuple[str, float, tuple[int, int] | None]:
    lex = lexicon()
    kind = c["kind"]
    reached = _level_reached(ctx, sent, c, claims)
    if reached is not None:
        notes.append(f"metric {reached[0]}: the level that {reached[1]!r} reached")
        c["_mscore"] = 0.0  # as sure as a trigger right by it: a conversion after it takes it
        return reached[0], 0.8, None
    lo = bisect.bisect_left(ctx.trigger_starts, sent.start)
    hi = bisect.bisect_left(ctx.trigger_starts, sent.end)
    best: tuple[float, int, str, tuple[int, int]] | None = None
    near: dict[tuple[str, str], list[tuple[int, int, int]]] = {}
    for s, e, metric_name, role in ctx.triggers[lo:hi]:
        info = lex.metrics[metric_name]
        if e > sent.end or kind not in info.kinds or (info.units and c["unit"] not in info.units) \
                or (info.max_value is not None and (c.get("value") or 0) > info.max_value):
            continue
        if s >= c["end"] and _past_another(ctx, c, s, claims):
            continue
        if info.adjacent and role == "trigger":
            if not (_head_after(ctx.text, c["end"], s) or _right_before(ctx.text, e, c["start"])):
                continue
            d = 0
        elif lex.label_re.fullmatch(ctx.text, e, c["start"]) or _head_after(ctx.text, c["end"], s):
            d = 0
        else:
            d = _distance(ctx, s, e, c["start"], c["end"])
            if s >= c["end"] and d >= CLAUSE_PENALTY:
                # A trigger past a clause break usually opens the next clause's figure
                # ("募资金额达25亿元，投后估值逾120亿元"): one as near before the number wins.
                d += AFTER_BREAK_PENALTY
        near.setdefault((metric_name, role), []).append((d, s, e))
    # Only metrics with a trigger here can win; the best candidate is a minimum, so the
    # order they are visited in does not matter (the rank in metrics.yaml breaks ties).
    for (name, role), hits in near.items():
        if role != "trigger":
            continue
        metric = lex.metrics[name]
        also = near.get((name, "also"), []) if metric.has_also else []
        for dist, s, e in sorted(hits)[:4]:
            score = float(dist) + metric.penalty
            if metric.has_also:
                # The second group must sit near the trigger or the number; a metric that
                # needs two groups is more specific, so it gets a bonus. Not the trigger
                # itself when it only inherits the clue (收跌 holds 跌), and not across a
                # clause break from the trigger.
                ok = [a[0] for a in also if ((a[1], a[2]) != (s, e) or (ctx.text[s:e].lower(), name) in lex.own_also)
                      and (a[0] <= metric.window or (abs(a[1] - s) <= metric.window and not _between(ctx, a[1], s)))]
                if ok:
                    score = (score + min(ok)) / 2 - COMPOUND_BONUS
                elif metric.also_required:
                    continue
            if score > MAX_METRIC_DISTANCE:
                continue
            cand = (score, lex.metric_rank[name], name, (s, e))
            if best is None or cand < best:
                best = cand
    if best is None:
        cs, _ce = clause
        anaphor = lex.anaphora_re.search(ctx.text, cs, c["start"])
        prev = _previous_of_kind(ctx, c, claims) if anaphor else None
        if prev is not None and prev.get("metric"):
            notes.append(f"metric {prev['metric']}: {anaphor.group()!r} points back to {prev['text']!r}")  # type: ignore[union-attr]
            return prev["metric"], 0.7, None
        default = lex.defaults.get(kind, "amount")
        base = _compared_with(ctx, sent, c, claims, default)
        if base is not None:
            notes.append(f"metric {base['metric']}: compared with {base['text']!r} in its sentence")
            return base["metric"], 0.5, None
        notes.append(f"metric {default}: no trigger word near the number")
        return default, 0.4, None
    score, _, name, span = best
    c["_mtrig"], c["_mscore"] = span, score  # read by metrics.refine, dropped before the claim is stored
    word = ctx.text[span[0] : span[1]]
    name = name.split("#")[0]
    level = lex.metrics[name].level
    if level and level in lex.metrics and kind in lex.metrics[level].kinds \
            and lex.level_re.search(ctx.text[max(sent.start, c["start"] - 14) : c["start"]]):
        notes.append(f"metric {level}: the level that {word!r} reached")
        return level, 0.7, span
    notes.append(f"metric {name} from {word!r}")
    return name, (0.9 if score <= 15 else 0.7), span


_IN_BRACKET = re.compile(r"\s*[(（][^()（）\n]{0,16}")  # （按现行汇率约合29亿美元）


def _past_another(ctx: _Context, c: dict[str, Any], s: int, claims: _ClaimIndex) -> bool:
    """Whether another figure of its kind stands between the number and a trigger after it
    ("$1.2bn includes a RMB2bn commitment"): the trigger is that figure's, unless it is the number's
    own conversion (4500亿日元（约合…）补贴)."""
    rx = lexicon().conversion_re
    prev_end = c["end"]
    for o in claims.between(c["end"], s):
        if o["kind"] != c["kind"] or rx.fullmatch(ctx.text, c["end"], o["start"]) \
                or _IN_BRACKET.fullmatch(ctx.text, c["end"], o["start"]):
            continue
        if _LIST_JOINER.fullmatch(ctx.text, prev_end, o["start"]):
            # "1400亿日元和700亿日元补贴", "$1 billion and $2 billion in loans": a list of
            # figures shares the noun after its last one.
            prev_end = o["end"]
            continue
        return True
    return False


_LIST_JOINER = re.compile(r"\s*(?:和|与|與|及|、|,|，|and|or|to)\s*", re.IGNORECASE)


_CONVERSION_AFTER = re.compile(r"\s*[(（][^()（）\n]{0,30}[)）]")


def _head_after(text: str, end: int, trigger_start: int) -> bool:
    """Whether the trigger is the noun the number modifies, right after it (12亿美元C轮融资,
    30亿美元的投资), past a bracketed conversion."""
    if trigger_start < end or trigger_start - end > 40:
        return False
    m = _CONVERSION_AFTER.match(text, end, trigger_start)
    gap = text[m.end() if m else end : trigger_start]
    return len(gap.strip()) <= 2 and not any(ch in gap for ch in ",，;；。.")


def _compared_with(ctx: _Context, sent: Sentence, c: dict[str, Any], claims: _ClaimIndex,
                   default: str) -> dict[str, Any] | None:
    """The figure of the same kind and unit just before, in the same sentence, when this
    one has no trigger of its own: "rose to NT$8.1 billion from NT$6.6 billion"."""
    for o in claims.before(c["start"]):
        if o["start"] < sent.start:
            return None
        info = lexicon().metrics.get(o.get("metric") or "")
        if info is not None and info.level and o["end"] <= c["start"] <= o["end"] + 40 \
                and not any(ch in ctx.text[o["end"] : c["start"]] for ch in ",，;；、"):
            # "rose 12% to NT$8.1 billion": the level the change reached.
            return {**o, "metric": info.level}
        if o["kind"] == c["kind"] and o["unit"] == c["unit"]:
            if _orders_apart(o.get("value"), c.get("value")):
                # "$2.1 billion, or $1.84 per share, from $640 million": the per-share
                # figure between is not what $640 million compares with.
                continue
            gap = ctx.text[o["end"] : c["start"]]
            # A list (从A，到B) is not a comparison: a comma between them ends it, unless a
            # comparison word leads to this figure ("…, up 1.3 points from 17.4%").
            compared = lexicon().comparison_re.search(gap[-16:]) is not None
            if len(gap) > (80 if compared else 40) or (not compared and any(ch in gap for ch in ",，;；、")):
                return None
            return o if o.get("metric") and o["metric"] != default else None
    return None


def _level_reached(ctx: _Context, sent: Sentence, c: dict[str, Any],
                   claims: _ClaimIndex) -> tuple[str, str] | None:
    """(level metric, change's text) when the figure is what a change just before it
    reached ("fell 8.4% to $41.20", 升18%至42.3亿元): the level of that change, whatever
    trigger stands further off."""
    prev = next(claims.before(c["start"]), None)
    if prev is None or prev["start"] < sent.start or not prev.get("metric"):
        return None
    lex = lexicon()
    info = lex.metrics.get(prev["metric"])
    level = lex.metrics.get(info.level) if info is not None and info.level else None
    if level is None or c["kind"] not in level.kinds:
        return None
    gap = ctx.text[prev["end"] : c["start"]]
    if len(gap) > 14 or any(ch in gap for ch in ",，;；。") or not lex.level_re.search(gap):
        return None
    return level.name, str(prev["text"])


def _their_person(ctx: _Context, sent: Sentence, c: dict[str, Any], org: Entity) -> Entity | None:
    """A person of `org` named after it and before the number, in its sentence."""
    lo = bisect.bisect_left(ctx.mention_starts, sent.start)
    hi = bisect.bisect_left(ctx.mention_starts, c["start"])
    seen_org = False
    for m in ctx.mentions[lo:hi]:
        if m.entity is org or m.entity.name == org.name:
            seen_org = True
        elif seen_org and m.entity.kind == "person" and m.entity.of == org.name:
            return m.entity
    return None


# Metrics a move of an index is read as when no index word names it ("the S&P 500 lost 1.9%").
_INDEX_MOVES = frozenset({"share", "share_price_change", "decline", "growth", "index_level"})


_RESTATED = re.compile(r"\s*[,，]?\s*(?:or|或|即)\s*$", re.IGNORECASE)


def _index_moved(ctx: _Context, c: dict[str, Any], clause: tuple[int, int], metric: str,
                 claims: _ClaimIndex | None = None) -> str | None:
    """The index that is the actor of a signed move in its clause: "while the S&P 500 lost
    1.9%" is the index's move, whatever trigger stood further off; so is the percentage
    that restates a move in points ("shed 612 points, or 1.4%", 跌352点或1.4%)."""
    if metric not in _INDEX_MOVES or c["kind"] not in ("percent", "points"):
        return None
    prev = next(claims.before(c["start"]), None) if claims is not None else None
    if prev is not None and prev.get("metric") == "index_change" \
            and _RESTATED.match(ctx.text[prev["end"] : c["start"]]):
        return f"the move {prev['text']!r} it restates"
    if not c.get("direction"):
        return None
    lo = bisect.bisect_left(ctx.mention_starts, clause[0])
    hi = bisect.bisect_left(ctx.mention_starts, c["start"])
    before = [m for m in ctx.mentions[lo:hi] if m.end <= c["start"]]
    if before and before[-1].entity.kind == "index":
        return f"{before[-1].entity.name} moved, the index written before it in its clause"
    return None


_RESPECTIVELY = re.compile(r"分别|分別|respectively|各自", re.IGNORECASE)


def _respectively(ctx: _Context, sent: Sentence, c: dict[str, Any], in_sent: list[Mention],
                  claims: _ClaimIndex) -> Mention | None:
    """"A和B将分别获得X和Y", "A and B will get X and Y, respectively": the k-th figure of
    its kind is the k-th party's, when the sentence names as many parties as figures."""
    word = _RESPECTIVELY.search(ctx.text, sent.start, sent.end)
    if word is None:
        return None
    figures = [o for o in claims.between(sent.start, sent.end) if o["kind"] == c["kind"] and o["unit"] == c["unit"]]
    first = figures[0]["start"] if figures else sent.end
    parties: list[Mention] = []
    for m in in_sent:
        if m.end <= first and m.entity.kind not in ("place", "index") \
                and all(p.entity.name != m.entity.name for p in parties):
            parties.append(m)
    if len(parties) < 2 or len(parties) != len(figures):
        return None
    return parties[[o["start"] for o in figures].index(c["start"])]


_POSSESSIVE = re.compile(r"(?:\s?[（(][^（）()]{0,40}[）)]|[）)])?(?:'s|’s|'|’|的)[^,.;:，。；：、()（）]{0,16}$")


def _possessor(ctx: _Context, in_sent: list[Mention], trigger: tuple[int, int]) -> Mention | None:
    """The entity written as the owner of the metric word: "Tessaly's closing price",
    北辰汽车的营收 (a bare modifier, 北辰汽车营收, is read as the clause's actor anyway)."""
    for m in reversed(in_sent):
        if m.end <= trigger[0]:
            if trigger[0] - m.end <= 45 and _POSSESSIVE.match(ctx.text, m.end, trigger[0]) \
                    and m.entity.kind not in ("place", "index", "person"):
                return m
            return None
    return None


_RESTATED_AMOUNT = re.compile(r"\s*[,，、]?\s*(?:or|或|即|合计|合計|总计|總計)\s*(?:about|roughly|some|around|nearly|约|約|近)?\s*$",
                              re.IGNORECASE)


def _restated_total(ctx: _Context, c: dict[str, Any], claims: _ClaimIndex) -> tuple[str, str] | None:
    """(metric, per-share text) for an amount restating a per-share figure just before it
    as a total ("€36.00 per share, or about €2.4 billion"): the metric's `total`."""
    if c["kind"] != "money":
        return None
    prev = next(claims.before(c["start"]), None)
    if prev is None or prev["kind"] != "money" or prev.get("unit") != c.get("unit"):
        return None
    info = lexicon().metrics.get(prev.get("metric") or "")
    if info is None or info.total is None or not (c.get("value") or 0) > (prev.get("value") or 0) * 1000:
        return None
    if not _RESTATED_AMOUNT.match(ctx.text, _trail_end(ctx.text, prev["end"]), c["start"]):
        return None
    return info.total, str(prev["text"])


_PER_SHARE_TAIL = re.compile(r"\s*(?:per share|a share|每股)", re.IGNORECASE)


def _trail_end(text: str, end: int) -> int:
    """Past a per-share tail after a figure ("€36.00 per share")."""
    m = _PER_SHARE_TAIL.match(text, end)
    return m.end() if m else end


_PARTNER_BEFORE = re.compile(r"(?:对|對|向|与|與)\s?$")
_PARTNER_AFTER = re.compile(r"^\s?(?:to|from|with)\s+(?:the\s+)?$", re.IGNORECASE)


def _partner(ctx: _Context, info: Metric | None, trigger: tuple[int, int] | None) -> tuple[str, Entity] | None:
    """(partner metric, place) when the trigger names trade with one place: 对美国出口,
    "exports to the United States"."""
    if info is None or info.partner is None or trigger is None:
        return None
    s, e = trigger
    i = bisect.bisect_left(ctx.mention_starts, max(0, s - 12))
    for m in ctx.mentions[i:]:
        if m.start > e + 20:
            break
        if m.entity.kind != "place":
            continue
        if m.end <= s and s - m.end <= 1 and _PARTNER_BEFORE.search(ctx.text, max(0, m.start - 2), m.start):
            return info.partner, m.entity
        if m.start >= e and _PARTNER_AFTER.match(ctx.text[e : m.start]):
            return info.partner, m.entity
    return None


def _right_before(text: str, trigger_end: int, start: int) -> bool:
    """Whether the trigger is written just before the number (每股0.94元, 每股 1.35 元)."""
    return 0 <= start - trigger_end <= 2 and not text[trigger_end:start].strip()


def _orders_apart(a: Any, b: Any) -> bool:
    """Two amounts more than a thousandfold apart are not a figure and its comparison base."""
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or a <= 0 or b <= 0:
        return False
    return max(a, b) / min(a, b) > 1000


def _object_marked(ctx: _Context, m: Mention) -> bool:
    # Asked of the same mention by every claim of its sentence: looked at once.
    marked = ctx.marked.get(m.start)
    if marked is None:
        lex = lexicon()
        marked = ctx.marked[m.start] = bool(lex.object_marker_re.search(ctx.text[max(0, m.start - 8) : m.start])) \
            and not lex.owner_marker_re.search(ctx.text[max(0, m.start - 30) : m.start])
    return marked


def _subject(
    ctx: _Context, sent: Sentence, c: dict[str, Any], clause: tuple[int, int], metric: Metric | None,
    trigger: tuple[int, int] | None, notes: list[str], claims: _ClaimIndex,
) -> tuple[Entity | None, Entity | None, float]:
    lo = bisect.bisect_left(ctx.mention_starts, sent.start)
    hi = bisect.bisect_left(ctx.mention_starts, sent.end)
    cs, ce = clause
    in_sent = _places_last([m for m in ctx.mentions[lo:hi] if m.end <= sent.end], cs, c["start"], metric, ctx.text)
    in_clause = [m for m in in_sent if cs <= m.start and m.end <= ce]
    role = metric.subject_role if metric else "agent"
    subject: Mention | None = None
    conf = 0.9
    how = ""

    if metric is not None and metric.personal:
        people = [m for m in in_sent if m.entity.kind == "person"]
        if people:
            subject = min(people, key=lambda m: abs(m.start - c["start"]))
            how = "the person whose own figure it is"
    if subject is None:
        each = _respectively(ctx, sent, c, in_sent, claims)
        if each is not None:
            subject, how = each, "the party in the same place of its list (分别, respectively)"
    if subject is None and role in ("agent", "nearest") and trigger is not None and metric is not None \
            and (metric.market or metric.flow or metric.holdable):
        # A company's own figure (a close, revenue, a stake), not a right to another's
        # ("a licence to X's IP until 2032" is the licensee's).
        owner = _possessor(ctx, in_sent, trigger)
        if owner is not None:
            subject, how = owner, "the owner its metric word is written with ('s, 的)"
    if subject is not None:
        pass
    elif role in ("investor", "raiser") and (raiser := _raiser(ctx, in_clause if role == "investor" else in_sent,
                                                            c["start"], role == "investor")) is not None:
        subject, how = raiser, "the company raising the money"
    elif role in ("investor", "raiser"):
        investors = [m for m in in_sent if m.entity.kind == "investor"]
        if investors:
            # The nearest before the number, else the nearest after it.
            subject = min(investors, key=lambda m: (m.start > c["start"], abs(m.start - c["start"])))
            how = "the investor named in the sentence"
        else:
            ent = _article_investor(ctx)
            if ent is not None:
                obj = _object(ctx, in_sent, ent)
                notes.append(f"subject {ent.name}: the investor named in the article")
                return ent, obj, 0.6
    elif role == "acquirer" and not (trigger is not None and subjects.completed_purchase(ctx.text, trigger)):
        bidder = _article_acquirer(ctx)
        if bidder is not None:
            notes.append(f"subject {bidder.name}: the acquirer of the takeover the article reports")
            return bidder, _object(ctx, in_sent, bidder), 0.7
    elif role in ("target", "acquirer") and trigger is not None:
        # A target's own figure, or a purchase reported as done (收购了 X): what X fetched.
        after = [m for m in in_sent if m.start >= trigger[1]]
        if after:
            subject = after[0]
            how = "the entity after the trigger"
    elif role == "recipient" and lexicon().payment_re.search(ctx.text[cs:ce]):
        marked = [m for m in in_clause if _object_marked(ctx, m)]
        if marked:
            subject = marked[0]
            how = "the recipient of the payment"
    elif role == "nearest":
        before = [m for m in in_sent if m.end <= c["start"]]
        if before:
            subject = before[-1]
            how = "the entity named closest before the number"

    if subject is None:
        # The actor written before the number in its clause; else the sentence's topic
        # (its first actor), which Chinese carries across clauses without repeating it.
        actors = [m for m in in_clause if m.end <= c["start"] and not _object_marked(ctx, m)]
        topic = [m for m in in_sent if not _object_marked(ctx, m)]
        following = [m for m in topic if m.start >= ce]
        relative = [m for m in in_sent if m.end <= cs] if lexicon().relative_clause_re.match(ctx.text, cs, ce) else []
        refers_back = (not actors and not any(m.end <= c["start"] for m in in_sent)
                       and lexicon().company_anaphora_re.search(ctx.text, sent.start, c["start"]))
        before_clause = [m for m in in_sent if m.end <= cs and not _object_marked(ctx, m)]
        if actors:
            subject, how = _embedded(ctx, actors[0], in_sent, c["start"]), "the actor of its clause"
        elif before_clause and subjects.opens_with_possessive(ctx.text, cs, c["start"]):
            subject, how = before_clause[-1], "the party its clause's 'its' points back to"
        elif (not in_sent and subjects.names_the_pair(ctx.text, sent.start, c["start"])
              and (main := _main_organisation(ctx)) is not None):
            notes.append(f"subject {main.name}: a figure of the two companies, filed under the article's own")
            return main, None, 0.5
        elif (refers_back and (prev := _previous_subject(ctx, c, claims)) is not None
              and prev.kind not in ("person", "investor")):
            # "The Shenzhen-based company, which has 21,000 employees, said it would keep
            # X's ...": the description points back to the subject before, not to X.
            notes.append(f"subject {prev.name}: 'the company' refers back to the subject before it")
            return prev, _object(ctx, in_sent, prev), 0.6
        elif relative:
            # ", which contributed RMB2 billion": the entity the relative clause is about.
            subject, how = relative[-1], "the entity its relative clause follows"
        elif c["kind"] in _YEAR_KINDS and following:
            # A date opening a clause dates what the next clause tells: 2019 年，微软…
            subject, how = following[0], "the actor of the clause it dates"
        elif topic:
            subject, conf, how = _embedded(ctx, topic[0], in_sent, c["start"]), 0.8, "the topic of its sentence"
    if subject is not None:
        obj = _object(ctx, in_sent, subject.entity)
        notes.append(f"subject {subject.entity.name}: {how}")
        return subject.entity, obj, conf
    # Nothing named in the sentence: the subject of the claim just before it (in this
    # paragraph or the one before) carries on, unless an entity was named after that claim
    # (a heading over a list of figures); then anyone named earlier in the paragraph.
    if lexicon().company_anaphora_re.search(ctx.text, sent.start, c["start"]):
        main = _main_organisation(ctx)
        if main is not None:
            notes.append(f"subject {main.name}: 'the company' is the organisation the article names most")
            return main, None, 0.6
    heading = _heading_entity(ctx, sent.start, claims)
    if heading is not None:
        notes.append(f"subject {heading.name}: named in the heading over its list")
        return heading, None, 0.5
    prev = _previous_subject(ctx, c, claims)
    if prev is not None:
        notes.append(f"subject {prev.name}: carried on from the claim before it")
        return prev, None, 0.6
    para_start = ctx.text.rfind("\n", 0, sent.start) + 1
    i = bisect.bisect_left(ctx.mention_starts, para_start)
    j = bisect.bisect_left(ctx.mention_starts, sent.start)
    earlier = [m for m in ctx.mentions[i:j] if not _object_marked(ctx, m) and m.entity.kind not in ("place", "index")]
    if earlier:
        notes.append(f"subject {earlier[-1].entity.name}: named earlier in the paragraph")
        return earlier[-1].entity, None, 0.5
    if metric is not None:
        ent = _article_actor(ctx, metric.name)
        if ent is not None:
            notes.append(f"subject {ent.name}: the actor the article ties to {metric.name}")
            return ent, None, 0.5
    if ctx.main_entity is not None:
        notes.append(f"subject {ctx.main_entity.name}: the first entity the article names")
        return ctx.main_entity, None, 0.3
    return None, None, 0.2


def _raiser(ctx: _Context, mentions: list[Mention], pos: int, need_verb: bool) -> Mention | None:
    """The company a round is for: the first organisation other than an investor named
    before the number ("X is in talks to raise $N", "X完成…融资"); with `need_verb`, only
    when a verb of raising stands between them."""
    actors = [m for m in mentions if m.end <= pos and not _object_marked(ctx, m)
              and m.entity.kind not in ("investor", "person", "place", "index")]
    if actors and (not need_verb or lexicon().raise_re.search(ctx.text, actors[0].end, pos)):
        return actors[0]
    if not actors and lexicon().company_anaphora_re.search(ctx.text, max(0, pos - 200), pos):
        main = _main_organisation(ctx)
        return Mention(pos, pos, main) if main is not None and main.kind != "investor" and not need_verb else None
    return None


def _investee(ctx: _Context, pos: int) -> Entity | None:
    """The company an investment is in: the nearest organisation other than an investor
    named before `pos` in its paragraph, else the one the article names most."""
    para = ctx.text.rfind("\n", 0, pos) + 1
    i = bisect.bisect_left(ctx.mention_starts, pos)
    for m in reversed(ctx.mentions[bisect.bisect_left(ctx.mention_starts, para) : i]):
        if m.entity.kind not in ("investor", "person", "place", "index"):
            return m.entity
    return next((e for name, _n in ctx.frequency.most_common() if (e := ctx.by_name.get(name)) is not None
                 and e.kind not in ("investor", "person", "place", "index")), None)


def _main_organisation(ctx: _Context) -> Entity | None:
    for name, _n in ctx.frequency.most_common():
        ent = ctx.by_name.get(name)
        if ent is not None and ent.kind not in ("place", "index", "person"):
            return ent
    return None


def _heading_entity(ctx: _Context, pos: int, claims: _ClaimIndex) -> Entity | None:
    """The entity a short line with no figure names ("**Northwind Motors (NWM)**"), when
    it is the last line naming anyone before `pos`, after the last claim with a subject."""
    j = bisect.bisect_left(ctx.mention_starts, pos)
    if j == 0:
        return None
    m = ctx.mentions[j - 1]
    if m.entity.kind in ("place", "index") or pos - m.end > 300:
        return None
    line_start = ctx.text.rfind("\n", 0, m.start) + 1
    line_end = ctx.text.find("\n", m.end)
    line_end = len(ctx.text) if line_end < 0 else line_end
    line = ctx.text[line_start:line_end].strip()
    # A heading: little beyond the name, no sentence end, no figure.
    if len(line) > m.end - m.start + 25 or line.endswith((".", "。", "!", "?")) or claims.between(line_start, line_end):
        return None
    before = next((o for o in claims.before(pos) if o.get("subject")), None)
    return m.entity if before is None or m.start > before["end"] else None


_A_PLACE = re.compile(r"\b(?:a|an)\s+$", re.IGNORECASE)


def _described(text: str, m: Mention) -> bool:
    """A place written after "a"/"an" describes something ("a Hong Kong brokerage")."""
    return m.entity.kind == "place" and _A_PLACE.search(text, max(0, m.start - 4), m.start) is not None


def _places_last(mentions: list[Mention], cs: int, pos: int, metric: Metric | None,
                 text: str = "") -> list[Mention]:
    """A place is the subject only as the actor of the number's own clause, when no
    organisation or person is named with it: 美国晶片设计大厂X is X, 日本将对进口电池征收
    关税 is Japan, but a place named elsewhere in the sentence is only a setting. A stock
    index is the subject of index figures only."""
    index_metric = metric is not None and metric.name.startswith("index_")
    indexes = [m for m in mentions if m.entity.kind == "index"]
    if index_metric and indexes:
        return indexes
    ok = [m for m in mentions if m.entity.kind != "index" and not (text and _described(text, m))]
    others = [m for m in ok if m.entity.kind != "place"]
    if others:
        return others
    return [m for m in ok if cs <= m.start and m.end <= pos]


def _pair(ctx: _Context, subject: Entity, obj: Entity | None, notes: list[str]) -> tuple[Entity, Entity | None]:
    """Both parties of a symmetric figure, in alphabetical order."""
    if obj is None:
        others = [name for name, _ in ctx.frequency.most_common() if name != subject.name]
        obj = ctx.by_name.get(others[0]) if others else None
    if obj is None:
        return subject, None
    first, second = sorted([subject, obj], key=lambda e: e.name.lower())
    notes.append(f"a figure of the pair {first.name} and {second.name}")
    return first, second


def _embedded(ctx: _Context, actor: Mention, in_sent: list[Mention], pos: int) -> Mention:
    """Follow 'A 希望 B …' / 'A wants B to …' and 'A … acquired by B' / 'A 被 B' to B
    when the number comes after B."""
    lex = lexicon()
    current = actor
    for m in in_sent:
        if m.start <= current.start or m.start >= pos:
            continue
        between = ctx.text[current.end : m.start]
        # "X agreed to be acquired by Y for …", "X被Y收购": Y is the actor.
        if lex.embedding_re.fullmatch(between) or (len(between) <= 60 and lex.passive_re.search(between)):
            current = m
    return current


def _previous_subject(ctx: _Context, c: dict[str, Any], claims: _ClaimIndex) -> Entity | None:
    para_start = ctx.text.rfind("\n", 0, c["start"]) + 1
    prev_para = ctx.text.rfind("\n", 0, max(0, para_start - 1))
    while prev_para > 0 and not ctx.text[prev_para + 1 : para_start].strip():
        prev_para = ctx.text.rfind("\n", 0, prev_para)
    for o in claims.before(c["start"]):
        if o["start"] < prev_para:
            break
        ent = ctx.by_name.get(o["subject"]) if o.get("subject") else None
        if ent is not None and ent.kind != "index":  # an index's move says nothing of what follows
            # A sentence after that claim, with no figure, may have opened on another
            # company ("Halvorsen's board approved the deal. The company, which ..."): its topic.
            return _topic_since(ctx, o["end"], c["start"]) or ent
    return _topic_since(ctx, max(prev_para, 0), c["start"])


_SENTENCE_END = re.compile(r"[。！？!?\n]|\.\s")


def _topic_since(ctx: _Context, lo: int, hi: int) -> Entity | None:
    """The organisation that opens the last sentence wholly between lo and hi (its first
    mention), if any: the company a following 'the company' is most likely about."""
    ends = [m.end() for m in _SENTENCE_END.finditer(ctx.text, lo, hi)]
    if len(ends) < 2:
        return None
    start, end = ends[-2], ends[-1]
    i = bisect.bisect_left(ctx.mention_starts, start)
    if i < len(ctx.mentions) and ctx.mentions[i].start < end:
        ent = ctx.mentions[i].entity
        if ent.kind not in ("person", "investor", "index") and not _object_marked(ctx, ctx.mentions[i]):
            return ent
    return None


def _object(ctx: _Context, in_sent: list[Mention], subject: Entity) -> Entity | None:
    others = [m for m in in_sent if m.entity != subject]
    marked = [m for m in others if _object_marked(ctx, m)]
    if marked:
        return marked[0].entity
    return others[0].entity if others else None


def _article_investor(ctx: _Context) -> Entity | None:
    if not ctx.investor:
        ctx.investor.append(_most_named_investor(ctx))
    return ctx.investor[0]


def _article_acquirer(ctx: _Context) -> Entity | None:
    if not ctx.acquirer:
        parties = [(m.start, m.end, m.entity.name) for m in ctx.mentions
                   if m.entity.kind not in ("person", "place", "index")]
        name = subjects.acquirer(ctx.text, parties)
        ctx.acquirer.append(ctx.by_name.get(name) if name else None)
    return ctx.acquirer[0]


def _most_named_investor(ctx: _Context) -> Entity | None:
    investors = [m for m in ctx.mentions if m.entity.kind == "investor"]
    if not investors:
        return None
    counts = Counter(m.entity.name for m in investors)
    name = counts.most_common(1)[0][0]
    return next(m.entity for m in investors if m.entity.name == name)


def _article_actor(ctx: _Context, metric: str) -> Entity | None:
    """The entity most often named next to this metric's trigger words in the article."""
    if metric not in ctx.actors:
        ctx.actors[metric] = _vote_actor(ctx, metric)
    return ctx.actors[metric]


def _vote_actor(ctx: _Context, metric: str) -> Entity | None:
    votes: Counter[str] = Counter()
    by_name: dict[str, Entity] = {}
    for s, _e, name, role in ctx.triggers:
        if name != metric or role != "trigger":
            continue
        j = bisect.bisect_left(ctx.mention_starts, s)
        if j > 0 and s - ctx.mentions[j - 1].end <= 20:
            ent = ctx.mentions[j - 1].entity
            votes[ent.name] += 1
            by_name[ent.name] = ent
    ranked = votes.most_common(2)
    # Only a clear favourite: otherwise the article's first entity is as good a guess.
    if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return by_name[ranked[0][0]]


def _modality(ctx: _Context, sent: Sentence, c: dict[str, Any], clause: tuple[int, int]) -> tuple[str, str | None]:
    lex = lexicon()
    cs, ce = clause
    # A trigger may end before the number or start at most `hedge_after_window` after it;
    # searching only that far keeps each claim's cost bounded.
    reach = c["end"] + lex.hedge_after_window + HEDGE_MAX_LEN
    for modality, scope, rx in lex.hedges:
        if scope == "clause":
            m = next((x for x in rx.finditer(ctx.text, cs, min(ce, reach))
                      if x.end() <= c["start"] or x.start() <= c["end"] + lex.hedge_after_window), None)
        elif scope == "sentence":
            # Before the number anywhere in the sentence ("若收购失败，软银将损失…"); after it, inside
            # its clause, or past a break only in a language whose conditions follow what they
            # govern (hedges.yaml reach_back): 市盈率约38倍，若需求转弱，股价或承压 is not conditional.
            end = c["end"] + lex.hedge_after_window
            stop = end if sent.lang in lex.hedge_reach_back else min(end, ce - 1)
            m = next((x for x in rx.finditer(ctx.text, sent.start, min(sent.end, reach))
                      if x.end() <= c["start"] or cs <= x.start() <= stop), None)
        else:
            m = rx.search(ctx.text, sent.start, c["start"])
        if m:
            return modality, f"{modality} ({m.group()!r})"
    if c.get("qualifier") in lex.estimated_qualifiers:
        return "estimated", f"estimated (qualifier {c['qualifier']})"
    return "asserted", None


_YEAR_KINDS = ("year", "date")


def _period(
    ctx: _Context, sent: Sentence, c: dict[str, Any], clause: tuple[int, int], claims: _ClaimIndex
) -> tuple[str | None, str | None, str | None]:
    """(period, basis, note): basis is explicit (a date or period written with its
    year), relative (今年, last quarter, a quarter whose year comes from the article's
    date), context (the period the article's lede names, for a figure that names none)
    or article (as of the article's date)."""
    lex = lexicon()
    metric = lex.metrics.get(c.get("metric") or "")
    published = ctx.published
    as_of = ctx.as_of
    if c["kind"] in _YEAR_KINDS:
        if c.get("metric") == "event_date" or metric is None:
            return c.get("date"), "explicit", None
        # A term (until 2030) is true as of the article that states it.
        return as_of, "article", "period: as of the article"
    dated = [o for o in claims.dated_in(sent.start, sent.end) if o is not c and o["end"] <= sent.end]
    lo = bisect.bisect_left(ctx.period_starts, sent.start)
    hi = bisect.bisect_left(ctx.period_starts, sent.end)
    flow = metric is not None and metric.flow
    chosen = period_phrases.choose(ctx.text, (c["start"], c["end"]), (sent.start, sent.end), clause, dated,
                            ctx.period_mentions[lo:hi], flow, change=metric is not None and metric.level is not None,
                                       market=metric is not None and metric.market)
    if chosen is not None:
        return chosen
    if ctx.context_period is not None and flow:
        p = ctx.context_period
        back = None if metric is None or metric.level else period_phrases.own_year_earlier(ctx.text, c["start"], c["end"], *clause)
        if back is not None:  # "上年同期亏损2.1亿元": the lede's period a year before
            period = period_phrases.shift_year(p.period, -1)
            return period, "context", f"period {period}: the period the article's lede names ({p.text!r}), a year back"
        return p.period, "context", f"period {p.period}: the period the article's lede names ({p.text!r})"
    if metric is not None and metric.market:
        day = _lede_day(ctx, claims)
        if day is not None:
            return day["date"], "context", f"period {day['date']}: the day the article's lede names ({day['text']!r})"
    if published is not None:
        word = _relative_word(ctx, sent)
        if word is not None:
            delta = lex.relative_years[word.lower()]
            return str(published.year + delta), "relative", f"period from {word!r}"
    return as_of, "article", None


def _relative_word(ctx: _Context, sent: Sentence) -> str | None:
    # Asked by every undated claim of the sentence: searched once per window.
    key = (sent.start, sent.end)
    if key not in ctx.relative:
        m = lexicon().relative_re.search(ctx.text, sent.start, sent.end)
        ctx.relative[key] = m.group() if m else None
    return ctx.relative[key]


_FAR = float("inf")


def _conversions(text: str, claims: _ClaimIndex) -> None:
    """An amount in brackets right after an amount in another currency is that amount
    converted: it measures the same thing, for the same subject and period, as surely."""
    rx = lexicon().conversion_re
    for prev, c in pairwise(claims.order):
        if (c["kind"] != "money" or prev["kind"] != "money" or c["unit"] == prev["unit"]
                or c["start"] - prev["end"] > 16 or not rx.fullmatch(text, prev["end"], c["start"])):
            continue
        c["_converts"] = True  # metrics.refine passes a later reading on to it
        if c.get("_mscore", _FAR) < prev.get("_mscore", _FAR) and c["metric"] not in lexicon().generic:
            # The converted amount's own word is the closer one ("spend ¥450 billion ($3.0
            # billion) over five years subsidising"): both take it.
            prev["metric"], prev["_mscore"] = c["metric"], c["_mscore"]
            prev["explanation"] = (prev.get("explanation") or "") + f"; metric {c['metric']} as read for {c['text']!r}"
        for key in ("metric", "measure", "subject", "object", "period", "period_basis", "modality", "hedged"):
            c[key] = prev.get(key)
        c["confidence"] = prev.get("confidence", c.get("confidence"))
        c["explanation"] = (c.get("explanation") or "") + f"; the same amount as {prev['text']!r} in another currency"


def _share_metrics(claims: list[dict[str, Any]]) -> None:
    """A figure repeated in one article usually means the same thing: a claim with no
    trigger word, or only a bare one (fell, growth), takes the metric of a confidently read
    claim of the same value."""
    generic = lexicon().generic
    confident: dict[tuple[str, float], list[dict[str, Any]]] = {}
    for o in claims:
        # Confident: as a whole, or in its metric alone (a trigger right by it) when the
        # subject was the unsure part.
        if o["value"] is not None and (o.get("confidence", 0) >= 0.7 or o.get("_mscore", _FAR) <= 15):
            confident.setdefault((o["unit"], o["value"]), []).append(o)
    for c in claims:
        # Years keep their default (event_date): a repeated year is rarely the same fact.
        bare = c.get("metric") in generic
        if not (bare or c.get("confidence", 1) <= 0.4) or c["value"] is None or c["kind"] in _YEAR_KINDS:
            continue
        for o in confident.get((c["unit"], c["value"]), []):
            if o.get("subject") and c.get("subject") and o["subject"] != c["subject"]:
                continue
            if o is c or o["metric"] in generic or (o.get("confidence", 0) < 0.7 and not bare):
                continue
            c["metric"] = o["metric"]
            c["confidence"] = 0.6
            c["explanation"] += f"; metric {o['metric']} shared with {o['text']!r} (same value)"
            break


def _parallel_metrics(parallel: list[tuple[int, int, int, int]], claims: _ClaimIndex) -> None:
    """The two halves of a bilingual article state the same figures in the same order: in
    a pair of passages that give as many figures of each unit, the k-th of a unit in one
    half is the k-th in the other, whatever its value (a slip in one half is what a reader
    must see). A pair read as two metrics takes the one whose trigger stood closer, on a
    tie the one listed first in metrics.yaml (the more specific: a round's tranche before
    a plain investment). A summary that gives fewer figures than its passage is no pair."""
    lex = lexicon()
    for en_lo, en_hi, zh_lo, zh_hi in parallel:
        halves: list[dict[tuple[str, str], list[dict[str, Any]]]] = [{}, {}]
        for half, (lo, hi) in zip(halves, ((en_lo, en_hi), (zh_lo, zh_hi)), strict=True):
            for c in claims.between(lo, hi):
                if c["kind"] not in _YEAR_KINDS and c["end"] <= hi:
                    half.setdefault((c["kind"], c["unit"]), []).append(c)
        if {k: len(v) for k, v in halves[0].items()} != {k: len(v) for k, v in halves[1].items()}:
            continue
        for key, ens in halves[0].items():
            for en, zh in zip(ens, halves[1][key], strict=True):
                a, b = en.get("metric"), zh.get("metric")
                if a == b or a not in lex.metric_rank or b not in lex.metric_rank:
                    continue
                keep, other = min((en, zh), key=lambda c: (c.get("_mscore", _FAR), lex.metric_rank[c["metric"]])), zh
                if keep is zh:
                    other = en
                other["metric"] = keep["metric"]
                other["explanation"] = (other.get("explanation") or "") + \
                    f"; metric {keep['metric']} as its counterpart {keep['text']!r} in the other language"


def _undated(c: dict[str, Any], claims: _ClaimIndex, sentences: list[Sentence], starts: list[int]) -> None:
    """An investment with no date in its sentence is read as the running total."""
    metric = lexicon().metrics.get(c.get("metric") or "")
    if metric is None or not metric.dated_by_event:
        return
    i = bisect.bisect_right(starts, c["start"]) - 1
    if i < 0:
        return
    sent = sentences[i]
    if any(o is not c for o in claims.dated_in(sent.start, sent.end)):
        return
    # "will invest another $42 billion": an addition, not the running total.
    if lexicon().increment_re.search(sent.text, max(0, c["start"] - sent.start - 24), c["start"] - sent.start):
        return
    c["metric"] = metric.dated_by_event
    c["explanation"] += f"; no date in the sentence, so read as {metric.dated_by_event}"


def metric_info(name: str | None) -> Metric | None:
    return lexicon().metrics.get(name or "")


