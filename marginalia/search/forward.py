"""The forward index: each document as a sequence of stem codes, to verify phrases.

Input: documents as stem ids, with their postings (:class:`Counted`), and per
stem its hash. Output: one row of codes per document. A row depends only on
its own document and on two small parameters of the whole archive, so one
article's edit rewrites one row:

- the *common stems*, those in at least half of the documents (at most 44,
  listed in ``meta``), have the one-character codes 1-44, by stem; 0 is the
  headline/body boundary;
- every other stem is written as the shortest prefix of its 49-bit hash (in
  base-45 digits, least significant first) that no other stem of the same
  document shares, as ``45 + OFFSET[L] + (hash mod 45**L)``. The browser
  computes the same hash of a phrase's stem and compares prefixes: as the
  phrase's stems are in the document, a prefix unique in the document is
  exact. Should two stems of one document share all 49 bits, ``salt`` (in
  ``meta``) changes the hash for the whole archive.

Common words take one character, the rest mostly two or three: 1.70
characters per word on BBC news against 1.77 for ids ranked by frequency,
which changed with every edit. Touches nothing outside memory.
"""

from __future__ import annotations

import numpy as np

from .codec import FORWARD_BASIS, enc_array, fnv1a_all
from .scan import Counted

COMMON_MAX = 44  # one-character codes 1..44
DIGITS = 9  # base-45 digits of the hash: 45 ** 9 > 2 ** 49
_POW = [45 ** i for i in range(DIGITS + 1)]
OFFSET = [0, 0] + [sum(_POW[1:length]) for length in range(2, DIGITS + 1)]  # codes of shorter prefixes
SALT_STEP = 0x9E3779B1


def common_stems(df: np.ndarray, stems: list[str], n: int) -> list[str]:
    """Stems in at least half of the ``n`` documents: the COMMON_MAX most frequent (then by stem),
    in code order (by stem)."""
    found = np.flatnonzero((df > 0) & (2 * df >= n))
    found = found[found != 0]
    best = sorted(found.tolist(), key=lambda c: (-int(df[c]), stems[c]))[:COMMON_MAX]
    return sorted(stems[c] for c in best)


def stem_hashes(stems: list[str], h1: np.ndarray, salt: int) -> np.ndarray:
    """Per stem its 49-bit forward hash: FNV-1a (``h1``) and 17 bits of a second, salted FNV-1a."""
    h2 = fnv1a_all(stems, (FORWARD_BASIS + salt * SALT_STEP) & 0xFFFFFFFF)
    return (h1.astype(np.int64) + ((h2.astype(np.int64) & 0x1FFFF) << 32))  # type: ignore[no-any-return]


def big_endian(x: np.ndarray) -> np.ndarray:
    """The hashes with their base-45 digits reversed, so that sorting groups equal prefixes."""
    out = np.zeros(len(x), dtype=np.int64)
    for i in range(DIGITS):
        out += (x // _POW[i]) % 45 * _POW[DIGITS - 1 - i]
    return out


def _shared_digits(keys: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Per sorted key, the leading digits it shares with the previous key of the same document
    (``len(keys) + 1`` values, 0 at both ends). Pairs that differ in a digit drop out of the loop."""
    shared = np.zeros(len(keys) + 1, dtype=np.int64)
    live = np.flatnonzero(docs[1:] == docs[:-1]) + 1  # index of the second key of each pair
    for length in range(1, DIGITS + 1):
        div = _POW[DIGITS - length]
        live = live[keys[live] // div == keys[live - 1] // div]
        if not len(live):
            break
        shared[live] += 1
    return shared


def rows(sizes: np.ndarray, counted: Counted, first_id: int, common: np.ndarray,
         hashes: np.ndarray, big: np.ndarray) -> tuple[list[str], bool]:
    """Rows of consecutive documents (``sizes`` tokens each, from ``first_id`` on; ``counted``: their
    postings); ``common``: per stem id its code 1-44, else 0; ``hashes``: per stem id its 49-bit hash
    and ``big`` the same reversed (:func:`big_endian`). Also says whether two stems of one document
    share a whole hash (then the salt must change)."""
    pair_cid = np.repeat(counted.run_ids, counted.run_lengths)
    pair_doc = counted.docs.astype(np.int64) - first_id
    code = common[pair_cid].astype(np.int64)
    rare = np.flatnonzero(code == 0)
    rare_cid = pair_cid[rare]
    order = np.argsort(pair_doc[rare] * _POW[DIGITS] + big[rare_cid])
    shared = _shared_digits(big[rare_cid][order], pair_doc[rare][order])
    need = 1 + np.maximum(shared[:-1], shared[1:])
    collided = bool(len(need)) and int(need.max()) > DIGITS
    need = np.minimum(need, DIGITS)
    pows = np.array(_POW, dtype=np.int64)
    code[rare[order]] = 45 + np.array(OFFSET, dtype=np.int64)[need] + hashes[rare_cid][order] % pows[need]
    token_codes = np.zeros(len(counted.posting_of_token), dtype=np.int64)  # 0: the boundary
    words = np.flatnonzero(counted.posting_of_token >= 0)
    token_codes[words] = code[counted.posting_of_token[words]]
    text, offsets = enc_array(token_codes)
    bounds = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=bounds[1:])
    cuts = offsets[bounds].tolist()
    return [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False)], collided
