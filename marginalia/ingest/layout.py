"""A decoded raw article to its parts: dates, headline, standfirst, body, source URL.

Input: the text of one source. Output: a :class:`Parsed` with 1-based raw line
numbers kept on every repair and warning. Detects the three layouts it knows:

- BBC: headline, blank line, paragraphs separated by blank lines;
- Wikinews: date line, headline, blank line, paragraphs, "Source: URL";
- dated page (the seed): date line, optional "Last updated at 11:59 ET",
  headline, standfirst, then one paragraph a line with no blank lines.

A blank line after the headline means "paragraphs" (blank lines separate
paragraphs); none means "lines" (the next line is the standfirst, then one
paragraph a line).

Raises :class:`~marginalia.ingest.draft.Rejected` for text without a headline. Pure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from .blocks import build_blocks, is_bullet
from .boilerplate import strip_boilerplate
from .dates import is_updated_line, parse_date_line, parse_updated_line
from .draft import Block, Line, Note, Rejected, Repair
from .spacing import insert_spaces

_SOURCE = re.compile(r"^Source:\s*(https?://\S+)\s*$")
MAX_HEADLINE = 200


@dataclasses.dataclass(frozen=True)
class Parsed:
    """What the raw text itself says."""

    title: str
    layout: str  # "paragraphs" or "lines"
    blocks: tuple[Block, ...]
    date: dt.date | None = None
    updated: dt.datetime | None = None
    standfirst: str = ""
    standfirst_line: int = 0
    source_url: str = ""
    repairs: tuple[Repair, ...] = ()
    notes: tuple[Note, ...] = ()


def parse_text(text: str) -> Parsed:
    """Split raw text into header fields and body blocks."""
    lines = [Line(i, t.rstrip()) for i, t in enumerate(text.split("\n"), start=1)]
    pos = _skip_blank(lines, 0)
    date = parse_date_line(lines[pos].text, lines[pos].number)
    if date is not None:
        pos += 1
    updated, notes = None, []
    if pos < len(lines) and is_updated_line(lines[pos].text):
        updated = parse_updated_line(lines[pos].text, lines[pos].number, date)
        if updated is None:
            notes.append(Note(lines[pos].number, "'Last updated' time without a date line; ignored"))
        pos += 1
    title_line = _headline(lines, pos)
    body, source_url = _trailer(lines[title_line.number:])
    body, boiler = strip_boilerplate(body)
    layout = "paragraphs" if body and not body[0].text.strip() else "lines"
    standfirst, body, more = _standfirst(body, layout)
    title, title_fixes, title_notes = insert_spaces(title_line.text.strip(), title_line.number)
    blocks, repairs, block_notes = build_blocks(body, layout)
    notes += title_notes
    all_repairs = sorted([*boiler, *title_fixes, *more, *repairs], key=lambda r: r.line)
    return Parsed(title, layout, tuple(blocks), date, updated, standfirst[1],
                  standfirst[0], source_url, tuple(all_repairs),
                  tuple(sorted(notes + block_notes, key=lambda n: n.line)))


def _skip_blank(lines: list[Line], pos: int) -> int:
    """Index of the first non-blank line at or after ``pos``."""
    while pos < len(lines) and not lines[pos].text.strip():
        pos += 1
    return min(pos, len(lines) - 1)


def _headline(lines: list[Line], pos: int) -> Line:
    """The headline line at ``pos``, or a located rejection saying why there is none."""
    hint = "put the headline alone on the first line (after an optional date line)"
    if pos >= len(lines) or not lines[pos].text.strip():
        last = lines[-1].number if lines else 1
        raise Rejected(last, 1, "no headline: nothing after the date line", hint)
    line = lines[pos]
    if _SOURCE.match(line.text):
        raise Rejected(line.number, 1, "no headline: found the 'Source:' line instead", hint)
    length = len(line.text.strip())
    if length > MAX_HEADLINE:
        raise Rejected(line.number, 1, f"no headline: line {line.number} is {length} characters "
                       f"long, more than a headline's {MAX_HEADLINE}", hint)
    return line


def _trailer(body: list[Line]) -> tuple[list[Line], str]:
    """Remove a final "Source: URL" line; return the body and the URL."""
    end = len(body)
    while end and not body[end - 1].text.strip():
        end -= 1
    if end and (match := _SOURCE.match(body[end - 1].text.strip())):
        return body[:end - 1], match[1]
    return body[:end], ""


def _standfirst(body: list[Line], layout: str) -> tuple[tuple[int, str], list[Line], list[Repair]]:
    """In the "lines" layout the line after the headline is the standfirst."""
    if layout != "lines" or not body or not body[0].text.strip() or is_bullet(body[0].text):
        return (0, ""), body, []
    first = body[0]
    text, repairs, _doubts = insert_spaces(first.text.strip(), first.number)
    return (first.number, text), body[1:], repairs
