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

from dataclasses import dataclass

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


@dataclass
class StemCodes:
    """Per stem id what its forward codes are made of, worked out once for all documents."""

    hashes: np.ndarray  # int64: the 49-bit hash
    big: np.ndarray  # int64: the hash with its base-45 digits reversed, so that sorting groups equal prefixes
    digits: np.ndarray  # uint8 (DIGITS, stems): digit l of the hash (least significant first)
    short: np.ndarray  # int64 (4, stems): the code of the prefix of length 1, 2, 3 (row 0 unused)
    common: np.ndarray  # int64: the one-character code, else 0

    @classmethod
    def of(cls, hashes: np.ndarray, common: np.ndarray) -> StemCodes:
        digits = np.stack([(hashes // _POW[i]) % 45 for i in range(DIGITS)]).astype(np.uint8)
        big = np.zeros(len(hashes), dtype=np.int64)
        for i in range(DIGITS):
            big += digits[i].astype(np.int64) * _POW[DIGITS - 1 - i]
        short = np.stack([np.zeros(len(hashes), dtype=np.int64)]
                         + [45 + OFFSET[length] + hashes % _POW[length] for length in (1, 2, 3)])
        return cls(hashes, big, digits, short, common)


def _shared_digits(cids: np.ndarray, docs: np.ndarray, codes: StemCodes) -> np.ndarray:
    """Per stem of a sorted run (by document, then reversed hash), the digits it shares with the previous
    stem of the same document (``len(cids) + 1`` values, 0 at both ends). Pairs that differ in a digit
    drop out of the loop, so it is short."""
    shared = np.zeros(len(cids) + 1, dtype=np.int64)
    live = np.flatnonzero(docs[1:] == docs[:-1]) + 1  # index of the second stem of each pair
    for length in range(DIGITS):
        row = codes.digits[length]
        live = live[row[cids[live]] == row[cids[live - 1]]]
        if not len(live):
            break
        shared[live] += 1
    return shared


def _need(cids: np.ndarray, docs: np.ndarray, codes: StemCodes) -> tuple[np.ndarray, bool]:
    """Per (stem, document) pair, the digits that make its prefix unique among the pairs of its
    document: counted in tables of one- and two-digit prefixes (most stems need at most two), the
    rest by sorting them, which only those sharing two digits with another stem need."""
    need = np.full(len(cids), 3, dtype=np.int64)
    for length in (2, 1):
        key = docs * _POW[length] + codes.hashes[cids] % _POW[length]
        span = (int(docs.max()) + 1) * _POW[length] if len(docs) else 1
        unique = (np.bincount(key, minlength=span) == 1)[key]
        need[unique] = length
    hard = np.flatnonzero(need == 3)
    order = hard[np.argsort(docs[hard] * _POW[DIGITS] + codes.big[cids[hard]])]
    shared = _shared_digits(cids[order], docs[order], codes)
    need[order] = np.maximum(3, 1 + np.maximum(shared[:-1], shared[1:]))
    return need, bool(len(need)) and int(need.max()) > DIGITS


def rows(sizes: np.ndarray, counted: Counted, first_id: int, codes: StemCodes) -> tuple[list[str], bool]:
    """Rows of consecutive documents (``sizes`` tokens each, from ``first_id`` on; ``counted``: their
    postings). Also says whether two stems of one document share a whole hash (then the salt must
    change)."""
    pair_cid = np.repeat(counted.run_ids, counted.run_lengths)
    pair_doc = counted.docs.astype(np.int64) - first_id
    code = codes.common[pair_cid]
    rare = np.flatnonzero(code == 0)
    need, collided = _need(pair_cid[rare], pair_doc[rare], codes)
    code[rare] = codes.short[np.minimum(need, 3), pair_cid[rare]]
    long = np.flatnonzero(need > 3)  # rare: a prefix of 4 digits or more
    if len(long):
        length = np.minimum(need[long], DIGITS)
        code[rare[long]] = 45 + np.array(OFFSET, dtype=np.int64)[length] + \
            codes.hashes[pair_cid[rare[long]]] % np.array(_POW, dtype=np.int64)[length]
    token_codes = np.zeros(len(counted.posting_of_token), dtype=np.int64)  # 0: the boundary
    words = np.flatnonzero(counted.posting_of_token >= 0)
    token_codes[words] = code[counted.posting_of_token[words]]
    text, offsets = enc_array(token_codes)
    bounds = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=bounds[1:])
    cuts = offsets[bounds].tolist()
    return [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False)], collided
