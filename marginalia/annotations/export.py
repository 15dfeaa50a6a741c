"""Annotations in open formats: W3C Web Annotation JSON-LD and schema.org pieces.

Input: an article's URL, its annotations and (optionally) their anchors.
Output: plain dicts ready for ``json.dumps(..., sort_keys=True)``. Touches nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .anchor import Anchor, AnchorResult
from .model import Annotation, AnnotationSet
from .notes import VERDICT_LABELS

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
SCHEMA_CONTEXT = "https://schema.org"
SCHEMA_TYPES = {"person": "Person", "organization": "Organization", "place": "Place"}
#: Verdicts on a 1 (worst) to 5 (best) scale; "unproven" gets no number.
RATINGS = {"true": 5, "mostly-true": 4, "mixed": 3, "misleading": 2,
           "mostly-false": 2, "false": 1}
Anns = AnnotationSet | Iterable[Annotation]
Anchors = AnchorResult | Iterable[Anchor] | None


def _list(annotations: Anns) -> list[Annotation]:
    """Annotations worth publishing (rejected suggestions are not)."""
    items = annotations.annotations if isinstance(annotations, AnnotationSet) else annotations
    return [a for a in items if a.status != "rejected"]


def _by_id(anchors: Anchors) -> dict[str, Anchor]:
    """Anchors by annotation id."""
    items = anchors.anchors if isinstance(anchors, AnchorResult) else (anchors or [])
    return {a.item.id: a for a in items}


def to_w3c(article_url: str, annotations: Anns, anchors: Anchors = None) -> list[dict[str, Any]]:
    """One W3C Web Annotation (JSON-LD) per annotation on the article."""
    placed = _by_id(anchors)
    return [_w3c_one(article_url, a, placed.get(a.id)) for a in _list(annotations)]


def _w3c_one(url: str, ann: Annotation, anchor: Anchor | None) -> dict[str, Any]:
    """One annotation as W3C JSON-LD."""
    out: dict[str, Any] = {"@context": W3C_CONTEXT, "id": f"{url}#anno-{ann.id}",
                           "type": "Annotation", "motivation": ann.motivation,
                           "target": _target(url, ann, anchor)}
    bodies = _bodies(ann)
    if bodies:
        out["body"] = bodies
    if ann.author:
        out["creator"] = {"type": "Person", "name": ann.author}
    if ann.created:
        out["created"] = ann.created.isoformat()
    if ann.status == "suggested":
        out["generator"] = {"type": "Software", "name": "Marginalia importer suggestions"}
    return out


def _target(url: str, ann: Annotation, anchor: Anchor | None) -> dict[str, Any] | str:
    """The source plus a quote selector (as the text now reads) and a position."""
    if ann.target is None:
        return url
    if anchor is not None and anchor.found:
        assert anchor.start is not None and anchor.end is not None
        quote = {"type": "TextQuoteSelector", "exact": anchor.text,
                 "prefix": anchor.prefix, "suffix": anchor.suffix}
        position = {"type": "TextPositionSelector", "start": anchor.start, "end": anchor.end}
        return {"source": url, "selector": [quote, position]}
    quote = {"type": "TextQuoteSelector", "exact": ann.target.exact}
    quote.update({k: v for k, v in (("prefix", ann.target.prefix),
                                    ("suffix", ann.target.suffix)) if v})
    return {"source": url, "selector": [quote]}


def _text(value: str, purpose: str, fmt: str = "text/plain") -> dict[str, Any]:
    """A TextualBody."""
    return {"type": "TextualBody", "value": value, "format": fmt, "purpose": purpose}


def _bodies(ann: Annotation) -> list[dict[str, Any]]:
    """The annotation's bodies, by motivation."""
    bodies: list[dict[str, Any]] = []
    if ann.entity is not None:
        bodies.append(_text(ann.entity.name, "identifying"))
        if ann.entity.wikidata:
            bodies.append({"id": f"http://www.wikidata.org/entity/{ann.entity.wikidata}",
                           "purpose": "identifying"})
    if ann.kind == "quote":
        bodies.append(_text("quote", "classifying"))
        bodies.append(_text(f"Speaker: {ann.speaker or 'not named in the text'}", "describing"))
    if ann.motivation == "assessing" and ann.verdict:
        bodies.append(_text(f"{VERDICT_LABELS[ann.verdict]}: {ann.claim}", "assessing"))
    if ann.question:
        bodies.append(_text(ann.question, "questioning"))
    if ann.before is not None or ann.after is not None:
        bodies.append(_text(f"{ann.before or ''} -> {ann.after or ''}", "editing"))
    if ann.body:
        bodies.append(_text(ann.body, ann.motivation, "text/markdown"))
    return bodies


def collection(collection_url: str, annotations: list[dict[str, Any]],
               label: str = "Marginalia annotations") -> dict[str, Any]:
    """Every annotation of the archive as one AnnotationCollection with one page."""
    items = [{k: v for k, v in a.items() if k != "@context"} for a in annotations]
    return {"@context": W3C_CONTEXT, "id": collection_url, "type": "AnnotationCollection",
            "label": label, "total": len(items),
            "first": {"id": f"{collection_url}#page-1", "type": "AnnotationPage",
                      "partOf": collection_url, "startIndex": 0, "items": items}}


def schema_mentions(annotations: Anns) -> list[dict[str, Any]]:
    """schema.org Person/Organization/Place for each entity named, once each."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for ann in _list(annotations):
        e = ann.entity
        if e is None or (e.type, e.name) in seen:
            continue
        thing: dict[str, Any] = {"@type": SCHEMA_TYPES[e.type], "name": e.name}
        if e.wikidata:
            thing["sameAs"] = f"https://www.wikidata.org/wiki/{e.wikidata}"
        if e.role and e.type == "person":
            thing["jobTitle"] = e.role
        seen[(e.type, e.name)] = thing
    return list(seen.values())


def claim_reviews(article_url: str, annotations: Anns) -> list[dict[str, Any]]:
    """schema.org ClaimReview for each fact-check."""
    return [_claim_review(article_url, a) for a in _list(annotations)
            if a.motivation == "assessing" and a.claim and a.verdict]


def _claim_review(url: str, ann: Annotation) -> dict[str, Any]:
    """One ClaimReview."""
    assert ann.verdict is not None
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": VERDICT_LABELS[ann.verdict]}
    if ann.verdict in RATINGS:
        rating.update(ratingValue=RATINGS[ann.verdict], bestRating=5, worstRating=1)
    review: dict[str, Any] = {
        "@context": SCHEMA_CONTEXT, "@type": "ClaimReview", "url": f"{url}#anno-{ann.id}",
        "claimReviewed": ann.claim, "reviewRating": rating,
        "itemReviewed": {"@type": "Claim", "appearance": {"@type": "CreativeWork", "url": url}}}
    if ann.reviewer:
        review["author"] = {"@type": "Person", "name": ann.reviewer}
    if ann.date or ann.created:
        day = ann.date or ann.created
        assert day is not None
        review["datePublished"] = day.isoformat()
    return review


def corrections(annotations: Anns) -> list[dict[str, Any]]:
    """schema.org CorrectionComment for each editing note (for an article's ``correction``)."""
    out = []
    for ann in _list(annotations):
        if ann.motivation != "editing":
            continue
        text = ann.body or f"{ann.before or ''} -> {ann.after or ''}"
        comment: dict[str, Any] = {"@type": "CorrectionComment", "text": text}
        if ann.date or ann.created:
            day = ann.date or ann.created
            assert day is not None
            comment["datePublished"] = day.isoformat()
        out.append(comment)
    return out
