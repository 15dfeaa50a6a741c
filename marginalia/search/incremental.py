"""One build of the index: what to scan, and whether to redo the whole index or only part of it.

Input: the documents, the cache's state of the previous build (if any).
Output: every file of the index, ``{key: bytes}``, and the new state written
back to the cache. Documents are matched with the previous build's by key;
only the others are scanned (their texts read through ``load_texts`` when
given). When the documents kept their ids and ``Params`` did not change,
``delta.update`` redoes only the files of the documents and stems that
changed; else ``build.build_full`` redoes every file from the corpus (the
scans still come from the cache). Both give the same bytes as a build from
nothing: tests/test_search_cache.py compares them after random edits.
Touches nothing outside memory but the cache's file.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence

from ..model import replaced
from .build import build_full
from .cache import SearchCache, State
from .codec import script_file
from .corpus import Corpus, assemble, order_docs
from .delta import update
from .doc import SearchDoc
from .parallel import SHARED, run_tasks
from .scan import Scanner, SliceScan, scan_slice
from .tokens import Stemmer

SLICE_MAX = 20000  # documents scanned by one task: enough to amortise it, few enough to fit in memory
SLICE_SCAN = 1000  # documents a prescan scans at once, as they arrive


def content_key(doc: SearchDoc) -> str:
    """A key for a document that came without one: a digest of every field."""
    h = hashlib.blake2b(digest_size=16)
    for part in (doc.url, doc.title, doc.date or "", doc.content_note or "", doc.text,
                 *("\x1f".join(v) for v in (doc.tags, doc.people, doc.organizations, doc.places))):
        data = part.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little") + data)
    return "=" + h.hexdigest()


def _scan_task(start: int, end: int) -> SliceScan:
    return scan_slice(SHARED["docs"][start:end], SHARED["stemmer"])


def scan_docs(docs: list[SearchDoc], stemmer: Stemmer, jobs: int) -> list[SliceScan]:
    """Scans of consecutive slices of ``docs``, in order."""
    size = min(SLICE_MAX, max(1, -(-len(docs) // max(1, jobs))))
    tasks = [(i, min(len(docs), i + size)) for i in range(0, len(docs), size)]
    return run_tasks(_scan_task, tasks, {"docs": docs, "stemmer": stemmer}, jobs)


def _with_texts(docs: Sequence[SearchDoc], todo: list[int],
                load_texts: Callable[[Sequence[int]], Sequence[str]] | None) -> list[SearchDoc]:
    """The documents to scan, with their texts: read through ``load_texts`` for those that came
    without one (a document with an empty text is read again, which gives the same empty text)."""
    missing = [i for i in todo if not docs[i].text] if load_texts is not None else []
    texts = dict(zip(missing, load_texts(missing), strict=True)) if missing and load_texts else {}
    return [dataclasses.replace(docs[i], text=texts[i]) if i in texts else docs[i] for i in todo]


class Prescan:
    """Documents scanned as they arrive, before the whole archive is known (the site build feeds the
    index while it reads the content): a build then takes each one's scan by key, in any order. All
    of them make one scan, so each distinct word is numbered and stemmed once."""

    def __init__(self, language: str) -> None:
        self.scanner = Scanner(Stemmer(language))
        self.at: dict[str, int] = {}  # key -> its document in the scan
        self.pending: list[SearchDoc] = []

    def add(self, doc: SearchDoc) -> SearchDoc:
        """One document with its text and key (others are ignored: they are scanned when built).
        Returns the document to build with: without its text when scanned here, as the build then
        takes its scan (so the caller need not hold every text until the build)."""
        if not (doc.key and doc.text):
            return doc
        if doc.key not in self.at:
            self.at[doc.key] = len(self.at)
            self.pending.append(doc)
            if len(self.pending) >= SLICE_SCAN:
                self.flush()
        return replaced(doc, text="")

    def flush(self) -> None:
        if self.pending:
            self.scanner.add(self.pending)
            self.pending = []

    def take(self) -> list[SliceScan]:
        """The documents scanned, once: the scan's memory goes with the build that takes it."""
        self.flush()
        return [self.scanner.take()] if self.at else []


def build_files(docs: Sequence[SearchDoc], language: str, jobs: int, cache: SearchCache | None,
                load_texts: Callable[[Sequence[int]], Sequence[str]] | None,
                prescan: Prescan | None = None, token: str = "", since: str | None = None
                ) -> dict[str, bytes | None]:
    """Every file of the index by key, using and then updating ``cache`` (and ``prescan``'s scans);
    the cache's new state is named ``token``. When its old state was named ``since``, the files
    it held unchanged come as None (the caller has them)."""
    stemmer = Stemmer(language)  # rejects an unknown language here, before any worker starts
    order = order_docs(docs)
    ordered = [docs[i] for i in order]
    # keys only match documents with a cache's: without one, no digest of every text is needed
    keys = [d.key or (content_key(d) if cache is not None else "") for d in ordered]
    state = cache.load(language) if cache is not None else None
    known = {k: i for i, k in enumerate(state.corpus.keys)} if state else {}
    todo = [p for p, (d, k) in enumerate(zip(ordered, keys, strict=True)) if not d.key or k not in known]
    scans, fresh_at = _scans(docs, order, ordered, todo, prescan, load_texts, stemmer, jobs)
    old_ids = [known.get(k, -1) if d.key else -1 for d, k in zip(ordered, keys, strict=True)]
    corpus = assemble(keys, old_ids, scans, state.corpus if state else None, fresh_at)
    del scans  # their words are in the corpus now
    done = update(state, corpus, ordered) if state is not None else None
    if done is None:
        index = build_full(corpus, ordered)
        files = {key: script_file(key, index.files.pop(key)) for key in sorted(index.files)}
    else:
        index, files = done
    if cache is not None:
        cache.save(State(language, corpus, index, files, token))
    if state is None or since is None or state.token != since:
        return dict(files)
    old = state.files
    return {key: None if (was := old.get(key)) is data or was == data else data for key, data in files.items()}


def _scans(docs: Sequence[SearchDoc], order: list[int], ordered: list[SearchDoc], todo: list[int],
           prescan: Prescan | None, load_texts: Callable[[Sequence[int]], Sequence[str]] | None,
           stemmer: Stemmer, jobs: int) -> tuple[list[SliceScan], list[int] | None]:
    """The scans of the documents at positions ``todo`` (in date order): the prescanned ones taken
    as they are, the others scanned now; and, with a prescan, where each is among the scans."""
    if prescan is None:
        return scan_docs(_with_texts(docs, [order[p] for p in todo], load_texts), stemmer, jobs), None
    rest = [p for p in todo if not ordered[p].key or ordered[p].key not in prescan.at]
    scans = prescan.take() + scan_docs(_with_texts(docs, [order[p] for p in rest], load_texts), stemmer, jobs)
    after = iter(range(len(prescan.at), len(prescan.at) + len(rest)))
    late = set(rest)
    return scans, [next(after) if p in late else prescan.at[ordered[p].key] for p in todo]


__all__ = ["build_files", "content_key", "Corpus", "Prescan"]
