"""Term shards and posting chunks: what a query loads for each stem.

Input: the :class:`Inverted` index and the facet keys of each document.
Output: ``{shard key: payload}``. The record of the stem with id ``i`` sits in
term shard ``t/<i % T>``; it holds the stem's document frequency, score range,
chunk starts, facet counts (when it matches more documents than a result page;
year counts only when it has chunks) and its *top block*: the ``TOP_K`` best postings by score. The other postings
go, in document order, to chunk files ``p/<term id>.<n>`` of ``CHUNK``
postings each, which a query loads only when it needs them (AND with another
word, a filter, date order, more results). Touches nothing outside memory.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence
from itertools import repeat
from operator import add, mul, sub

from .codec import base36, enc, enc_all, enc_gaps
from .facets import encode_counts, year_counts
from .inverted import Inverted, TermPostings, bm25
from .parallel import SHARED, run_tasks

TOP_K = 100  # postings in a stem's top block
CHUNK = 1000  # postings per further chunk
LEVELS = 16  # score levels per stem, log-spaced between its lowest and highest score
SCORE_UNIT = 64  # score range stored as integers in 1/64ths
FACET_MIN = 10  # stems in more documents than this store their facet counts
SHARD_TARGET = 4096  # aim for term shards of about this many characters


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


def _top(scores: list[float]) -> list[int]:
    """Ascending indices of the ``TOP_K`` best scores; of equal scores, the earliest win."""
    cut = sorted(scores, reverse=True)[TOP_K - 1]
    above = [i for i, s in enumerate(scores) if s > cut]
    ties = [i for i, s in enumerate(scores) if s == cut][:TOP_K - len(above)]
    return sorted(above + ties)


def _postings(docs: Sequence[int], levels: Sequence[int]) -> str:
    """Postings as enc(gap * LEVELS + level) in document order."""
    gaps = map(sub, docs, itertools.chain((0,), docs))
    return enc_all(list(map(add, map(mul, gaps, repeat(LEVELS, len(docs))), levels)))


def _term_record(term: TermPostings, scores: list[float], doc_keys: Sequence[tuple[int, ...]], ndims: int,
                 year_starts: Sequence[tuple[int, int]]) -> tuple[str, dict[str, str]]:
    """One stem's record (without its id) and its chunk files."""
    df = len(term.docs)
    lo, hi, levels = _levels(scores)
    top = _top(scores) if df > TOP_K else list(range(df))
    chosen = set(top) if df > TOP_K else set()
    rest = [i for i in range(df) if i not in chosen] if chosen else []
    chunks = [rest[i:i + CHUNK] for i in range(0, len(rest), CHUNK)]
    head = [enc(df), enc(lo), enc(hi), enc(len(chunks)), enc_gaps(term.docs[c[0]] for c in chunks)]
    if df > FACET_MIN:
        keys = itertools.chain.from_iterable(map(doc_keys.__getitem__, term.docs)) if ndims > 1 else ()
        # years of a complete posting list follow from its document ids: stored only for chunked stems
        head.append(encode_counts(ndims, keys, year_counts(term.docs, year_starts) if chunks else []))
    head.append(_postings([term.docs[i] for i in top], [levels[i] for i in top]))
    files = {f"p/{base36(term.tid)}.{base36(n)}": _postings([term.docs[i] for i in chunk], [levels[i] for i in chunk])
             for n, chunk in enumerate(chunks)}
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
