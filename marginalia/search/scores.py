"""Scores of postings: BM25's document part as one of a few fixed levels, and top blocks.

Input: postings (document ids, weighted term frequencies) and document
lengths. Output: numpy arrays over the same postings. A stored posting holds
only what depends on its own document: the level of
``w = (k1 + 1) * tf / (tf + k1 * (1 - b + b * length / avgdl))`` on a fixed
log scale. The stem's factor, ``idf = ln(1 + (N - df + 0.5) / (df + 0.5))``,
is computed by the browser from the stored document frequency and ``N``, so
one article's edit changes no other article's stored scores. ``avgdl`` is
rounded to a step of 1/8 octave, so an edit almost never moves it. Touches
nothing outside memory.
"""

from __future__ import annotations

import math

import numpy as np

K1 = 1.2
B = 0.75
TOP_K = 100  # postings in a stem's top block
INLINE_MAX = 1000  # a stem in at most this many documents keeps all its postings in its record
LEVELS = 16  # score levels, log-spaced between W_LO and W_HI
W_LO = 0.3  # w of one body word in a long article; lower ones take level 0
W_HI = K1 + 1  # w's limit for a word repeated without end
AVG_STEPS = 8  # avgdl is rounded to 2 ** (n / AVG_STEPS)
_RATIO = (W_HI / W_LO) ** (1 / (LEVELS - 1))
#: The w between level l and l + 1 (the geometric middle of their values); level l stands for W_LO * _RATIO ** l.
BOUNDS = np.array([W_LO * _RATIO ** (level + 0.5) for level in range(LEVELS - 1)], dtype=np.float64)


def rounded_average(total: int, n: int) -> float:
    """The average weighted length, rounded to 1/AVG_STEPS octave (1.0 for an empty archive)."""
    if n == 0 or total == 0:
        return 1.0
    return float(2 ** (round(math.log2(total / n) * AVG_STEPS) / AVG_STEPS))


def norms(lengths: np.ndarray, avg: float) -> np.ndarray:
    """BM25's length normalisation per document: k1 * (1 - b + b * length / avg)."""
    return K1 * (1 - B + B * lengths.astype(np.float64) / avg)  # type: ignore[no-any-return]


def levels(tfs: np.ndarray, doc_norms: np.ndarray) -> np.ndarray:
    """Per posting, the level of ``w`` (``tfs`` and the norms of the postings' documents)."""
    tf = tfs.astype(np.float64)
    w = (K1 + 1) * tf / (tf + doc_norms)
    return np.searchsorted(BOUNDS, w, side="right").astype(np.int64)  # type: ignore[no-any-return]


def top_mask(levels_: np.ndarray, docs: np.ndarray, df: np.ndarray) -> np.ndarray:
    """True for the postings in their stem's top block: every posting of a stem in at most
    INLINE_MAX documents, else its TOP_K best by (level, document id): of equal levels the newest,
    as the browser ranks them."""
    keep = np.ones(len(levels_), dtype=bool)
    starts = (np.cumsum(df) - df).tolist()
    for i in np.flatnonzero(df > INLINE_MAX).tolist():
        a, b = starts[i], starts[i] + int(df[i])
        rank = levels_[a:b] * (1 << 32) + docs[a:b].astype(np.int64)  # distinct: documents differ
        cut = np.partition(rank, len(rank) - TOP_K)[len(rank) - TOP_K]
        keep[a:b] = rank >= cut
    return keep
