"""Accessibility: axe-core finds no serious or critical violation, in the light and the dark theme.

axe-core is vendored in tests/vendor/ (see its README) and injected into each
page of the bundled archive in a real headless Chromium.
"""

from __future__ import annotations

import pathlib

import pytest

from conftest import article_pages

pytestmark = pytest.mark.browser

AXE = pathlib.Path(__file__).parent / "vendor" / "axe.min.js"
SERIOUS = ("serious", "critical")


def pages_to_check(out: pathlib.Path) -> list[str]:
    """Home, an article, search, a topic, entities, the timeline, the archive and the 404 page."""
    return ["index.html", article_pages(out / "2014/06")[0].relative_to(out).as_posix(),
            "search/index.html", next(out.glob("tags/*/index.html")).relative_to(out).as_posix(),
            next(out.glob("people/*/index.html")).relative_to(out).as_posix(),
            next(out.glob("places/*/index.html")).relative_to(out).as_posix(),
            "timeline/index.html", "archive/index.html", "404.html"]


def axe_violations(page: object) -> list[dict[str, object]]:
    """axe-core's serious and critical violations on the open page."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5],
             "summary": v["nodes"][0].get("failureSummary", "")}
            for v in results["violations"] if v["impact"] in SERIOUS]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_axe_violations(chromium, demo_output: pathlib.Path, http_server, tmp_path: pathlib.Path,
                                   scheme: str) -> None:
    (tmp_path / "archive").symlink_to(demo_output, target_is_directory=True)
    base = http_server(tmp_path) + "archive/"  # where the demo's base_url puts it, for 404.html's <base>
    context = chromium.new_context(color_scheme=scheme, bypass_csp=True)  # axe is injected inline
    page = context.new_page()
    found = {}
    for rel in pages_to_check(demo_output):
        page.goto(base + rel)
        page.wait_for_load_state("load")
        if rel == "index.html":  # the offline control appears once the service worker is ready
            page.wait_for_selector(".offline-save button", timeout=10_000)
        violations = axe_violations(page)
        if violations:
            found[rel] = violations
    context.close()
    assert found == {}


def test_axe_finds_a_planted_violation(chromium) -> None:
    """The harness itself works: axe reports what it should."""
    page = chromium.new_page()
    page.set_content('<html lang="en"><body><main><h1>Test</h1>'
                     '<p style="color:#777;background:#888">unreadable</p><img src="x.png"></main></body></html>')
    assert {v["id"] for v in axe_violations(page)} >= {"color-contrast", "image-alt"}
    page.close()


def test_landmarks_skip_link_headings_and_visible_focus(chromium, demo_output: pathlib.Path) -> None:
    page = chromium.new_page()
    for rel in pages_to_check(demo_output):
        if rel == "404.html":
            continue  # its <base> points at the published folder
        page.goto((demo_output / rel).as_uri())
        assert page.locator("main#main").count() == 1, rel
        assert page.locator("header.site-header, nav, footer").count() >= 3, rel
        levels = page.eval_on_selector_all("main h1, main h2, main h3, main h4, main h5, main h6",
                                           "els => els.map(e => Number(e.tagName[1]))")
        assert levels and levels[0] == 1 and levels.count(1) == 1, (rel, levels)
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (rel, levels)
        first = page.evaluate("document.querySelector('a[href], button, input, select, textarea, "
                              "[tabindex]:not([tabindex=\"-1\"])').className")
        assert first == "skip-link", (rel, first)  # the first stop when tabbing into the page
        page.focus(".skip-link")
        focused = page.evaluate("[getComputedStyle(document.activeElement).outlineStyle,"
                                " getComputedStyle(document.activeElement).top]")
        assert focused[0] != "none" and not focused[1].startswith("-"), (rel, focused)  # visible when focused
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main", rel
    page.close()
