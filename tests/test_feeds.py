"""Feeds, sitemap, robots.txt, 404 page and the head's canonical/OpenGraph/Twitter tags."""

from __future__ import annotations

import json
import pathlib
import re
import urllib.parse
import xml.etree.ElementTree as ET

import feedparser
import pytest

from marginalia.feeds import FEED_SIZE
from marginalia.pipeline import build

from conftest import article
from sitegen import BASE_URL, CONFIG, many_articles, write_articles

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def local_file(url: str, out: pathlib.Path) -> pathlib.Path:
    """The file in ``out`` that a URL under ``BASE_URL`` names."""
    assert url.startswith(BASE_URL), url
    return out / urllib.parse.unquote(url[len(BASE_URL):])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A 60-article site (more than one feed's worth) with an undated article, built once."""
    site = tmp_path_factory.mktemp("feeds") / "site"
    files = many_articles(60)
    files["content/no-date.md"] = "---\ntitle: Undated piece\n---\nNo date.\n"
    files["content/escapes.md"] = article('Quotes \\" & <b>tags</b> ]]> \\x01 done', "2018-12-30",
                                          "Body with <script>alert(1)</script> & more.",
                                          standfirst='"A < B & C > D"', tags="[escapes]")
    write_articles(site, files)
    (site / "layouts").mkdir()
    (site / "config.yaml").write_text(CONFIG, encoding="utf-8")
    build(site)
    return site / "output"


def parse(path: pathlib.Path) -> feedparser.FeedParserDict:
    """Parse a feed with feedparser; fail on anything it finds malformed."""
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def check_atom(feed: feedparser.FeedParserDict, out: pathlib.Path) -> None:
    """RFC 4287's required elements, and every link resolving to a built page."""
    assert feed.feed.id.startswith(BASE_URL) and feed.feed.title and feed.feed.updated
    assert local_file(feed.feed.link, out).is_file()
    for entry in feed.entries:
        assert entry.id.startswith(BASE_URL) and entry.title and entry.updated and entry.link
        assert local_file(entry.link, out).is_file(), entry.link
    updated = [e.updated_parsed for e in feed.entries]
    assert updated == sorted(updated, reverse=True)
    if feed.entries:
        assert feed.feed.updated_parsed == feed.entries[0].updated_parsed


def test_archive_feed_holds_the_newest_articles(built: pathlib.Path) -> None:
    feed = parse(built / "feed.xml")
    check_atom(feed, built)
    assert len(feed.entries) == FEED_SIZE
    titles = [e.title for e in feed.entries]
    assert titles == [f"Story {i}: the news" for i in range(59, 59 - FEED_SIZE, -1)]
    newest = feed.entries[0]
    assert newest.updated == "2019-03-01T00:00:00Z" and feed.feed.updated == newest.updated
    assert newest.summary.startswith("Paragraph one of story 59.") and newest.author == "Reporter 4"
    assert {t.term for t in newest.tags} == {"science", "all-stories"}


def test_a_feed_per_tag_and_entity(built: pathlib.Path) -> None:
    for path, expected in (("tags/health/feed.xml", [i for i in range(59, -1, -1) if i % 3 == 1]),
                           ("people/grace-hopper/feed.xml", [i for i in range(59, -1, -1) if i % 3 == 1]),
                           ("places/gdansk/feed.xml", [i for i in range(59, -1, -1) if i % 2 == 0])):
        feed = parse(built / path)
        check_atom(feed, built)
        assert [e.title for e in feed.entries] == [f"Story {i}: the news" for i in expected][:FEED_SIZE], path
        assert feed.feed.id == BASE_URL + path
    page = (built / "tags/health/index.html").read_text()
    assert '<link rel="alternate" type="application/atom+xml" href="../../tags/health/feed.xml"' in page


def test_text_is_escaped_and_survives(built: pathlib.Path) -> None:
    raw = (built / "tags/escapes/feed.xml").read_text()
    assert "<script>" not in raw and "<b>" not in raw and "\x01" not in raw
    (entry,) = parse(built / "tags/escapes/feed.xml").entries
    assert entry.title == 'Quotes " & <b>tags</b> ]]>  done'
    assert entry.summary == 'A < B & C > D'


def test_json_feed_mirrors_the_atom_feed(built: pathlib.Path) -> None:
    data = json.loads((built / "feed.json").read_text())
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["feed_url"] == BASE_URL + "feed.json" and data["title"] == "Test archive"
    atom = parse(built / "feed.xml")
    assert [i["id"] for i in data["items"]] == [e.id for e in atom.entries]
    for item in data["items"]:
        assert item["url"] == item["id"] and local_file(item["url"], built).is_file()
        assert item["content_text"] and item["title"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)", item["date_modified"])


def test_sitemap_lists_every_page_and_robots_points_at_it(built: pathlib.Path) -> None:
    root = ET.parse(built / "sitemap.xml").getroot()
    locs = [u.findtext(f"{SITEMAP}loc") for u in root.iter(f"{SITEMAP}url")]
    pages = {p.relative_to(built).as_posix() for p in built.rglob("*.html")} - {"404.html"}
    assert {loc[len(BASE_URL):] for loc in locs if loc} == pages
    assert all(loc and local_file(loc, built).is_file() for loc in locs)
    lastmods = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root.iter(f"{SITEMAP}url")}
    assert lastmods[BASE_URL + "2019/03/story-59.html"] == "2019-03-01T00:00:00Z"
    robots = (built / "robots.txt").read_text()
    assert f"Sitemap: {BASE_URL}sitemap.xml" in robots.splitlines()


