"""Rebuilding only the files that depend on the documents that changed.

Input: the previous build's :class:`State` and the new corpus. Output: the
new :class:`Index` and every file, or None when this is not worth it or not
possible (the caller then redoes every file). Possible when ``Params`` (the
number of documents, the rounded average length, the number of record
shards, the common stems, the salt, the facet values and years) did not
change; worth it when few document ids changed hands (an edit in place, an
article added or removed at the end). Per changed document id it compares
the old and new document: the stems whose posting there changed (presence
or score level) or whose facet counts may have (its facets changed) are
*dirty*; their postings are gathered from the corpus, their records and
chunks made by the same functions as a whole build, and only their shards
rewritten; the document's row and forward row are made again; the
vocabulary shards holding a word that appeared, disappeared or whose stem's
frequency moved are rewritten. The result is byte for byte a whole build's
(tests/test_search_cache.py). Touches nothing outside memory.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .build import (
    Index,
    chunk_ranks,
    common_codes,
    entry_of,
    facet_payloads,
    make_params,
    meta_payload,
    records_of,
    shard_payloads,
)
from .codec import Reader, base36, fnv1a_all, js_json, script_file
from .corpus import Corpus
from .doc import SearchDoc
from .facets import FacetTable, collect_facets, doc_facet_code
from .forward import big_endian, rows, stem_hashes
from .records import DOCS_PER_SHARD, doc_row, row_files
from .scan import count
from .scores import levels, norms
from .terms import chunk_key, split_shard
from .vocab import starts_shard, vocab_files

if TYPE_CHECKING:
    from .cache import State

DELTA_MAX = 64  # more changed document ids than this (and than 1 in 20): a whole build is as fast


def changed_ids(old: Sequence[str], new: Sequence[str]) -> list[int]:
    """The document ids whose document differs (or exists on one side only)."""
    common = min(len(old), len(new))
    return [i for i in range(common) if old[i] != new[i]] + list(range(common, max(len(old), len(new))))


def _doc_levels(corpus: Corpus, doc: int, avg: float) -> dict[int, int]:
    """stem id -> score level of one document's postings."""
    c = count(corpus.doc_cids(doc), corpus.sizes[doc:doc + 1], corpus.titles[doc:doc + 1], 0)
    lv = levels(c.tfs, norms(corpus.lengths[doc:doc + 1], avg)[np.zeros(len(c.tfs), dtype=np.int64)])
    return dict(zip(c.run_ids.tolist(), lv.tolist(), strict=True))


def dirty_stems(old: Corpus, new: Corpus, changed: list[int], avg: float, facets_moved: set[int]) -> set[int]:
    """Stems whose records may change: their posting in a changed document appeared, went or moved to
    another level, or that document's facets changed."""
    dirty: set[int] = set()
    for i in changed:
        before = _doc_levels(old, i, avg) if i < len(old.keys) else {}
        after = _doc_levels(new, i, avg) if i < len(new.keys) else {}
        if i in facets_moved:
            dirty |= before.keys() | after.keys()
        dirty |= {c for c in before.keys() | after.keys() if before.get(c) != after.get(c)}
    return dirty


