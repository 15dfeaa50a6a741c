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
    # When not "": the caller promises that two documents with equal keys are equal in every other
    # field, so a rebuild takes a known key's scan from the cache instead of scanning (or reading) its text.
    key: str = ""
