"""Full-text search, built at build time as self-registering JavaScript shards.

Input: one :class:`SearchDoc` per article. Output: ``{path: bytes}``, every
path under ``search/``: ``search/idx/meta.js`` (sizes, vocabulary ranges,
facets, years) and shards ``search/idx/<kind>/<n>.js`` that call
``window.__marginaliaSearch.add(key, payload)``. The runtime (``RUNTIME``, in
``static/``) loads them with <script> tags on demand, so the index works from
file:// and over HTTP. See docs/search.md for the layout. Touches nothing
outside memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..slugs import WINDOWS_RESERVED
from .cache import SearchCache
from .codec import shard_file
from .doc import SearchDoc
from .facets import collect_facets, membership_payload
from .inverted import build_inverted
from .parallel import default_jobs
from .records import DOCS_PER_SHARD, FORWARD_PER_SHARD, record_payloads
from .terms import CHUNK, FACET_MIN, INLINE_MAX, LEVELS, SCORE_UNIT, TOP_K, term_payloads
from .vocab import vocab_payloads

__all__ = ["SearchDoc", "SearchCache", "build_index", "FORMAT_VERSION", "RUNTIME"]

FORMAT_VERSION = 2
#: The browser runtime in ``static/``, in the order the search page loads it.
RUNTIME = ("search-index.js", "search-query.js", "search.js")
PREFIX = "search/idx/"
PARALLEL_MIN = 4000  # below this many articles, starting processes costs more than it saves


def build_index(docs: Sequence[SearchDoc], *, language: str = "english", jobs: int | None = None,
                cache: SearchCache | None = None) -> dict[str, bytes]:
    """The whole search index as ``{relative output path: bytes}`` (deterministic: the
    same documents give the same bytes, whatever their order, ``jobs``, the number of
    processes to use (default: one per core, none for small archives), and ``cache``,
    which only saves rescanning the documents that did not change since its last build)."""
    if jobs is None:
        jobs = default_jobs() if len(docs) >= PARALLEL_MIN else 1
    payloads = _payloads(docs, language, jobs, cache)  # the index's working data is freed by now
    # each payload is dropped once written out, so the text and its bytes are not all held twice
    return {f"{PREFIX}{file_name(key)}.js": shard_file(key, payloads.pop(key)) for key in sorted(payloads)}


def _payloads(docs: Sequence[SearchDoc], language: str, jobs: int, cache: SearchCache | None) -> dict[str, Any]:
    """Every shard's payload by key."""
    inv = build_inverted(docs, language, jobs, cache)
    facets = collect_facets(inv.docs)
    ndims = len(facets.dims)
    nshards, terms = term_payloads(inv, facets.doc_keys(), ndims, facets.year_starts, jobs)
    payloads: dict[str, Any] = terms
    firsts, vocab = vocab_payloads(inv.word_tids, inv.df.tolist())
    payloads.update(vocab)
    payloads.update(record_payloads(inv.docs, facets, inv.forward))
    payloads["f/names"] = facets.names
    for dim, name in enumerate(facets.dims[:-1]):
        payloads[f"f/{name}"] = membership_payload(facets, dim)
    meta: dict[str, Any] = {
        "version": FORMAT_VERSION, "docs": len(inv.docs), "termShards": nshards, "vocab": firsts,
        "topK": TOP_K, "inlineMax": INLINE_MAX, "chunk": CHUNK, "levels": LEVELS, "scoreUnit": SCORE_UNIT,
        "facetMin": FACET_MIN,
        "docsPerShard": DOCS_PER_SHARD, "forwardPerShard": FORWARD_PER_SHARD,
        "dims": facets.dims, "labels": facets.labels, "years": facets.year_starts,
    }
    payloads["meta"] = meta
    return payloads


def file_name(key: str) -> str:
    """The file (without ``.js``) of a shard key: the key, with ``_`` before a name Windows reserves
    ("d/aux" -> "d/_aux", "p/con.1" -> "p/_con.1"; base-36 numbers reach them at ~100,000 articles).
    ``fileOf`` in static/search-index.js does the same."""
    folder, slash, name = key.rpartition("/")
    return f"{folder}{slash}_{name}" if name.split(".", 1)[0] in WINDOWS_RESERVED else key
