"""A hostile archive: every XSS vector in every field a reader can see.

``write_archive(site)`` fills ``site/content`` with one article per vector in
``xss_vectors.txt``: the vector is the title, byline, standfirst, content note,
a tag, a person, an organisation, a place, the source name, the licence name
and attribution, a body paragraph (as raw Markdown), and in the sidecar the
note bodies, fact-check claim, reviewer and source titles, quote speaker,
correction texts, entity names and roles, and figure captions. Every article
also holds the word ``hostilemarker`` so one search query finds them all.
"""

from __future__ import annotations

import datetime as dt
import pathlib
from typing import Any

import yaml

HERE = pathlib.Path(__file__).resolve().parent
VECTORS_FILE = HERE / "xss_vectors.txt"
MARKER = "hostilemarker"


def load_vectors() -> list[str]:
    """The vectors, one per line ("\\n" only: some hold U+2028), comments and blanks skipped."""
    text = VECTORS_FILE.read_text(encoding="utf-8")
    return [line for line in text.split("\n") if line.strip() and not line.startswith("#")]


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1_000_000)


def front_matter(n: int, vector: str) -> dict[str, Any]:
    """Every text field of the front matter carries the vector."""
    return {
        "title": f"{vector} #{n}",
        "date": f"2020-{1 + n % 12:02d}-{1 + n % 28:02d}",
        "byline": vector,
        "standfirst": f"Standfirst {MARKER} {vector}",
        "tags": [vector, "hostile"],
        "people": [{"name": f"{vector} person", "role": vector}],
        "organizations": [f"{vector} org"],
        "places": [vector],
        "content_note": vector,
        "source": {"name": vector, "url": "https://example.org/source?q=%3Cscript%3E", "path": f"sources/{n}.txt"},
        "license": {"name": vector, "url": "https://example.org/licence", "attribution": vector},
    }


def body(n: int, vector: str) -> str:
    """The vector as raw Markdown, inline and as its own block, around an annotated passage."""
    return (f"The {MARKER} passage number {n} is annotated here.\n\n"
            f"{vector}\n\n"
            f"Inline: before {vector} after.\n\n"
            f"- a list item {vector}\n\n"
            f"> a quotation {vector}\n\n"
            f"The speaker said the closing words of article {n}.\n")


def sidecar(n: int, vector: str) -> dict[str, Any]:
    """Annotations of every kind whose text is the vector."""
    passage = f"passage number {n}"
    return {
        "annotations": [
            {"id": "note", "motivation": "commenting", "target": passage, "body": vector},
            {"id": "page", "motivation": "commenting", "body": f"Page note {vector}"},
            {"id": "check", "motivation": "assessing", "target": "is annotated here",
             "claim": vector, "verdict": "false", "reviewer": vector, "date": dt.date(2020, 2, 2),
             "sources": [{"url": "https://example.org/check", "title": vector}, "https://example.org/"]},
            {"id": "quote", "motivation": "describing", "kind": "quote", "target": "the closing words",
             "speaker": vector, "body": vector},
            {"id": "fix", "motivation": "editing", "target": "The speaker said", "body": vector,
             "before": vector, "after": vector, "date": dt.date(2020, 3, 3)},
            {"id": "ask", "motivation": "questioning", "target": f"article {n}", "question": vector},
            {"id": "who", "motivation": "identifying", "target": f"The {MARKER}",
             "entity": {"type": "person", "name": f"{vector} person", "role": vector}, "body": vector},
        ],
        "figures": [
            {"id": "fig", "title": vector, "label": vector, "unit": vector, "source": vector,
             "values": [{"year": 2019, "value": 1}, {"year": 2020, "value": 2}]},
        ],
    }


def write_archive(site: pathlib.Path, vectors: list[str] | None = None) -> int:
    """Write one article (and its sidecar) per vector into ``site/content``; return the count."""
    vectors = load_vectors() if vectors is None else vectors
    content = site / "content"
    content.mkdir(parents=True, exist_ok=True)
    for n, vector in enumerate(vectors, 1):
        text = "---\n" + _dump(front_matter(n, vector)) + "---\n" + body(n, vector)
        (content / f"xss-{n:03d}.md").write_text(text, encoding="utf-8")
        (content / f"xss-{n:03d}.annotations.yaml").write_text(_dump(sidecar(n, vector)), encoding="utf-8")
    return len(vectors)
