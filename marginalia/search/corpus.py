"""The scanned archive: every document as a sequence of word ids, and the word and stem tables.

Input: scanned slices (:class:`SliceScan`) and, on a rebuild, the corpus of
the previous build. Output: a :class:`Corpus`, documents in id order (by
date, then URL). It is what the search cache keeps between builds: a
document whose key the previous corpus holds is taken from it and not
scanned again. Word and stem ids are internal to the corpus and the cache
(numbered in order of first appearance, never written into the index), so
the index bytes never depend on them. Touches nothing outside memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property

import numpy as np

from .doc import SearchDoc
from .scan import BOUNDARY, TITLE_WEIGHT, SliceScan

__all__ = ["Corpus", "Piece", "assemble", "order_docs"]


def order_docs(docs: Sequence[SearchDoc]) -> list[int]:
    """Indexes of ``docs`` by (date, url): undated first, then oldest to newest."""
    return sorted(range(len(docs)), key=lambda i: (docs[i].date or "", docs[i].url, docs[i].key))


@dataclass
class Corpus:
    """Documents as word ids, with what a rebuild needs to know of them without their text."""

    keys: list[str]  # per document id: its key (SearchDoc.key, or a digest of its fields)
    tokens: np.ndarray  # uint32 word ids, document after document: headline, BOUNDARY, body
    sizes: np.ndarray  # int64 tokens per document
    titles: np.ndarray  # int64 headline words per document
    excerpts: list[str]  # per document: what a result shows of its text
    words: list[str] = field(default_factory=lambda: [""])  # word id -> word (may outlive the word)
    wid_cid: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.uint32))  # word id -> stem id
    stems: list[str] = field(default_factory=lambda: [""])  # stem id -> stem

    @cached_property
    def bounds(self) -> np.ndarray:
        """Document ``i``'s tokens are ``tokens[bounds[i]:bounds[i + 1]]``."""
        bounds = np.zeros(len(self.sizes) + 1, dtype=np.int64)
        np.cumsum(self.sizes, out=bounds[1:])
        return bounds

    @cached_property
    def lengths(self) -> np.ndarray:
        """Weighted lengths: TITLE_WEIGHT * headline words + body words."""
        return TITLE_WEIGHT * self.titles + (self.sizes - 1 - self.titles)  # type: ignore[no-any-return]

    @cached_property
    def cids(self) -> np.ndarray:
        """Every token's stem id."""
        return self.wid_cid[self.tokens]

    @cached_property
    def word_index(self) -> dict[str, int]:
        """word -> word id."""
        return {w: i for i, w in enumerate(self.words)}

    @cached_property
    def stem_index(self) -> dict[str, int]:
        """stem -> stem id."""
        return {s: i for i, s in enumerate(self.stems)}

    def __getstate__(self) -> dict[str, object]:
        """Only the fields: what is cached is made again from them (and would double the file)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def doc_cids(self, doc: int) -> np.ndarray:
        """The stem ids of one document's tokens."""
        return self.wid_cid[self.tokens[self.bounds[doc]:self.bounds[doc + 1]]]  # type: ignore[no-any-return]


@dataclass
class Piece:
    """Where a document of the new corpus comes from: a document of the old corpus (``scan`` is
    None, ``index`` its id there) or document ``index`` of a fresh scan."""

    key: str
    scan: SliceScan | None
    index: int


def _tables(old: Corpus | None) -> tuple[list[str], dict[str, int], list[int], list[str], dict[str, int]]:
    words = list(old.words) if old else [""]
    stems = list(old.stems) if old else [""]
    wid_cid = old.wid_cid.tolist() if old else [BOUNDARY]
    return words, {w: i for i, w in enumerate(words)}, wid_cid, stems, {s: i for i, s in enumerate(stems)}


def assemble(pieces: Sequence[Piece], old: Corpus | None) -> Corpus:
    """The corpus of ``pieces`` in order: old documents copied, scanned ones numbered into the old
    tables (new words and stems get new ids)."""
    words, word_index, wid_cid, stems, stem_index = _tables(old)
    mapped: dict[int, np.ndarray] = {}  # id(scan) -> its tokens as global word ids
    sources: list[np.ndarray] = [old.tokens if old else np.zeros(0, dtype=np.uint32)]
    source_of: dict[int, int] = {}
    for piece in pieces:
        scan = piece.scan
        if scan is None or id(scan) in mapped:
            continue
        local = np.empty(len(scan.words), dtype=np.uint32)
        for i, (word, stem) in enumerate(zip(scan.words, scan.stems, strict=True)):
            wid = word_index.get(word)
            if wid is None:
                wid = word_index[word] = len(words)
                words.append(word)
                wid_cid.append(stem_index.setdefault(stem, len(stem_index)))
                if len(stem_index) > len(stems):
                    stems.append(stem)
            local[i] = wid
        mapped[id(scan)] = local[scan.tokens]
        source_of[id(scan)] = len(sources)
        sources.append(mapped[id(scan)])
    offsets = np.cumsum([0] + [len(s) for s in sources])
    scans = {id(p.scan): p.scan for p in pieces if p.scan is not None}
    scan_bounds = {key: np.concatenate([[0], np.cumsum(s.sizes)]).tolist() for key, s in scans.items()}
    scan_sizes = {key: s.sizes.tolist() for key, s in scans.items()}
    scan_titles = {key: s.titles.tolist() for key, s in scans.items()}
    old_bounds = old.bounds.tolist() if old else [0]
    old_sizes = old.sizes.tolist() if old else []
    old_titles = old.titles.tolist() if old else []
    starts, sizes, titles, excerpts = [], [], [], []
    for piece in pieces:
        i = piece.index
        if piece.scan is None:
            assert old is not None
            starts.append(old_bounds[i])
            sizes.append(old_sizes[i])
            titles.append(old_titles[i])
            excerpts.append(old.excerpts[i])
        else:
            sid = id(piece.scan)
            starts.append(int(offsets[source_of[sid]]) + scan_bounds[sid][i])
            sizes.append(scan_sizes[sid][i])
            titles.append(scan_titles[sid][i])
            excerpts.append(piece.scan.excerpts[i])
    size_arr = np.array(sizes, dtype=np.int64)
    everything = np.concatenate(sources) if len(sources) > 1 else sources[0]
    take = np.repeat(np.array(starts, dtype=np.int64) - (np.cumsum(size_arr) - size_arr), size_arr) \
        + np.arange(int(size_arr.sum()))
    corpus = Corpus([p.key for p in pieces], everything[take], size_arr, np.array(titles, dtype=np.int64),
                    excerpts, words, np.array(wid_cid, dtype=np.uint32), stems)
    corpus.__dict__["word_index"] = word_index  # made above already
    corpus.__dict__["stem_index"] = stem_index
    return corpus
