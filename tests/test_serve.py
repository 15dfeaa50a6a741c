"""``build.py serve``: live preview that rebuilds on change and reloads the open page."""

from __future__ import annotations

import json
import pathlib
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator

import pytest

from marginalia.serve import Preview

from conftest import REPO, article

# A live server, file watching and a browser per test: they run in a phase of their own, after the
# parallel suite (see the Makefile), so a busy machine does not starve the watcher.
pytestmark = pytest.mark.serial

ARTICLE = "2020/01/first.html"


@pytest.fixture
def preview(make_site) -> Iterator[tuple[Preview, pathlib.Path, list[str]]]:
    """A running preview of a three-article site, and what it logged."""
    site = make_site({"content/first.md": article("First headline", "2020-01-02", "Hello."),
                      "content/second.md": article("Second headline", "2020-01-03", "More."),
                      "content/third.md": article("Third headline", "2019-05-06", "Older.")})
    logged: list[str] = []
    server = Preview(site, port=0, log=logged.append)
    server.start()
    yield server, site, logged
    server.close()


def fetch(url: str) -> tuple[int, bytes, str]:
    """(status, body, content type) of a GET, errors included."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read(), response.headers["Content-Type"]
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers["Content-Type"]


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_served_pages_get_the_live_script_and_files_on_disk_do_not(preview) -> None:
    server, _site, _logged = preview
    status, body, kind = fetch(server.url + ARTICLE)
    assert status == 200 and kind.startswith("text/html")
    assert b'<script src="/__marginalia/live.js" data-version="1"></script></body>' in body
    assert b"__marginalia" not in (server.output / ARTICLE).read_bytes()
    status, css, _ = fetch(server.url + "assets/style.css")
    assert status == 200 and css == (server.output / "assets/style.css").read_bytes()
    assert json.loads(fetch(server.url + "__marginalia/version")[1]) == {"version": 1, "error": ""}
    assert fetch(server.url)[1].startswith(b"<!DOCTYPE html>")  # "/" serves index.html
    status, body, _ = fetch(server.url + "no/such/page.html")
    assert status == 404 and b"Page not found" in body and b"live.js" in body
    # served for this address, so feeds and canonical links work in the preview
    assert f'<link rel="canonical" href="{server.url}{ARTICLE}">'.encode() in fetch(server.url + ARTICLE)[1]


def test_a_failed_build_keeps_the_last_good_site_and_reports_where(preview) -> None:
    server, site, logged = preview
    (site / "content/first.md").write_text("---\ntitle: [unclosed\n---\nText\n", encoding="utf-8")
    wait_for(lambda: json.loads(fetch(server.url + "__marginalia/version")[1])["error"] != "")
    state = json.loads(fetch(server.url + "__marginalia/version")[1])
    assert state["version"] == 1 and state["error"].startswith("content/first.md:2:")
    assert any("content/first.md:2:" in line for line in logged)
    assert b"First headline" in fetch(server.url + ARTICLE)[1]  # the last good build
    (site / "content/first.md").write_text(article("Fixed headline", "2020-01-02"), encoding="utf-8")
    wait_for(lambda: json.loads(fetch(server.url + "__marginalia/version")[1]) == {"version": 2, "error": ""})
    assert b"Fixed headline" in fetch(server.url + ARTICLE)[1]


@pytest.mark.browser
def test_an_edit_reloads_the_open_page(preview, chromium) -> None:
    """Each save rebuilds and the open page reloads itself (how fast: bench/serve_bench.py, in the
    README; tests assert behaviour, not timing)."""
    server, site, _logged = preview
    page = chromium.new_page()
    page.goto(server.url + ARTICLE)
    for edit in range(3):
        page.evaluate("window.notReloadedYet = true")
        (site / "content/first.md").write_text(article(f"Edit {edit}", "2020-01-02", "Hello."), encoding="utf-8")
        page.wait_for_selector(f"h1:text-is('Edit {edit}')", timeout=15000)  # no eval: the pages' CSP forbids it
        assert page.evaluate("window.notReloadedYet === undefined")  # a real reload, not a patch
    page.close()


@pytest.mark.browser
def test_build_errors_show_over_the_page_and_clear_when_fixed(preview, chromium) -> None:
    server, site, _logged = preview
    page = chromium.new_page()
    page.goto(server.url + ARTICLE)
    (site / "content/second.md").write_text("---\ntitle: Second\ndate: 2020-13-45\n---\nText\n", encoding="utf-8")
    overlay = page.locator("#marginalia-build-error")
    overlay.wait_for(timeout=5000)
    assert "content/second.md:3:" in overlay.inner_text()
    assert overlay.get_attribute("role") == "alert"
    assert page.locator("h1").inner_text() == "First headline"  # the last good page stays readable
    (site / "content/second.md").write_text(article("Second, fixed", "2020-01-03"), encoding="utf-8")
    page.wait_for_selector("#marginalia-build-error", state="detached", timeout=5000)
    page.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_serve_command_runs_until_interrupted(make_site) -> None:
    site = make_site({"content/first.md": article("First headline", "2020-01-02")})
    port = free_port()
    # Ctrl+C as a terminal sends it. A shell running the tests in the background ignores SIGINT,
    # and a child inherits that: give it the default back, or the signal would do nothing.
    process = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--site", str(site),
                                "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith(f"Serving http://127.0.0.1:{port}/")
        assert b"First headline" in fetch(f"http://127.0.0.1:{port}/{ARTICLE}")[1]
        assert not (site / "output").exists()  # the preview never touches output/
    finally:
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err


def test_a_site_that_never_built_shows_its_errors_until_fixed(make_site) -> None:
    site = make_site({"content/first.md": article("First headline", "2020-01-02")}, config="title: [broken\n")
    server = Preview(site, port=0, log=lambda _text: None)
    try:
        server.start()
        assert server.state()["version"] == 0 and str(server.state()["error"]).startswith("config.yaml:")
        status, body, _ = fetch(server.url)
        assert status == 404 and b'src="/__marginalia/live.js"' in body  # the overlay will say why
        (site / "config.yaml").write_text("title: Fixed\n", encoding="utf-8")
        wait_for(lambda: server.state() == {"version": 1, "error": ""})
        assert fetch(server.url)[0] == 200
    finally:
        server.close()
