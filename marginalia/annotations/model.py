"""The annotation model: frozen dataclasses for one article's sidecar.

Input: nothing (pure data). Output: the types every other annotation module
uses. Touches nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

#: W3C Web Annotation motivations this project accepts.
MOTIVATIONS = (
    "assessing", "bookmarking", "classifying", "commenting", "describing",
    "editing", "highlighting", "identifying", "linking", "moderating",
    "questioning", "replying", "tagging",
)
ENTITY_TYPES = ("person", "organization", "place")
VERDICTS = ("true", "mostly-true", "mixed", "misleading", "mostly-false",
            "false", "unproven")
STATUSES = ("accepted", "suggested", "rejected")


@dataclasses.dataclass(frozen=True)
class Target:
    """A passage: the quoted text, optional context, and an offset hint."""

    exact: str
    prefix: str = ""
    suffix: str = ""
    position: int | None = None


@dataclasses.dataclass(frozen=True)
class Entity:
    """Who or what an identifying annotation names."""

    type: str
    name: str
    wikidata: str | None = None
    role: str | None = None


@dataclasses.dataclass(frozen=True)
class Source:
    """A source a fact-check relies on."""

    url: str
    title: str | None = None


@dataclasses.dataclass(frozen=True)
class Annotation:
    """One annotation on one article; type-specific fields stay None when unused."""

    id: str
    motivation: str
    target: Target | None = None
    body: str = ""
    author: str | None = None
    created: dt.date | None = None
    status: str = "accepted"
    line: int = 0  # where it starts in the sidecar, for located problems
    # identifying
    entity: Entity | None = None
    # describing, kind "quote"
    kind: str | None = None
    speaker: str | None = None
    # assessing (fact-check)
    claim: str | None = None
    verdict: str | None = None
    reviewer: str | None = None
    date: dt.date | None = None
    sources: tuple[Source, ...] = ()
    # questioning
    question: str | None = None
    # editing (correction)
    before: str | None = None
    after: str | None = None

    @property
    def label(self) -> str:
        """A short human label: the quoted text, else the id."""
        if self.target is not None:
            text = " ".join(self.target.exact.split())
            return text if len(text) <= 60 else text[:57] + "…"
        return self.id


@dataclasses.dataclass(frozen=True)
class FigureValue:
    """One bar of a figure."""

    year: int
    value: float


@dataclasses.dataclass(frozen=True)
class Figure:
    """A labelled series of values by year."""

    id: str
    title: str
    label: str
    values: tuple[FigureValue, ...]
    unit: str | None = None
    source: str | None = None
    target: Target | None = None
    line: int = 0


@dataclasses.dataclass(frozen=True)
class AnnotationSet:
    """Everything one sidecar holds."""

    path: str = ""
    annotations: tuple[Annotation, ...] = ()
    figures: tuple[Figure, ...] = ()

    def by_id(self, ident: str) -> Annotation | None:
        """The annotation with this id, or None."""
        return next((a for a in self.annotations if a.id == ident), None)
