"""Shared test setup: the browser tests run where Chromium and its driver are installed,
and are skipped elsewhere with the reason and the fix in the run's last lines."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

# Debian's packages, as .ci/run installs them (the variables let a test pretend one is missing).
BROWSER_NEEDS = {"chromium": Path(os.environ.get("CLAIMS_CHROMIUM", "/usr/bin/chromium")),
                 "chromium-driver": Path(os.environ.get("CLAIMS_CHROMEDRIVER", "/usr/bin/chromedriver"))}
INSTALL_HINT = "apt-get install chromium chromium-driver (as root; .ci/run does it)"


def missing_browser() -> list[str]:
    """The Debian packages the browser tests need that are not installed."""
    return [pkg for pkg, path in BROWSER_NEEDS.items() if not path.exists()]


def _is_browser_test(item: pytest.Item) -> bool:
    return Path(str(item.fspath)).name.startswith("test_browser")


_skipped_browser: list[str] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = missing_browser()
    if not missing:
        return
    reason = f"needs {', '.join(missing)}: {INSTALL_HINT}"
    for item in items:
        if _is_browser_test(item):
            item.add_marker(pytest.mark.skip(reason=reason))
            _skipped_browser.append(item.nodeid)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if _skipped_browser:
        terminalreporter.write_line(
            f"browser tests skipped ({len(_skipped_browser)}): {', '.join(missing_browser())} not installed; "
            f"to run them: {INSTALL_HINT}")
