"""Load the rule files in `rules/` and check them, so a typo fails loudly and by name.

The engine never hard-codes a language's words: everything here comes from YAML that a
journalist can edit. Each loader returns plain data; compiling happens in `quantities`.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from extractor.errors import RuleError

# rules/ sits next to extractor/ in a checkout; CLAIMS_RULES points elsewhere.
DEFAULT_RULES_DIR = Path(__file__).resolve().parent.parent / "rules"


def rules_dir() -> Path:
    return Path(os.environ.get("CLAIMS_RULES", DEFAULT_RULES_DIR))


# libyaml's safe loader when PyYAML has it: the same data, parsed eight times faster,
# which is a tenth of `claims extract`'s start-up.
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def load(name: str) -> dict[str, Any]:
    """Read `rules/<name>.yaml` as a mapping, with a clear error if it is broken."""
    path = rules_dir() / f"{name}.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuleError(path, None, "rule file is missing") from None
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise RuleError(path, None, f"not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise RuleError(path, None, "expected a mapping at the top level")
    return data


def path_of(name: str) -> Path:
    return rules_dir() / f"{name}.yaml"


def require(name: str, data: dict[str, Any], key: str, kind: type, rule: str | None = None) -> Any:
    """Fetch `data[key]` and check its type, naming the file and rule if it is wrong."""
    if key not in data:
        raise RuleError(path_of(name), rule, f"missing key {key!r}")
    value = data[key]
    if not isinstance(value, kind):
        raise RuleError(
            path_of(name), rule, f"{key!r} should be a {kind.__name__}, not {type(value).__name__}"
        )
    return value


def check_regex(name: str, rule: str, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise RuleError(path_of(name), rule, f"bad regular expression: {exc}") from None


def string_list(name: str, rule: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise RuleError(path_of(name), rule, "expected a list of words")
    return [str(v) for v in value]


def clear_cache() -> None:
    """Forget loaded rules (tests that edit rules, CLAIMS_RULES changes)."""
    load.cache_clear()
