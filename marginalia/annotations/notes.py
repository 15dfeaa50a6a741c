"""What a margin note says: one annotation as phrasing-only elements.

Input: an annotation and its note number. Output: ElementTree elements (a
checkbox, its label and the note ``<span>``) valid inside a ``<p>``; note
bodies are Markdown rendered to inline HTML and sanitized with nh3, handed
over through a ``stash`` callable so the tree never parses HTML. Touches nothing.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Callable

import markdown
import nh3

from .model import Annotation
from .tree import SKIP_CLASS

NOTE_TAGS = {"a", "abbr", "b", "br", "cite", "code", "del", "em", "i", "ins",
             "q", "s", "small", "strong", "sub", "sup"}
NOTE_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
URL_SCHEMES = {"http", "https", "mailto"}
KIND_LABELS = {
    "assessing": "Fact-check", "classifying": "Content note", "commenting": "Note",
    "describing": "Note", "editing": "Edit", "highlighting": "Highlight",
    "identifying": "", "linking": "Link", "questioning": "Question", "tagging": "Tag",
}
VERDICT_LABELS = {"true": "True", "mostly-true": "Mostly true", "mixed": "Mixed",
                  "misleading": "Misleading", "mostly-false": "Mostly false",
                  "false": "False", "unproven": "Unproven"}
ENTITY_LABELS = {"person": "Person", "organization": "Organisation", "place": "Place"}
Stash = Callable[[str], str]
_md = markdown.Markdown()


def body_html(text: str) -> str:
    """A note body: Markdown to inline HTML, sanitized; paragraphs become line breaks."""
    rendered = _md.reset().convert(text).strip()
    rendered = rendered.replace("</p>\n<p>", "<br><br>")
    return nh3.clean(rendered, tags=NOTE_TAGS, attributes=NOTE_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow")


def has_note(ann: Annotation) -> bool:
    """True when the annotation has something to say beyond its mark."""
    if ann.motivation == "identifying":
        return bool(ann.body or (ann.entity and ann.entity.role))
    if ann.motivation == "highlighting":
        return bool(ann.body)
    return True


def note_elements(ann: Annotation, number: int, stash: Stash) -> list[etree.Element]:
    """The toggle, its numbered label, and the note itself."""
    ident = f"note-{ann.id}"
    toggle = _el("input", f"note-toggle {SKIP_CLASS}", type="checkbox", id=ident,
                 **{"aria-label": f"Show note {number}"})
    label = _el("label", f"note-ref {SKIP_CLASS}", text=str(number), **{"for": ident})
    toggle.tail = label.tail = None  # text after them would shift the article's text
    suggested = " note-suggested" if ann.status == "suggested" else ""
    note = _el("span", f"note note-{ann.motivation}{suggested} {SKIP_CLASS}",
               role="note", id=f"{ident}-text")
    note.append(_el("span", "note-num", text=f"{number}."))
    for child in note_content(ann, stash):
        note.append(child)
    return [toggle, label, note]


def note_content(ann: Annotation, stash: Stash) -> list[etree.Element]:
    """The inside of a note, by motivation."""
    parts: list[etree.Element] = []
    kind = KIND_LABELS.get(ann.motivation, "")
    if ann.kind == "quote":
        kind = "Quote"
    if kind:
        parts.append(_el("span", "note-kind", text=kind))
    parts.extend(_specific(ann, stash))
    if ann.body:
        parts.append(_el("span", "note-body", text=stash(body_html(ann.body))))
    if ann.status == "suggested":
        parts.append(_el("span", "note-status", text="suggested, not yet checked"))
    return parts


def _specific(ann: Annotation, stash: Stash) -> list[etree.Element]:
    """The type-specific part of a note."""
    if ann.entity is not None:
        text = f"{ENTITY_LABELS[ann.entity.type]}: {ann.entity.name}"
        text += f", {ann.entity.role}" if ann.entity.role else ""
        return [_el("span", "note-entity", text=text)]
    if ann.kind == "quote":
        who = ann.speaker or "speaker not named in this text"
        return [_el("span", "note-speaker", text=who)]
    if ann.motivation == "assessing":
        return _fact_check(ann)
    if ann.motivation == "questioning" and ann.question:
        return [_el("span", "note-question", text=ann.question)]
    if ann.motivation == "editing":
        return _edit(ann)
    return []


def _fact_check(ann: Annotation) -> list[etree.Element]:
    """Verdict badge, the claim, who checked it, and the sources."""
    verdict = ann.verdict or "unproven"
    parts = [_el("span", f"verdict verdict-{verdict}", text=VERDICT_LABELS[verdict]),
             _el("span", "note-claim", text=f"Claim: {ann.claim}")]
    by = ", ".join(x for x in (ann.reviewer, ann.date.isoformat() if ann.date else None) if x)
    if by:
        parts.append(_el("span", "note-byline", text=f"Checked by {by}"))
    if ann.sources:
        sources = _el("span", "note-sources", text="Sources: ")
        for i, src in enumerate(ann.sources):
            link = etree.SubElement(sources, "a", href=_safe_url(src.url))
            link.text = src.title or src.url
            link.tail = ", " if i < len(ann.sources) - 1 else None
        parts.append(sources)
    return parts


def _edit(ann: Annotation) -> list[etree.Element]:
    """When, and what the text said before and says now."""
    parts = []
    if ann.date:
        parts.append(_el("time", "note-date", text=ann.date.isoformat(), datetime=ann.date.isoformat()))
    if ann.before is not None:
        parts.append(_el("del", "note-before", text=ann.before))
    if ann.after is not None:
        parts.append(_el("ins", "note-after", text=ann.after))
    return parts


def _safe_url(url: str) -> str:
    """The URL if its scheme is http(s) or none; otherwise an inert ``#``."""
    head = url.split(":", 1)[0].lower() if ":" in url.split("/", 1)[0] else ""
    return url if head in ("", "http", "https") else "#"


def _el(tag: str, cls: str, text: str | None = None, **attrs: str) -> etree.Element:
    """A new element with a class and optional text (followed by a space)."""
    elem = etree.Element(tag, {"class": cls, **attrs})
    elem.text = text
    if text is not None and tag != "a":
        elem.tail = " "
    return elem
