"""Building every file of the index from a scanned corpus: the whole of it.

Input: a :class:`Corpus` and its documents in id order. Output: an
:class:`Index`, the files (``{key: JSON payload}``) and what a later rebuild
needs to redo only part of them (``delta.py``). Postings are counted by
numpy over 1,000 documents at a time, records are made for ~100,000
postings at a time. Touches nothing outside memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .codec import fnv1a_all, js_json
from .corpus import Corpus
from .doc import SearchDoc
from .facets import Facets, FacetTable, collect_facets, membership_payload
from .forward import StemCodes, common_stems, rows, stem_hashes
from .records import DOCS_PER_SHARD, doc_rows, row_files
from .scan import Counted, count, merge_runs
from .scores import AVG_STEPS, INLINE_MAX, LEVELS, TOP_K, W_HI, W_LO, norms, rounded_average
from .terms import CHUNK, FACET_MIN, StemBatch, batch_records, join_shard, shard_count
from .vocab import EVERY, starts_shard, vocab_files

FORMAT_VERSION = 3
COUNT_DOCS = 1000  # documents counted at a time: numpy's temporaries take ~80 bytes a word
BATCH_POSTINGS = 100_000  # postings made into records at a time


@dataclass(frozen=True)
class Params:
    """What every file may depend on besides its own documents: when these are unchanged, a
    rebuild redoes only the files of the documents and stems that changed."""

    n: int
    avg: float  # the rounded average weighted length
    shards: int  # T
    common: tuple[str, ...]  # stems with one-character forward codes
    salt: int
    facets: tuple[object, ...]  # dimensions, value names, first document of each year


@dataclass
class Index:
    """The files of the index and what a rebuild starts from."""

    params: Params
    df: np.ndarray  # per stem id
    hashes: np.ndarray  # per stem id: FNV-1a of the stem
    ks: np.ndarray  # per stem id: its rank among the stems with chunks of the same hash
    present: np.ndarray  # per word id: does the word occur
    words: list[str]  # the words of the archive, sorted
    starts: list[bool]  # per word: does a vocabulary shard start at it
    vocab: dict[str, tuple[str, str]]  # vocabulary file -> (its first word, the next file's first word or "")
    facets: Facets  # the facet values (without each document's: ``table`` has them)
    table: FacetTable
    files: dict[str, str]  # key -> JSON payload (emptied once written out)


def facet_params(facets: Facets) -> tuple[object, ...]:
    return (tuple(facets.dims), tuple(tuple(n) for n in facets.names), tuple(facets.year_starts))


def make_params(corpus: Corpus, df: np.ndarray, facets: Facets, salt: int) -> Params:
    n = len(corpus.keys)
    return Params(n, rounded_average(int(corpus.lengths.sum()), n), shard_count(int(np.count_nonzero(df[1:]))),
                  tuple(common_stems(df, corpus.stems, n)), salt, facet_params(facets))


def common_codes(common: Sequence[str], corpus: Corpus) -> np.ndarray:
    """Per stem id its one-character forward code, else 0."""
    codes = np.zeros(len(corpus.stems), dtype=np.int64)
    index = {s: i + 1 for i, s in enumerate(common)}
    for cid, stem in enumerate(corpus.stems):
        if stem in index:
            codes[cid] = index[stem]
    return codes


def count_all(corpus: Corpus, hashes: np.ndarray) -> tuple[list[Counted], list[str], tuple[str, ...], int]:
    """The postings of every run of COUNT_DOCS documents; then, from the stems' document
    frequencies that gives, the common stems and every document's forward row, and the salt
    those rows were made with."""
    bounds, n = corpus.bounds, len(corpus.keys)
    parts, df = [], np.zeros(len(corpus.stems), dtype=np.int64)
    for a in range(0, n, COUNT_DOCS):
        b = min(n, a + COUNT_DOCS)
        c = count(corpus.wid_cid[corpus.tokens[bounds[a]:bounds[b]]], corpus.sizes[a:b], corpus.titles[a:b], a)
        df[c.run_ids] += c.run_lengths  # (a run holds a stem's postings: one a document)
        parts.append(c)
    common, salt = tuple(common_stems(df, corpus.stems, n)), 0
    forward, collided = forward_rows(corpus, parts, common, hashes, salt)
    while collided:  # two stems of one document share 49 bits of hash: another salt for all (never seen)
        salt += 1
        forward, collided = forward_rows(corpus, parts, common, hashes, salt)
    for c in parts:
        c.posting_of_token = np.zeros(0, dtype=np.int32)  # only the rows needed it
    return parts, forward, common, salt


def forward_rows(corpus: Corpus, parts: list[Counted], common: tuple[str, ...], hashes: np.ndarray, salt: int
                 ) -> tuple[list[str], bool]:
    """Every document's forward row, from its run's postings (and whether two stems of one document
    share a whole hash)."""
    codes = StemCodes.of(stem_hashes(corpus.stems, hashes, salt), common_codes(common, corpus))
    forward: list[str] = []
    collided = False
    for a, c in zip(range(0, len(corpus.keys), COUNT_DOCS), parts, strict=True):
        rows_, bad = rows(corpus.sizes[a:a + COUNT_DOCS], c, a, codes)
        forward += rows_
        collided |= bad
    return forward, collided


def chunk_ranks(df: np.ndarray, hashes: np.ndarray, stems: list[str]) -> np.ndarray:
    """Per stem id, its rank among the stems with chunks and the same hash (by stem): almost always 0."""
    ks = np.zeros(len(df), dtype=np.int64)
    chunked = np.flatnonzero(df > INLINE_MAX).tolist()
    last, rank = -1, 0
    for cid in sorted(chunked, key=lambda c: (int(hashes[c]), stems[c])):
        rank = rank + 1 if int(hashes[cid]) == last else 0
        ks[cid], last = rank, int(hashes[cid])
    return ks


def records_of(cids: Sequence[int], offsets: np.ndarray, docs: np.ndarray, tfs: np.ndarray, corpus: Corpus,
               hashes: np.ndarray, ks: np.ndarray, doc_norms: np.ndarray,
               table: FacetTable) -> tuple[dict[str, str], dict[str, str]]:
    """Records (by stem) and chunk files of the stems ``cids``, whose postings are
    ``docs[offsets[i]:offsets[i + 1]]`` for the i-th: made ~BATCH_POSTINGS at a time."""
    records: dict[str, str] = {}
    chunks: dict[str, str] = {}
    i = 0
    while i < len(cids):
        j, total = i, 0
        while j < len(cids) and (j == i or total < BATCH_POSTINGS):
            total += int(offsets[j + 1] - offsets[j])
            j += 1
        a, b = int(offsets[i]), int(offsets[j])
        batch = list(cids[i:j])
        part, files = batch_records(StemBatch(hashes[batch].tolist(), ks[batch], np.diff(offsets[i:j + 1]),
                                              docs[a:b].astype(np.int64), tfs[a:b]), doc_norms, table)
        records.update(zip((corpus.stems[c] for c in batch), part, strict=True))
        chunks.update(files)
        i = j
    return records, chunks


def shard_payloads(records: dict[str, str], hashes: dict[str, int], shards: int,
                   only: set[int] | None = None) -> dict[str, str]:
    """The record shards (all, or those numbered in ``only``) as JSON payloads."""
    grouped: dict[int, dict[str, str]] = {}
    for stem, rec in records.items():
        shard = hashes[stem] & (shards - 1)
        if only is None or shard in only:
            grouped.setdefault(shard, {})[stem] = rec
    from .codec import base36

    return {f"t/{base36(s)}": js_json(join_shard(recs)) for s, recs in grouped.items()}


def meta_payload(params: Params, facets: Facets, firsts: list[str]) -> str:
    """``meta``: everything the runtime needs before its first query."""
    return js_json({
        "version": FORMAT_VERSION, "docs": params.n, "termShards": params.shards, "vocab": firsts,
        "common": list(params.common), "salt": params.salt,
        "topK": TOP_K, "inlineMax": INLINE_MAX, "chunk": CHUNK, "levels": LEVELS, "wLo": W_LO, "wHi": W_HI,
        "facetMin": FACET_MIN, "docsPerShard": DOCS_PER_SHARD, "vocabEvery": EVERY, "avgSteps": AVG_STEPS,
        "dims": facets.dims, "labels": facets.labels, "years": facets.year_starts,
    })


def facet_payloads(facets: Facets) -> dict[str, str]:
    out = {"f/names": js_json(facets.names)}
    for dim, name in enumerate(facets.dims[:-1]):
        out[f"f/{name}"] = js_json(membership_payload(facets, dim))
    return out


def word_entry(corpus: Corpus, df: np.ndarray) -> dict[str, tuple[str, int]]:
    """word -> (stem, df), for every word of the corpus' table."""
    stems, cids = corpus.stems, corpus.wid_cid.tolist()
    dfs = df.tolist()
    return {w: (stems[c], dfs[c]) for w, c in zip(corpus.words, cids, strict=True)}


