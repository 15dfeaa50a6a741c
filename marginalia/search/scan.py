"""Scanning documents: text -> word ids, and counting postings.

Input: a contiguous slice of documents (or, through a :class:`Scanner`,
documents batch after batch). Output: a :class:`SliceScan`, each
document as a sequence of slice-local word ids (headline, ``BOUNDARY``,
body), with the stem of every word. :func:`count` turns sequences of stem ids
into postings grouped by stem, and :func:`merge_runs` joins such groups.
Slices can be scanned in parallel processes: every value returned is a flat
numpy array or a small list. Python only splits the text and looks each word
up; counting and grouping is numpy. Touches nothing outside memory.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .doc import SearchDoc
from .tokens import Stemmer, words

TITLE_WEIGHT = 3  # a headline word counts as three body words
BOUNDARY = 0  # word (and stem) id 0 separates headline from body in a sequence
BATCH = 1000  # documents whose word ids are gathered in a list before joining the slice's array


@dataclass
class SliceScan:
    """One slice of documents, scanned; word ids are local to the slice (1-based)."""

    words: list[str]  # local id -> word ("" for the boundary)
    stems: list[str]  # local id -> the word's stem ("" for the boundary)
    tokens: np.ndarray  # uint32: every document's word ids (headline, BOUNDARY, body), concatenated
    sizes: np.ndarray  # int64: tokens per document (its BOUNDARY included)
    titles: np.ndarray  # int64: headline words per document
    excerpts: list[str]  # per document, the start of its text that results show


class _Ids(dict[str, int]):
    """Word -> local id; a new word gets the next id in ``__missing__``, so ``map(ids.__getitem__,
    words)`` numbers a document's words at C speed."""

    def __missing__(self, word: str) -> int:
        wid = self[word] = len(self)
        return wid


class Scanner:
    """Documents scanned in turn into one :class:`SliceScan`: each distinct word gets its id and
    its stem once, however many times documents are added."""

    def __init__(self, stemmer: Stemmer) -> None:
        self.stemmer = stemmer
        self._empty()

    def _empty(self) -> None:
        self.ids = _Ids({"": BOUNDARY})
        self.stems = [""]
        self.tokens = array("I")  # grown in place, a batch at a time: array() converts a list fastest
        self.sizes: list[int] = []
        self.titles: list[int] = []
        self.excerpts: list[str] = []

    def add(self, docs: Sequence[SearchDoc]) -> None:
        """Tokenize ``docs`` after those added before, and stem the words new to this scanner."""
        from .records import excerpt  # records imports facets, which needs nothing from here

        get, sizes, titles = self.ids.__getitem__, self.sizes, self.titles
        for start in range(0, len(docs), BATCH):
            batch: list[int] = []
            for doc in docs[start:start + BATCH]:
                mark = len(batch)
                batch += map(get, words(doc.title))
                titles.append(len(batch) - mark)
                batch.append(BOUNDARY)
                batch += map(get, words(doc.text))
                sizes.append(len(batch) - mark)
            self.tokens.extend(array("I", batch))
        if len(self.ids) > len(self.stems):
            self.stems += map(self.stemmer.stem, list(self.ids)[len(self.stems):])
        self.excerpts += (excerpt(doc.text) for doc in docs)

    def take(self) -> SliceScan:
        """Every document added so far, as one scan; the scanner is empty after (its token buffer
        is the scan's now, not a copy, and goes when the scan lets it go)."""
        scan = SliceScan(list(self.ids), self.stems, np.frombuffer(self.tokens, dtype=np.uint32),
                         np.array(self.sizes, dtype=np.int64), np.array(self.titles, dtype=np.int64),
                         self.excerpts)
        self._empty()
        return scan


def scan_slice(docs: Sequence[SearchDoc], stemmer: Stemmer) -> SliceScan:
    """Tokenize ``docs`` and stem each distinct word once."""
    scanner = Scanner(stemmer)
    scanner.add(docs)
    return scanner.take()


@dataclass
class Counted:
    """Postings of a run of documents, grouped by stem: stem ``run_ids[i]`` has ``run_lengths[i]``
    postings, in document order; and, per token, the index of its (stem, document) posting."""

    run_ids: np.ndarray
    run_lengths: np.ndarray
    docs: np.ndarray  # uint32
    tfs: np.ndarray  # uint32: TITLE_WEIGHT * headline tf + body tf
    posting_of_token: np.ndarray  # int32, -1 for a BOUNDARY token


def count(sequence: np.ndarray, sizes: np.ndarray, titles: np.ndarray, first_id: int) -> Counted:
    """The postings of consecutive documents given as stem ids (``sizes`` tokens each, the first
    ``titles`` of them headline words). A stable sort by stem keeps the tokens of a stem in document
    order, so equal (stem, document) pairs sit side by side and are summed as runs."""
    ends = np.cumsum(sizes)
    doc = np.repeat(np.arange(first_id, first_id + len(sizes), dtype=np.uint32), sizes)
    place = np.arange(len(sequence)) - np.repeat(ends - sizes, sizes)  # a token's place in its document
    weight = np.where(place < np.repeat(titles, sizes), TITLE_WEIGHT, 1).astype(np.uint32)
    order = _stable_order(sequence)
    skip = int(np.count_nonzero(sequence == BOUNDARY))  # they sort first (stem 0) and are dropped
    order = order[skip:]
    sids, docs = sequence[order], doc[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (sids[1:] != sids[:-1]) | (docs[1:] != docs[:-1])
    starts = np.flatnonzero(new)
    tfs = np.add.reduceat(weight[order], starts) if len(starts) else np.zeros(0, dtype=np.uint32)
    posting_of_token = np.full(len(sequence), -1, dtype=np.int32)  # (held for every run until the rows are made)
    posting_of_token[order] = np.cumsum(new) - 1
    sids = sids[starts].astype(np.int64)
    runs = np.flatnonzero(np.diff(sids, prepend=-1))  # where each stem's postings start
    return Counted(sids[runs], np.diff(runs, append=len(sids)), docs[starts], tfs.astype(np.uint32),
                   posting_of_token)


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
