"""Check a built site: every internal link and ``#anchor`` resolves, every asset exists and is local.

Input: a built output folder. Output: located problems
(``output/page:line:col``). Links (``<a href>``) may point anywhere on the
web; assets (stylesheets, scripts, images, media, frames, CSS ``url()``)
must be files inside the output, because the site has to work offline.
Reads the built files only.
"""

from __future__ import annotations

import html.parser
import pathlib
import posixpath
import re
import urllib.parse

from .errors import Problem

# <link rel=...> values that make the browser load the file.
LOADED_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "apple-touch-icon"}
ASSET_TAGS = {"script": "script", "img": "image", "source": "media", "video": "media", "audio": "media",
              "track": "media", "iframe": "frame", "embed": "media", "object": "media", "input": "image"}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")


class _Links(html.parser.HTMLParser):
    """Collects ids and the links of a page as (value, kind, line, col)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str, int, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, col = self.getpos()
        rels = set((dict(attrs).get("rel") or "").lower().split())
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)
            elif value is None or tag == "base":
                continue
            elif name in ("href", "src", "poster", "data"):
                self.links.append((value, _kind(tag, rels), line, col + 1))
            elif name == "srcset":
                for candidate in value.split(","):
                    if candidate.strip():
                        self.links.append((candidate.split()[0], "image", line, col + 1))


def _kind(tag: str, rels: set[str]) -> str:
    """What a URL in this tag is: a ``link`` to follow, or an asset the page loads."""
    if tag == "link":
        if "stylesheet" in rels:
            return "stylesheet"
        return "asset" if rels & LOADED_RELS else "link"
    return ASSET_TAGS.get(tag, "link")


def check_links(output: pathlib.Path) -> list[Problem]:
    """Problems for every missing link target, anchor or asset, and every asset from outside."""
    pages: dict[str, _Links] = {}
    for path in sorted(output.rglob("*.html")):
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(output).as_posix()] = parser
    problems = []
    for rel, parser in pages.items():
        for link, kind, line, col in parser.links:
            problem = _check(rel, link, kind, output, pages)
            if problem:
                problems.append(Problem(f"output/{rel}", line, col, problem, _hint(kind)))
    for path in sorted(output.rglob("*.css")):
        problems.extend(_check_css(path, output, pages))
    return problems


def _hint(kind: str) -> str:
    if kind == "link":
        return "fix the link or the page it names"
    return "add the file to the site and link it relatively: pages must work offline"


def _check_css(path: pathlib.Path, output: pathlib.Path, pages: dict[str, _Links]) -> list[Problem]:
    """Problems for ``url()`` and ``@import`` targets of one stylesheet."""
    rel = path.relative_to(output).as_posix()
    text = path.read_text(encoding="utf-8", errors="replace")
    problems = []
    for match in CSS_URL.finditer(text):
        url = match.group(2) or match.group(4)
        problem = _check(rel, url.strip(), "asset", output, pages)
        if problem:
            line = text.count("\n", 0, match.start()) + 1
            col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
            problems.append(Problem(f"output/{rel}", line, col, problem, _hint("asset")))
    return problems


def _check(page: str, link: str, kind: str, output: pathlib.Path, pages: dict[str, _Links]) -> str | None:
    parts = urllib.parse.urlsplit(link)
    if parts.scheme == "data" and kind != "link":
        return None
    if parts.scheme or parts.netloc:
        if kind != "link" and (parts.netloc or parts.scheme in ("http", "https")):
            return f"{kind} {link!r} loads from outside the site"
        return None if parts.scheme in ("http", "https", "mailto") else f"unexpected link {link!r}"
    if link.startswith("/") and kind != "link":
        return f"{kind} {link!r} starts at the host's root, so it breaks on disk and sub-paths"
    if link.startswith("/"):
        return None
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), urllib.parse.unquote(parts.path))) \
        if parts.path else page
    if target.startswith(".."):
        return f"{kind} {link!r} leaves the site"
    if not (output / target).is_file():
        return f"broken link {link!r}: no file {target}" if kind == "link" else \
            f"missing {kind} {link!r}: no file {target}"
    if parts.fragment and target in pages and parts.fragment not in pages[target].ids:
        return f"broken anchor {link!r}: no id '{parts.fragment}' in {target}"
    return None
