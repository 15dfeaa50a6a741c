"""Scanning documents: words -> stems -> per-slice postings and stem sequences.

Input: a contiguous slice of documents (in id order). Output: a
:class:`SliceScan` with slice-local stem ids. :func:`merge_scans` joins the
slices' stems, in order, into global ids, and :func:`merge_runs` their
postings. Slices can be scanned in parallel processes: every value returned is
a flat numpy array or a small list, cheap to send between processes. Python
only splits the text and looks each word up; counting and grouping the
postings is done by numpy, on a few thousand documents at a time. Touches
nothing outside memory.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .doc import SearchDoc
from .tokens import Stemmer, words

TITLE_WEIGHT = 3  # a headline word counts as three body words
BOUNDARY = 0  # stem id 0 separates headline from body in a stem sequence
BATCH = 1000  # documents counted at a time: numpy's temporaries take ~80 bytes a word


@dataclass
class SliceScan:
    """One slice of documents, scanned; stem ids are local to the slice (1-based)."""

    stems: list[str]  # local id -> stem ("" for the boundary)
    word_ids: dict[str, int]  # word -> local stem id
    post_docs: np.ndarray  # uint32: per local stem, the ids of its documents, ascending, concatenated
    post_tfs: np.ndarray  # uint32: the weighted tf of each of those postings
    offsets: np.ndarray  # int64: postings of local stem i are [offsets[i], offsets[i + 1])
    sequences: np.ndarray  # uint32: every document's stem ids (headline, BOUNDARY, body), concatenated
    bounds: np.ndarray  # int64: document j of the slice is sequences[bounds[j]:bounds[j + 1]]
    lengths: np.ndarray  # int64: weighted lengths, TITLE_WEIGHT * headline words + body words


class _Ids(dict[str, int]):
    """Word -> local stem id. A word met for the first time is stemmed in ``__missing__``, so
    ``map(ids.__getitem__, words)`` numbers a document's words at C speed."""

    def __init__(self, stemmer: Stemmer) -> None:
        super().__init__()
        self.stemmer = stemmer
        self.stem_ids = {"": BOUNDARY}  # stem -> id, in order of first appearance

    def __missing__(self, word: str) -> int:
        sid = self[word] = self.stem_ids.setdefault(self.stemmer.stem(word), len(self.stem_ids))
        return sid


@dataclass
class _Counted:
    """One batch of a slice: its documents' sizes and its postings, grouped by stem."""

    sizes: np.ndarray  # per document, its tokens (with its BOUNDARY)
    lengths: np.ndarray  # per document, its weighted length
    run_ids: np.ndarray  # the stems that occur, ascending
    run_lengths: np.ndarray  # how many documents each is in
    docs: np.ndarray
    tfs: np.ndarray


def scan_slice(docs: Sequence[SearchDoc], first_id: int, stemmer: Stemmer) -> SliceScan:
    """Tokenize, stem and count ``docs``, whose ids start at ``first_id``."""
    ids = _Ids(stemmer)
    get = ids.__getitem__
    batches = []
    sequences = array("I")  # grown in place: no second copy of the slice's words at the end
    for start in range(0, len(docs), BATCH):
        tokens: list[int] = []
        ends, titles = [], []
        for doc in docs[start:start + BATCH]:
            mark = len(tokens)
            tokens += map(get, words(doc.title))
            titles.append(len(tokens) - mark)
            tokens.append(BOUNDARY)
            tokens += map(get, words(doc.text))
            ends.append(len(tokens))
        mark = len(sequences)
        sequences.extend(array("I", tokens))  # array() converts a list fastest
        batches.append(_count(np.frombuffer(sequences, dtype=np.uint32)[mark:], np.array(ends, dtype=np.int64),
                              np.array(titles, dtype=np.int64), first_id + start))
    stems = list(ids.stem_ids)
    offsets, post_docs, post_tfs = merge_runs([(b.run_ids, b.run_lengths, b.docs, b.tfs) for b in batches], len(stems))
    bounds = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(_joined([b.sizes for b in batches], np.int64), out=bounds[1:])
    return SliceScan(stems, dict(ids), post_docs, post_tfs, offsets, np.frombuffer(sequences, dtype=np.uint32),
                     bounds, _joined([b.lengths for b in batches], np.int64))