def test_head_has_canonical_opengraph_twitter_and_only_base_url_absolutes(built: pathlib.Path) -> None:
    html = (built / "2019/03/story-59.html").read_text()
    head, body = html.split("</head>", 1)
    assert f'<link rel="canonical" href="{BASE_URL}2019/03/story-59.html">' in head
    assert f'<meta property="og:url" content="{BASE_URL}2019/03/story-59.html">' in head
    assert '<meta property="og:type" content="article">' in head
    assert '<meta property="og:title" content="Story 59: the news">' in head
    assert '<meta name="twitter:card" content="summary">' in head
    for page in built.rglob("*.html"):
        head, body = page.read_text().split("</head>", 1)
        absolutes = re.findall(r'(?:href|src|content)="(https?://[^"]*)"', head)
        assert all(u.startswith(BASE_URL) for u in absolutes), (page, absolutes)
        assert BASE_URL not in body, page  # pages link relatively


def test_not_found_page_works_at_any_depth(built: pathlib.Path) -> None:
    html = (built / "404.html").read_text()
    assert '<meta name="robots" content="noindex">' in html and '<base href="/archive/">' in html
    assert html.index("<base") < html.index('href="assets/style.css"')
    assert "canonical" not in html


def test_without_base_url_there_are_no_feeds_and_a_warning(make_site) -> None:
    site = make_site(many_articles(3), config="title: No address\n")
    report = build(site)
    out = site / "output"
    for name in ("feed.xml", "feed.json", "sitemap.xml", "tags/health/feed.xml"):
        assert not (out / name).exists(), name
    assert "Sitemap" not in (out / "robots.txt").read_text()
    page = (out / "index.html").read_text()
    assert "canonical" not in page and "application/atom+xml" not in page and "og:url" not in page
    assert '<meta property="og:title"' in page
    assert [w.message for w in report.warnings] == ["no base_url: feeds, sitemap and canonical links were left out"]


def test_feeds_are_deterministic_and_need_no_clock(make_site, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(many_articles(5), config=CONFIG)
    build(site)
    first = (site / "output/feed.xml").read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(site, output=site.parent / "second")
    assert (site.parent / "second/feed.xml").read_bytes() == first


def test_source_date_epoch_dates_a_feed_with_no_dated_article(make_site, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site({"content/a.md": "---\ntitle: Undated\n---\nText.\n"}, config=CONFIG)
    build(site)
    assert not (site / "output/feed.xml").exists()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(site, clean=True)  # the variable is not part of what an incremental build compares
    feed = parse(site / "output/feed.xml")
    assert feed.feed.updated == "2023-11-14T22:13:20Z" and feed.entries == []


def test_sitemap_text_is_what_elementtree_writes() -> None:
    """The sitemap is written as text for speed: the same bytes as ElementTree's, odd URLs included."""
    from marginalia import meta

    def reference(pages: list[str], modified: dict[str, str], base: str) -> bytes:
        root = ET.Element("urlset", {"xmlns": meta.SITEMAP_NS})
        for page in pages:
            url = ET.SubElement(root, "url")
            ET.SubElement(url, "loc").text = meta.xml_text(base + meta.urllib.parse.quote(page))
            if page in modified:
                ET.SubElement(url, "lastmod").text = modified[page]
        return meta._xml(root)

    pages = ["index.html", "2014/06/a&b<c>.html", "tags/café/index.html", "x y/\u2028.html", "q?\"'.html"]
    modified = {"index.html": "2014-06-18T11:59:00-04:00", "tags/café/index.html": "2020-01-01T00:00:00Z"}
    for base in ("https://example.org/", "https://example.org/a&b/"):
        for cut in range(len(pages) + 1):
            assert meta._urlset(pages[:cut], modified, base) == reference(pages[:cut], modified, base)
