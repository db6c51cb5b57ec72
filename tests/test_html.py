"""Saved web pages and URLs: the article text and metadata, without boilerplate or scripts."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from extractor import readers
from extractor.cli import cli
from extractor.ingest import read_article

PARAGRAPHS = [
    "微软已向 OpenAI 投入了超过 130 亿美元，重组后将持有 OpenAI 集团约 27% 的股份。",
    "根据新协议，OpenAI 承诺额外购买价值 2500 亿美元的 Azure 云服务，双方合作延续至 2032 年。",
    "分析人士认为，这一安排让微软在人工智能竞赛中保住了关键位置，也为 OpenAI 上市铺平道路。",
]


def page(charset: str = "utf-8", extra_head: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="{charset}">
<title>微软与OpenAI达成新协议 - 财经快讯</title>
<meta property="og:title" content="微软与OpenAI达成新协议">
<meta property="og:site_name" content="财经快讯">
<meta property="article:published_time" content="2025-10-28T20:15:00+08:00">
<link rel="canonical" href="https://news.example.com/2025/10/28/msft-openai.html">
{extra_head}
<script>var ad = "广告位 999 亿美元"; document.write("<p>1000 万用户</p>");</script>
<style>.x {{ width: 100%; }}</style>
</head><body>
<nav><a href="/">首页</a> | <a href="/tech">科技</a> | <a href="/fin">财经</a> | 热门 88 条</nav>
<article><h1>微软与OpenAI达成新协议</h1>{body}</article>
<aside>相关阅读：特斯拉市值突破 1 万亿美元</aside>
<footer>版权所有 © 2025 财经快讯 京ICP备 12345678 号</footer>
<script>trackPageView(42);</script>
</body></html>"""


def test_page_text_leaves_out_scripts_and_boilerplate(tmp_path: Path) -> None:
    path = tmp_path / "story.html"
    path.write_text(page(), encoding="utf-8")
    article = read_article(path)
    for p in PARAGRAPHS:
        assert p in article.text
    for junk in ("广告位", "1000 万用户", "trackPageView", "首页", "京ICP备", "width"):
        assert junk not in article.text
    assert article.body_start == 0
    assert article.meta["title"] == "微软与OpenAI达成新协议"
    assert article.meta["published"] == "2025-10-28"
    assert article.meta["outlet"] == "财经快讯"
    assert article.meta["url"] == "https://news.example.com/2025/10/28/msft-openai.html"


def test_a_gbk_page_is_read_by_its_meta_charset(tmp_path: Path) -> None:
    path = tmp_path / "gbk.htm"
    path.write_bytes(page(charset="gb2312").encode("gbk", errors="xmlcharrefreplace"))
    assert PARAGRAPHS[1] in read_article(path).text


def test_a_big5_page_without_charset_is_detected(tmp_path: Path) -> None:
    hant = "微軟已向 OpenAI 投入了超過 130 億美元，重組後將持有 OpenAI 集團約 27% 的股份。" * 3
    html = f"<html><head><title>微軟</title></head><body><article><p>{hant}</p></article></body></html>"
    path = tmp_path / "big5.html"
    path.write_bytes(html.encode("big5"))
    assert hant in read_article(path).text


def test_the_page_date_is_never_guessed_from_a_copyright_line(tmp_path: Path) -> None:
    html = page().replace('<meta property="article:published_time" content="2025-10-28T20:15:00+08:00">', "")
    html = html.replace("/2025/10/28/", "/tech/")  # a date in the URL is a stated date
    path = tmp_path / "nodate.html"
    path.write_text(html, encoding="utf-8")
    assert "published" not in read_article(path).meta


def test_claims_index_the_page_text(tmp_path: Path) -> None:
    path = tmp_path / "story.html"
    path.write_text(page(), encoding="utf-8")
    db = tmp_path / "h.db"
    result = CliRunner().invoke(cli, ["ingest", str(path), "--db", str(db), "--outlet", "Flag Outlet"])
    assert result.exit_code == 0, result.output
    d = sqlite_utils.Database(db)
    (art,) = d.query("select * from articles")
    assert art["outlet"] == "Flag Outlet" and art["published"] == "2025-10-28"
    claims = list(d.query("select text, start, end, value from claims"))
    assert {c["text"] for c in claims} >= {"130 亿美元", "27%", "2500 亿美元"}
    for c in claims:
        assert art["text"][c["start"] : c["end"]] == c["text"]
    assert not any("999" in c["text"] or "1000 万" in c["text"] for c in claims)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"<html><body></body></html>",
        b"<html><head><script>alert(1)</script></head><body><script>var a = 100;</script></body></html>",
        b"<<<<>>>><html<body<p",
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20,
        b"<html>" + b"<div>" * 50_000 + b"deep" + b"</div>" * 50_000 + b"</html>",
    ],
    ids=["empty", "no-text", "only-scripts", "broken-tags", "binary", "deep-nesting"],
)
def test_pages_without_an_article_are_skipped_in_one_line(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.html"
    path.write_bytes(content)
    result = CliRunner().invoke(cli, ["ingest", str(path), "--db", str(tmp_path / "b.db"), "--time-limit", "30"])
    assert result.exit_code == 1 and result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"skipped: {path}: "), result.stderr


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        if self.path == "/story.html":
            body = page(charset="gbk").encode("gbk", errors="xmlcharrefreplace")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=GBK")
        elif self.path == "/to-ftp":
            body = b""
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1/secret.txt")
        else:
            body = b"not here"
            self.send_response(404)
            self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_url_is_fetched_and_read(server: str, tmp_path: Path) -> None:
    db = tmp_path / "u.db"
    result = CliRunner().invoke(cli, ["ingest", f"{server}/story.html", f"{server}/gone.html", "--db", str(db)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"skipped: {server}/gone.html: the server answered 404 Not Found"]
    (art,) = sqlite_utils.Database(db).query("select path, url, outlet, text from articles")
    assert art["path"] == f"{server}/story.html"
    assert art["url"] == "https://news.example.com/2025/10/28/msft-openai.html"  # the page's canonical URL
    assert PARAGRAPHS[0] in art["text"]


def test_a_redirect_away_from_http_is_refused(server: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["ingest", f"{server}/to-ftp", "--db", str(tmp_path / "r.db")])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"skipped: {server}/to-ftp: cannot fetch (redirected to 'ftp://")


def test_html_is_sniffed_on_standard_input() -> None:
    assert readers.looks_html(b"\n  <!DOCTYPE html><html>")
    assert readers.looks_html(b"<!-- saved --><html>")
    assert not readers.looks_html("微软投资 <b>130</b> 亿美元".encode())
