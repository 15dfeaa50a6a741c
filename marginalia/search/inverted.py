"""The in-memory inverted index: documents in date order, postings per stem.

Input: :class:`SearchDoc` objects. Output: an :class:`Inverted` holding, per
stem, the ascending document ids and each posting's weighted term frequency
(headline words count ``TITLE_WEIGHT`` times), as the scanned slices left them
and gathered for a run of stems on demand, and per document its sequence of
stem ids encoded (the "forward index", which verifies phrases). Document
ids follow (date, url), so sorting by date is sorting by id. Stem ids follow
document frequency (most frequent first, id 1), so common stems get short
codes. Blocks of documents are scanned in parallel, or read back from a
:class:`SearchCache` when unchanged since its last build. Touches nothing
outside memory but that cache's file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import repeat
from operator import add, mul, truediv

import numpy as np

from .cache import SearchCache, block_key
from .codec import enc_array
from .doc import SearchDoc
from .parallel import SHARED, run_tasks
from .scan import BOUNDARY, TITLE_WEIGHT, SliceScan, merge_runs, merge_scans, scan_slice
from .tokens import Stemmer

__all__ = ["BOUNDARY", "TITLE_WEIGHT", "K1", "B", "Inverted", "Postings", "TermPostings", "build_inverted",
           "order_docs", "bm25"]

K1 = 1.2
B = 0.75
BLOCK = 1000  # documents per scanned block: the unit that a rebuild rescans
ENCODE_DOCS = 1000  # forward rows encoded at a time
SLICE_MAX = 20000  # documents per block without a cache: enough to amortise a block, few enough to fit in memory


@dataclass
class TermPostings:
    """Everything the index stores about one stem."""

    stem: str
    tid: int  # 1 + rank by document frequency; 0 is the headline/body boundary
    docs: np.ndarray  # ascending document ids
    weighted_tf: np.ndarray  # TITLE_WEIGHT * headline tf + body tf, per posting


@dataclass
class Postings:
    """One scanned slice's postings (a :class:`SliceScan` without its words and stem sequences,
    which the index no longer needs once it is built), and where its stems are by final id."""

    offsets: np.ndarray
    docs: np.ndarray
    tfs: np.ndarray
    tids: np.ndarray  # the final ids of the slice's stems, ascending
    local: np.ndarray  # the local id of each of those stems

    @classmethod
    def of(cls, scan: SliceScan, final: np.ndarray) -> Postings:
        local = np.argsort(final[1:]) + 1  # local id 0, the boundary, has no postings
        return cls(scan.offsets, scan.post_docs, scan.post_tfs, final[local].astype(np.int64), local)


@dataclass
class Inverted:
    """The whole index before it is cut into shards. Postings stay in the scanned slices (no
    second copy of them all): :meth:`postings` gathers those of a run of stem ids when needed."""

    docs: list[SearchDoc]  # in id order
    stems: list[str]  # stem id -> stem ("" for the boundary)
    df: np.ndarray  # int64: stem id -> number of documents (0 for the boundary)
    word_tids: dict[str, int]  # every indexed word -> the id of its stem
    forward: list[str]  # per document: its stem ids, encoded
    lengths: np.ndarray  # weighted document lengths
    slices: list[Postings]  # the postings of each scanned slice, in document order

    @cached_property
    def offsets(self) -> np.ndarray:
        """Where each stem's postings start in :meth:`postings` of all stems (``len(stems) + 1``)."""
        offsets = np.zeros(len(self.df) + 1, dtype=np.int64)
        np.cumsum(self.df, out=offsets[1:])
        return offsets

    def postings(self, first: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        """Document ids and weighted tfs of stems ``first``..``end - 1``, stem after stem, each
        in document order (the slices' runs of a stem, slice after slice)."""
        parts = []
        for part in self.slices:
            a, b = np.searchsorted(part.tids, [first, end]).tolist()
            starts, ends = part.offsets[part.local[a:b]], part.offsets[part.local[a:b] + 1]
            lengths = ends - starts
            take = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(int(lengths.sum()))
            parts.append((part.tids[a:b] - first, lengths, part.docs[take], part.tfs[take]))
        _, docs, tfs = merge_runs(parts, end - first)
        return docs, tfs

    @property
    def terms(self) -> list[TermPostings]:
        """Each stem's postings, in id order (terms[0] is the boundary): for looking, not for building."""
        docs, tfs = self.postings(0, len(self.stems))
        o = self.offsets.tolist()
        return [TermPostings(stem, tid, docs[o[tid]:o[tid + 1]], tfs[o[tid]:o[tid + 1]])
                for tid, stem in enumerate(self.stems)]

    def norms(self) -> np.ndarray:
        """BM25's length normalisation per document: k1 * (1 - b + b * length / average), evaluated
        in that order (so each float is the one Python's arithmetic gives)."""
        n = len(self.lengths)
        avg = (int(self.lengths.sum()) / n) if n else 1.0
        return K1 * (1 - B + B * self.lengths.astype(np.float64) / (avg or 1.0))  # type: ignore[no-any-return]


def order_docs(docs: Sequence[SearchDoc]) -> list[SearchDoc]:
    """Documents by (date, url): undated first, then oldest to newest."""
    return sorted(docs, key=lambda d: (d.date or "", d.url))


def bm25_scale(df: int, n: int) -> float:
    """The factor of a stem's BM25 scores that depends only on its document frequency."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5)) * (K1 + 1)


def bm25(term: TermPostings, n: int, norms: Sequence[float]) -> list[float]:
    """BM25F score of each posting (k1=1.2, b=0.75 over weighted lengths): the definition that
    ``scores.bm25_all`` computes for all stems at once."""
    scale = bm25_scale(len(term.docs), n)
    tfs, docs = term.weighted_tf.tolist(), term.docs.tolist()
    # scale * tf / (tf + norms[d]), evaluated in that order (so the floats are exact)
    return list(map(truediv, map(mul, repeat(scale, len(tfs)), tfs), map(add, tfs, map(norms.__getitem__, docs))))


def _scan_task(start: int, end: int) -> SliceScan:
    return scan_slice(SHARED["docs"][start:end], start, SHARED["stemmer"])


def _encode_task(index: int) -> list[str]:
    """The forward rows of one slice: its stem sequences in final ids, encoded at once."""
    scan, final = SHARED["scans"][index], SHARED["finals"][index]
    rows: list[str] = []
    for start in range(0, len(scan.bounds) - 1, ENCODE_DOCS):  # a few documents at a time: less memory
        bounds = scan.bounds[start:start + ENCODE_DOCS + 1]
        text, offsets = enc_array(final[scan.sequences[bounds[0]:bounds[-1]]])
        cuts = offsets[bounds - bounds[0]].tolist()
        rows += [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
    return rows


def scan_blocks(ordered: list[SearchDoc], language: str, jobs: int, cache: SearchCache | None) -> list[SliceScan]:
    """Every block of documents, scanned (or taken from ``cache``), in document order: blocks of
    ``BLOCK`` with a cache, else one per process up to ``SLICE_MAX`` (each block numbers its own
    words, so fewer is faster)."""
    stemmer = Stemmer(language)  # rejects an unknown language here, before any worker starts
    size = BLOCK if cache is not None else min(SLICE_MAX, max(1, -(-len(ordered) // max(1, jobs))))
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
    freq = merged.df
    ranked = sorted(range(1, len(merged.stems)), key=lambda g: (-freq[g], merged.stems[g]))
    renumber = np.zeros(len(merged.stems), dtype=np.uint32)
    renumber[ranked] = np.arange(1, len(ranked) + 1, dtype=np.uint32)
    finals = [renumber[local] for local in merged.to_global]
    parts = run_tasks(_encode_task, [(i,) for i in range(len(scans))], {"scans": scans, "finals": finals}, jobs)
    forward = [row for part in parts for row in part]
    to_tid = renumber.tolist()
    word_tids = {w: to_tid[g] for w, g in merged.word_ids.items()}
    stems = [""] + [merged.stems[g] for g in ranked]
    df = np.array([0] + [freq[g] for g in ranked], dtype=np.int64)
    slices = [Postings.of(scan, final) for scan, final in zip(scans, finals, strict=True)]
    return Inverted(ordered, stems, df, word_tids, forward, merged.lengths, slices)
