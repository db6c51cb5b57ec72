"""Possessive quantifiers that work on every Python 3.11.

The rules and the scanners use possessive quantifiers (``x*+``, ``x++``), new in 3.11. Before
3.11.5 CPython's engine got them wrong (gh-100061, gh-106052): on Debian 12's 3.11.2 a
possessive repeat at the end of the text returns a match that ends *before* where it started,
and others match where the greedy form does not. The documented meaning of ``x*+`` is the
atomic group ``(?>x*)``, which that engine runs correctly, so on an engine that fails the
probes below ``re`` compiles every possessive repeat as that atomic group. On a sound engine
nothing is changed.
"""

from __future__ import annotations

import re
from typing import Any

_parser: Any = getattr(re, "_parser", None)
_compiler: Any = getattr(re, "_compiler", None)
_constants: Any = getattr(re, "_constants", None)


def possessive_is_broken() -> bool:
    """Whether this engine mishandles possessive repeats (the cases of gh-100061, gh-106052)."""
    try:
        if re.fullmatch("(?:ab?c)*+", "a") is not None:  # gh-106052
            return True
        if re.match("(?:x|y)*+", "x", 0) is None:
            return True
        m = re.compile("(?:[^a]++|a)*+").match("x\n", 2)  # gh-100061: must be empty at 2
        return m is None or m.span() != (2, 2)
    except re.error:
        return True


def _rewrite(items: Any) -> None:
    """Replace, in place, every possessive repeat of a parsed pattern by the atomic group
    around the greedy repeat."""
    c = _constants
    data = items.data
    for i, (op, av) in enumerate(data):
        if op is c.POSSESSIVE_REPEAT:
            lo, hi, item = av
            _rewrite(item)
            greedy = _parser.SubPattern(items.state, [(c.MAX_REPEAT, (lo, hi, item))])
            data[i] = (c.ATOMIC_GROUP, greedy)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            _rewrite(av[2])
        elif op is c.SUBPATTERN:
            _rewrite(av[3])
        elif op in (c.ASSERT, c.ASSERT_NOT):
            _rewrite(av[1])
        elif op is c.ATOMIC_GROUP:
            _rewrite(av)
        elif op is c.BRANCH:
            for sub in av[1]:
                _rewrite(sub)
        elif op is c.GROUPREF_EXISTS:
            for sub in av[1:]:
                if sub is not None:
                    _rewrite(sub)


def _compile_atomic(pattern: Any, flags: int = 0) -> Any:
    """re._compiler.compile, with possessive repeats compiled as atomic groups."""
    if not isinstance(pattern, str | bytes):
        return _original_compile(pattern, flags)
    import _sre

    p = _parser.parse(pattern, flags)
    _rewrite(p)
    code = _compiler._code(p, flags)
    groupindex = p.state.groupdict
    indexgroup: list[str | None] = [None] * p.state.groups
    for k, i in groupindex.items():
        indexgroup[i] = k
    return _sre.compile(pattern, flags | p.state.flags, code, p.state.groups - 1,
                        groupindex, tuple(indexgroup))


_original_compile: Any = getattr(_compiler, "compile", None)


def install() -> bool:
    """Make ``re`` compile possessive repeats as atomic groups if this engine needs it;
    True when it did. Patterns compiled before are recompiled as they fall out of re's cache,
    so it is called when the package is imported, before any rule is compiled."""
    if _compiler is None or _parser is None or _constants is None:
        return False
    if getattr(_compiler.compile, "__module__", "") == __name__:
        return True
    if not possessive_is_broken():
        return False
    _compiler.compile = _compile_atomic
    re.purge()
    return not possessive_is_broken()
