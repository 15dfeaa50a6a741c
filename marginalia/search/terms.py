"""Stem records and posting chunks: what a query loads for each stem.

Input: the postings of a batch of stems and the documents' length norms and
facet keys. Output: each stem's record (numbers only) and its chunk files.
A record holds the stem's document frequency, its number of chunks (and, if
it has any, which of the stems sharing its hash it is), each chunk's first
document, facet counts (when it matches more documents than a result page;
year counts only when it has chunks) and its *top block*: all its postings if
it is in at most ``INLINE_MAX`` documents, else the ``TOP_K`` best. The other
postings go, in document order, to chunk files ``p/<hash>.<k>.<n>`` of
``CHUNK`` postings each, which a query loads only when it needs them. Each
posting is ``gap * LEVELS + level``.

Records live in shards ``t/<h % T>``, ``h`` the stem's FNV-1a hash and ``T``
a power of two set by the number of stems, sorted by stem and front-coded:
one stem's change rewrites one shard. Everything in a record depends only on
the stem's own postings and on the few parameters in ``Params``. A batch is
one integer array (every record's numbers, record after record), encoded at
once; Python only cuts the text. Touches nothing outside memory.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .codec import Reader, base36, enc, enc_array
from .facets import FacetTable, count_numbers
from .scores import INLINE_MAX, LEVELS, TOP_K, levels, top_mask
from .vocab import shared_prefixes

__all__ = ["CHUNK", "FACET_MIN", "INLINE_MAX", "LEVELS", "TOP_K", "StemBatch", "batch_records", "shard_count",
           "join_shard", "split_shard", "chunk_key"]

CHUNK = 1000  # postings per further chunk
FACET_MIN = 10  # stems in more documents than this store their facet counts
STEMS_PER_SHARD = 48  # T is the largest power of two with at least this many stems per shard on average


def shard_count(nstems: int) -> int:
    """T: the number of record shards for ``nstems`` stems (a power of two, so it moves rarely)."""
    t = 1
    while t * 2 * STEMS_PER_SHARD <= nstems:
        t *= 2
    return t


def chunk_key(h: int, k: int, n: int) -> str:
    """The file of chunk ``n`` of the stem with hash ``h`` that is the ``k``-th chunked stem of that hash."""
    return f"p/{base36(h)}.{base36(k)}.{base36(n)}"


def _firsts(groups: np.ndarray) -> np.ndarray:
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
    A piece is (numbers, count per stem), its numbers grouped by stem."""
    bounds = np.zeros(nstems + 1, dtype=np.int64)
    np.cumsum(np.sum([counts for _, counts in pieces], axis=0), out=bounds[1:])
    out = np.empty(int(bounds[-1]), dtype=np.int64)
    at = bounds[:-1].copy()
    for numbers, counts in pieces:
        out[np.repeat(at - (np.cumsum(counts) - counts), counts) + np.arange(len(numbers))] = numbers
        at += counts
    return out, bounds


@dataclass
class StemBatch:
    """Some stems and their postings, stem after stem, each in document order."""

    hashes: list[int]  # per stem, its FNV-1a hash
    ks: np.ndarray  # per stem, its rank among the chunked stems of equal hash
    df: np.ndarray  # int64 postings per stem
    docs: np.ndarray  # int64
    tfs: np.ndarray


def batch_records(batch: StemBatch, doc_norms: np.ndarray, table: FacetTable) -> tuple[list[str], dict[str, str]]:
    """Each stem's record (in batch order) and the chunk files of the batch."""
    df, docs = batch.df, batch.docs
    lv = levels(batch.tfs, doc_norms[docs])
    keep = top_mask(lv, docs, df)
    stem = np.repeat(np.arange(len(df)), df)
    top, rest = np.flatnonzero(keep), np.flatnonzero(~keep)
    rest_counts = np.bincount(stem[rest], minlength=len(df))
    rank = np.arange(len(rest)) - np.repeat(np.cumsum(rest_counts) - rest_counts, rest_counts)
    chunk_starts = np.flatnonzero(rank % CHUNK == 0)
    restart = np.zeros(len(rest), dtype=bool)
    restart[chunk_starts] = True
    chunk_stems = stem[rest][chunk_starts]
    nchunks = np.bincount(chunk_stems, minlength=len(df))
    counted = df > FACET_MIN
    facets, facet_counts = count_numbers(table, docs[np.repeat(counted, df)], df[counted], nchunks[counted] > 0)
    facet_sizes = np.zeros(len(df), dtype=np.int64)
    facet_sizes[counted] = facet_counts
    chunked = nchunks > 0
    records = _pieces(*_per_stem([
        (np.stack([df, nchunks], axis=1).reshape(-1), np.full(len(df), 2)),
        (batch.ks[chunked], chunked.astype(np.int64)),
        (_gaps(docs[rest][chunk_starts], _firsts(chunk_stems)), nchunks),  # each chunk's first document
        (facets, facet_sizes),
        (_gaps(docs[top], _firsts(stem[top])) * LEVELS + lv[top], np.bincount(stem[top], minlength=len(df))),
    ], len(df)))
    rest_codes = _gaps(docs[rest], restart) * LEVELS + lv[rest]
    chunks = _pieces(rest_codes, np.append(chunk_starts, len(rest)))
    numbers = np.arange(len(chunks)) - np.repeat(np.cumsum(nchunks) - nchunks, nchunks)
    names = [chunk_key(batch.hashes[s], int(batch.ks[s]), n)
             for s, n in zip(chunk_stems.tolist(), numbers.tolist(), strict=True)]
    return records, dict(zip(names, chunks, strict=True))


def join_shard(records: dict[str, str]) -> str:
    """A shard's payload: its records sorted by stem, each ``enc(shared) suffix ' ' numbers``."""
    stems = sorted(records)
    shared = shared_prefixes(["", *stems[:-1]], stems)
    return "~".join([f"{enc(n)}{stem[n:]} {records[stem]}" for stem, n in zip(stems, shared, strict=True)])


def split_shard(file_bytes: bytes) -> dict[str, str]:
    """The records of a written shard file, by stem (what :func:`join_shard` joined)."""
    text = file_bytes.decode()
    payload: str = json.loads(text[text.index(",") + 1:text.rindex(")")])
    records, previous = {}, ""
    for rec in payload.split("~") if payload else []:
        reader = Reader(rec)
        shared = reader.int()
        space = rec.index(" ", reader.at)
        stem = previous[:shared] + rec[reader.at:space]
        records[stem] = rec[space + 1:]
        previous = stem
    return records
