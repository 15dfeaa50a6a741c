"""Offline reading and sub-path hosting: no request leaves output/, the service worker saves the archive."""

from __future__ import annotations

import http.server
import json
import pathlib
import urllib.parse
from collections.abc import Callable

import pytest

from marginalia.pipeline import build

from conftest import article_pages
from sitegen import CONFIG, many_articles, write_articles

pytestmark = pytest.mark.browser


class _HostLike(http.server.SimpleHTTPRequestHandler):
    """A static host: files as they are, the site's 404.html for anything missing (like GitHub Pages)."""

    not_found: pathlib.Path | None = None

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404 or self.not_found is None or not self.not_found.is_file():
            return super().send_error(code, message, explain)
        body = self.not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture
def host(http_server) -> Callable[[pathlib.Path, pathlib.Path], str]:
    """``host(folder, not_found_page) -> base URL`` of a static server that answers 404 with that page."""

    def start(folder: pathlib.Path, not_found: pathlib.Path) -> str:
        return http_server(folder, type("Handler", (_HostLike,), {"not_found": not_found}))

    return start


@pytest.fixture(scope="module")
def site_output(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A 25-article site published under https://example.org/archive/, built once."""
    site = tmp_path_factory.mktemp("offline") / "site"
    write_articles(site, many_articles(25))
    (site / "layouts").mkdir()
    (site / "config.yaml").write_text(CONFIG, encoding="utf-8")
    build(site)
    return site / "output"


@pytest.fixture
def sub_path(site_output: pathlib.Path, tmp_path: pathlib.Path, host) -> str:
    """The site served at http://127.0.0.1:PORT/archive/ (a folder holding ``archive`` -> output)."""
    (tmp_path / "www").mkdir()
    (tmp_path / "www/archive").symlink_to(site_output, target_is_directory=True)
    return host(tmp_path / "www", site_output / "404.html") + "archive/"


def watch(context: object, inside: str) -> tuple[list[str], list[str]]:
    """Record requests leaving ``inside`` and failed requests of a whole browser context."""
    outside: list[str] = []
    failed: list[str] = []
    context.on("request", lambda r: None if r.url.startswith((inside, "data:")) else outside.append(r.url))
    context.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
    return outside, failed


def crawl(page: object, starts: list[str], inside: str, limit: int = 10_000) -> set[str]:
    """Visit every page reachable by links from ``starts`` that stays under ``inside``."""
    seen: set[str] = set()
    queue = list(starts)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url)
        assert response is not None and response.ok, url
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            target = urllib.parse.urldefrag(href)[0]
            if target.startswith(inside) and target.endswith(".html") and target not in seen:
                queue.append(target)
    return seen


def test_every_page_works_from_a_sub_path_with_no_outside_or_failed_request(chromium, sub_path: str,
                                                                             site_output: pathlib.Path) -> None:
    context = chromium.new_context(service_workers="block")
    outside, failed = watch(context, sub_path)
    page = context.new_page()
    # The search page is reached by the search form and the editor is not linked: start there too.
    seen = crawl(page, [sub_path + p for p in ("index.html", "search/index.html", "editor/index.html")], sub_path)
    pages = {p.relative_to(site_output).as_posix() for p in site_output.rglob("*.html")} - {"404.html"}
    assert {u[len(sub_path):] for u in seen} == pages  # every page
    response = page.goto(sub_path + "no/such/deep/page.html")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert page.evaluate("getComputedStyle(document.querySelector('.skip-link')).top").startswith("-")
    page.click("text=Latest articles")
    assert page.url == sub_path + "index.html"
    assert outside == [] and failed == []
    context.close()


def test_from_disk_the_offline_script_stays_inert(chromium, site_output: pathlib.Path) -> None:
    root = site_output.as_uri() + "/"
    context = chromium.new_context()
    outside, failed = watch(context, root)
    page = context.new_page()
    crawl(page, [root + "index.html"], root, limit=15)
    assert page.locator("link[rel=manifest]").count() == 0
    assert page.locator(".offline-save").count() == 0
    assert page.evaluate("navigator.serviceWorker ? navigator.serviceWorker.controller : null") is None
    assert outside == [] and failed == []
    context.close()


