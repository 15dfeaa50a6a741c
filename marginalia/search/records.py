"""Document shards (what a result shows) and forward shards (what verifies a phrase).

Input: documents in id order, facet value ids, the forward index. Output:
``{"d/<n>": [...], "w/<n>": [...]}``. A result page loads only the document
shards of the results it shows; a phrase query loads only the forward shards
of its candidates. Touches nothing outside memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .codec import base36
from .doc import SearchDoc
from .facets import Facets, doc_facet_code

DOCS_PER_SHARD = 8
FORWARD_PER_SHARD = 8
EXCERPT_CHARS = 110
PAGE = "index.html"


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of the text, cut at a word boundary, with an ellipsis if cut."""
    # The flattened start of the text is a start of the flattened text: flatten only what the
    # excerpt can need (unless that is too short to decide), not a whole article.
    flat = " ".join(text[:4 * limit].split())
    if len(flat) <= limit:
        flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[: cut if cut > limit // 2 else limit].rstrip(" ,;:-") + "\u2026"


def one_line(text: str | None) -> str:
    """Whitespace runs as single spaces; '' for None."""
    return " ".join((text or "").split())


def doc_row(doc: SearchDoc, code: str) -> list[Any]:
    """[url, title, date, content note, excerpt, facet ids]; '' for a missing date or note.
    A URL ending in "/index.html" is stored without "index.html" (the runtime adds it back)."""
    url = doc.url[: -len(PAGE)] if doc.url.endswith("/" + PAGE) else doc.url
    return [url, one_line(doc.title), doc.date or "", one_line(doc.content_note), excerpt(doc.text), code]


def record_payloads(docs: Sequence[SearchDoc], facets: Facets, forward: Sequence[str]) -> dict[str, Any]:
    """Document and forward shards, grouped by consecutive document ids."""
    files: dict[str, Any] = {}
    for start in range(0, len(docs), DOCS_PER_SHARD):
        files[f"d/{base36(start // DOCS_PER_SHARD)}"] = [
            doc_row(docs[i], doc_facet_code(facets, i)) for i in range(start, min(len(docs), start + DOCS_PER_SHARD))]
    for start in range(0, len(forward), FORWARD_PER_SHARD):
        files[f"w/{base36(start // FORWARD_PER_SHARD)}"] = "~".join(forward[start:start + FORWARD_PER_SHARD])
    return files
