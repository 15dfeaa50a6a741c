"""The importer's working records: a decoded source, its blocks and its repairs.

Input: nothing (plain frozen data). Output: the records the other ingest
modules pass along, from raw bytes to the article about to be written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from ..model import License


@dataclasses.dataclass(frozen=True)
class Repair:
    """One change the importer made to the raw text, at a 1-based raw line."""

    kind: str
    line: int
    before: str
    after: str

    def as_dict(self) -> dict[str, object]:
        """The repair as written to front matter and JSON."""
        return {"kind": self.kind, "line": self.line, "before": self.before, "after": self.after}


@dataclasses.dataclass(frozen=True)
class Note:
    """A warning about one source, located at a raw line (0 when not known)."""

    line: int
    message: str
    hint: str = ""

    def text(self) -> str:
        """The warning as stored in ``import.warnings``."""
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclasses.dataclass(frozen=True)
class Line:
    """A raw line of text with its 1-based line number."""

    number: int
    text: str


@dataclasses.dataclass(frozen=True)
class Block:
    """A body block: a paragraph (lines joined by hard breaks), a list or a heading."""

    kind: str  # "paragraph", "list" or "heading"
    lines: tuple[str, ...]
    line: int


@dataclasses.dataclass(frozen=True)
class SourceFile:
    """A raw file to import, with the tags its sub-folders give it."""

    path: Path
    tags: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Draft:
    """One parsed article, ready to become front matter and Markdown."""

    title: str
    blocks: tuple[Block, ...]
    layout: str
    date: dt.date | None = None
    updated: dt.datetime | None = None
    byline: str = ""
    standfirst: str = ""
    tags: tuple[str, ...] = ()
    license: License | None = None
    source_name: str = ""
    source_url: str = ""
    encoding: str = "utf-8"
    repairs: tuple[Repair, ...] = ()
    notes: tuple[Note, ...] = ()


class Rejected(Exception):
    """A source that cannot be imported, located at a raw line and column."""

    def __init__(self, line: int, col: int, message: str, hint: str = ""):
        super().__init__(message)
        self.line, self.col, self.message, self.hint = line, col, message, hint
