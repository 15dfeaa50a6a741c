"""Term shards and posting chunks: what a query loads for each stem.

Input: the :class:`Inverted` index and the facet keys of each document.
Output: ``{shard key: payload}``. The record of the stem with id ``i`` sits in
term shard ``t/<i % T>``; it holds the stem's document frequency, score range,
chunk starts, facet counts (when it matches more documents than a result page;
year counts only when it has chunks) and its *top block*: all its postings if
it is in at most ``INLINE_MAX`` documents, else the ``TOP_K`` best by score.
The other postings go, in document order, to chunk files ``p/<term id>.<n>``
of ``CHUNK`` postings each, which a query loads only when it needs them (AND
with another word, a filter, date order, more results): a mid-frequency word
costs no further request, and a frequent one still loads a bounded block.

A record is nothing but encoded integers, so a batch of consecutive stems is
built as one integer array (every record's numbers, record after record) and
encoded at once; Python only cuts the text into records. Touches nothing
outside memory.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .codec import base36, enc, enc_array
from .facets import FacetTable, count_numbers
from .inverted import Inverted
from .parallel import SHARED, run_tasks
from .scores import INLINE_MAX, LEVELS, SCORE_UNIT, TOP_K, bm25_all, levels_all, top_mask

__all__ = ["CHUNK", "FACET_MIN", "INLINE_MAX", "LEVELS", "SCORE_UNIT", "TOP_K", "term_payloads"]

CHUNK = 1000  # postings per further chunk
FACET_MIN = 10  # stems in more documents than this store their facet counts
SHARD_TARGET = 4096  # aim for term shards of about this many characters
BATCH_POSTINGS = 100_000  # postings scored at a time: a batch takes ~160 bytes a posting


def _firsts(groups: np.ndarray) -> np.ndarray:
    """True where a run of equal (sorted) group ids starts."""
    first = np.ones(len(groups), dtype=bool)
    first[1:] = groups[1:] != groups[:-1]
    return first


def _gaps(values: np.ndarray, restart: np.ndarray) -> np.ndarray:
    """Each value minus the previous one (minus 0 where ``restart``)."""
    previous = np.zeros(len(values), dtype=np.int64)
    previous[1:] = values[:-1]
    previous[restart] = 0
    return values - previous  # type: ignore[no-any-return]


def _pieces(numbers: np.ndarray, bounds: np.ndarray) -> list[str]:
    """``numbers`` encoded, cut at ``bounds`` (piece i is numbers[bounds[i]:bounds[i + 1]])."""
    text, offsets = enc_array(numbers)
    at = offsets[bounds].tolist()
    return [text[a:b] for a, b in zip(at, at[1:], strict=False)]


def _per_stem(pieces: Sequence[tuple[np.ndarray, np.ndarray]], nstems: int) -> tuple[np.ndarray, np.ndarray]:
    """The pieces' numbers, stem by stem: for each stem, its numbers of each piece in turn.
    A piece is (numbers, count per stem), its numbers grouped by stem. Returns the numbers
    and where each stem's start (``nstems + 1`` bounds)."""
    bounds = np.zeros(nstems + 1, dtype=np.int64)
    np.cumsum(np.sum([counts for _, counts in pieces], axis=0), out=bounds[1:])
    out = np.empty(int(bounds[-1]), dtype=np.int64)
    at = bounds[:-1].copy()  # where each stem's next piece goes
    for numbers, counts in pieces:
        out[np.repeat(at - (np.cumsum(counts) - counts), counts) + np.arange(len(numbers))] = numbers
        at += counts
    return out, bounds


@dataclass
class _Blocks:
    """A batch's postings as ``gap * LEVELS + level``: the top blocks, and the rest in chunks."""

    top: np.ndarray  # every stem's top block in turn, gaps from 0 at each
    top_counts: np.ndarray  # postings in each stem's top block
    rest: np.ndarray  # every stem's other postings in turn, gaps from 0 at each chunk
    chunk_starts: np.ndarray  # where each chunk starts in ``rest``
    chunk_stems: np.ndarray  # the stem (index in the batch) of each chunk
    chunk_docs: np.ndarray  # the first document of each chunk


