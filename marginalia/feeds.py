"""Feeds: Atom for the archive and for every tag and entity, and a JSON Feed.

Input: the :class:`~marginalia.library.Library` and config. Output:
``{relative path: bytes}`` pairs (``feed.xml``, ``feed.json``,
``tags/<slug>/feed.xml``, ``people/<slug>/feed.xml``, …). Pure: reads and
writes nothing. Feeds need absolute URLs (Atom ids, links a reader can follow
from anywhere), so without ``base_url`` there are none; see
docs/publishing.md. No build time goes in: a feed's ``updated`` is its newest
entry's, and ``SOURCE_DATE_EPOCH`` only stands in when no article has a date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import xml.etree.ElementTree as ET
import zoneinfo
from collections.abc import Iterator, Sequence

from . import __version__
from .errors import Problem
from .library import Group, Library
from .model import ENTITY_KINDS, Article, Config

FEED_SIZE = 50
ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FEED_KINDS = ("tags",) + ENTITY_KINDS
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclasses.dataclass(frozen=True)
class FeedLink:
    """A feed a page announces with ``<link rel="alternate">``."""

    path: str
    type: str
    title: str


@dataclasses.dataclass(frozen=True)
class Feed:
    """One feed to write: where, what it is about, and its entries (indexes, newest first)."""

    path: str
    title: str
    page: str  # the HTML page the feed mirrors
    members: tuple[int, ...]


def publishing_warnings(config: Config) -> list[Problem]:
    """Feeds, sitemap and canonical links need the site's public address."""
    if config.base_url:
        return []
    return [Problem("config.yaml", 0, 0, "no base_url: feeds, sitemap and canonical links were left out",
                    "set base_url in config.yaml or pass --base-url https://example.org/archive/",
                    severity="warning")]


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids (escaping is ElementTree's job)."""
    return _NOT_XML.sub("", value)


def article_updated(article: Article, config: Config) -> dt.datetime | None:
    """When an article last changed: ``updated``, else midnight of its date in the site's zone."""
    zone = zoneinfo.ZoneInfo(config.timezone)
    if article.updated is not None:
        value = article.updated
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if article.date is not None:
        return dt.datetime.combine(article.date, dt.time(), tzinfo=zone)
    return None


def article_published(article: Article, config: Config) -> dt.datetime | None:
    """Midnight of an article's date in the site's zone (never after its ``updated``)."""
    if article.date is None:
        return None
    midnight = dt.datetime.combine(article.date, dt.time(), tzinfo=zoneinfo.ZoneInfo(config.timezone))
    updated = article_updated(article, config)
    return min(midnight, updated) if updated else midnight


def source_date_epoch() -> dt.datetime | None:
    """``SOURCE_DATE_EPOCH`` as a UTC time, when set to a whole number."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)


def rfc3339(value: dt.datetime) -> str:
    """``2014-06-18T11:59:00-04:00``, ``Z`` for UTC."""
    text = value.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def feeds_of(library: Library, config: Config) -> list[Feed]:
    """Every feed of the site (none without ``base_url``), the main one first."""
    if not config.base_url or not _any_time(library):
        return []
    feeds = [Feed("feed.xml", config.title, "index.html", _dated(library, range(len(library.articles))))]
    for kind in FEED_KINDS:
        for group in library.groups.get(kind, ()):
            members = _dated(library, group.members)
            if members:
                feeds.append(Feed(_group_feed_path(group), f"{config.title}: {group.name}", group.url, members))
    return feeds


def _group_feed_path(group: Group) -> str:
    return f"{group.kind}/{group.slug}/feed.xml"


def _dated(library: Library, members: Sequence[int]) -> tuple[int, ...]:
    """The newest ``FEED_SIZE`` dated members (undated articles have no time to syndicate)."""
    return tuple(i for i in members if library.articles[i].date is not None)[:FEED_SIZE]


def _any_time(library: Library) -> bool:
    """Whether :func:`_latest` finds a time (without working out which is the latest)."""
    return any(a.date is not None or a.updated is not None for a in library.articles) \
        or source_date_epoch() is not None


def _latest(library: Library, config: Config) -> dt.datetime | None:
    """The newest article time of the site, else SOURCE_DATE_EPOCH, else None."""
    times = [t for t in (article_updated(a, config) for a in library.articles) if t is not None]
    return max(times) if times else source_date_epoch()


class FeedIndex:
    """Which feeds exist, so layouts link only to real ones (a Jinja global)."""

    def __init__(self, library: Library, config: Config):
        self.feeds = {f.page: f for f in feeds_of(library, config)}
        self.title = config.title

    def links(self, page_path: str) -> list[FeedLink]:
        """The feeds a page announces: its own group's, then the archive's Atom and JSON feeds."""
        if "index.html" not in self.feeds:
            return []
        out = []
        own = self.feeds.get(page_path)
        if own is not None and own.path != "feed.xml":
            out.append(FeedLink(own.path, "application/atom+xml", f"{own.title} (Atom)"))
        out.append(FeedLink("feed.xml", "application/atom+xml", f"{self.title} (Atom)"))
        out.append(FeedLink("feed.json", "application/feed+json", f"{self.title} (JSON Feed)"))
        return out


class Summaries:
    """The text a feed shows for an article (its entry's summary: the standfirst, else its opening
    paragraphs, made when the article was read), fit for XML."""

    def __init__(self, library: Library, summaries: Sequence[str]) -> None:
        self.by_path = dict(zip((a.path for a in library.articles), summaries, strict=True))

    def __call__(self, article: Article) -> str:
        return xml_text(self.by_path[article.path])


def build_feeds(library: Library, config: Config, summaries: Sequence[str]) -> Iterator[tuple[str, bytes]]:
    """Every feed file: ``feed.xml``, ``feed.json`` and one Atom feed per tag and entity
    (``summaries``: each article's feed text, in library order)."""
    feeds = feeds_of(library, config)
    if not feeds:
        return
    texts = Summaries(library, summaries)
    fallback = _latest(library, config)
    assert fallback is not None  # feeds_of returns none otherwise
    for feed in feeds:
        yield from feed_files(feed, library, config, texts, fallback)


def feed_files(feed: Feed, library: Library, config: Config, summaries: Summaries,
               fallback: dt.datetime) -> Iterator[tuple[str, bytes]]:
    """One feed's files: its Atom document, and the JSON Feed beside the main one (``library``
    needs to hold only the feed's members; ``fallback``: the time of a feed without one)."""
    yield feed.path, atom_feed(feed, library, config, summaries, fallback)
    if feed.path == "feed.xml":
        yield "feed.json", json_feed(feed, library, config, summaries)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        el.text = xml_text(text)
    return el


def atom_feed(feed: Feed, library: Library, config: Config, summaries: Summaries,
              fallback: dt.datetime) -> bytes:
    """One Atom 1.0 document (RFC 4287)."""
    base = config.base_url
    root = ET.Element("feed", {"xmlns": ATOM_NS, XML_LANG: config.language})
    _sub(root, "id", base + feed.path)
    _sub(root, "title", feed.title)
    if config.description:
        _sub(root, "subtitle", config.description)
    times = [article_updated(library.articles[i], config) for i in feed.members]
    _sub(root, "updated", rfc3339(max((t for t in times if t), default=fallback)))
    _sub(root, "link", rel="self", type="application/atom+xml", href=base + feed.path)
    _sub(root, "link", rel="alternate", type="text/html", href=base + feed.page)
    _sub(_sub(root, "author"), "name", config.author or config.title)
    if config.copyright:
        _sub(root, "rights", config.copyright)
    _sub(root, "generator", "Marginalia", version=__version__)
    for i in feed.members:
        _atom_entry(root, library.articles[i], base + library.urls[i], config, summaries(library.articles[i]))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _atom_entry(root: ET.Element, article: Article, url: str, config: Config, summary: str) -> None:
    entry = _sub(root, "entry")
    _sub(entry, "id", url)
    _sub(entry, "title", article.title)
    updated = article_updated(article, config)
    assert updated is not None and article.date is not None  # feeds hold dated articles only
    _sub(entry, "updated", rfc3339(updated))
    _sub(entry, "published", rfc3339(article_published(article, config) or updated))
    _sub(entry, "link", rel="alternate", type="text/html", href=url)
    if article.byline:
        _sub(_sub(entry, "author"), "name", article.byline)
    for tag in article.tags:
        _sub(entry, "category", term=tag)
    if summary:
        _sub(entry, "summary", summary, type="text")
    if article.license:
        _sub(entry, "rights", article.license.attribution or article.license.name)


def json_feed(feed: Feed, library: Library, config: Config, summaries: Summaries) -> bytes:
    """The same entries as JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    base = config.base_url
    items = []
    for i in feed.members:
        article, url = library.articles[i], base + library.urls[i]
        updated = article_updated(article, config)
        assert updated is not None
        item: dict[str, object] = {"id": url, "url": url, "title": article.title, "tags": list(article.tags),
                                   "content_text": summaries(article) or article.title,
                                   "date_modified": rfc3339(updated)}
        published = article_published(article, config)
        if published is not None:
            item["date_published"] = rfc3339(published)
        if article.byline:
            item["authors"] = [{"name": article.byline}]
        items.append(item)
    data: dict[str, object] = {"version": "https://jsonfeed.org/version/1.1", "title": feed.title,
                               "language": config.language, "home_page_url": base + feed.page,
                               "feed_url": base + "feed.json", "items": items,
                               "authors": [{"name": config.author or config.title}]}
    if config.description:
        data["description"] = config.description
    return (json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
