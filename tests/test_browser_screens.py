"""What a reader sees on the first screen, in a real browser: the HTML report at a laptop's
width (1400 px) and a phone's (390 px), and the main Datasette pages at 1400 px, on a
database built from the devset stories (../shared/devset) plus a small story of our own
whose conflicts are known. Each test asserts what must be visible without scrolling (the
number, its outlet and date, the kind, the best-supported value or "undecided") and saves
a screenshot to tests/artifacts/.

The assertions read the expected text from the database (extractor.report.load), so they
hold whatever conflicts detection finds in the devset; the story guarantees there are some.
"""

from __future__ import annotations

import os
import shutil
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

try:
    from tests.browser_support import ARTIFACTS, CHROMEDRIVER, CHROMIUM, ROOT, chromium, serving
    from tests.test_report import write_story
except ImportError:  # tests/ is not a package: pytest puts it on sys.path itself
    from browser_support import ARTIFACTS, CHROMEDRIVER, CHROMIUM, ROOT, chromium, serving  # type: ignore[no-redef]
    from test_report import write_story  # type: ignore[no-redef]

from extractor import datasette_plugin, pipeline, report, store

LAPTOP = (1400, 900)
PHONE = (390, 844)


def devset_dir() -> Path | None:
    """../shared/devset beside the checkout (or beside the folder of worktrees)."""
    if os.environ.get("CLAIMS_DEVSET"):
        return Path(os.environ["CLAIMS_DEVSET"])
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "devset").is_dir():
            return base / "shared" / "devset"
    return None


pytestmark = [
    pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                       reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"),
    pytest.mark.skipif(devset_dir() is None, reason="needs ../shared/devset (or $CLAIMS_DEVSET)"),
]


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    devset = devset_dir()
    assert devset is not None
    tmp = tmp_path_factory.mktemp("screens")
    story = write_story(tmp / "story")
    path = tmp / "claims.db"
    db = store.open_db(path)
    pipeline.ingest([str(devset / "part-a" / "articles"), str(devset / "part-b" / "articles"), str(story)], db)
    pipeline.after_ingest(db)
    db.close()
    return path


@pytest.fixture(scope="module")
def entries(db_path: Path) -> list[report.Entry]:
    found = report.load(sqlite_utils.Database(db_path))
    assert found, "the story's conflicts should be there"
    return found


@pytest.fixture(scope="module")
def server(db_path: Path) -> Iterator[str]:
    with serving(db_path) as base:
        yield base


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    with chromium(tmp_path_factory.mktemp("chromium-screens"), (1400, 900), "--hide-scrollbars") as driver:
        yield driver


def _viewport(browser: WebDriver, size: tuple[int, int]) -> None:
    """The page's viewport exactly this size, as on that screen (a phone is a mobile one)."""
    width, height = size
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def _open(browser: WebDriver, url: str, size: tuple[int, int], ready: str) -> None:
    _viewport(browser, size)
    browser.get(url)
    WebDriverWait(browser, 30).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ready)))
    assert browser.execute_script("return [innerWidth, innerHeight]") == list(size)


# Every piece of text wholly inside the viewport and shown: what a reader sees before scrolling.
FIRST_SCREEN_JS = """
const out = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const range = document.createRange();
while (walker.nextNode()) {
  const node = walker.currentNode;
  if (!node.data.trim()) continue;
  const style = getComputedStyle(node.parentElement);
  if (style.visibility === "hidden" || style.display === "none") continue;
  range.selectNodeContents(node);
  const rects = Array.from(range.getClientRects()).filter(r => r.width > 0 && r.height > 0);
  if (!rects.length) continue;
  if (rects.every(r => r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight + 1 && r.right <= innerWidth + 1)) {
    out.push(node.data);
  }
}
return out;
"""


def first_screen(browser: WebDriver) -> list[str]:
    texts: list[str] = browser.execute_script(FIRST_SCREEN_JS)
    return [" ".join(t.split()) for t in texts]


def _seen(texts: list[str], wanted: str) -> bool:
    wanted = " ".join(wanted.split())
    return any(wanted in t for t in texts) or wanted in " ".join(texts)