def wait_controlled(page: object) -> None:
    """Wait until the service worker controls the page (reloading once after the first install)."""
    page.evaluate("navigator.serviceWorker.ready")
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()
    page.wait_for_function("!!navigator.serviceWorker.controller")


def test_service_worker_keeps_visited_pages_and_saves_the_whole_archive(chromium, sub_path: str) -> None:
    context = chromium.new_context()
    outside, failed = watch(context, sub_path)
    page = context.new_page()
    page.goto(sub_path + "index.html")
    wait_controlled(page)
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == sub_path + "sw.js"
    assert page.locator("link[rel=manifest]").get_attribute("href") == sub_path + "manifest.webmanifest"
    page.goto(sub_path + "2019/01/story-24.html")
    context.set_offline(True)
    page.goto(sub_path + "index.html")
    page.goto(sub_path + "2019/01/story-24.html")
    assert page.locator("h1").inner_text() == "Story 24: the news"
    page.goto(sub_path + "2019/01/story-3.html")
    assert page.locator("h1").inner_text() == "You are offline"  # never visited, not saved
    context.set_offline(False)
    page.goto(sub_path + "index.html")
    page.click("text=Save the whole archive for offline reading")
    page.wait_for_selector("html[data-offline-saved]", timeout=20_000)
    assert "Saved for offline reading" in page.locator(".offline-save [role=status]").inner_text()
    context.set_offline(True)
    for path in ("2019/01/story-3.html", "tags/health/index.html", "search/index.html?q=story"):
        page.goto(sub_path + path)
        assert page.locator("h1").inner_text() != "You are offline", path
    assert outside == [], outside
    assert [f for f in failed if "ERR_INTERNET_DISCONNECTED" not in f] == []
    context.close()


def test_manifests_list_real_files(site_output: pathlib.Path) -> None:
    web = json.loads((site_output / "manifest.webmanifest").read_text())
    assert (site_output / web["start_url"]).is_file() and web["scope"] == "./"
    assert all((site_output / icon["src"]).is_file() for icon in web["icons"])
    offline = json.loads((site_output / "offline-manifest.json").read_text())
    assert all((site_output / path).is_file() for path in offline["files"])
    html = {p.relative_to(site_output).as_posix() for p in site_output.rglob("*.html")}
    assert html <= set(offline["files"]) and "assets/style.css" in offline["files"]
    assert not any(p.endswith((".xml", ".txt")) for p in offline["files"])
    sw = (site_output / "sw.js").read_text()
    assert f'const VERSION = "{offline["version"]}";' in sw
    assert not (site_output / "assets/sw.js").exists()


def test_print_shows_notes_as_numbered_endnotes_and_link_addresses(chromium, demo_output: pathlib.Path) -> None:
    seed = article_pages(demo_output / "2014/06")[0]
    page = chromium.new_page()
    page.goto(seed.as_uri())
    notes = page.eval_on_selector_all(".article__body .note .note-num", "els => els.map(e => parseInt(e.textContent))")
    assert len(notes) >= 5
    assert page.locator(".print-endnotes").is_hidden()  # on screen the notes stay beside the text
    page.emulate_media(media="print")
    assert page.locator(".print-endnotes").is_visible()
    assert page.eval_on_selector_all(".print-endnotes li", "els => els.map(e => e.value)") == notes
    assert page.locator(".article__body .note").first.is_hidden()
    assert page.locator(".site-header").is_hidden() and page.locator(".note-toggle").first.is_hidden()
    page.goto(article_pages(demo_output / "2019/01")[0].as_uri())  # cites its source by URL
    page.emulate_media(media="print")
    link = page.locator(".provenance a[href^='http']").first
    after = link.evaluate("a => getComputedStyle(a, '::after').content")
    assert after == f'" <{link.get_attribute("href")}>"', after
    page.close()
