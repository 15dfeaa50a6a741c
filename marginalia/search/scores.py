"""Scores of postings: BM25, each stem's score range and levels, and its top block.

Input: a run of consecutive stems, as flat arrays (each stem's postings after the
previous stem's: document ids, weighted term frequencies) and the per-document
length norms. Output: numpy arrays over the same postings. Everything is
computed for all the stems at once, with the same float operations, in the same
order, as the one-stem definitions (``inverted.bm25``, and the level and top
block rules below), so every score, level and choice is the one those give.
Touches nothing outside memory.
"""

from __future__ import annotations

import bisect
import math

import numpy as np

from .inverted import bm25_scale

TOP_K = 100  # postings in a stem's top block
INLINE_MAX = 1000  # a stem in at most this many documents keeps all its postings in its record
LEVELS = 16  # score levels per stem, log-spaced between its lowest and highest score
SCORE_UNIT = 64  # score range stored as integers in 1/64ths
_SEARCH = (8, 4, 2, 1)  # binary search steps over the LEVELS - 1 bounds between levels
assert sum(_SEARCH) == LEVELS - 1


def bm25_all(df: np.ndarray, docs: np.ndarray, tfs: np.ndarray, n: int, norms: np.ndarray) -> np.ndarray:
    """``bm25`` of every posting: ``scale * tf / (tf + norm)``, with each stem's ``scale`` from
    ``math.log`` (computed once per distinct document frequency)."""
    freqs, which = np.unique(df, return_inverse=True)
    scales = np.array([bm25_scale(f, n) for f in freqs.tolist()], dtype=np.float64)[which]
    tf = tfs.astype(np.float64)
    return np.repeat(scales, df) * tf / (tf + norms[docs])  # type: ignore[no-any-return]


def level_bounds(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Per score range [lo, hi] (in SCORE_UNITs, lo < hi), the LEVELS - 1 scores between its levels:
    level l stands for lo * (hi/lo)^(l/15), and a score takes the nearest level (in log). Row i is
    ``[lo * math.exp(step * (j + 0.5)) / SCORE_UNIT for j in range(15)]`` with
    ``step = math.log(hi / lo) / 15``: numpy does the arithmetic (IEEE, so the same floats) and
    ``math`` the logarithms and exponentials, whose last bit numpy's own may not share."""
    ratio = hi.astype(np.float64) / lo.astype(np.float64)
    step = np.array(list(map(math.log, ratio.tolist())), dtype=np.float64) / (LEVELS - 1)
    powers = (step[:, None] * (np.arange(LEVELS - 1) + 0.5)).reshape(-1).tolist()
    exps = np.array(list(map(math.exp, powers)), dtype=np.float64).reshape(len(lo), LEVELS - 1)
    return lo.astype(np.float64)[:, None] * exps / SCORE_UNIT  # type: ignore[no-any-return]


def levels_all(scores: np.ndarray, df: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per stem its score range in SCORE_UNITs, ``lo = max(1, floor(min * 64))`` and
    ``hi = max(lo, ceil(max * 64))``, and per posting its level: ``bisect.bisect(bounds, score)``
    (0 throughout when lo == hi)."""
    starts = np.cumsum(df) - df
    lo = np.maximum(1, np.floor(np.minimum.reduceat(scores, starts) * SCORE_UNIT)).astype(np.int64)
    hi = np.maximum(lo, np.ceil(np.maximum.reduceat(scores, starts) * SCORE_UNIT).astype(np.int64))
    span = int(hi.max()) + 1 if len(hi) else 1
    pairs, which = np.unique(lo * span + hi, return_inverse=True)  # stems of equal ranges share bounds
    pair_lo, pair_hi = pairs // span, pairs % span
    table = np.full((len(pairs), LEVELS), np.inf)  # a last column of +inf: no score passes it
    ranged = np.flatnonzero(pair_lo < pair_hi)
    table[ranged, :-1] = level_bounds(pair_lo[ranged], pair_hi[ranged])
    posting_row = np.repeat(which.reshape(-1), df)
    level = np.zeros(len(scores), dtype=np.int64)
    flat = table.reshape(-1)
    for step in _SEARCH:  # bisect_right: count the bounds <= score, as a binary search
        level += step * (flat[posting_row * LEVELS + level + step - 1] <= scores)
    for row in np.flatnonzero((table[:, 1:-1] < table[:, :-2]).any(axis=1)).tolist():
        hit = np.flatnonzero(posting_row == row)  # never seen: bisection needs ascending bounds
        level[hit] = [bisect.bisect(table[row, :-1].tolist(), s) for s in scores[hit].tolist()]
    return lo, hi, level


def top_mask(scores: np.ndarray, df: np.ndarray) -> np.ndarray:
    """True for the postings in their stem's top block: every posting of a stem in at most
    INLINE_MAX documents, else its TOP_K best scores, of equal scores the earliest."""
    keep = np.ones(len(scores), dtype=bool)
    starts = (np.cumsum(df) - df).tolist()
    for i in np.flatnonzero(df > INLINE_MAX).tolist():
        a, b = starts[i], starts[i] + int(df[i])
        stem = scores[a:b]
        cut = -np.partition(-stem, TOP_K - 1)[TOP_K - 1]  # the TOP_K-th best score
        keep[a:b] = stem > cut
        ties = np.flatnonzero(stem == cut)
        keep[a + ties[:TOP_K - int(np.count_nonzero(keep[a:b]))]] = True
    return keep
