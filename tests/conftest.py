"""Shared fixtures: throwaway sites, real headless Chromium and Firefox, a local HTTP server."""

from __future__ import annotations

import functools
import http.server
import os
import pathlib
import shutil
import threading
from collections.abc import Callable, Iterator

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CHROMIUM = "/usr/bin/chromium"
FIREFOX = "/usr/bin/firefox-esr"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

MINIMAL_CONFIG = "title: Test archive\nbase_url: https://example.org/archive/\ntimezone: UTC\nper_page: 5\n"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from the current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def make_site(tmp_path: pathlib.Path) -> Callable[..., pathlib.Path]:
    """``make_site(files={"content/a.md": "..."}, config=...)`` -> a site folder."""

    def make(files: dict[str, str | bytes] | None = None, config: str = MINIMAL_CONFIG,
             name: str = "site") -> pathlib.Path:
        site = tmp_path / name
        (site / "content").mkdir(parents=True)
        (site / "layouts").mkdir()
        (site / "config.yaml").write_text(config, encoding="utf-8")
        for rel, data in (files or {}).items():
            path = site / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                path.write_bytes(data)
            else:
                path.write_text(data, encoding="utf-8")
        return site

    return make


def article(title: str = "A headline", date: str = "2020-01-02", body: str = "Some text.", **fields: str) -> str:
    """The text of a small content file."""
    lines = ["---", f'title: "{title}"', f"date: {date}"]
    lines += [f"{k}: {v}" for k, v in fields.items()]
    return "\n".join(lines) + "\n---\n" + body + "\n"


def article_pages(folder: pathlib.Path) -> list[pathlib.Path]:
    """The article pages in an output folder such as ``output/2014/06`` (not its listing)."""
    return [p for p in sorted(folder.glob("*.html")) if p.name != "index.html"]


def tree_bytes(root: pathlib.Path) -> dict[str, bytes | None]:
    """Every file under ``root`` by relative path, and every folder (as None: an empty folder left
    behind counts as a difference too)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else None
            for p in sorted(root.rglob("*"))}


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """A real headless Debian Chromium driven by Playwright (never downloaded)."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("MARGINALIA_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing; run .ci/install-browsers")
        pytest.skip("Chromium not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def firefox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A real headless Debian Firefox ESR over Marionette (never downloaded): one tab, a fresh profile."""
    if not os.path.exists(FIREFOX):
        if os.environ.get("MARGINALIA_REQUIRE_BROWSER"):
            pytest.fail(f"{FIREFOX} is missing; run .ci/install-browsers")
        pytest.skip("Firefox not installed (apt-get install -y firefox-esr)")
    from firefox import launch

    with launch(FIREFOX, tmp_path_factory.mktemp("firefox")) as browser:
        yield browser


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture
def http_server() -> Iterator[Callable[[pathlib.Path], str]]:
    """``serve(folder[, handler_class]) -> "http://127.0.0.1:PORT/"``; stopped after the test."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def serve(folder: pathlib.Path, handler_class: type[http.server.SimpleHTTPRequestHandler] = _QuietHandler) -> str:
        handler = functools.partial(handler_class, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def demo_output(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """The bundled archive built once per session into a temporary folder."""
    from marginalia.pipeline import build

    out = tmp_path_factory.mktemp("demo") / "output"
    build(REPO, output=out)
    return out


def copy_tree(src: pathlib.Path, dst: pathlib.Path) -> None:
    shutil.copytree(src, dst)
