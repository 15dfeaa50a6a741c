"""The in-memory inverted index: documents in date order, postings per stem.

Input: :class:`SearchDoc` objects. Output: an :class:`Inverted` holding, per
stem, the ascending document ids and each posting's weighted term frequency
(headline words count ``TITLE_WEIGHT`` times), and per document its sequence
of stem ids encoded (the "forward index", which verifies phrases). Document
ids follow (date, url), so sorting by date is sorting by id. Stem ids follow
document frequency (most frequent first, id 1), so common stems get short
codes. Blocks of documents are scanned in parallel, or read back from a
:class:`SearchCache` when unchanged since its last build. Touches nothing
outside memory but that cache's file.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import add, mul, truediv

from .cache import SearchCache, block_key
from .codec import enc_all
from .doc import SearchDoc
from .parallel import SHARED, run_tasks
from .scan import BOUNDARY, TITLE_WEIGHT, SliceScan, merge_scans, scan_slice
from .tokens import Stemmer

__all__ = ["BOUNDARY", "TITLE_WEIGHT", "K1", "B", "Inverted", "TermPostings", "build_inverted", "order_docs",
           "bm25"]

K1 = 1.2
B = 0.75
BLOCK = 1000  # documents per scanned block: the unit that a rebuild rescans


@dataclass
class TermPostings:
    """Everything the index stores about one stem."""

    stem: str
    tid: int  # 1 + rank by document frequency; 0 is the headline/body boundary
    docs: array[int]  # ascending document ids
    weighted_tf: array[int]  # TITLE_WEIGHT * headline tf + body tf, per posting


@dataclass
class Inverted:
    """The whole index before it is cut into shards."""

    docs: list[SearchDoc]  # in id order
    terms: list[TermPostings]  # in id order (terms[0] is the boundary marker)
    word_tids: dict[str, int]  # every indexed word -> the id of its stem
    forward: list[str]  # per document: its stem ids, encoded
    lengths: array[int]  # weighted document lengths

    def norms(self) -> list[float]:
        """BM25's length normalisation per document: k1 * (1 - b + b * length / average)."""
        n = len(self.lengths)
        avg = (sum(self.lengths) / n) if n else 1.0
        return [K1 * (1 - B + B * length / (avg or 1.0)) for length in self.lengths]


def order_docs(docs: Sequence[SearchDoc]) -> list[SearchDoc]:
    """Documents by (date, url): undated first, then oldest to newest."""
    return sorted(docs, key=lambda d: (d.date or "", d.url))


def bm25(term: TermPostings, n: int, norms: Sequence[float]) -> list[float]:
    """BM25F score of each posting (k1=1.2, b=0.75 over weighted lengths)."""
    df = len(term.docs)
    scale = math.log(1 + (n - df + 0.5) / (df + 0.5)) * (K1 + 1)
    tfs = term.weighted_tf
    # scale * tf / (tf + norms[d]), evaluated in that order (so the floats are exact), at C speed
    return list(map(truediv, map(mul, repeat(scale, len(tfs)), tfs), map(add, tfs, map(norms.__getitem__, term.docs))))


def _scan_task(start: int, end: int) -> SliceScan:
    return scan_slice(SHARED["docs"][start:end], start, SHARED["stemmer"])


def _encode_task(index: int) -> list[str]:
    scan, final = SHARED["scans"][index], SHARED["finals"][index]
    seq, bounds = scan.sequences, scan.bounds
    get = final.__getitem__
    return [enc_all(list(map(get, seq[bounds[j]:bounds[j + 1]]))) for j in range(len(bounds) - 1)]


def scan_blocks(ordered: list[SearchDoc], language: str, jobs: int, cache: SearchCache | None) -> list[SliceScan]:
    """Every block of documents, scanned (or taken from ``cache``), in document order: blocks of
    ``BLOCK`` with a cache, else one per process (each block stems its own words, so fewer is faster)."""
    stemmer = Stemmer(language)  # rejects an unknown language here, before any worker starts
    size = BLOCK if cache is not None else max(1, -(-len(ordered) // max(1, jobs)))
    blocks = [(i, min(len(ordered), i + size)) for i in range(0, len(ordered), size)]
    keys = [block_key(ordered[start:end], start, language) if cache is not None else str(start)
            for start, end in blocks]
    known = cache.load() if cache is not None else {}
    todo = [block for block, key in zip(blocks, keys, strict=True) if key not in known]
    fresh = dict(zip([keys[start // size] for start, _ in todo],
                     run_tasks(_scan_task, todo, {"docs": ordered, "stemmer": stemmer}, jobs), strict=True))
    scans = [fresh[key] if key in fresh else known[key] for key in keys]
    if cache is not None:
        cache.save(dict(zip(keys, scans, strict=True)))
    return scans


def build_inverted(docs: Sequence[SearchDoc], language: str, jobs: int = 1,
                   cache: SearchCache | None = None) -> Inverted:
    """Tokenize, stem and count every document, on ``jobs`` cores, reusing ``cache``'s blocks."""
    ordered = order_docs(docs)
    scans = scan_blocks(ordered, language, jobs, cache)
    merged = merge_scans(scans)
    ranked = sorted(range(1, len(merged.stems)), key=lambda g: (-len(merged.docs[g]), merged.stems[g]))
    renumber = array("I", bytes(4 * len(merged.stems)))
    for new, g in enumerate(ranked, 1):
        renumber[g] = new
    terms = [TermPostings("", BOUNDARY, array("I"), array("I"))]
    terms += [TermPostings(merged.stems[g], renumber[g], merged.docs[g], merged.tfs[g]) for g in ranked]
    finals = [array("I", [renumber[g] for g in local]) for local in merged.to_global]
    parts = run_tasks(_encode_task, [(i,) for i in range(len(scans))], {"scans": scans, "finals": finals}, jobs)
    forward = [row for part in parts for row in part]
    word_tids = {w: renumber[g] for w, g in merged.word_ids.items()}
    return Inverted(ordered, terms, word_tids, forward, merged.lengths)