def entry_of(corpus: Corpus, df: np.ndarray) -> Callable[[str], tuple[str, int]]:
    """word -> (stem, df), looked up one word at a time."""
    index, cids, stems = corpus.word_index, corpus.wid_cid, corpus.stems

    def entry(word: str) -> tuple[str, int]:
        cid = int(cids[index[word]])
        return stems[cid], int(df[cid])
    return entry


def stem_files(corpus: Corpus, df: np.ndarray, offsets: np.ndarray, docs: np.ndarray, tfs: np.ndarray,
               params: Params, hashes: np.ndarray, table: FacetTable) -> tuple[np.ndarray, dict[str, str]]:
    """Every record shard and chunk file (JSON payloads), from the postings of all stems; and ks."""
    present = np.flatnonzero(df[1:]).astype(np.int64) + 1
    ks = chunk_ranks(df, hashes, corpus.stems)
    # absent stems have no postings: the present ones' postings are all of them, in stem id order
    records, chunks = records_of(present.tolist(), np.append(offsets[present], offsets[-1]), docs, tfs, corpus,
                                 hashes, ks, norms(corpus.lengths, params.avg), table)
    files = {k: js_json(v) for k, v in chunks.items()}
    stem_hash = {corpus.stems[c]: int(hashes[c]) for c in present.tolist()}
    files.update(shard_payloads(records, stem_hash, params.shards))
    return ks, files


