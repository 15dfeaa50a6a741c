"""The in-memory inverted index: documents in date order, postings per stem.

Input: :class:`SearchDoc` objects. Output: an :class:`Inverted` holding, per
stem, the ascending document ids and a BM25F score per posting (headline words
count ``TITLE_WEIGHT`` times), and per document its sequence of stem ids (the
"forward index", which verifies phrases). Document ids follow (date, url), so
sorting by date is sorting by id. Term ids follow document frequency (most
frequent first, id 1), so common stems get short codes. Touches nothing
outside memory.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from .codec import enc_all
from .doc import SearchDoc
from .tokens import WORD_RE, Stemmer, normalize

TITLE_WEIGHT = 3  # a headline word counts as three body words
K1 = 1.2
B = 0.75
BOUNDARY = 0  # term id 0 separates headline from body in the forward index


@dataclass
class TermPostings:
    """Everything the index stores about one stem."""

    stem: str
    tid: int  # 1 + rank by document frequency; 0 is the headline/body boundary
    docs: list[int] = field(default_factory=list)  # ascending document ids
    weighted_tf: list[int] = field(default_factory=list)  # TITLE_WEIGHT * title tf + body tf
    scores: list[float] = field(default_factory=list)  # BM25F, filled by score_terms


@dataclass
class Inverted:
    """The whole index before it is cut into shards."""

    docs: list[SearchDoc]  # in id order
    terms: list[TermPostings]  # in term-id order (terms[0] is the boundary marker)
    word_tids: dict[str, int]  # every indexed word -> the id of its stem
    forward: list[str]  # per document: its term ids, encoded
    lengths: list[int] = field(default_factory=list)  # weighted document lengths


def order_docs(docs: Sequence[SearchDoc]) -> list[SearchDoc]:
    """Documents by (date, url): undated first, then oldest to newest."""
    return sorted(docs, key=lambda d: (d.date or "", d.url))


def build_inverted(docs: Sequence[SearchDoc], stemmer: Stemmer) -> Inverted:
    """Tokenize, stem and count every document; compute BM25F scores."""
    ordered = order_docs(docs)
    word_tid: dict[str, int] = {}
    stem_tid: dict[str, int] = {}
    terms = [TermPostings("", BOUNDARY)]
    sequences: list[array[int]] = []
    lengths: list[int] = []

    def tid_of(word: str) -> int:
        stem = stemmer.stem(word)
        tid = stem_tid.get(stem)
        if tid is None:
            tid = stem_tid[stem] = len(terms)
            terms.append(TermPostings(stem, tid))
        word_tid[word] = tid
        return tid

    docs_of: list[list[int]] = [[]]  # per term id, parallel to ``terms``
    tfs_of: list[list[int]] = [[]]
    known = word_tid.get  # term ids start at 1, so a miss is the only falsy result
    find = WORD_RE.findall
    for doc_id, doc in enumerate(ordered):
        title = [known(w) or tid_of(w) for w in find(normalize(doc.title))]
        body = [known(w) or tid_of(w) for w in find(normalize(doc.text))]
        counts = Counter(body)
        for tid in title:
            counts[tid] += TITLE_WEIGHT
        lengths.append(TITLE_WEIGHT * len(title) + len(body))
        title.append(BOUNDARY)
        title.extend(body)
        sequences.append(array("I", title))
        if len(docs_of) < len(terms):
            docs_of.extend(t.docs for t in terms[len(docs_of):])
            tfs_of.extend(t.weighted_tf for t in terms[len(tfs_of):])
        for tid, wtf in counts.items():
            docs_of[tid].append(doc_id)
            tfs_of[tid].append(wtf)
    score_terms(terms, lengths)
    renumber = _renumber(terms)
    forward = [enc_all([renumber[t] for t in seq]) for seq in sequences]
    return Inverted(ordered, terms, {w: renumber[t] for w, t in word_tid.items()}, forward, lengths)


def _renumber(terms: list[TermPostings]) -> list[int]:
    """Re-id terms by falling document frequency (ties by stem); returns old id -> new id."""
    ranked = sorted(terms[1:], key=lambda t: (-len(t.docs), t.stem))
    renumber = [BOUNDARY] * len(terms)
    for new, term in enumerate(ranked, 1):
        renumber[term.tid] = new
        term.tid = new
    terms[1:] = ranked
    return renumber


def score_terms(terms: list[TermPostings], lengths: list[int]) -> None:
    """Fill ``scores``: BM25F with k1=1.2, b=0.75 over weighted lengths."""
    n = len(lengths)
    avg = (sum(lengths) / n) if n else 1.0
    norm = [K1 * (1 - B + B * length / (avg or 1.0)) for length in lengths]
    for term in terms[1:]:
        df = len(term.docs)
        scale = math.log(1 + (n - df + 0.5) / (df + 0.5)) * (K1 + 1)
        term.scores = [scale * tf / (tf + norm[d]) for d, tf in zip(term.docs, term.weighted_tf, strict=True)]
