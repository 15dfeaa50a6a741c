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
    post_docs: array[int]  # per local stem, the ids of its documents, concatenated
    post_tfs: array[int]  # the weighted tf of each of those postings
    offsets: array[int]  # postings of local stem i: [offsets[i], offsets[i + 1])
    sequences: array[int]  # every document's stem ids (headline, BOUNDARY, body), concatenated
    bounds: array[int]  # document j of the slice: sequences[bounds[j]:bounds[j + 1]]
    lengths: array[int]  # weighted lengths: TITLE_WEIGHT * headline words + body words


def scan_slice(docs: Sequence[SearchDoc], first_id: int, stemmer: Stemmer) -> SliceScan:
    """Tokenize, stem and count ``docs``, whose ids start at ``first_id``."""
    word_ids: dict[str, int] = {}
    stem_ids: dict[str, int] = {}
    stems = [""]
    per_docs: list[list[int]] = [[]]
    per_tfs: list[list[int]] = [[]]
    sequences = array("I")
    bounds = array("I", [0])
    lengths = array("I")

    def id_of(word: str) -> int:
        stem = stemmer.stem(word)
        sid = stem_ids.get(stem)
        if sid is None:
            sid = stem_ids[stem] = len(stems)
            stems.append(stem)
            per_docs.append([])
            per_tfs.append([])
        word_ids[word] = sid
        return sid

    known = word_ids.get  # ids start at 1, so a miss is the only falsy result

    def ids_of(found: list[str]) -> list[int]:
        ids = list(map(known, found))  # at C speed; only new words need Python
        if None in ids:
            for i in [i for i, sid in enumerate(ids) if sid is None]:
                ids[i] = known(found[i]) or id_of(found[i])  # the same new word may occur twice
        return ids  # type: ignore[return-value]

    find = WORD_RE.findall
    for doc_id, doc in enumerate(docs, first_id):
        title = ids_of(find(normalize(doc.title)))
        body = ids_of(find(normalize(doc.text)))
        counts = Counter(body)
        for sid in title:
            counts[sid] += TITLE_WEIGHT
        lengths.append(TITLE_WEIGHT * len(title) + len(body))
        sequences.extend(title)
        sequences.append(BOUNDARY)
        sequences.extend(body)
        bounds.append(len(sequences))
        for sid, wtf in counts.items():
            per_docs[sid].append(doc_id)
            per_tfs[sid].append(wtf)
    post_docs, post_tfs, offsets = array("I"), array("I"), array("I", [0])
    for ids, tfs in zip(per_docs, per_tfs, strict=True):
        post_docs.extend(ids)
        post_tfs.extend(tfs)
        offsets.append(len(post_docs))
    return SliceScan(stems, word_ids, post_docs, post_tfs, offsets, sequences, bounds, lengths)


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
        sdocs, stfs, offsets = scan.post_docs, scan.post_tfs, scan.offsets
        for i, stem in enumerate(scan.stems):
            g = ids.get(stem)
            if g is None:
                g = ids[stem] = len(stems)
                stems.append(stem)
                docs.append(sdocs[offsets[i]:offsets[i + 1]])
                tfs.append(stfs[offsets[i]:offsets[i + 1]])
            else:
                docs[g].extend(sdocs[offsets[i]:offsets[i + 1]])
                tfs[g].extend(stfs[offsets[i]:offsets[i + 1]])
            local[i] = g
        # a word has one stem wherever it occurs, so later slices only repeat known entries
        word_ids.update(zip(scan.word_ids, map(local.__getitem__, scan.word_ids.values()), strict=True))
        to_global.append(local)
        lengths.extend(scan.lengths)
    return Merged(stems, docs, tfs, word_ids, to_global, lengths)
