"""Annotations in a whole built site: anchoring after edits, orphans, strict, pages, JSON-LD, browser."""

from __future__ import annotations

import json
import pathlib
import re
import shutil

import pytest

from marginalia.errors import SiteError
from marginalia.pipeline import build

from conftest import REPO

SEED = "content/2014/anti-paedophile-police-fight-child-porn-epidemic"
SEED_PAGE = "2014/06/anti-paedophile-police-fight-child-porn-epidemic.html"


@pytest.fixture
def seed_site(tmp_path: pathlib.Path) -> pathlib.Path:
    """A site holding only the annotated seed article (a copy: tests edit it)."""
    site = tmp_path / "site"
    (site / "content/2014").mkdir(parents=True)
    shutil.copy(REPO / "config.yaml", site / "config.yaml")
    for suffix in (".md", ".annotations.yaml"):
        shutil.copy(REPO / (SEED + suffix), site / (SEED + suffix))
    return site


def _edit(site: pathlib.Path, old: str, new: str) -> None:
    path = site / (SEED + ".md")
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _orphans(report) -> list[str]:
    return [w.format() for w in report.warnings if "no longer matches" in w.message]


def test_seed_annotations_all_anchor(seed_site: pathlib.Path) -> None:
    report = build(seed_site)
    assert report.warnings == []
    html = (seed_site / "output" / SEED_PAGE).read_text(encoding="utf-8")
    assert html.count("<mark") >= 30
    assert 'href="../../people/ian-quinn/index.html"' in html


def test_moved_and_slightly_changed_passages_stay_anchored(seed_site: pathlib.Path) -> None:
    quote = "Globally there's not a country that can hide from this crime"
    _edit(seed_site, f'"{quote}," says Mr Quinn.\n', "")  # move the paragraph to the end
    _edit(seed_site, "least expect it.\"\n", f'least expect it."\n\n"{quote}," says Mr Quinn.\n')
    _edit(seed_site, "Special Agent Kevin Laws has been doing the job for a decade",
          "Special Agent Kevin Laws has been doing this job for a decade")
    report = build(seed_site)
    assert _orphans(report) == []
    html = (seed_site / "output" / SEED_PAGE).read_text(encoding="utf-8")
    assert html.index("least expect it") < html.index("not a country that can hide")


def test_deleted_passage_is_an_orphan_located_and_fatal_when_strict(seed_site: pathlib.Path) -> None:
    _edit(seed_site, '"This is as bad as it gets," he tells us.\n', "")
    report = build(seed_site)
    orphans = _orphans(report)
    assert len(orphans) == 1
    assert re.match(r'^content/2014/anti-paedophile-police-fight-child-porn-epidemic\.annotations\.yaml:\d+: '
                    r'warning: annotation "This is as bad as it gets" no longer matches the text', orphans[0])
    editor = (seed_site / "output/editor/index.html").read_text(encoding="utf-8")
    assert "This is as bad as it gets" in editor and "no longer matches the text" in editor
    before = (seed_site / "output/index.html").read_bytes()
    with pytest.raises(SiteError, match="no longer matches the text"):
        build(seed_site, strict=True)
    assert (seed_site / "output/index.html").read_bytes() == before


def test_entity_pages_list_passages_and_quotes(seed_site: pathlib.Path) -> None:
    build(seed_site)
    person = (seed_site / "output/people/ian-quinn/index.html").read_text(encoding="utf-8")
    assert "Anti-paedophile police fight child porn" in person
    assert "Globally there&#39;s not a country" in person or "Globally there's not a country" in person
    place = (seed_site / "output/places/los-angeles/index.html").read_text(encoding="utf-8")
    assert "Passages that mention Los Angeles" in place
    timeline = (seed_site / "output/timeline/index.html").read_text(encoding="utf-8")
    assert timeline.index(">2002<") < timeline.index(">2003<") < timeline.index(">2013<")
    assert "45,055" in timeline and "2,099" in timeline


def test_json_ld_and_w3c_export(seed_site: pathlib.Path) -> None:
    build(seed_site)
    html = (seed_site / "output" / SEED_PAGE).read_text(encoding="utf-8")
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    article = data["@graph"][0] if "@graph" in data else data
    assert article["@type"] == "NewsArticle" and article["headline"].startswith("Anti-paedophile")
    assert {m["@type"] for m in article["mentions"]} == {"Person", "Organization", "Place"}
    assert article["isBasedOn"]["name"] == "BBC News"
    assert article["correction"] and all(c["@type"] == "CorrectionComment" for c in article["correction"])
    export = json.loads((seed_site / "output/2014/06/anti-paedophile-police-fight-child-porn-epidemic"
                         ".annotations.jsonld").read_text(encoding="utf-8"))
    assert export
    for item in export:  # the W3C model's required fields
        assert item["@context"] == "http://www.w3.org/ns/anno.jsonld"
        assert item["type"] == "Annotation" and item["id"] and item["target"]
        target = item["target"]
        if isinstance(target, dict):
            assert target["source"].endswith(SEED_PAGE)
            kinds = {s["type"] for s in target["selector"]}
            assert "TextQuoteSelector" in kinds
    whole = json.loads((seed_site / "output/annotations.jsonld").read_text(encoding="utf-8"))
    assert whole["type"] == "AnnotationCollection" and whole["total"] == len(export)


@pytest.mark.browser
def test_margin_notes_wide_and_tap_to_open_narrow(chromium, demo_output: pathlib.Path) -> None:
    url = (demo_output / SEED_PAGE).as_uri()
    wide = chromium.new_page(viewport={"width": 1400, "height": 900})
    wide.goto(url)
    note = wide.locator(".note").first
    assert note.is_visible()
    text_box = wide.locator(".article__body p").first.bounding_box()
    note_box = note.bounding_box()
    assert note_box["x"] > text_box["x"] + text_box["width"] - 1  # beside the text, not under it
    wide.close()
    narrow = chromium.new_page(viewport={"width": 390, "height": 800})
    narrow.goto(url)
    first = narrow.locator(".note").first
    assert not first.is_visible()
    narrow.locator("label.note-ref").first.click()
    assert first.is_visible()
    narrow.close()


@pytest.mark.browser
def test_reads_fully_without_javascript_and_charts_have_text(chromium, demo_output: pathlib.Path) -> None:
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((demo_output / SEED_PAGE).as_uri())
    body = page.locator(".article__body").inner_text()
    assert "We might not get you today or tomorrow" in body
    assert page.locator(".content-note").is_visible()
    charts = page.locator("figure svg")
    assert charts.count() == 2
    for i in range(2):
        svg = charts.nth(i)
        assert svg.get_attribute("role") == "img"
        assert svg.locator("title").count() == 1 and svg.locator("desc").count() == 1
    page.locator(".entity-link", has_text="Ian Quinn").first.click()
    assert page.url.endswith("people/ian-quinn/index.html")
    assert page.locator("a", has_text="Anti-paedophile police").count() >= 1
    context.close()
