"""Files about the site as a whole: sitemap, robots.txt, web app and offline manifests, service worker.

Input: every file of the build so far as ``{relative path: key}`` (a key
changes whenever the file's content may have), plus the library and config.
Output: ``sitemap.xml`` (from the pages' paths and dates: its own job, so
that an edit that changes neither leaves it as it was), ``robots.txt``,
``manifest.webmanifest``, ``offline-manifest.json`` and ``sw.js``, so they list
exactly the pages that exist. Also the ``404.html`` view. Pure: reads only the package's
``static/sw.js``; writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping

from .feeds import article_updated, rfc3339, xml_text
from .library import Library
from .model import Config
from .views import View

SW_SOURCE = pathlib.Path(__file__).parent / "static" / "sw.js"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_LIMIT = 50_000  # URLs per sitemap file, by the protocol
NOT_FOUND = "404.html"
# What a reader saves for offline reading: what pages need, not what machines read.
OFFLINE_SUFFIXES = (".html", ".css", ".js", ".json", ".svg", ".png", ".jpg", ".jpeg", ".webp", ".woff2")
ROOT_FILES = ("sitemap.xml", "robots.txt", "manifest.webmanifest", "offline-manifest.json", "sw.js")


def not_found_view(config: Config) -> View:
    """The ``404.html`` page; hosts serve it at any depth, so its links start from ``base``."""
    base = urllib.parse.urlsplit(config.base_url).path if config.base_url else ""
    return View(NOT_FOUND, "404.html", {"base": base})


def site_key(keys: Mapping[str, str]) -> str:
    """One key for the whole site: changes when any file's key does."""
    digest = hashlib.sha256()
    for path in sorted(keys):
        digest.update(f"{path}\0{keys[path]}\0".encode())
    return digest.hexdigest()


def site_files(keys: Mapping[str, str], whole: str, config: Config) -> Iterator[tuple[str, bytes]]:
    """The files that list every other file of the site, from their paths and keys (``whole``:
    their :func:`site_key`)."""
    yield "robots.txt", robots_txt(config)
    yield "manifest.webmanifest", web_manifest(config)
    offline = {p: hashlib.sha256(keys[p].encode()).hexdigest()[:16] for p in sorted(keys)
               if p.endswith(OFFLINE_SUFFIXES) and p not in ROOT_FILES}
    version = whole[:16]
    yield "offline-manifest.json", _json({"version": version, "files": offline})
    yield "sw.js", SW_SOURCE.read_bytes().replace(b"__MARGINALIA_VERSION__", version.encode())


def modified_times(library: Library, config: Config) -> dict[str, str]:
    """Each dated article page's last change, as the sitemap gives it (none without feeds: the
    sitemap is written only where the site's address is known)."""
    if not config.base_url:
        return {}
    modified = {}
    times: dict[tuple[object, object], str | None] = {}  # by (date, updated): many articles share a day
    for article, url in zip(library.articles, library.urls, strict=True):
        when = times.get(day := (article.date, article.updated), "")
        if when == "":
            updated = article_updated(article, config)
            when = times[day] = None if updated is None else rfc3339(updated)
        if when is not None:
            modified[url] = when
    return modified


def sitemap_pages(keys: Iterable[str]) -> list[str]:
    """The pages a sitemap lists, sorted: every HTML file but the 404 page."""
    return sorted(p for p in keys if p.endswith(".html") and p != NOT_FOUND)


def sitemaps(pages: list[str], modified: Mapping[str, str], config: Config) -> Iterator[tuple[str, bytes]]:
    """``sitemap.xml``; past 50,000 pages, an index of ``sitemap-N.xml`` files."""
    chunks = [pages[i:i + SITEMAP_LIMIT] for i in range(0, len(pages), SITEMAP_LIMIT)] or [[]]
    if len(chunks) == 1:
        yield "sitemap.xml", _urlset(chunks[0], modified, config.base_url)
        return
    index = ET.Element("sitemapindex", {"xmlns": SITEMAP_NS})
    for number, chunk in enumerate(chunks, 1):
        name = f"sitemap-{number}.xml"
        ET.SubElement(ET.SubElement(index, "sitemap"), "loc").text = xml_text(config.base_url + name)
        yield name, _urlset(chunk, modified, config.base_url)
    yield "sitemap.xml", _xml(index)


def _urlset(pages: list[str], modified: Mapping[str, str], base: str) -> bytes:
    """A ``<urlset>`` of the pages, byte for byte as ElementTree indents and writes it (built as
    text: a sitemap of 15,000 pages through ElementTree took a third of a second)."""
    if not pages:
        return f'<?xml version=\'1.0\' encoding=\'utf-8\'?>\n<urlset xmlns="{SITEMAP_NS}" />\n'.encode()
    lines = ["<?xml version='1.0' encoding='utf-8'?>", f'<urlset xmlns="{SITEMAP_NS}">']
    for page in pages:
        lines.append(f"  <url>\n    <loc>{_cdata(xml_text(base + urllib.parse.quote(page)))}</loc>")
        if page in modified:
            lines.append(f"    <lastmod>{_cdata(modified[page])}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def _cdata(text: str) -> str:
    """Text escaped as ElementTree escapes element text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def robots_txt(config: Config) -> bytes:
    """Everything may be crawled; the sitemap is named when its address is known."""
    lines = ["User-agent: *", "Allow: /"]
    if config.base_url:
        lines.append(f"Sitemap: {config.base_url}sitemap.xml")
    return ("\n".join(lines) + "\n").encode("utf-8")


def web_manifest(config: Config) -> bytes:
    """The web app manifest; every URL in it is relative to the manifest, so sub-paths work."""
    return _json({
        "name": config.title, "short_name": config.title[:24], "description": config.description,
        "lang": config.language, "start_url": "./index.html", "scope": "./", "display": "browser",
        "background_color": "#fdfcf9", "theme_color": "#8a2c0d",
        "icons": [{"src": "assets/icon.svg", "sizes": "any", "type": "image/svg+xml"}],
    })


def _json(value: object) -> bytes:
    return (json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
