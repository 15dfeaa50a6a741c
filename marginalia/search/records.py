"""Document shards (what a result shows) and forward shards (what verifies a phrase).

Input: documents in id order, their excerpts, facet value ids, the forward
rows. Output: ``{"d/<n>": JSON, "w/<n>": JSON}``. A result page loads only the document
shards of the results it shows; a phrase query loads only the forward shards
of its candidates. Touches nothing outside memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .codec import base36, js_json
from .doc import SearchDoc
from .facets import Facets, doc_facet_code

DOCS_PER_SHARD = 8
FORWARD_PER_SHARD = DOCS_PER_SHARD  # row files and forward files cover the same documents
EXCERPT_CHARS = 110
PAGE = "index.html"


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of the text, cut at a word boundary, with an ellipsis if cut."""
    # The flattened start of the text is a start of the flattened text (its last word perhaps cut,
    # but past ``limit`` when it is longer): flatten only what the excerpt can need (unless that is
    # too short to decide), not a whole article. (Twice the limit: 2.2 us a news text, 4 us for four.)
    flat = " ".join(text[:2 * limit].split())
    if len(flat) <= limit:
        flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[: cut if cut > limit // 2 else limit].rstrip(" ,;:-") + "\u2026"


def one_line(text: str | None) -> str:
    """Whitespace runs as single spaces; '' for None."""
    return " ".join((text or "").split())


def doc_row(doc: SearchDoc, text_excerpt: str, code: str) -> str:
    """The JSON of [url, title, date, content note, excerpt, facet ids]; '' for a missing date or note.
    A URL ending in "/index.html" is stored without "index.html" (the runtime adds it back)."""
    url = doc.url[: -len(PAGE)] if doc.url.endswith("/" + PAGE) else doc.url
    return js_json([url, one_line(doc.title), doc.date or "", one_line(doc.content_note), text_excerpt, code])


def doc_rows(docs: Sequence[SearchDoc], excerpts: Sequence[str], facets: Facets) -> list[str]:
    """Every document's row, in id order."""
    return [doc_row(doc, text, doc_facet_code(facets, i)) for i, (doc, text) in enumerate(zip(docs, excerpts,
                                                                                                 strict=True))]


def row_files(rows: Sequence[str], forward: Sequence[str], which: Iterable[int] | None = None) -> dict[str, str]:
    """Document and forward files (their JSON payloads), grouped by consecutive document ids: all, or
    those holding the documents ``which``."""
    groups = range(0, len(rows), DOCS_PER_SHARD) if which is None else \
        sorted({i // DOCS_PER_SHARD * DOCS_PER_SHARD for i in which if i < len(rows)})
    files: dict[str, str] = {}
    for start in groups:
        n = base36(start // DOCS_PER_SHARD)
        files[f"d/{n}"] = "[" + ",".join(rows[start:start + DOCS_PER_SHARD]) + "]"
        files[f"w/{n}"] = js_json("~".join(forward[start:start + FORWARD_PER_SHARD]))
    return files
