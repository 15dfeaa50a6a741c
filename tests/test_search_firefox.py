"""The search page in real headless Firefox (Debian's ESR), from file:// and from HTTP.

The same reader's checks as tests/test_search_browser.py runs in Chromium, on
the same small stand-in site (built by its ``make_site`` from its
``small_docs``, so the answers are known) and on the bundled archive as the
pipeline builds it. Firefox loads the index shards with its own rules for
file:// (each file its own origin) and restores pages from its own
back-forward cache, which is why it gets tests of its own.
"""

from __future__ import annotations

import pathlib
from typing import Any

import pytest
from test_search_browser import make_site, small_docs

from firefox import Firefox, Keys

RESULTS = "document.querySelectorAll('#search-results [role=option]').length"
READY = "document.querySelector('#search-app[data-state=ready]')"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return make_site(tmp_path_factory.mktemp("site"), small_docs())


@pytest.fixture(params=["file", "http"])
def base_url(request: pytest.FixtureRequest, site: pathlib.Path) -> str:
    if request.param == "file":
        return site.as_uri() + "/"
    return str(request.getfixturevalue("http_server")(site))


@pytest.fixture
def ff(firefox: Firefox) -> Firefox:
    """The session's Firefox with its console emptied, so a test sees only its own page errors."""
    firefox.forget_console()
    return firefox


def titles(ff: Firefox) -> list[str]:
    return ff.texts("#search-results .search-result__title")


def wait_results(ff: Firefox, count: int) -> None:
    """Wait until ``count`` results are drawn and the page has settled."""
    ff.wait(f"{RESULTS} === arguments[0] && {READY}", count)


@pytest.mark.browser
def test_page_errors_are_seen(ff: Firefox, tmp_path: pathlib.Path) -> None:
    """The control for every ``assert not ff.page_errors(...)`` below: planted errors are reported."""
    (tmp_path / "broken.html").write_text(
        "<!DOCTYPE html><title>broken</title><script>Promise.reject(new Error('planted rejection'));</script>"
        "<script>setTimeout(function () { plantedUndefinedFunction(); });</script><script src='missing.js'></script>")
    ff.open((tmp_path / "broken.html").as_uri())
    ff.until(lambda: len(ff.page_errors(tmp_path.as_uri())) >= 3, "three planted errors")
    errors = ff.page_errors(tmp_path.as_uri())
    assert any("planted rejection" in e for e in errors)
    assert any("plantedUndefinedFunction" in e for e in errors)
    assert any("missing.js" in e for e in errors)
    assert not ff.page_errors(tmp_path.as_uri() + "/elsewhere/")


@pytest.mark.browser
def test_typing_shows_results_and_following_one_highlights(ff: Firefox, base_url: str) -> None:
    ff.open(base_url + "search/index.html")
    ff.type("#search-q", "ink")
    wait_results(ff, 3)
    shown = titles(ff)
    assert "3 results" in ff.texts("#search-status")[0]
    assert len(ff.texts("#search-results mark")) >= 3
    assert "q=ink" in ff.url
    # keyboard: arrow down selects the first result, Enter follows its link with ?highlight=
    ff.press(Keys.ARROW_DOWN)
    assert ff.find("#search-q").get_attribute("aria-activedescendant") == "search-opt-0"
    ff.press(Keys.ENTER)
    ff.wait("location.search.includes('highlight=ink') && document.querySelector('main mark.search-highlight')")
    assert shown[0] in ff.texts("h1")[0]
    assert {m.lower() for m in ff.texts("main mark.search-highlight")} == {"ink"}
    ff.back()
    ff.wait(f"document.querySelector('#search-q').value === 'ink' && {READY} && {RESULTS} === 3")
    assert titles(ff) == shown
    assert not ff.page_errors(base_url)


@pytest.mark.browser
def test_filters_and_sort_change_results(ff: Firefox, base_url: str) -> None:
    ff.open(base_url + "search/index.html?q=ink")
    wait_results(ff, 3)
    ff.select("#search-facet-tag", "business")
    wait_results(ff, 1)
    assert titles(ff) == ["Printer ink prices rise"]
    assert "tag=business" in ff.url
    ff.back()
    wait_results(ff, 3)
    ff.select("#search-sort", "oldest")
    ff.wait(f"location.search.includes('sort=oldest') && {READY}")
    assert titles(ff) == ["A short history of ink", "Invisible ink for elections", "Printer ink prices rise"]
    ff.select("#search-sort", "newest")
    ff.wait(f"location.search.includes('sort=newest') && {READY}")
    assert titles(ff)[0] == "Printer ink prices rise"
    assert not ff.page_errors(base_url)


@pytest.mark.browser
def test_slash_focuses_the_search_box(ff: Firefox, base_url: str) -> None:
    ff.open(base_url + "2014/06/ink-elections/index.html")
    ff.press("/")
    ff.wait("document.activeElement.id === 'site-q'")
    assert ff.find("#site-q").get_property("value") == ""  # the "/" itself was not typed into the box
    assert not ff.page_errors(base_url)


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["file", "http"])
def test_search_on_the_built_archive(ff: Firefox, demo_output: pathlib.Path, http_server: Any, scheme: str) -> None:
    base = demo_output.as_uri() + "/" if scheme == "file" else http_server(demo_output)
    ff.open(base + "index.html")
    ff.press("/")
    ff.wait("document.activeElement.id === 'site-q'")
    ff.type("#site-q", "paedophile")
    ff.press(Keys.ENTER)
    ff.wait(f"location.pathname.endsWith('/search/index.html') && location.search === '?q=paedophile' && {READY}")
    found = titles(ff)
    assert found, ff.texts("#search-status")
    ff.find("#search-results [role=option] a").click()
    ff.wait("document.querySelector('main mark.search-highlight')")
    assert "paedophil" in ff.texts("main mark.search-highlight")[0].lower()
    ff.back()
    ff.wait(f"document.querySelector('#search-q').value === 'paedophile' && {READY}")
    assert titles(ff) == found
    assert not ff.page_errors(base)