def _no_sideways_scroll(browser: WebDriver) -> None:
    width, inner = browser.execute_script("return [document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner, f"the page is {width} px wide in a {inner} px window"


def _shot(browser: WebDriver, name: str) -> None:
    """Save a screenshot to tests/artifacts/; with CLAIMS_UPDATE_DOCS=1, also to docs/,
    where the README shows it."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    browser.save_screenshot(str(path))
    assert path.stat().st_size > 10_000
    if os.environ.get("CLAIMS_UPDATE_DOCS"):
        shutil.copyfile(path, ROOT / "docs" / path.name)


def _number(q: report.Quote) -> str:
    return q.sentence[q.mark_start : q.mark_end]


@pytest.fixture(scope="module")
def html_report(db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = tmp_path_factory.mktemp("report") / "report.html"
    page.write_text(report.render(sqlite_utils.Database(db_path), "html"), encoding="utf-8")
    return page


@pytest.mark.parametrize(("size", "name"), [(LAPTOP, "report-1400"), (PHONE, "report-phone")])
def test_html_report_first_screen(browser: WebDriver, html_report: Path, entries: list[report.Entry],
                                  size: tuple[int, int], name: str) -> None:
    _open(browser, html_report.as_uri(), size, "section")
    seen = first_screen(browser)
    first = entries[0]
    assert _seen(seen, report.KIND_TITLES[first.kind]), seen
    assert _seen(seen, f"Best-supported value: {first.best or report.UNDECIDED}"), seen
    q = first.quotes[0]
    marks = [m for m in browser.find_elements(By.CSS_SELECTOR, "section mark") if m.is_displayed()]
    assert marks and marks[0].text == _number(q)
    assert _seen(seen, _number(q)), seen
    assert _seen(seen, report._source(q)), (report._source(q), seen)  # outlet (or name) and date
    _no_sideways_scroll(browser)
    # Each conflict has its chart, each source a mark on it, and the axes say what they are.
    assert len(browser.find_elements(By.CSS_SELECTOR, "section svg")) == len(entries)
    assert "publication date" in browser.find_element(By.CSS_SELECTOR, "section svg").text
    _shot(browser, name)


def _best(db_path: Path, conflict_id: str) -> str:
    row = sqlite_utils.Database(db_path)["conflicts"].get(conflict_id)
    return datasette_plugin.render_best(row)


def test_datasette_conflict_report_first_screen(browser: WebDriver, server: str, db_path: Path,
                                                entries: list[report.Entry]) -> None:
    _open(browser, f"{server}/claims/conflict_report", LAPTOP, "footer")
    seen = first_screen(browser)
    first = entries[0]  # the same order as `claims report`
    row = browser.find_element(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
    assert row.find_element(By.CSS_SELECTOR, "td.col-kind a").text == datasette_plugin.KIND_TITLES[first.kind]
    best = row.find_element(By.CSS_SELECTOR, "td.col-best_value").text
    assert best == _best(db_path, first.id) and _seen(seen, best)
    assert _seen(seen, datasette_plugin.KIND_TITLES[first.kind])
    side = row.find_element(By.CSS_SELECTOR, "td.col-sides li")
    number = side.find_element(By.TAG_NAME, "mark").text
    source = side.find_element(By.CSS_SELECTOR, ".source").text
    assert number and _seen(seen, number), (number, seen)
    assert _seen(seen, source), (source, seen)
    quotes = {(_number(q), report._source(q)) for q in first.quotes}
    assert (number, source) in quotes
    # The kind is chosen from the kinds, not typed.
    select = browser.find_element(By.CSS_SELECTOR, "form select[name=kind]")
    assert {o.get_attribute("value") for o in select.find_elements(By.TAG_NAME, "option")} >= {
        "", "contradiction", "translation_mismatch", "superseded", "proposal_vs_final"}
    _no_sideways_scroll(browser)
    _shot(browser, "conflict_report-1400")


def test_datasette_claims_table_first_screen(browser: WebDriver, server: str) -> None:
    _open(browser, f"{server}/claims/claims", LAPTOP, "footer")
    seen = first_screen(browser)
    # The rows start on the first screen, with what each claim is about in view.
    first_row = browser.find_element(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
    assert first_row.rect["y"] < LAPTOP[1] - 40
    headers = [th.text.strip() for th in browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns th")
               if th.is_displayed()]
    assert headers[:4] == ["claim", "subject", "metric", "value"], headers
    for column in ("subject", "metric"):
        th = browser.find_element(By.CSS_SELECTOR, f"th.col-{column}")
        assert th.rect["x"] + th.rect["width"] <= LAPTOP[0]
    # A claim is named by its number as written, not by its id.
    link = first_row.find_element(By.CSS_SELECTOR, "td.col-id a")
    assert ":" not in link.text and link.get_attribute("title") and ":" in link.get_attribute("title")
    # The column descriptions are folded away.
    assert not browser.find_element(By.CSS_SELECTOR, "dl.column-descriptions").is_displayed()
    assert _seen(seen, "What each column means")
    # "Data source" describes the database served (its articles, outlets, dates).
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Seed corpus" not in body and "articles from" in body and "published" in body
    _shot(browser, "claims-1400")


def test_datasette_claims_in_context_first_screen(browser: WebDriver, server: str) -> None:
    _open(browser, f"{server}/claims/claims_in_context?_sort=published&metric__notblank=1", LAPTOP, "footer")
    row = browser.find_element(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
    mark = row.find_element(By.CSS_SELECTOR, "td.col-sentence mark")
    claim = row.find_element(By.CSS_SELECTOR, "td.col-claim").text
    assert mark.text == claim and _seen(first_screen(browser), claim)
    assert ":" not in row.find_element(By.CSS_SELECTOR, "td.col-claim_id a").text
    _shot(browser, "claims_in_context-1400")


def test_datasette_metric_over_time_first_screen(browser: WebDriver, server: str,
                                                 entries: list[report.Entry]) -> None:
    first = entries[0]
    query = urllib.parse.urlencode({"subject": first.subject, "metric": first.metric})
    _open(browser, f"{server}/claims/metric_over_time?{query}", LAPTOP, "footer")
    seen = first_screen(browser)
    row = browser.find_element(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
    mark = row.find_element(By.CSS_SELECTOR, "td.col-sentence mark").text
    source = row.find_element(By.CSS_SELECTOR, "td.col-source").text
    published = row.find_element(By.CSS_SELECTOR, "td.col-published").text
    assert mark and _seen(seen, mark) and _seen(seen, source) and _seen(seen, published)
    assert (mark, f"{source}, {published}") in {(_number(q), report._source(q)) for q in first.quotes}
    _no_sideways_scroll(browser)
    _shot(browser, "metric_over_time-1400")
