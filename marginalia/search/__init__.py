"""Full-text search, built at build time as self-registering JavaScript shards.

Input: one :class:`SearchDoc` per article. Output: ``{path: bytes}``, every
path under ``search/``: ``search/idx/meta.js`` (sizes, vocabulary ranges,
facets, years) and shards ``search/idx/<kind>/<name>.js`` that call
``window.__marginaliaSearch.add(key, payload)``. The runtime (``RUNTIME``, in
``static/``) loads them with <script> tags on demand, so the index works from
file:// and over HTTP. See docs/search.md for the layout.

The interface the site build uses::

    build_index(docs, *, language="english", jobs=None, cache=None, load_texts=None) -> {path: bytes}

is complete and pure: every file of the index, the same bytes for the same
documents whatever their order, ``jobs`` and whatever ``cache`` holds.
``cache`` (a :class:`SearchCache`) only saves work: the scan of every
document by its ``key`` and the files of the previous build, so that editing
one article recomputes only what depends on it. A document with a key the
cache knows is not scanned; with ``load_texts``, documents may come with
``text=""`` and ``load_texts(indexes)`` (indexes into ``docs``) is called once
for the documents without text whose keys the cache does not know. A document without a
key is always scanned. Touches nothing outside memory but the cache's file.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..slugs import WINDOWS_RESERVED
from .cache import SearchCache
from .doc import SearchDoc

# numpy's OpenBLAS starts a thread per core when numpy is imported, which spins for a while after
# each call it serves; the index makes no BLAS calls, and in a 10k build's indexing process that
# thread alone took 79 ms of CPU (perf, per thread). Set before any module here imports numpy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

if TYPE_CHECKING:
    from .build import FORMAT_VERSION
    from .incremental import Prescan

__all__ = ["SearchDoc", "SearchCache", "Prescan", "build_index", "update_index", "FORMAT_VERSION", "RUNTIME",
           "file_name"]

#: The browser runtime in ``static/``, in the order the search page loads it.
RUNTIME = ("search-index.js", "search-query.js", "search.js")
PREFIX = "search/idx/"
PARALLEL_MIN = 4000  # below this many articles, starting processes costs more than it saves
# The index's machinery (numpy, the codec's tables: a fifth of a second) is imported when first used,
# so that a build which only hands documents to its indexing process never loads it.
_LAZY = {"FORMAT_VERSION": ".build", "Prescan": ".incremental"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_index(docs: Sequence[SearchDoc], *, language: str = "english", jobs: int | None = None,
                cache: SearchCache | None = None,
                load_texts: Callable[[Sequence[int]], Sequence[str]] | None = None,
                prescan: Prescan | None = None, token: str = "") -> dict[str, bytes]:
    """The whole search index as ``{relative output path: bytes}`` (see the module's docstring;
    ``prescan``: documents scanned already, as they arrived, taken by key; ``token``: a name for
    this index, kept with the cache's state for :func:`update_index`)."""
    from .incremental import build_files
    from .parallel import default_jobs

    if jobs is None:
        jobs = default_jobs() if len(docs) >= PARALLEL_MIN else 1
    files = build_files(docs, language, jobs, cache, load_texts, prescan, token)
    return {f"{PREFIX}{file_name(key)}.js": data for key, data in sorted(files.items()) if data is not None}


def update_index(docs: Sequence[SearchDoc], *, language: str, cache: SearchCache, token: str, since: str | None,
                 load_texts: Callable[[Sequence[int]], Sequence[str]] | None = None,
                 prescan: Prescan | None = None) -> dict[str, bytes | None]:
    """:func:`build_index` for a caller that holds the files of the index the cache's state was
    built for, named ``since``: those files that stay the same come as None (with ``since`` None,
    or another, none do). The new state is named ``token``. One process."""
    from .incremental import build_files

    files = build_files(docs, language, 1, cache, load_texts, prescan, token, since)
    return {f"{PREFIX}{file_name(key)}.js": data for key, data in sorted(files.items())}


def file_name(key: str) -> str:
    """The file (without ``.js``) of a shard key: the key, with ``_`` before a name Windows reserves
    ("d/aux" -> "d/_aux", "p/con.0.1" -> "p/_con.0.1"; base-36 names reach them). ``fileOf`` in
    static/search-index.js does the same."""
    folder, slash, name = key.rpartition("/")
    return f"{folder}{slash}_{name}" if name.split(".", 1)[0] in WINDOWS_RESERVED else key