def gather_postings(corpus: Corpus, stems: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The postings of the stems ``stems`` (sorted): (stem ids with postings, their offsets, docs, tfs)."""
    wanted = np.zeros(len(corpus.stems), dtype=bool)
    wanted[stems] = True
    cids = corpus.cids
    at = np.flatnonzero(wanted[cids])
    doc = np.searchsorted(corpus.bounds, at, side="right") - 1
    sizes = np.bincount(doc, minlength=len(corpus.keys))
    titles = np.bincount(doc[at < corpus.bounds[doc] + corpus.titles[doc]], minlength=len(corpus.keys))
    c = count(cids[at], sizes, titles, 0)
    offsets = np.concatenate([[0], np.cumsum(c.run_lengths)])
    return c.run_ids, offsets, c.docs.astype(np.int64), c.tfs


def _old_chunks(record: str) -> tuple[int, int]:
    """(number of chunks, k) of a written record."""
    r = Reader(record)
    r.int()
    n = r.int()
    return n, (r.int() if n else 0)


def update(state: State, corpus: Corpus, docs: Sequence[SearchDoc]) -> tuple[Index, dict[str, bytes]] | None:
    """The index after the changes from ``state`` to ``corpus``, or None (see the module docstring)."""
    old, prev = state.corpus, state.index
    changed = changed_ids(old.keys, corpus.keys)
    if len(changed) > max(DELTA_MAX, len(corpus.keys) // 20) or prev.params.salt:
        return None
    n, n_old = len(corpus.keys), len(old.keys)
    df = np.zeros(len(corpus.stems), dtype=np.int64)
    df[:len(prev.df)] = prev.df
    for i in changed:
        if i < n_old:
            df[np.unique(old.doc_cids(i))] -= 1
        if i < n:
            df[np.unique(corpus.doc_cids(i))] += 1
    df[0] = 0
    facets = collect_facets(docs)
    params = make_params(corpus, df, facets, prev.params.salt)
    if params != prev.params:
        return None
    new_facets = {i: (d.tags, d.people, d.organizations, d.places) for i, d in ((i, docs[i]) for i in changed if i < n)}
    moved = {i for i in changed if i >= n_old or i >= n or state.facets[i] != new_facets[i]}
    dirty = dirty_stems(old, corpus, changed, params.avg, moved)
    hashes = np.concatenate([prev.hashes, fnv1a_all(corpus.stems[len(prev.hashes):])])
    ks = chunk_ranks(df, hashes, corpus.stems)
    moved_ks = np.flatnonzero(ks[:len(prev.ks)] != prev.ks).tolist()
    dirty |= set(moved_ks) | set(np.flatnonzero(ks[len(prev.ks):]).tolist())
    dirty.discard(0)
    out: dict[str, bytes | None] = {}
    _records(state, corpus, df, hashes, ks, params, facets, sorted(dirty), out)
    forward, rows_ = list(prev.forward[:n]), list(prev.rows[:n])
    if not _rows(corpus, docs, changed, params, hashes, facets, forward, rows_):
        return None
    ends = [n - 1] if 0 < n < n_old else []  # the last file lost rows
    for key, payload in row_files(rows_, forward, [i for i in changed if i < n] + ends).items():
        out[key] = script_file(key, payload)
    for start in range(-(-n // DOCS_PER_SHARD) * DOCS_PER_SHARD, n_old, DOCS_PER_SHARD):  # files past the end
        out[f"d/{base36(start // DOCS_PER_SHARD)}"] = out[f"w/{base36(start // DOCS_PER_SHARD)}"] = None
    if moved:
        out.update((k, script_file(k, v)) for k, v in facet_payloads(facets).items())
    words, starts, vocab, present = _vocab(state, corpus, df, changed, out)
    firsts = [w for w, _ in vocab.values()]
    out["meta"] = script_file("meta", meta_payload(params, facets, firsts))
    files = dict(state.files)
    for key, data in out.items():
        if data is None:
            files.pop(key, None)
        else:
            files[key] = data
    index = Index(params, df, hashes, ks, present, words, starts, vocab, rows_, forward, {})
    return index, files


def _records(state: State, corpus: Corpus, df: np.ndarray, hashes: np.ndarray, ks: np.ndarray, params: object,
             facets: object, dirty: list[int], out: dict[str, bytes | None]) -> None:
    """The record shards and chunk files of the dirty stems, into ``out``."""
    from .build import Params
    from .facets import Facets
    assert isinstance(params, Params) and isinstance(facets, Facets)
    shards = params.shards
    by_shard: dict[int, list[int]] = {}
    for cid in dirty:
        by_shard.setdefault(int(hashes[cid]) & (shards - 1), []).append(cid)
    held = {s: split_shard(state.files[f"t/{base36(s)}"]) if f"t/{base36(s)}" in state.files else {}
            for s in by_shard}
    for s, cids in by_shard.items():  # the old chunks of the dirty stems go (the new are written over them)
        for cid in cids:
            record = held[s].pop(corpus.stems[cid], None)
            if record is not None:
                nchunks, k = _old_chunks(record)
                out.update((chunk_key(int(hashes[cid]), k, i), None) for i in range(nchunks))
    ids, offsets, docs, tfs = gather_postings(corpus, np.array(dirty, dtype=np.int64))
    table = FacetTable.of(facets.doc_keys(), len(facets.dims), facets.year_starts)
    records, chunks = records_of(ids.tolist(), offsets, docs, tfs, corpus, hashes, ks,
                                 norms(corpus.lengths, params.avg), table)
    out.update((k, script_file(k, js_json(v))) for k, v in chunks.items())
    for stem, record in records.items():
        held[int(hashes[corpus.stem_index[stem]]) & (shards - 1)][stem] = record
    payloads = shard_payloads({s: r for recs in held.values() for s, r in recs.items()},
                              {s: int(hashes[corpus.stem_index[s]]) for recs in held.values() for s in recs}, shards)
    for s in by_shard:
        key = f"t/{base36(s)}"
        out[key] = script_file(key, payloads[key]) if key in payloads else None


def _rows(corpus: Corpus, docs: Sequence[SearchDoc], changed: list[int], params: object, hashes: np.ndarray,
          facets: object, forward: list[str], rows_: list[str]) -> bool:
    """The forward rows and document rows of the changed ids, in place; False if the salt must change."""
    from .build import Params
    from .facets import Facets
    assert isinstance(params, Params) and isinstance(facets, Facets)
    n = len(corpus.keys)
    ids = [i for i in changed if i < n]
    while len(forward) < n:
        forward.append("")
        rows_.append("")
    if not ids:
        return True
    stem_x = stem_hashes(corpus.stems, hashes, params.salt)
    big, common = big_endian(stem_x), common_codes(params, corpus)
    for i in ids:
        c = count(corpus.doc_cids(i), corpus.sizes[i:i + 1], corpus.titles[i:i + 1], i)
        row, collided = rows(corpus.sizes[i:i + 1], c, i, common, stem_x, big)
        if collided:
            return False
        forward[i] = row[0]
        rows_[i] = doc_row(docs[i], corpus.excerpts[i], doc_facet_code(facets, i))
    return True


def _vocab(state: State, corpus: Corpus, df: np.ndarray, changed: list[int], out: dict[str, bytes | None]
           ) -> tuple[list[str], list[bool], dict[str, tuple[str, str]], np.ndarray]:
    """The vocabulary after the change, its changed shards written into ``out``."""
    prev = state.index
    present = np.zeros(len(corpus.words), dtype=bool)
    present[:len(prev.present)] = prev.present
    before = {int(w) for i in changed if i < len(state.corpus.keys) for w in np.unique(_words(state.corpus, i))}
    after = {int(w) for i in changed if i < len(corpus.keys) for w in np.unique(_words(corpus, i))}
    added = [w for w in after if not present[w]]
    lost = np.array(sorted(before - after), dtype=np.int64)
    if len(lost):
        still = np.zeros(len(corpus.words), dtype=bool)
        still[lost] = True
        found = np.unique(corpus.tokens[still[corpus.tokens]])
        lost = lost[~np.isin(lost, found)]
    present[added] = True
    present[lost] = False
    moved_stems = np.flatnonzero(df != np.append(prev.df, np.zeros(len(df) - len(prev.df), dtype=np.int64)))
    moved = np.flatnonzero(np.isin(corpus.wid_cid, moved_stems) & present)
    words, starts = list(prev.words), list(prev.starts)
    for w in lost.tolist():
        i = bisect.bisect_left(words, corpus.words[w])
        del words[i], starts[i]
    new_words = sorted(corpus.words[w] for w in added)
    for word, start in zip(new_words, starts_shard(new_words), strict=True):
        i = bisect.bisect_left(words, word)
        words.insert(i, word)
        starts.insert(i, start)
    changed_words = [corpus.words[w] for w in [*added, *lost.tolist(), *moved.tolist()]]
    firsts, payloads = vocab_files(words, starts, entry_of(corpus, df), prev.vocab, changed_words)
    names = list(payloads)
    bounds = {name: (first, firsts[i + 1] if i + 1 < len(firsts) else "")
              for i, (name, first) in enumerate(zip(names, firsts, strict=True))}
    for name in prev.vocab.keys() - bounds.keys():
        out[name] = None
    out.update((k, script_file(k, js_json(v))) for k, v in payloads.items() if v is not None)
    return words, starts, bounds, present


def _words(corpus: Corpus, i: int) -> np.ndarray:
    words: np.ndarray = corpus.tokens[corpus.bounds[i]:corpus.bounds[i + 1]]
    return words[words != 0]
