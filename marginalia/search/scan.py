"""Scanning documents: words -> stems -> per-slice postings and stem sequences.

Input: a contiguous slice of documents (in id order). Output: a
:class:`SliceScan` with slice-local stem ids. :func:`merge_scans` joins the
slices, in order, into global postings. Slices can be scanned in parallel
processes: every value returned is a flat ``array`` or a small list, cheap to
send between processes. Touches nothing outside memory.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .doc import SearchDoc
from .tokens import WORD_RE, Stemmer, normalize

TITLE_WEIGHT = 3  # a headline word counts as three body words
BOUNDARY = 0  # stem id 0 separates headline from body in a stem sequence


@dataclass
class SliceScan:
    """One slice of documents, scanned; stem ids are local to the slice (1-based)."""

    stems: list[str]  # local id -> stem ("" for the boundary)
    word_ids: dict[str, int]  # word -> local stem id
    postings: array[int]  # per local stem, its (doc id, weighted tf) pairs, flattened
    offsets: array[int]  # postings of local stem i: pairs [offsets[i], offsets[i + 1])
    sequences: array[int]  # every document's stem ids (headline, BOUNDARY, body), concatenated
    bounds: array[int]  # document j of the slice: sequences[bounds[j]:bounds[j + 1]]
    lengths: array[int]  # weighted lengths: TITLE_WEIGHT * headline words + body words


def scan_slice(docs: Sequence[SearchDoc], first_id: int, stemmer: Stemmer) -> SliceScan:
    """Tokenize, stem and count ``docs``, whose ids start at ``first_id``."""
    word_ids: dict[str, int] = {}
    stem_ids: dict[str, int] = {}
    stems = [""]
    per_stem: list[list[int]] = [[]]
    sequences = array("I")
    bounds = array("I", [0])
    lengths = array("I")

    def id_of(word: str) -> int:
        stem = stemmer.stem(word)
        sid = stem_ids.get(stem)
        if sid is None:
            sid = stem_ids[stem] = len(stems)
            stems.append(stem)
            per_stem.append([])
        word_ids[word] = sid
        return sid

    known = word_ids.get  # ids start at 1, so a miss is the only falsy result
    find = WORD_RE.findall
    for doc_id, doc in enumerate(docs, first_id):
        title = [known(w) or id_of(w) for w in find(normalize(doc.title))]
        body = [known(w) or id_of(w) for w in find(normalize(doc.text))]
        counts = Counter(body)
        for sid in title:
            counts[sid] += TITLE_WEIGHT
        lengths.append(TITLE_WEIGHT * len(title) + len(body))
        sequences.extend(title)
        sequences.append(BOUNDARY)
        sequences.extend(body)
        bounds.append(len(sequences))
        for sid, wtf in counts.items():
            pairs = per_stem[sid]
            pairs.append(doc_id)
            pairs.append(wtf)
    postings = array("I")
    offsets = array("I", [0])
    for pairs in per_stem:
        postings.extend(pairs)
        offsets.append(len(postings) // 2)
    return SliceScan(stems, word_ids, postings, offsets, sequences, bounds, lengths)


@dataclass
class Merged:
    """All slices joined: global stem ids in order of first appearance."""

    stems: list[str]  # id -> stem (id 0: boundary)
    docs: list[array[int]]  # id -> ascending document ids
    tfs: list[array[int]]  # id -> weighted tf per posting
    word_ids: dict[str, int]
    to_global: list[array[int]]  # per slice: local id -> global id
    lengths: array[int]


def merge_scans(scans: Sequence[SliceScan]) -> Merged:
    """Join slices scanned in document order; postings stay in document order."""
    ids: dict[str, int] = {"": BOUNDARY}
    stems = [""]
    docs: list[array[int]] = [array("I")]
    tfs: list[array[int]] = [array("I")]
    word_ids: dict[str, int] = {}
    to_global: list[array[int]] = []
    lengths = array("I")
    for scan in scans:
        local = array("I", bytes(4 * len(scan.stems)))
        for i, stem in enumerate(scan.stems):
            g = ids.get(stem)
            if g is None:
                g = ids[stem] = len(stems)
                stems.append(stem)
                docs.append(array("I"))
                tfs.append(array("I"))
            local[i] = g
            pairs = scan.postings[2 * scan.offsets[i]:2 * scan.offsets[i + 1]]
            docs[g].extend(pairs[0::2])
            tfs[g].extend(pairs[1::2])
        for word, i in scan.word_ids.items():
            word_ids.setdefault(word, local[i])
        to_global.append(local)
        lengths.extend(scan.lengths)
    return Merged(stems, docs, tfs, word_ids, to_global, lengths)
