"""The search page in real headless Chromium, from file:// and from HTTP.

Most tests build a small site themselves, so that the answers are known: the
package's ``layouts/search.html`` over a tiny stand-in ``base.html`` with the
same blocks and header, article pages that load ``site.js``, and the index
from :func:`marginalia.search.build_index`. The last test runs against the
bundled archive as the real pipeline builds it.
"""

from __future__ import annotations

import pathlib
import shutil
from collections.abc import Sequence
from typing import Any

import jinja2
import pytest

from marginalia.search import RUNTIME, SearchDoc, build_index

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "marginalia"

BASE = """<!DOCTYPE html><html lang="{{ site.language }}"><head><meta charset="utf-8">
<title>{% block title %}{{ site.title }}{% endblock %}</title>{% block head %}{% endblock %}</head><body>
<header><form class="site-search" role="search" action="{{ root }}search/index.html" method="get">
<label for="site-q" class="visually-hidden">Search the archive</label>
<input id="site-q" name="q" type="search" autocomplete="off"><button type="submit">Search</button></form></header>
<main id="main" tabindex="-1">{% block main %}{% endblock %}</main>
<script src="{{ root }}assets/site.js" defer></script>{% block scripts %}{% endblock %}</body></html>
"""

ARTICLE = """{% extends "base.html" %}{% block main %}<article><h1>{{ doc.title }}</h1>
{% for p in doc.text.split("\\n") %}<p>{{ p }}</p>{% endfor %}</article>{% endblock %}"""


def make_site(out: pathlib.Path, docs: Sequence[SearchDoc]) -> pathlib.Path:
    """Write a stand-in site (search page, article pages, assets, index) into ``out``."""
    env = jinja2.Environment(loader=jinja2.ChoiceLoader([
        jinja2.DictLoader({"base.html": BASE, "article.html": ARTICLE}),
        jinja2.FileSystemLoader(str(PACKAGE / "layouts"))]), autoescape=True)
    site = {"title": "Test archive", "language": "en"}
    (out / "search").mkdir(parents=True, exist_ok=True)
    (out / "search/index.html").write_text(env.get_template("search.html").render(root="../", site=site))
    for doc in docs:
        page = out / doc.url
        page.parent.mkdir(parents=True, exist_ok=True)
        depth = doc.url.count("/")
        page.write_text(env.get_template("article.html").render(root="../" * depth, site=site, doc=doc))
    (out / "assets").mkdir(exist_ok=True)
    for name in (*RUNTIME, "site.js", "search.css"):
        shutil.copy(PACKAGE / "static" / name, out / "assets" / name)
    for rel, data in build_index(docs).items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return out


def small_docs() -> list[SearchDoc]:
    """A handful of articles with known words, dates and facets."""
    return [
        SearchDoc("2014/06/ink-elections/index.html", "Invisible ink for elections", "2014-06-18", None,
                  "Voters in Kyrgyzstan will have their thumbs sprayed with invisible ink.\n"
                  "The ink glows under ultraviolet light.", tags=("politics",), places=("Kyrgyzstan",)),
        SearchDoc("2015/01/ink-prices/index.html", "Printer ink prices rise", "2015-01-03", "Mentions fraud",
                  "Printer makers raised the price of ink cartridges.\nShoppers complain about ink.",
                  tags=("business",), organizations=("Epson",)),
        SearchDoc("2013/03/football-final/index.html", "Cup final ends in a draw", "2013-03-09", None,
                  "The final whistle blew with the score level.\nFans of both clubs sang.", tags=("sport",)),
        SearchDoc("2016/09/election-night/index.html", "Election night <script>alert(1)</script>", "2016-09-30",
                  None, "Counting went on through the night in the general election.\nTurnout was high.",
                  tags=("politics",), people=("Jane Doe",)),
        SearchDoc("undated/about-ink/index.html", "A short history of ink", None, None,
                  "Ink has been made from soot, gum and water for centuries.", tags=("culture",)),
    ]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return make_site(tmp_path_factory.mktemp("site"), small_docs())


@pytest.fixture(params=["file", "http"])
def base_url(request: pytest.FixtureRequest, site: pathlib.Path) -> str:
    if request.param == "file":
        return site.as_uri() + "/"
    return str(request.getfixturevalue("http_server")(site))


def titles(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("#search-results .search-result__title").all_inner_texts()]


