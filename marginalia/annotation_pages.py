"""Archive-wide annotation pages: the timeline, the editors' page, the W3C exports.

Input: the library, each article's annotations and its rendering (warnings
such as orphans). Output: views for ``timeline/`` and ``editor/``, and the
Web Annotation JSON-LD files. Pure: writes nothing.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Sequence
from typing import Any

from .annotations.export import collection, to_w3c
from .annotations.model import AnnotationSet
from .articles import shown
from .errors import Problem
from .library import Library
from .model import Config
from .views import Item, View


def timeline_view(library: Library, sets: Sequence[AnnotationSet]) -> View:
    """Figures' values and dated annotations across the archive, by year."""
    events: list[dict[str, Any]] = []
    for index, anns in enumerate(sets):
        item = Item(library.articles[index], library.urls[index])
        for fig in anns.figures:
            for v in fig.values:
                events.append({"year": v.year, "date": None, "kind": "figure", "item": item,
                               "text": f"{fig.label}: {v.value:,.0f}".replace(".0", ""),
                               "title": fig.title, "url": f"{item.url}#figure-{fig.id}"})
        for ann in anns.annotations:
            day = ann.date or (ann.created if ann.motivation in ("assessing", "editing") else None)
            if day is None or ann.status == "rejected":
                continue
            text = ann.claim or ann.body or ann.label
            events.append({"year": day.year, "date": day, "kind": ann.motivation, "item": item,
                           "text": text, "title": "", "url": f"{item.url}#anno-{ann.id}"})
    events.sort(key=lambda e: (e["year"], e["date"].isoformat() if e["date"] else "", e["item"].url, e["text"]))
    years: dict[int, list[dict[str, Any]]] = {}
    for e in events:
        years.setdefault(e["year"], []).append(e)
    return View("timeline/index.html", "timeline.html", {"years": sorted(years.items())})


@dataclasses.dataclass(frozen=True, slots=True)
class Orphan:
    """An editors' page row: an annotation that lost its passage (or never found one)."""

    item: Item
    problem: Problem


@dataclasses.dataclass(frozen=True, slots=True)
class Suggested:
    """An editors' page row: an article's suggested annotations, waiting for a person."""

    item: Item
    count: int
    path: str  # the annotations file


@dataclasses.dataclass(frozen=True, slots=True)
class ImportWarnings:
    """An editors' page row: what the importer warned of an article."""

    item: Item
    warnings: list[str]
    repairs: int


def editor_view(library: Library, sets: Sequence[AnnotationSet], warnings: Sequence[Sequence[Problem]]) -> View:
    """What an editor should look at: orphaned annotations, suggestions to confirm, import warnings
    (``warnings``: each article's, from rendering it). The rows are objects, not dicts: a
    template's ``row.item`` finds an attribute at once (on a dict, Jinja tries the attribute, fails,
    then the key): rendering a page of 10,000 rows took 38 ms instead of 56."""
    orphans: list[Orphan] = []
    suggested: list[Suggested] = []
    imports: list[ImportWarnings] = []
    for index, (anns, found) in enumerate(zip(sets, warnings, strict=True)):
        item = Item(library.articles[index], library.urls[index])
        orphans += [Orphan(item, p) for p in found]
        pending = [a for a in anns.annotations if a.status == "suggested"]
        if pending:
            suggested.append(Suggested(item, len(pending), anns.path))
        log = dict(library.articles[index].extra).get("import") or {}
        if log.get("warnings"):
            imports.append(ImportWarnings(item, log["warnings"], len(log.get("repairs") or [])))
    return View("editor/index.html", "editor.html", {"orphans": orphans, "suggested": suggested, "imports": imports})


def w3c_files(library: Library, sets: Sequence[AnnotationSet], config: Config) -> Iterator[tuple[str, bytes]]:
    """Each annotated article's annotations, and the whole archive's, as W3C Web Annotation JSON-LD."""
    everything: list[dict[str, Any]] = []
    for index, anns in enumerate(sets):
        anns = shown(anns)  # suggestions are not published until a person accepts them
        if not anns.annotations:
            continue
        url = library.urls[index]
        public = (config.base_url or "") + url
        items = to_w3c(public, anns)
        everything += items
        yield url.removesuffix(".html") + ".annotations.jsonld", _json(items)
    yield "annotations.jsonld", _json(collection((config.base_url or "") + "annotations.jsonld", everything))


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
