"""One raw source to a :class:`~marginalia.ingest.draft.Draft`.

Input: a source file's decoded text, its folder tags and its manifest row.
Output: the draft with title, dates, byline, tags, licence and source name
settled, plus warnings where the manifest and the text disagree. Pure.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from ..model import License
from ..urls import url_problem
from .byline import infer_byline
from .dates import long_date, parse_date_line
from .decode import Decoded
from .draft import Draft, Note, SourceFile
from .layout import Parsed, parse_text
from .manifest import Row

# Source names for hosts whose articles the importer knows.
SOURCE_NAMES = {"wikinews.org": "Wikinews", "bbc.co.uk": "BBC News", "bbc.com": "BBC News"}


def _linkable(row: Row, column: str, notes: list[Note]) -> str:
    """A manifest URL, or '' with a warning when its scheme may not be linked (javascript: …)."""
    url = row.get(column)
    problem = url_problem(url) if url else ""
    if problem:
        notes.append(Note(0, f"manifest {column} left out: {problem}", f"{row.path}:{row.line}"))
        return ""
    return url


def make_draft(source: SourceFile, decoded: Decoded, row: Row | None) -> Draft:
    """Parse the text and merge what the manifest and the folders say."""
    parsed = parse_text(decoded.text)
    notes = list(decoded.notes) + list(parsed.notes)
    title, date, url = parsed.title, parsed.date, parsed.source_url
    if row is not None:
        date = _manifest_date(row, date, notes)
        url = _manifest_url(row, url, notes)
        if row.get("headline") and row.get("headline") != title:
            notes.append(Note(0, f"manifest headline differs: {row.get('headline')!r}",
                              f"{row.path}:{row.line}"))
    if not parsed.blocks:
        notes.append(Note(0, "no body text after the headline"))
    byline = _byline(parsed, notes)
    tags = tuple(dict.fromkeys(source.tags + (row.tags() if row else ())))
    name = (row.get("source_name") if row else "") or _source_name(url)
    return Draft(title=title, blocks=parsed.blocks, layout=parsed.layout, date=date,
                 updated=parsed.updated, byline=byline, standfirst=parsed.standfirst, tags=tags,
                 license=_license(row, title, name, date, url, notes), source_name=name, source_url=url,
                 encoding=decoded.encoding, repairs=parsed.repairs,
                 notes=tuple(sorted(notes, key=lambda n: n.line)))


def _manifest_date(row: Row, date: dt.date | None, notes: list[Note]) -> dt.date | None:
    """The text's date, else the manifest's; warn when they disagree."""
    text = row.get("date")
    listed = parse_date_line(text, row.line) if text else None
    if listed and date and listed != date:
        notes.append(Note(0, f"manifest date {listed.isoformat()} differs from the text's "
                             f"{date.isoformat()}; kept the text's", f"{row.path}:{row.line}"))
    return date or listed


def _manifest_url(row: Row, url: str, notes: list[Note]) -> str:
    """The text's "Source:" URL, else the manifest's; warn when they disagree."""
    listed = _linkable(row, "source_url", notes)
    if listed and url and listed != url:
        notes.append(Note(0, f"manifest source_url differs: {listed}", f"{row.path}:{row.line}"))
    return url or listed


def _byline(parsed: Parsed, notes: list[Note]) -> str:
    """A byline named in the standfirst when certain; otherwise a warning suggesting it."""
    found = infer_byline(parsed.standfirst) if parsed.standfirst else None
    if found is None:
        return ""
    name, confident = found
    if confident:
        return name
    notes.append(Note(parsed.standfirst_line, f"standfirst may name the reporter '{name}'; "
                      "byline not set", f"if so, add 'byline: {name}' to the front matter"))
    return ""


def _source_name(url: str) -> str:
    """"Wikinews" for en.wikinews.org URLs and so on; '' for unknown or no URL."""
    host = urlsplit(url).hostname or ""
    for domain, name in SOURCE_NAMES.items():
        if host == domain or host.endswith("." + domain):
            return name
    return ""


def _license(row: Row | None, title: str, name: str, date: dt.date | None,
             url: str, notes: list[Note]) -> License | None:
    """The manifest's licence with a one-line attribution in the licence's own style."""
    if row is None or not row.get("licence"):
        return None
    licence, licence_url = row.get("licence"), _linkable(row, "licence_url", notes)
    parts = [f'"{title}"', name or None, long_date(date) if date else None, url or None]
    attribution = ", ".join(p for p in parts if p) + f". {licence}"
    attribution += f" ({licence_url})." if licence_url else "."
    return License(licence, licence_url, attribution)
