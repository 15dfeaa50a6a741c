"""The Content-Security-Policy: the site's own scripts run, injected ones do not.

Every page carries the policy in a ``<meta http-equiv>`` (see
``marginalia.templates.CONTENT_SECURITY_POLICY``). Chromium's ``'self'`` does
not match file:// URLs, so the policy also names ``file:``; these tests open
pages both from file:// and over HTTP and check that site.js, search.js, the
search index shards and offline.js still work, that no console message
reports a violation by the site's own files, and that an inline script, an
inline event handler and a ``javascript:`` link slipped into a page are
refused.
"""

from __future__ import annotations

import html.parser
import json
import pathlib
from collections.abc import Callable
from typing import Any

import pytest
from hostile.archive import load_vectors
from markupsafe import escape

from marginalia.pipeline import build
from marginalia.search.codec import shard_file
from marginalia.templates import CONTENT_SECURITY_POLICY, json_script

from conftest import article

RECORDER = ("window.__xssHits = []; window.__xss = function (w) { window.__xssHits.push(String(w)); };"
            "window.alert = function (m) { window.__xss('alert ' + m); };")
INJECTED = ("<script>window.__xss('inline script')</script>"
            "<img src=\"nowhere.png\" onerror=\"window.__xss('onerror')\">"
            "<a id=\"js-link\" href=\"javascript:window.__xss('javascript: link')\">click</a>")


@pytest.fixture
def small_site(make_site: Callable[..., pathlib.Path]) -> pathlib.Path:
    site = make_site({
        "content/a.md": article("Ink for elections", "2020-01-02", "Voters get invisible ink on their thumbs."),
        "content/b.md": article("Printer prices", "2020-02-03", "Printer ink costs more than champagne."),
    })
    build(site)
    return site / "output"


def open_page(chromium: Any, url: str, *, bypass_csp: bool = False) -> tuple[Any, Any, list[str]]:
    """A page at ``url`` with the recorder installed; also returns its console messages."""
    context = chromium.new_context(bypass_csp=bypass_csp)
    context.add_init_script(RECORDER)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    page.goto(url)
    return context, page, console


def violations(console: list[str]) -> list[str]:
    return [m for m in console if "Content Security Policy" in m or "Refused to" in m]


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["file", "http"])
def test_the_sites_own_scripts_run_under_the_policy(chromium: Any, small_site: pathlib.Path,
                                                    http_server: Callable[[pathlib.Path], str],
                                                    scheme: str) -> None:
    base = small_site.as_uri() + "/" if scheme == "file" else http_server(small_site)
    # site.js: ?highlight= marks the words; "/" focuses the search box.
    context, page, console = open_page(chromium, base + "2020/01/a.html?highlight=invisible")
    page.wait_for_selector("main mark.search-highlight")
    page.keyboard.press("/")
    assert page.evaluate("() => document.activeElement.id") == "site-q"
    if scheme == "http":  # offline.js registers the service worker (it does nothing from file://)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null || "
                               "document.querySelector('.offline-save') !== null", timeout=15000)
    context.close()
    # search.js and the index shards it loads with <script> tags.
    context, page, search_console = open_page(chromium, base + "search/index.html?q=ink")
    page.wait_for_function("() => document.querySelectorAll('#search-results [role=option]').length === 2")
    assert page.evaluate("() => window.__xssHits") == []
    context.close()
    assert violations(console + search_console) == []
    assert [m for m in console + search_console if m.startswith(("error", "pageerror"))] == []


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["file", "http"])
def test_injected_inline_script_is_refused(chromium: Any, small_site: pathlib.Path,
                                           http_server: Callable[[pathlib.Path], str], scheme: str) -> None:
    """Were the sanitizer ever to miss something, the policy still stops it; without the policy it runs."""
    page_path = small_site / "2020/01/a.html"
    text = page_path.read_text(encoding="utf-8")
    page_path.write_text(text.replace("</main>", INJECTED + "</main>"), encoding="utf-8")
    base = small_site.as_uri() + "/" if scheme == "file" else http_server(small_site)
    url = base + "2020/01/a.html"

    context, page, console = open_page(chromium, url)
    page.click("#js-link")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.__xssHits") == []
    assert any("inline script" in m.lower() for m in violations(console))
    context.close()

    context, page, _console = open_page(chromium, url, bypass_csp=True)  # control: the recorder works
    page.wait_for_function("() => window.__xssHits.length >= 2")
    assert {"inline script", "onerror"} <= set(page.evaluate("() => window.__xssHits"))
    context.close()


def test_every_page_carries_the_policy_before_any_script_or_style(demo_output: pathlib.Path) -> None:
    meta = f'<meta http-equiv="Content-Security-Policy" content="{escape(CONTENT_SECURITY_POLICY)}">'
    for path in sorted(demo_output.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        head = text.split("</head>", 1)[0]
        assert head.count(meta) == 1, path
        first_resource = min(i for i in (head.find("<script"), head.find("<link"), len(head)) if i >= 0)
        assert head.index(meta) < first_resource, path


def test_policy_allows_only_the_sites_own_files() -> None:
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["default-src"] == "'none'"
    for name in ("script-src", "style-src"):
        assert directives[name] == "'self' file:"  # no 'unsafe-inline', no 'unsafe-eval', no hosts
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'self' file:"


class _Scripts(html.parser.HTMLParser):
    """Collects the text of every <script type="application/ld+json">."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.blocks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.inside = tag == "script" and ("type", "application/ld+json") in attrs
        if self.inside:
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.blocks[-1] += data


@pytest.mark.parametrize("value", load_vectors())
def test_json_in_a_script_element_cannot_close_it(value: str) -> None:
    """JSON-LD and search shards: the text between the tags parses back to the value."""
    text = str(json_script({"headline": value}))
    assert "<" not in text and "\u2028" not in text and "\u2029" not in text
    parser = _Scripts()
    parser.feed(f'<script type="application/ld+json">{text}</script><p>after</p>')
    assert [json.loads(b) for b in parser.blocks] == [{"headline": value}]
    shard = shard_file("k", {"excerpt": value}).decode()
    assert "<" not in shard and "\u2028" not in shard and "\u2029" not in shard
