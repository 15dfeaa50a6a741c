"""Annotations in rendered articles: a Python-Markdown extension, plus page notes.

Input: an article's annotations (and figures), an ``entity_url`` callable and an
:class:`AnchorResult` to fill. Output: the Markdown tree with each anchored
passage wrapped in ``<mark>`` and followed by a pure-CSS margin note (phrasing
content only, so it is valid inside ``<p>``); anchors and orphan warnings go
into the result. Touches only the tree and the Markdown instance's HTML stash.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import markdown
from markdown.extensions import Extension
from markdown.serializers import to_html_string
from markdown.treeprocessors import Treeprocessor

from .anchor import Anchor, AnchorResult, anchor_all, normalize
from .model import Annotation, AnnotationSet, Figure
from .notes import has_note, note_content, note_elements
from .tree import SKIP_CLASS, has_ancestor, insert_after, text_map, wrap

EntityUrl = Callable[[str, str], "str | None"]
#: After inline patterns, smarty (6) and toc (5): headings keep their ids and
#: the text anchored is the text shown; before unescaping (0).
PRIORITY = 4
#: Tags and attributes the lead's sanitizer must let through for annotations.
ALLOWED_TAGS = {"mark", "label", "input", "span", "a", "del", "ins", "time"}
ALLOWED_ATTRIBUTES = {
    "mark": {"id", "class", "data-note"}, "label": {"for", "class"},
    "input": {"type", "id", "class", "aria-label"}, "span": {"class", "role", "id"},
    "a": {"href", "class"}, "del": {"class"}, "ins": {"class"},
    "time": {"class", "datetime"},
}


class AnnotationExtension(Extension):
    """Anchor and render one article's annotations; reuse it with :meth:`use`."""

    def __init__(self, annotations: AnnotationSet | Sequence[Annotation] = (),
                 entity_url: EntityUrl | None = None,
                 result: AnchorResult | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entity_url: EntityUrl = entity_url or (lambda kind, name: None)
        self.annotations: tuple[Annotation, ...] = ()
        self.figures: tuple[Figure, ...] = ()
        self.result = AnchorResult()
        self.use(annotations, result)

    def use(self, annotations: AnnotationSet | Sequence[Annotation],
            result: AnchorResult | None = None) -> None:
        """Point the extension at the next article's annotations and result."""
        if isinstance(annotations, AnnotationSet):
            self.annotations, self.figures = annotations.annotations, annotations.figures
            self.result = result if result is not None else AnchorResult(annotations.path)
        else:
            self.annotations, self.figures = tuple(annotations), ()
            self.result = result if result is not None else AnchorResult()

    def marks_nothing(self) -> bool:
        """True when no annotation or figure of the article targets a passage (the tree is left as
        it is)."""
        return not any(a.status != "rejected" and a.target for a in self.annotations) \
            and not any(f.target for f in self.figures)

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        """Register the tree processor."""
        md.treeprocessors.register(AnnotationTreeprocessor(md, self), "annotations", PRIORITY)
        md.registerExtension(self)


class AnnotationTreeprocessor(Treeprocessor):
    """Anchors annotations in the tree's visible text and wraps them in marks."""

    def __init__(self, md: markdown.Markdown, ext: AnnotationExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        """Anchor, then mark each found passage and add its note."""
        items: list[Annotation | Figure] = [
            a for a in self.ext.annotations if a.status != "rejected" and a.target]
        items += [f for f in self.ext.figures if f.target]
        if not items:
            return
        stash = [str(block) for block in self.md.htmlStash.rawHtmlBlocks]
        raw = text_map(root, self.md.is_block_level, stash).text
        text, where = normalize(raw)
        result = anchor_all(text, items, self.ext.result.path, self.ext.result)
        found = sorted((a for a in result.anchors if a.found), key=_order)
        number = 0
        for anchor in found:
            assert anchor.start is not None and anchor.end is not None
            tm = text_map(root, self.md.is_block_level, stash)  # slots moved; stash grows later only
            pieces = tm.pieces(where[anchor.start], where[anchor.end - 1] + 1)
            if not pieces:
                continue
            marks = wrap(root, pieces, functools.partial(_mark, anchor.item))
            marks[0].set("id", f"anno-{anchor.item.id}")
            number += self._decorate(root, anchor.item, marks, number + 1)

    def _decorate(self, root: etree.Element, item: Annotation | Figure,
                  marks: list[etree.Element], number: int) -> int:
        """Entity links, the note or figure link; returns 1 when a note was numbered."""
        if isinstance(item, Figure):
            link = etree.Element("a", {"class": f"figure-ref {SKIP_CLASS}",
                                       "href": f"#figure-{item.id}"})
            link.text = "chart"
            insert_after(root, marks[-1], [link], self.md.is_block_level)
            return 0
        if item.entity is not None:
            url = self.ext.entity_url(item.entity.type, item.entity.name)
            for mark in marks:
                if url and not has_ancestor(root, mark, "a"):
                    _link_inside(mark, url, item.entity.type)
        if not has_note(item):
            return 0
        marks[0].set("data-note", str(number))
        notes = note_elements(item, number, self.md.htmlStash.store)
        insert_after(root, marks[-1], notes, self.md.is_block_level)
        return 1


def _order(anchor: Anchor) -> tuple[int, int]:
    """Document order; of two passages starting together, the longer first."""
    assert anchor.start is not None and anchor.end is not None
    return anchor.start, -anchor.end


def _mark(item: Annotation | Figure) -> etree.Element:
    """An empty ``<mark>`` classed by motivation (and status)."""
    if isinstance(item, Figure):
        return etree.Element("mark", {"class": "anno anno-figure"})
    classes = f"anno anno-{item.motivation}"
    classes += " anno-quote" if item.kind == "quote" else ""
    classes += " anno-suggested" if item.status == "suggested" else ""
    return etree.Element("mark", {"class": classes})


def _link_inside(mark: etree.Element, url: str, kind: str) -> None:
    """Move the mark's text and children into a link to the entity page."""
    link = etree.Element("a", {"href": url, "class": f"entity-link entity-{kind}"})
    link.text, mark.text = mark.text, None
    for child in list(mark):
        mark.remove(child)
        link.append(child)
    mark.append(link)


def page_notes_html(annotations: AnnotationSet | Iterable[Annotation],
                    motivations: Iterable[str] | None = None) -> str:
    """Notes on the whole article (no target), content notes first; optionally some motivations only."""
    items = annotations.annotations if isinstance(annotations, AnnotationSet) else annotations
    wanted = set(motivations) if motivations is not None else None
    notes = [a for a in items if a.target is None and a.status != "rejected"
             and (wanted is None or a.motivation in wanted)]
    if not notes:
        return ""
    notes.sort(key=lambda a: a.motivation != "classifying")
    bodies: list[str] = []

    def stash(html: str) -> str:
        bodies.append(html)
        return f"\x02pagenote:{len(bodies) - 1}\x03"

    aside = etree.Element("aside", {"class": "anno-page-notes", "aria-label": "Notes on this article"})
    for ann in notes:
        para = etree.SubElement(aside, "p", {"class": f"page-note page-note-{ann.motivation}",
                                             "id": f"anno-{ann.id}"})
        for child in note_content(ann, stash):
            para.append(child)
    html = to_html_string(aside)
    return re.sub(r"\x02pagenote:(\d+)\x03", lambda m: bodies[int(m.group(1))], html)
