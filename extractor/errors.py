"""One catalogue of the errors a user can meet, each with a code to search for."""

from __future__ import annotations

from pathlib import Path


class ClaimsError(Exception):
    """An error with a one-line message meant for the user, not a traceback."""

    code = "E000"

    def __str__(self) -> str:
        return f"[{self.code}] {self.args[0] if self.args else ''}"


class RuleError(ClaimsError):
    """A rule file is missing, malformed, or holds a bad rule."""

    code = "E100"

    def __init__(self, path: Path | str, rule: str | None, problem: str) -> None:
        where = f"{path}" + (f", rule {rule!r}" if rule else "")
        super().__init__(f"{where}: {problem}")
        self.path = Path(path)
        self.rule = rule
        self.problem = problem


class InputError(ClaimsError):
    """An input file could not be read as an article."""

    code = "E200"


class FetchError(InputError):
    """A URL could not be fetched (no network, a refused connection, an HTTP error)."""

    code = "E210"


class TimeLimitError(InputError):
    """Reading one article took longer than the time limit; the rest go on."""

    code = "E220"


class ArticleBugError(InputError):
    """An unexpected exception while reading one article: a bug, reported and skipped."""

    code = "E290"


class GoldError(ClaimsError):
    """A gold file for `claims eval` is malformed."""

    code = "E300"


class DatabaseError(ClaimsError):
    """The database is missing or unusable."""

    code = "E400"


class OutputError(ClaimsError):
    """A report or export could not be written (a missing folder, a full disk)."""

    code = "E500"


class EngineError(ClaimsError):
    """The ingest engine asked for cannot run here (a missing package, no scheduler)."""

    code = "E600"


class UsageError(ClaimsError):
    """A command was given a flag or argument it cannot use."""

    code = "E700"