def _blocks(docs: np.ndarray, levels: np.ndarray, keep: np.ndarray, df: np.ndarray) -> _Blocks:
    """Split each stem's postings (``docs`` ascending per stem) into those ``keep`` marks for its top
    block and chunks of CHUNK of the others, keeping document order in each."""
    stem = np.repeat(np.arange(len(df)), df)
    top, rest = np.flatnonzero(keep), np.flatnonzero(~keep)
    rest_counts = np.bincount(stem[rest], minlength=len(df))
    rank = np.arange(len(rest)) - np.repeat(np.cumsum(rest_counts) - rest_counts, rest_counts)
    chunk_starts = np.flatnonzero(rank % CHUNK == 0)
    restart = np.zeros(len(rest), dtype=bool)
    restart[chunk_starts] = True
    return _Blocks(_gaps(docs[top], _firsts(stem[top])) * LEVELS + levels[top],
                   np.bincount(stem[top], minlength=len(df)),
                   _gaps(docs[rest], restart) * LEVELS + levels[rest], chunk_starts,
                   stem[rest][chunk_starts], docs[rest][chunk_starts])


def _batch(first: int, end: int) -> tuple[list[str], dict[str, str]]:
    """Records (in id order) and chunk files of the stems ``first``..``end - 1``."""
    inv: Inverted = SHARED["inv"]
    df = inv.df[first:end]
    docs, tfs = inv.postings(first, end)
    docs = docs.astype(np.int64)
    scores = bm25_all(df, docs, tfs, len(inv.docs), SHARED["norms"])
    lo, hi, levels = levels_all(scores, df)
    blocks = _blocks(docs, levels, top_mask(scores, df), df)
    nchunks = np.bincount(blocks.chunk_stems, minlength=len(df))
    counted = df > FACET_MIN
    facets, facet_counts = count_numbers(SHARED["table"], docs[np.repeat(counted, df)], df[counted],
                                         nchunks[counted] > 0)
    facet_sizes = np.zeros(len(df), dtype=np.int64)
    facet_sizes[counted] = facet_counts
    records = _pieces(*_per_stem([
        (np.stack([df, lo, hi, nchunks], axis=1).reshape(-1), np.full(len(df), 4)),
        (_gaps(blocks.chunk_docs, _firsts(blocks.chunk_stems)), nchunks),  # each chunk's first document
        (facets, facet_sizes),
        (blocks.top, blocks.top_counts),
    ], len(df)))
    chunks = _pieces(blocks.rest, np.append(blocks.chunk_starts, len(blocks.rest)))
    numbers = np.arange(len(chunks)) - np.repeat(np.cumsum(nchunks) - nchunks, nchunks)  # a chunk's number in its stem
    names = [f"p/{base36(tid)}.{base36(n)}" for tid, n in zip((first + blocks.chunk_stems).tolist(), numbers.tolist(),
                                                                 strict=True)]
    return records, dict(zip(names, chunks, strict=True))


def _batches(offsets: np.ndarray, size: int) -> list[tuple[int, int]]:
    """Runs of consecutive stem ids (1 up) with about ``size`` postings each."""
    nstems = len(offsets) - 1
    if nstems <= 1:
        return []
    marks = np.arange(0, int(offsets[-1]), size)
    starts = sorted({1, *(np.searchsorted(offsets, marks, side="right") - 1).clip(1, nstems - 1).tolist()})
    return list(zip(starts, [*starts[1:], nstems], strict=True))


def term_payloads(inv: Inverted, doc_keys: list[tuple[int, ...]], ndims: int,
                  year_starts: Sequence[tuple[int, int]], jobs: int = 1) -> tuple[int, dict[str, str]]:
    """All term shards and chunk files; returns (number of term shards, payloads)."""
    size = BATCH_POSTINGS if jobs <= 1 else max(1, min(BATCH_POSTINGS, -(-int(inv.offsets[-1]) // (2 * jobs))))
    shared = {"inv": inv, "norms": inv.norms(), "table": FacetTable.of(doc_keys, ndims, year_starts)}
    results = run_tasks(_batch, _batches(inv.offsets, size), shared, jobs)
    records = [record for part, _ in results for record in part]  # stem ids 1, 2, ...
    files: dict[str, str] = {}
    for _, part_files in results:
        files.update(part_files)
    total = sum(len(r) + 3 for r in records)
    nshards = max(1, math.ceil(total / SHARD_TARGET))
    shards: dict[int, list[str]] = {}
    for tid, record in enumerate(records, 1):  # ascending ids: each shard lists its records by id
        shards.setdefault(tid % nshards, []).append(enc(tid // nshards) + record)
    for bucket, items in shards.items():
        files[f"t/{base36(bucket)}"] = "~".join(items)
    return nshards, files
