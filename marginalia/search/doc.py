"""The search stage's input: one :class:`SearchDoc` per article page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SearchDoc:
    """What the index knows of one article; all text is plain and untrusted."""

    url: str  # relative to the output root, e.g. "2014/06/anti-paedophile-police/index.html"
    title: str
    date: str | None  # "YYYY-MM-DD"
    content_note: str | None
    text: str  # standfirst + paragraphs, "\n"-joined, no markup
    tags: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
