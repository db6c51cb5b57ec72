"""End to end in a real browser: `claims serve` on the test database, driven by Debian's
headless Chromium through selenium. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

try:
    from tests.browser_support import ARTIFACTS, CHROMIUM, chromium, serving
    from tests.test_browse import ENTITIES_YAML, SCRIPT, build_db
except ImportError:  # tests/ is not a package: pytest puts it on sys.path itself
    from browser_support import ARTIFACTS, CHROMIUM, chromium, serving  # type: ignore[no-redef]
    from test_browse import ENTITIES_YAML, SCRIPT, build_db  # type: ignore[no-redef]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium and chromium-driver (.ci/run installs them)",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`claims serve` on a fresh test database, in its own process; yields its base URL."""
    tmp = tmp_path_factory.mktemp("browser")
    db = build_db(tmp / "claims.db")
    entities = tmp / "entities.yaml"
    entities.write_text(ENTITIES_YAML, encoding="utf-8")
    with serving(db, {"CLAIMS_ENTITIES": str(entities)}) as base:
        yield base


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    with chromium(tmp_path_factory.mktemp("chromium-profile"), (1600, 1000)) as driver:
        yield driver


def _open(browser: WebDriver, url: str) -> None:
    browser.get(url)
    WebDriverWait(browser, 30).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "footer"))
    )


def test_conflict_report_shows_known_conflict(server: str, browser: WebDriver) -> None:
    _open(browser, f"{server}/claims/conflict_report")
    assert "Conflict report" in browser.find_element(By.TAG_NAME, "h1").text
    summaries = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "td.col-summary")]
    assert any("its own English version says $13 Billion" in s for s in summaries), summaries
    marks = {m.text for m in browser.find_elements(By.CSS_SELECTOR, "td.col-sides mark")}
    assert {"13亿美元", "$13 Billion", "130 亿美元"} <= marks
    # The kind names the conflict and links to it; its id is not shown.
    link = browser.find_element(By.LINK_TEXT, "Translation mismatch")
    assert link.get_attribute("href") == f"{server}/claims/conflicts/k-translation"
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "conflict_report.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def test_chinese_search_finds_softbank(server: str, browser: WebDriver) -> None:
    _open(browser, f"{server}/claims/search?q=软银")
    sentences = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "td.col-sentence")]
    assert sentences == ["为解锁新一轮融资，尤其是软银等巨头的300亿美元潜在投资。"]
    browser.save_screenshot(str(ARTIFACTS / "search.png"))


def test_claims_in_context_reads_as_text(server: str, browser: WebDriver) -> None:
    _open(browser, f"{server}/claims/claims_in_context?claim_id=geo:c2")
    cell = browser.find_element(By.CSS_SELECTOR, "td.col-sentence")
    assert cell.find_element(By.TAG_NAME, "mark").text == "$13 Billion"
    # The offsets that place the highlight are in the data, not on the page.
    assert not browser.find_element(By.CSS_SELECTOR, "th.col-mark_start").is_displayed()
    assert "mark_start" not in browser.find_element(By.CSS_SELECTOR, "table").text


def test_detects_a_script_that_runs(browser: WebDriver) -> None:
    # The control for the test below: a page that does run the script is caught.
    browser.get("data:text/html,<p>control</p><script>window.pwned = true</script>")
    assert browser.execute_script("return window.pwned === true") is True


@pytest.mark.parametrize(
    "path",
    [
        "/claims/articles/evil",
        "/claims/articles",
        "/claims/sentences",
        "/claims/claims?article_id=evil",
        "/claims/claims_in_context",
        "/claims/search?q=SoftBank",
        "/claims/entity_claims?entity=软银",
    ],
)
def test_article_script_never_runs(server: str, browser: WebDriver, path: str) -> None:
    _open(browser, f"{server}{path}")
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.dismiss()
    assert browser.execute_script("return typeof window.pwned") == "undefined"
    # The text is there, shown as text.
    assert "<script>window.pwned" in browser.find_element(By.TAG_NAME, "body").text
    assert SCRIPT.startswith("<script>window.pwned")


def test_html_report_never_runs_article_script(browser: WebDriver, tmp_path: Path) -> None:
    """The self-contained HTML report, opened from disk: quotes and outlet names that
    hold a script are shown as text, the numbers are marked and each conflict has a chart."""
    import yaml

    from extractor import pipeline, report, store

    folder = tmp_path / "story"
    folder.mkdir()
    texts = {
        "p.txt": ("2025-02-10", f"据知情人士{SCRIPT}透露,软银提议持有该合资公司约 40% 的股份。"),
        "q.txt": ("2025-04-02", "SoftBank will hold a 35% stake in the joint venture, the companies said."),
    }
    for name, (_, text) in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    manifest = {name: {"published": day, "outlet": f"Outlet {SCRIPT}"} for name, (day, _) in texts.items()}
    (folder / "sources.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    db = store.open_db(tmp_path / "r.db")
    pipeline.ingest([str(folder)], db)
    pipeline.after_ingest(db)
    page = tmp_path / "report.html"
    page.write_text(report.render(db, "html"), encoding="utf-8")

    browser.get(page.as_uri())
    WebDriverWait(browser, 30).until(expected_conditions.presence_of_element_located((By.TAG_NAME, "section")))
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.dismiss()
    assert browser.execute_script("return typeof window.pwned") == "undefined"
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "<script>window.pwned" in body and "proposal vs final" in body.lower()
    assert {m.text for m in browser.find_elements(By.TAG_NAME, "mark")} == {"40%", "35%"}
    assert len(browser.find_elements(By.CSS_SELECTOR, "section svg .mark")) == 2
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "html_report.png"))
