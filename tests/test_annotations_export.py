"""Exports: W3C Web Annotation JSON-LD and schema.org pieces."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
from typing import Any

from marginalia.annotations.anchor import anchor_all, normalize
from marginalia.annotations.export import claim_reviews, collection, corrections, schema_mentions, to_w3c
from marginalia.annotations.model import Annotation, Entity, Source, Target
from marginalia.annotations.sidecar import load_sidecar

DATA = pathlib.Path(__file__).parent / "data" / "annotations"
URL = "https://example.org/2014/06/epidemic.html"
MOTIVATIONS = {"assessing", "bookmarking", "classifying", "commenting", "describing", "editing",
               "highlighting", "identifying", "linking", "moderating", "questioning",
               "replying", "tagging"}


def check_w3c(anno: dict[str, Any]) -> None:
    """The fields the W3C Web Annotation model requires, with their types."""
    assert anno["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert anno["type"] == "Annotation" and anno["id"].startswith(URL + "#anno-")
    assert anno["motivation"] in MOTIVATIONS
    target = anno["target"]
    if isinstance(target, dict):
        assert target["source"] == URL
        for selector in target["selector"]:
            assert selector["type"] in ("TextQuoteSelector", "TextPositionSelector")
            if selector["type"] == "TextQuoteSelector":
                assert isinstance(selector["exact"], str) and selector["exact"]
            else:
                assert 0 <= selector["start"] <= selector["end"]
    else:
        assert target == URL
    for body in anno.get("body", []):
        assert body.get("type") == "TextualBody" or "id" in body
        assert body["purpose"] in MOTIVATIONS
    json.dumps(anno)


def seed() -> tuple[Any, Any]:
    """The seed's annotations anchored in its text."""
    aset, _ = load_sidecar(DATA / "seed.annotations.yaml")
    text = normalize((DATA / "seed.md").read_text().replace("## ", "").replace("- ", ""))[0]
    return aset, anchor_all(text, aset.annotations)


def test_every_seed_annotation_exports_valid_w3c() -> None:
    aset, anchors = seed()
    annos = to_w3c(URL, aset, anchors)
    assert len(annos) == len(aset.annotations)
    for anno in annos:
        check_w3c(anno)
    quinn = next(a for a in annos if a["id"].endswith("#anno-q-quinn"))
    quote, position = quinn["target"]["selector"]
    assert quote["exact"] == "Globally there's not a country that can hide from this crime"
    assert quote["suffix"].startswith(',"')
    assert anchors.text[position["start"]:position["end"]] == quote["exact"]
    assert {"type": "TextualBody", "value": "Speaker: Ian Quinn", "format": "text/plain",
            "purpose": "describing"} in quinn["body"]
    la = next(a for a in annos if a["id"].endswith("#anno-los-angeles"))
    assert {"id": "http://www.wikidata.org/entity/Q65", "purpose": "identifying"} in la["body"]


def test_orphan_exports_its_stored_quote_only() -> None:
    ann = Annotation("o", "highlighting", Target("gone", prefix="p "), author="Ann",
                     created=dt.date(2020, 1, 2))
    (anno,) = to_w3c(URL, [ann], anchor_all("other text", [ann]))
    check_w3c(anno)
    assert anno["target"]["selector"] == [{"type": "TextQuoteSelector", "exact": "gone", "prefix": "p "}]
    assert anno["creator"] == {"type": "Person", "name": "Ann"} and anno["created"] == "2020-01-02"


def test_collection_holds_every_item_once() -> None:
    aset, anchors = seed()
    coll = collection("https://example.org/annotations.jsonld", to_w3c(URL, aset, anchors))
    assert coll["type"] == "AnnotationCollection" and coll["total"] == len(aset.annotations)
    page = coll["first"]
    assert page["type"] == "AnnotationPage" and len(page["items"]) == coll["total"]
    assert all("@context" not in item for item in page["items"])


def test_schema_mentions_dedupe_and_link_wikidata() -> None:
    aset, _ = seed()
    mentions = schema_mentions(aset)
    assert {"@type": "Place", "name": "Los Angeles",
            "sameAs": "https://www.wikidata.org/wiki/Q65"} in mentions
    assert {"@type": "Person", "name": "Ian Quinn",
            "jobTitle": "chairman, Virtual Global Taskforce"} in mentions
    assert len(mentions) == len({(m["@type"], m["name"]) for m in mentions})


def test_claim_review() -> None:
    ann = Annotation("f1", "assessing", Target("61 units"), claim="The US has 61 ICAC units",
                     verdict="false", reviewer="A. Editor", date=dt.date(2024, 5, 1),
                     sources=(Source("https://example.org/src"),))
    (review,) = claim_reviews(URL, [ann])
    assert review["@type"] == "ClaimReview" and review["claimReviewed"] == "The US has 61 ICAC units"
    assert review["reviewRating"] == {"@type": "Rating", "alternateName": "False",
                                      "ratingValue": 1, "bestRating": 5, "worstRating": 1}
    assert review["itemReviewed"]["@type"] == "Claim" and review["datePublished"] == "2024-05-01"
    assert review["author"] == {"@type": "Person", "name": "A. Editor"}


def test_corrections_from_editing_notes() -> None:
    aset, _ = seed()
    got = corrections(aset)
    assert len(got) == 6 and all(c["@type"] == "CorrectionComment" for c in got)
    ident = Annotation("i", "identifying", Target("x"), entity=Entity("person", "X"))
    assert corrections([ident]) == []
