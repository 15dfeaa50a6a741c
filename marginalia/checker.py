"""Check a built site: every internal link and ``#anchor`` resolves, assets exist.

Input: a built output folder. Output: located problems (``output/page:line``).
Reads the built files only.
"""

from __future__ import annotations

import html.parser
import pathlib
import posixpath
import urllib.parse

from .errors import Problem


class _Links(html.parser.HTMLParser):
    """Collects ids and (attribute value, line) of href/src links in a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)
            elif name in ("href", "src") and value is not None:
                self.links.append((value, self.getpos()[0]))


def check_links(output: pathlib.Path) -> list[Problem]:
    """Problems for every internal link whose file or anchor is missing."""
    pages: dict[str, _Links] = {}
    for path in sorted(output.rglob("*.html")):
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(output).as_posix()] = parser
    problems = []
    for rel, parser in pages.items():
        for link, line in parser.links:
            problem = _check(rel, link, output, pages)
            if problem:
                problems.append(Problem(f"output/{rel}", line, 0, problem, "fix the link or the page it names"))
    return problems


def _check(page: str, link: str, output: pathlib.Path, pages: dict[str, _Links]) -> str | None:
    parts = urllib.parse.urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith(("mailto:", "/")):
        return None if parts.scheme in ("http", "https", "mailto") else f"unexpected link {link!r}"
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), urllib.parse.unquote(parts.path))) \
        if parts.path else page
    if target.startswith(".."):
        return f"link {link!r} leaves the site"
    if not (output / target).is_file():
        return f"broken link {link!r}: no file {target}"
    if parts.fragment and target in pages and parts.fragment not in pages[target].ids:
        return f"broken anchor {link!r}: no id '{parts.fragment}' in {target}"
    return None
