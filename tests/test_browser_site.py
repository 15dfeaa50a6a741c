"""The bundled archive in a real headless Chromium, from file:// and over HTTP."""

from __future__ import annotations

import pathlib
import urllib.parse

import pytest

from conftest import article_pages

pytestmark = pytest.mark.browser

SEED_URL = "2014/06/anti-paedophile-police-fight-child-porn-epidemic.html"


def _pages(out: pathlib.Path) -> list[str]:
    seed = article_pages(out / "2014/06")[0].relative_to(out).as_posix()
    tag = next(out.glob("tags/*/index.html")).relative_to(out).as_posix()
    person = next(out.glob("people/*/index.html")).relative_to(out).as_posix()
    return ["index.html", seed, tag, person, "archive/index.html", "credits/index.html", "search/index.html"]


def _visit(browser, url: str, inside: str) -> tuple[list[str], list[str], object]:
    """Open ``url``; return (requests outside ``inside``, failed requests, page)."""
    page = browser.new_page()
    outside: list[str] = []
    failed: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((inside, "data:")) else outside.append(r.url))
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(url)
    page.wait_for_load_state("load")
    return outside, failed, page


@pytest.mark.parametrize("scheme", ["file", "http"])
def test_pages_load_with_css_and_stay_inside_output(chromium, demo_output: pathlib.Path, http_server, scheme) -> None:
    base = demo_output.as_uri() + "/" if scheme == "file" else http_server(demo_output)
    for rel in _pages(demo_output):
        outside, failed, page = _visit(chromium, base + rel, base)
        assert outside == [], (rel, outside)
        assert failed == [], (rel, failed)
        # The stylesheet applied: the skip link is moved off-screen by style.css.
        top = page.evaluate("getComputedStyle(document.querySelector('.skip-link')).top")
        assert top.startswith("-"), (rel, top)
        page.close()


def test_every_internal_link_resolves_to_a_file(chromium, demo_output: pathlib.Path) -> None:
    base = demo_output.as_uri() + "/"
    for rel in _pages(demo_output):
        page = chromium.new_page()
        page.goto(base + rel)
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        for href in hrefs:
            if not href.startswith("file://"):
                assert href.startswith(("http://", "https://", "mailto:")), href
                continue
            path = pathlib.Path(urllib.parse.unquote(urllib.parse.urlsplit(href).path))
            assert path.is_file(), (rel, href)
            assert path.is_relative_to(demo_output), (rel, href)
        page.close()


def test_home_page_links_to_the_seed_article_and_navigation_works(chromium, demo_output: pathlib.Path) -> None:
    page = chromium.new_page()
    page.goto((demo_output / "archive/index.html").as_uri())
    page.click("text=2014")
    page.click("text=Anti-paedophile police fight child porn")
    assert page.url.endswith(SEED_URL)
    assert page.locator("h1").inner_text().startswith("Anti-paedophile police")
    assert page.locator(".content-note").first.is_visible()
    page.click(".entities a >> nth=0")
    assert "people/" in page.url
    assert page.locator("a", has_text="Anti-paedophile police fight child porn").count() >= 1
    page.close()