def word_files(corpus: Corpus, df: np.ndarray) -> tuple[np.ndarray, list[str], list[bool], dict[str, tuple[str, str]],
                                                          dict[str, str]]:
    """Which words occur, sorted, where shards start, each shard's bounds, and the shards' payloads."""
    present = np.bincount(corpus.tokens, minlength=len(corpus.words)) > 0
    present[0] = False
    words = sorted(corpus.words[w] for w in np.flatnonzero(present).tolist())
    starts = starts_shard(words)
    firsts, vocab = vocab_files(words, starts, word_entry(corpus, df).__getitem__)
    bounds = {name: (first, firsts[i + 1] if i + 1 < len(firsts) else "")
              for i, (name, first) in enumerate(zip(vocab, firsts, strict=True))}
    return present, words, starts, bounds, {k: js_json(v) for k, v in vocab.items() if v is not None}


def build_full(corpus: Corpus, docs: Sequence[SearchDoc]) -> Index:
    """Every file of the index of ``corpus`` (``docs``: its documents, in id order)."""
    hashes = fnv1a_all(corpus.stems)
    counted, forward, common, salt = count_all(corpus, hashes)
    offsets, pdocs, ptfs = merge_runs([(c.run_ids, c.run_lengths, c.docs, c.tfs) for c in counted],
                                      len(corpus.stems))
    del counted
    df = np.diff(offsets)
    facets = collect_facets(docs)
    params = make_params(corpus, df, facets, salt)
    assert params.common == common
    table = FacetTable.of(facets.doc_keys(), len(facets.dims), facets.year_starts)
    ks, files = stem_files(corpus, df, offsets, pdocs, ptfs, params, hashes, table)
    del pdocs, ptfs
    present, words, starts, bounds, vocab = word_files(corpus, df)
    files.update(vocab)
    files.update(row_files(doc_rows(docs, corpus.excerpts, facets), forward))
    files.update(facet_payloads(facets))
    files["meta"] = meta_payload(params, facets, [first for first, _ in bounds.values()])
    light = Facets(facets.dims, facets.labels, facets.names, [], facets.year_starts)
    return Index(params, df, hashes, ks, present, words, starts, bounds, light, table, files)
