"""The in-memory inverted index: documents in date order, postings per stem.

Input: :class:`SearchDoc` objects. Output: an :class:`Inverted` holding, per
stem, the ascending document ids, a BM25F impact per posting (headline words
count ``TITLE_WEIGHT`` times) and each posting's encoded word positions.
Document ids follow (date, url), so sorting by date is sorting by id.
Touches nothing outside memory.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from .codec import enc_all
from .doc import SearchDoc
from .tokens import WORD_RE, Stemmer, normalize

TITLE_WEIGHT = 3  # a headline word counts as three body words
K1 = 1.2
B = 0.75
IMPACT_SCALE = 16  # impacts are BM25 scores * 16, rounded (at least 1)


@dataclass
class TermPostings:
    """Everything the index stores about one stem."""

    stem: str
    docs: list[int] = field(default_factory=list)  # ascending document ids
    weighted_tf: list[int] = field(default_factory=list)  # TITLE_WEIGHT * title tf + body tf
    positions: list[str] = field(default_factory=list)  # per doc: enc(tf) then position gaps
    impacts: list[int] = field(default_factory=list)


@dataclass
class Inverted:
    """The whole index before it is cut into shards."""

    docs: list[SearchDoc]  # in id order
    terms: dict[str, TermPostings]  # stem -> postings
    word_stems: dict[str, str]  # every indexed word -> its stem


def order_docs(docs: Sequence[SearchDoc]) -> list[SearchDoc]:
    """Documents by (date, url): undated first, then oldest to newest."""
    return sorted(docs, key=lambda d: (d.date or "", d.url))


def _positions(title: list[int], body: list[int]) -> dict[int, list[int]]:
    """Term id -> positions; body positions start one after the headline's, so
    no phrase can run from the headline into the body."""
    found: dict[int, list[int]] = {}
    for pos, tid in enumerate(title):
        found.setdefault(tid, []).append(pos)
    offset = len(title) + 1
    for pos, tid in enumerate(body, offset):
        found.setdefault(tid, []).append(pos)
    return found


def build_inverted(docs: Sequence[SearchDoc], stemmer: Stemmer) -> Inverted:
    """Tokenize, stem and count every document; compute BM25F impacts."""
    ordered = order_docs(docs)
    word_tid: dict[str, int] = {}
    stem_tid: dict[str, int] = {}
    terms: list[TermPostings] = []
    lengths: list[int] = []

    def tid_of(word: str) -> int:
        stem = stemmer.stem(word)
        tid = stem_tid.get(stem)
        if tid is None:
            tid = stem_tid[stem] = len(terms)
            terms.append(TermPostings(stem))
        word_tid[word] = tid
        return tid

    for doc_id, doc in enumerate(ordered):
        title = [word_tid[w] if w in word_tid else tid_of(w) for w in WORD_RE.findall(normalize(doc.title))]
        body = [word_tid[w] if w in word_tid else tid_of(w) for w in WORD_RE.findall(normalize(doc.text))]
        title_len = len(title)
        lengths.append(TITLE_WEIGHT * title_len + len(body))
        for tid, pos in _positions(title, body).items():
            term = terms[tid]
            in_title = sum(1 for p in pos if p < title_len) if pos[0] < title_len else 0
            term.docs.append(doc_id)
            term.weighted_tf.append(TITLE_WEIGHT * in_title + len(pos) - in_title)
            term.positions.append(enc_all([len(pos), pos[0], *(b - a for a, b in zip(pos, pos[1:], strict=False))]))
    _score(terms, lengths)
    return Inverted(ordered, {t.stem: t for t in terms}, {w: terms[t].stem for w, t in word_tid.items()})


def _score(terms: list[TermPostings], lengths: list[int]) -> None:
    """Fill ``impacts``: BM25F with k1=1.2, b=0.75, quantised to integers."""
    n = len(lengths)
    avg = (sum(lengths) / n) if n else 1.0
    norm = [K1 * (1 - B + B * length / (avg or 1.0)) for length in lengths]
    for term in terms:
        df = len(term.docs)
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        scale = idf * (K1 + 1) * IMPACT_SCALE
        term.impacts = [max(1, round(scale * tf / (tf + norm[d])))
                        for d, tf in zip(term.docs, term.weighted_tf, strict=True)]