def _joined(arrays: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.zeros(0, dtype=dtype)


def _count(sequence: np.ndarray, ends: np.ndarray, titles: np.ndarray, first_id: int) -> _Counted:
    """The postings of a batch of documents: for each stem, its documents (ascending) and
    weighted term frequencies. A stable sort by stem keeps the tokens of a stem in document
    order, so equal (stem, document) pairs sit side by side and are summed as runs."""
    sizes = np.diff(ends, prepend=0)
    doc = np.repeat(np.arange(first_id, first_id + len(ends), dtype=np.uint32), sizes)
    place = np.arange(len(sequence)) - np.repeat(ends - sizes, sizes)  # a token's place in its document
    weight = np.where(place < np.repeat(titles, sizes), TITLE_WEIGHT, 1).astype(np.uint32)
    # each document's BOUNDARY token sorts first (stem 0): the first len(ends) are dropped
    order = _stable_order(sequence)[len(ends):]
    sids, docs = sequence[order], doc[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (sids[1:] != sids[:-1]) | (docs[1:] != docs[:-1])
    starts = np.flatnonzero(new)
    tfs = np.add.reduceat(weight[order], starts) if len(starts) else np.zeros(0, dtype=np.uint32)
    sids = sids[starts].astype(np.int64)
    runs = np.flatnonzero(np.diff(sids, prepend=-1))  # where each stem's postings start
    lengths = TITLE_WEIGHT * titles + (sizes - 1 - titles)
    return _Counted(sizes, lengths, sids[runs], np.diff(runs, append=len(sids)),
                    docs[starts], tfs.astype(np.uint32))


def _stable_order(values: np.ndarray) -> np.ndarray:
    """``np.argsort(values, kind="stable")`` for uint32, as one or two radix passes over 16 bits."""
    low = np.argsort((values & 0xFFFF).astype(np.uint16), kind="stable")
    if not len(values) or int(values.max()) <= 0xFFFF:
        return low
    return low[np.argsort((values[low] >> 16).astype(np.uint16), kind="stable")]


def merge_runs(parts: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
               nids: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Postings of ``parts`` in document order, grouped by id: (offsets, docs, tfs).

    Each part is (ids, run lengths, docs, tfs): its postings in runs, run ``i`` belonging to id
    ``ids[i]`` (no id twice in a part). Within an id, the parts' runs follow each other in order,
    so document order holds when the parts do. Each posting is written once, to its place."""
    counts = np.zeros(nids, dtype=np.int64)
    for ids, lengths, _, _ in parts:
        counts[ids] += lengths
    offsets = np.zeros(nids + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    docs = np.empty(int(offsets[-1]), dtype=np.uint32)
    tfs = np.empty(int(offsets[-1]), dtype=np.uint32)
    cursor = offsets[:-1].copy()
    for ids, lengths, part_docs, part_tfs in parts:
        run_starts = np.cumsum(lengths) - lengths
        place = np.repeat(cursor[ids] - run_starts, lengths) + np.arange(len(part_docs))
        docs[place] = part_docs
        tfs[place] = part_tfs
        cursor[ids] += lengths
    return offsets, docs, tfs


@dataclass
class Merged:
    """All slices' stems joined: global ids in order of first appearance."""

    stems: list[str]  # id -> stem (id 0: boundary)
    df: list[int]  # id -> number of documents
    word_ids: dict[str, int]
    to_global: list[np.ndarray]  # per slice: local id -> global id
    lengths: np.ndarray


def merge_scans(scans: Sequence[SliceScan]) -> Merged:
    """Join the stems of slices scanned in document order (the postings: :func:`merge_runs`)."""
    ids: dict[str, int] = {"": BOUNDARY}
    word_ids: dict[str, int] = {}
    to_global: list[np.ndarray] = []
    for scan in scans:
        local = [ids.setdefault(stem, len(ids)) for stem in scan.stems]
        # a word has one stem wherever it occurs, so later slices only repeat known entries
        word_ids.update(zip(scan.word_ids, map(local.__getitem__, scan.word_ids.values()), strict=True))
        to_global.append(np.array(local, dtype=np.int64))
    df = np.zeros(len(ids), dtype=np.int64)
    for scan, local_ids in zip(scans, to_global, strict=True):
        df[local_ids] += np.diff(scan.offsets)
    lengths = np.concatenate([s.lengths for s in scans]) if scans else np.zeros(0, dtype=np.int64)
    return Merged(list(ids), df.tolist(), word_ids, to_global, lengths)
