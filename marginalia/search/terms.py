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
Touches nothing outside memory.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence
from itertools import repeat
from operator import add, eq, gt, mul, sub

from .codec import base36, enc, enc_all, enc_gaps
from .facets import encode_counts, year_counts
from .inverted import Inverted, TermPostings, bm25
from .parallel import SHARED, run_tasks

TOP_K = 100  # postings in a stem's top block
INLINE_MAX = 1000  # a stem in at most this many documents keeps all its postings in its record
CHUNK = 1000  # postings per further chunk
LEVELS = 16  # score levels per stem, log-spaced between its lowest and highest score
SCORE_UNIT = 64  # score range stored as integers in 1/64ths
FACET_MIN = 10  # stems in more documents than this store their facet counts
SHARD_TARGET = 4096  # aim for term shards of about this many characters
_FLIP = bytes.maketrans(b"\0\1", b"\1\0")


def _levels(scores: list[float]) -> tuple[int, int, list[int]]:
    """The stem's score range (in SCORE_UNITs) and each posting's level in it."""
    lo = max(1, math.floor(min(scores) * SCORE_UNIT))
    hi = max(lo, math.ceil(max(scores) * SCORE_UNIT))
    if hi == lo:
        return lo, hi, [0] * len(scores)
    step = math.log(hi / lo) / (LEVELS - 1)
    # Level l stands for lo * (hi/lo)^(l/15); a score takes the nearest level (in log).
    bounds = [lo * math.exp(step * (i + 0.5)) / SCORE_UNIT for i in range(LEVELS - 1)]
    return lo, hi, list(map(bisect.bisect, repeat(bounds, len(scores)), scores))


def _top_mask(scores: list[float]) -> bytearray:
    """1 for the ``TOP_K`` best scores, else 0; of equal scores, the earliest win."""
    n = len(scores)
    cut = sorted(scores, reverse=True)[TOP_K - 1]
    mask = bytearray(map(gt, scores, repeat(cut, n)))
    for i in itertools.islice(itertools.compress(range(n), map(eq, scores, repeat(cut, n))), TOP_K - mask.count(1)):
        mask[i] = 1
    return mask


def _postings(docs: Sequence[int], levels: Sequence[int]) -> str:
    """Postings as enc(gap * LEVELS + level) in document order."""
    gaps = map(sub, docs, itertools.chain((0,), docs))
    return enc_all(list(map(add, map(mul, gaps, repeat(LEVELS, len(docs))), levels)))


def _term_record(term: TermPostings, scores: list[float], doc_keys: Sequence[tuple[int, ...]], ndims: int,
                 year_starts: Sequence[tuple[int, int]]) -> tuple[str, dict[str, str]]:
    """One stem's record (without its id) and its chunk files."""
    df = len(term.docs)
    lo, hi, levels = _levels(scores)
    if df > INLINE_MAX:
        keep = _top_mask(scores)
        drop = keep.translate(_FLIP)
        top_docs, top_levels = list(itertools.compress(term.docs, keep)), list(itertools.compress(levels, keep))
        rest_docs, rest_levels = list(itertools.compress(term.docs, drop)), list(itertools.compress(levels, drop))
    else:
        top_docs, top_levels, rest_docs, rest_levels = list(term.docs), levels, [], []
    starts = range(0, len(rest_docs), CHUNK)
    head = [enc(df), enc(lo), enc(hi), enc(len(starts)), enc_gaps(rest_docs[i] for i in starts)]
    if df > FACET_MIN:
        keys = itertools.chain.from_iterable(map(doc_keys.__getitem__, term.docs)) if ndims > 1 else ()
        # years of a complete posting list follow from its document ids: stored only for chunked stems
        head.append(encode_counts(ndims, keys, year_counts(term.docs, year_starts) if starts else []))
    head.append(_postings(top_docs, top_levels))
    files = {f"p/{base36(term.tid)}.{base36(n)}": _postings(rest_docs[i:i + CHUNK], rest_levels[i:i + CHUNK])
             for n, i in enumerate(starts)}
    return "".join(head), files


def _terms_task(part: int, parts: int) -> tuple[list[tuple[int, str]], dict[str, str]]:
    """Records and chunk files of every ``parts``-th stem, starting at stem ``part + 1``."""
    inv: Inverted = SHARED["inv"]
    norms, ndims, doc_keys, year_starts = SHARED["norms"], SHARED["ndims"], SHARED["doc_keys"], SHARED["years"]
    records: list[tuple[int, str]] = []
    files: dict[str, str] = {}
    for term in inv.terms[1 + part::parts]:
        record, chunk_files = _term_record(term, bm25(term, len(inv.docs), norms), doc_keys, ndims, year_starts)
        records.append((term.tid, record))
        files.update(chunk_files)
    return records, files


def term_payloads(inv: Inverted, doc_keys: list[tuple[int, ...]], ndims: int,
                  year_starts: Sequence[tuple[int, int]], jobs: int = 1) -> tuple[int, dict[str, str]]:
    """All term shards and chunk files; returns (number of term shards, payloads)."""
    parts = max(1, min(jobs, len(inv.terms) // 1000)) * 2 if jobs > 1 else 1
    shared = {"inv": inv, "norms": inv.norms(), "ndims": ndims, "doc_keys": doc_keys, "years": year_starts}
    results = run_tasks(_terms_task, [(i, parts) for i in range(parts)], shared, jobs)
    records = sorted(r for part_records, _ in results for r in part_records)
    files: dict[str, str] = {}
    for _, part_files in results:
        files.update(part_files)
    total = sum(len(r) + 3 for _, r in records)
    nshards = max(1, math.ceil(total / SHARD_TARGET))
    shards: dict[int, list[str]] = {}
    for tid, record in records:  # ascending ids: each shard lists its records by id
        shards.setdefault(tid % nshards, []).append(enc(tid // nshards) + record)
    for bucket, items in shards.items():
        files[f"t/{base36(bucket)}"] = "~".join(items)
    return nshards, files