def wait_ready(page: Any) -> None:
    page.wait_for_selector("#search-app[data-state=ready]")


def search_page(chromium: Any, base_url: str, query: str) -> Any:
    """A new page on the search page for ``query``, its results drawn."""
    page = chromium.new_page()
    page.goto(base_url + "search/index.html?q=" + query)
    wait_ready(page)
    return page


@pytest.mark.browser
def test_typing_shows_results_and_links_highlight(chromium: Any, base_url: str) -> None:
    page = chromium.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base_url + "search/index.html")
    page.locator("#search-q").press_sequentially("ink")
    page.wait_for_function("document.querySelectorAll('#search-results [role=option]').length === 3")
    wait_ready(page)
    assert "3 results" in page.locator("#search-status").inner_text()
    assert page.locator("#search-results mark").count() >= 3
    assert "q=ink" in page.url
    # keyboard: arrow down selects, Enter follows the link with ?highlight=
    page.locator("#search-q").press("ArrowDown")
    assert page.locator("#search-q").get_attribute("aria-activedescendant") == "search-opt-0"
    first = titles(page)[0]
    page.locator("#search-q").press("Enter")
    page.wait_for_url("**highlight=ink**")
    page.wait_for_selector("main mark.search-highlight")
    assert first in page.locator("h1").inner_text()
    assert {m.lower() for m in page.locator("main mark.search-highlight").all_inner_texts()} == {"ink"}
    page.go_back()
    page.wait_for_function("document.querySelector('#search-q').value === 'ink'")
    wait_ready(page)
    assert len(titles(page)) == 3
    assert not errors
    page.close()


@pytest.mark.browser
def test_filters_and_sort_change_results(chromium: Any, base_url: str) -> None:
    page = search_page(chromium, base_url, "ink")
    assert len(titles(page)) == 3
    page.select_option("#search-facet-tag", "business")
    page.wait_for_function("document.querySelectorAll('#search-results [role=option]').length === 1")
    assert titles(page) == ["Printer ink prices rise"]
    assert "tag=business" in page.url
    page.go_back()
    page.wait_for_function("document.querySelectorAll('#search-results [role=option]').length === 3")
    page.select_option("#search-sort", "oldest")
    page.wait_for_function("location.search.includes('sort=oldest')")
    wait_ready(page)
    assert titles(page) == ["A short history of ink", "Invisible ink for elections", "Printer ink prices rise"]
    page.select_option("#search-sort", "newest")
    page.wait_for_function("location.search.includes('sort=newest')")
    wait_ready(page)
    assert titles(page)[0] == "Printer ink prices rise"
    page.close()


@pytest.mark.browser
def test_untrusted_text_stays_text(chromium: Any, base_url: str) -> None:
    page = search_page(chromium, base_url, "election")
    assert any("<script>" in t for t in titles(page))
    assert page.locator("#search-results script").count() == 0
    page.close()


@pytest.mark.browser
def test_slash_focuses_the_search_box(chromium: Any, base_url: str) -> None:
    page = chromium.new_page()
    page.goto(base_url + "2014/06/ink-elections/index.html")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-q"
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["file", "http"])
def test_search_on_the_built_archive(chromium: Any, demo_output: pathlib.Path, http_server: Any, scheme: str) -> None:
    base = demo_output.as_uri() + "/" if scheme == "file" else http_server(demo_output)
    page = chromium.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "index.html")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-q"
    page.keyboard.type("paedophile")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/index.html?q=paedophile")
    wait_ready(page)
    assert titles(page), page.locator("#search-status").inner_text()
    page.locator("#search-results [role=option] a").first.click()
    page.wait_for_selector("main mark.search-highlight")
    assert "paedophil" in page.locator("main mark.search-highlight").first.inner_text().lower()
    assert not errors
    page.close()


@pytest.mark.browser
def test_the_script_names_index_files_as_the_build_does(chromium: Any, base_url: str) -> None:
    from marginalia.search import file_name

    keys = ["d/aux", "p/con.1", "v/nul", "w/prn", "t/com1", "p/lpt9.a", "d/auxa", "t/5", "p/co.n", "meta", "f/names"]
    page = search_page(chromium, base_url, "ink")
    named = page.evaluate("keys => keys.map(k => window.__marginaliaSearch.index.fileOf(k))", keys)
    assert named == [file_name(k) for k in keys]
    page.close()
