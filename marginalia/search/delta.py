"""Rebuilding only the files that depend on the documents that changed.

Input: the previous build's :class:`State` and the new corpus. Output: the
new :class:`Index` and every file, or None when this is not worth it or not
possible (the caller then redoes every file from the corpus). Possible when
``Params`` (the number of documents, the rounded average length, the number
of record shards, the common stems, the salt, the facet values and years)
did not change; worth it when few document ids changed hands (an edit in
place, an article added or removed at the end). Per changed document id it
compares the old and new document: the stems whose posting there changed
(presence or score level), or all its stems if its facets changed, are
*dirty*; their postings are gathered from the corpus, their records and
chunks made by the same functions as a whole build and only their shards
rewritten; the document's row and forward row are made again, in the files
of the previous build; the vocabulary shards holding a word that appeared,
disappeared or whose stem's frequency moved are rewritten. The result is
byte for byte a whole build's (tests/test_search_cache.py). Touches nothing
outside memory.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .build import (
    Index,
    Params,
    chunk_ranks,
    common_codes,
    facet_payloads,
    make_params,
    meta_payload,
    records_of,
    shard_payloads,
)
from .codec import Reader, base36, fnv1a_all, js_json, script_file
from .corpus import Corpus
from .delta_vocab import update_vocab
from .doc import SearchDoc
from .facets import Facets, FacetTable, collect_facets, doc_facet_code, facet_code
from .forward import StemCodes, rows, stem_hashes
from .records import DOCS_PER_SHARD, doc_row
from .scan import count
from .scores import levels, norms
from .terms import chunk_key, split_shard

if TYPE_CHECKING:
    from .cache import State

DELTA_MAX = 64  # more changed document ids than this (and than 1 in 20): a whole build is as fast
Out = dict[str, bytes | None]  # files to write (None: to delete)


@dataclass
class Change:
    """What changed between two builds, and the new archive-wide values."""

    ids: list[int]  # changed document ids (either side)
    n: int
    n_old: int
    df: np.ndarray
    params: Params
    facets: Facets
    table: FacetTable
    moved: set[int]  # changed ids whose facets (or existence) changed


def changed_ids(old: Sequence[str], new: Sequence[str]) -> list[int]:
    """The document ids whose document differs (or exists on one side only)."""
    common = min(len(old), len(new))
    return [i for i in range(common) if old[i] != new[i]] + list(range(common, max(len(old), len(new))))


def _stems_of(corpus: Corpus, doc: int, size: int) -> np.ndarray:
    """Whether each stem id (of ``size``) occurs in the document."""
    return np.bincount(corpus.doc_cids(doc), minlength=size)[:size] > 0


def _facets(state: State, docs: Sequence[SearchDoc], ids: list[int], n: int) -> tuple[Facets, FacetTable, set[int]]:
    """The facets after the change and the changed ids whose facets moved. The previous build's
    facets hold while every changed document keeps its place and its values' codes."""
    prev, n_old = state.index, len(state.corpus.keys)
    if n == n_old:
        old_rows = _rows_of(state.files, "d", ids)
        codes = {i: facet_code(docs[i], prev.facets) for i in ids}
        if all(c is not None for c in codes.values()):
            moved = {i for i in ids if json.loads(old_rows[i])[5] != codes[i]}
            if not moved:
                return prev.facets, prev.table, moved
    facets = collect_facets(docs)
    table = FacetTable.of(facets.doc_keys(), len(facets.dims), facets.year_starts)
    return facets, table, set(ids)


def measure(state: State, corpus: Corpus, docs: Sequence[SearchDoc]) -> Change | None:
    """The change from ``state`` to ``corpus``, if few ids changed and the parameters held."""
    old, prev = state.corpus, state.index
    ids = changed_ids(old.keys, corpus.keys)
    n, n_old = len(corpus.keys), len(old.keys)
    if len(ids) > max(DELTA_MAX, n // 20) or prev.params.salt:
        return None
    df = np.zeros(len(corpus.stems), dtype=np.int64)
    df[:len(prev.df)] = prev.df
    for i in ids:
        if i < n_old:
            df[:len(old.stems)] -= _stems_of(old, i, len(old.stems))
        if i < n:
            df += _stems_of(corpus, i, len(corpus.stems))
    df[0] = 0
    facets, table, moved = _facets(state, docs, ids, n)
    params = make_params(corpus, df, facets, prev.params.salt)
    if params != prev.params:
        return None
    return Change(ids, n, n_old, df, params, facets, table, moved)


def _doc_levels(corpus: Corpus, doc: int, avg: float) -> dict[int, int]:
    """stem id -> score level of one document's postings."""
    c = count(corpus.doc_cids(doc), corpus.sizes[doc:doc + 1], corpus.titles[doc:doc + 1], 0)
    lv = levels(c.tfs, norms(corpus.lengths[doc:doc + 1], avg)[np.zeros(len(c.tfs), dtype=np.int64)])
    return dict(zip(c.run_ids.tolist(), lv.tolist(), strict=True))


def dirty_stems(old: Corpus, new: Corpus, change: Change, hashes: np.ndarray, ks: np.ndarray,
                old_ks: np.ndarray) -> list[int]:
    """Stems whose records may change: their posting in a changed document appeared, went or moved to
    another level, or that document's facets changed, or their chunk files' names moved."""
    dirty: set[int] = set()
    for i in change.ids:
        before = _doc_levels(old, i, change.params.avg) if i < change.n_old else {}
        after = _doc_levels(new, i, change.params.avg) if i < change.n else {}
        if i in change.moved:
            dirty |= before.keys() | after.keys()
        dirty |= {c for c in before.keys() | after.keys() if before.get(c) != after.get(c)}
    dirty |= set(np.flatnonzero(ks[:len(old_ks)] != old_ks).tolist()) | set(
        (np.flatnonzero(ks[len(old_ks):]) + len(old_ks)).tolist())
    dirty.discard(0)
    return sorted(dirty)


def gather_postings(corpus: Corpus, stems: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The postings of the stems ``stems``: (stem ids with postings, their offsets, docs, tfs)."""
    wanted = np.zeros(len(corpus.stems), dtype=bool)
    wanted[stems] = True
    at = np.flatnonzero(wanted[corpus.wid_cid][corpus.tokens])
    doc = np.searchsorted(corpus.bounds, at, side="right") - 1
    sizes = np.bincount(doc, minlength=len(corpus.keys))
    titles = np.bincount(doc[at < corpus.bounds[doc] + corpus.titles[doc]], minlength=len(corpus.keys))
    c = count(corpus.wid_cid[corpus.tokens[at]], sizes, titles, 0)
    offsets = np.concatenate([[0], np.cumsum(c.run_lengths)])
    return c.run_ids, offsets, c.docs.astype(np.int64), c.tfs


def _old_chunks(record: str) -> tuple[int, int]:
    """(number of chunks, k) of a written record."""
    r = Reader(record)
    r.int()
    n = r.int()
    return n, (r.int() if n else 0)


def update_records(state: State, corpus: Corpus, change: Change, hashes: np.ndarray, ks: np.ndarray,
                   dirty: list[int], out: Out) -> None:
    """The record shards and chunk files of the dirty stems, into ``out``."""
    mask = change.params.shards - 1
    held: dict[int, dict[str, str]] = {}
    for cid in dirty:
        shard = int(hashes[cid]) & mask
        if shard not in held:
            old = state.files.get(f"t/{base36(shard)}")
            held[shard] = split_shard(old) if old is not None else {}
        record = held[shard].pop(corpus.stems[cid], None)
        if record is not None:  # its old chunks go; the new ones are written over them
            nchunks, k = _old_chunks(record)
            out.update((chunk_key(int(hashes[cid]), k, i), None) for i in range(nchunks))
    ids, offsets, docs, tfs = gather_postings(corpus, np.array(dirty, dtype=np.int64))
    records, chunks = records_of(ids.tolist(), offsets, docs, tfs, corpus, hashes, ks,
                                 norms(corpus.lengths, change.params.avg), change.table)
    out.update((k, script_file(k, js_json(v))) for k, v in chunks.items())
    for stem, record in records.items():
        held[int(hashes[corpus.stem_index[stem]]) & mask][stem] = record
    stem_hash = {s: int(hashes[corpus.stem_index[s]]) for recs in held.values() for s in recs}
    payloads = shard_payloads({s: r for recs in held.values() for s, r in recs.items()}, stem_hash,
                              change.params.shards)
    for shard in held:
        key = f"t/{base36(shard)}"
        out[key] = script_file(key, payloads[key]) if key in payloads else None


def _rows_of(files: dict[str, bytes], kind: str, ids: Sequence[int]) -> dict[int, str]:
    """The rows of documents ``ids`` as the previous build wrote them (JSON for "d", codes for "w")."""
    out: dict[int, str] = {}
    for group in sorted({i // DOCS_PER_SHARD for i in ids}):
        data = files.get(f"{kind}/{base36(group)}")
        if data is None:
            continue
        text = data.decode()
        payload = json.loads(text[text.index(",") + 1:text.rindex(")")])
        parts = [js_json(row) for row in payload] if kind == "d" else payload.split("~")
        out.update((group * DOCS_PER_SHARD + j, part) for j, part in enumerate(parts))
    return out


def update_rows(state: State, corpus: Corpus, docs: Sequence[SearchDoc], change: Change, hashes: np.ndarray,
                out: Out) -> bool:
    """The document and forward files holding a changed id, into ``out``; False if the salt must change."""
    n = change.n
    ids = [i for i in change.ids if i < n] + ([n - 1] if 0 < n < change.n_old else [])  # the last file lost rows
    rows_, forward = _rows_of(state.files, "d", ids), _rows_of(state.files, "w", ids)
    codes = StemCodes.of(stem_hashes(corpus.stems, hashes, change.params.salt),
                         common_codes(change.params.common, corpus))
    for i in (i for i in change.ids if i < n):
        c = count(corpus.doc_cids(i), corpus.sizes[i:i + 1], corpus.titles[i:i + 1], i)
        row, collided = rows(corpus.sizes[i:i + 1], c, i, codes)
        if collided:
            return False
        forward[i] = row[0]
        facets = change.facets  # the previous build's (without each document's values) or all made again
        code = doc_facet_code(facets, i) if facets.doc_values else facet_code(docs[i], facets)
        assert code is not None  # the previous facets are kept only if they hold every changed document's
        rows_[i] = doc_row(docs[i], corpus.excerpts[i], code)
    for group in sorted({i // DOCS_PER_SHARD for i in ids}):
        members = range(group * DOCS_PER_SHARD, min(n, (group + 1) * DOCS_PER_SHARD))
        name = base36(group)
        out[f"d/{name}"] = script_file(f"d/{name}", "[" + ",".join(rows_[i] for i in members) + "]")
        out[f"w/{name}"] = script_file(f"w/{name}", js_json("~".join(forward[i] for i in members)))
    for start in range(-(-n // DOCS_PER_SHARD) * DOCS_PER_SHARD, change.n_old, DOCS_PER_SHARD):  # past the end
        out[f"d/{base36(start // DOCS_PER_SHARD)}"] = out[f"w/{base36(start // DOCS_PER_SHARD)}"] = None
    return True


def update(state: State, corpus: Corpus, docs: Sequence[SearchDoc]) -> tuple[Index, dict[str, bytes]] | None:
    """The index after the changes from ``state`` to ``corpus``, or None (see the module docstring)."""
    change = measure(state, corpus, docs)
    if change is None:
        return None
    prev = state.index
    hashes = np.concatenate([prev.hashes, fnv1a_all(corpus.stems[len(prev.hashes):])])
    ks = chunk_ranks(change.df, hashes, corpus.stems)
    out: Out = {}
    update_records(state, corpus, change, hashes, ks, dirty_stems(state.corpus, corpus, change, hashes, ks, prev.ks),
                   out)
    if not update_rows(state, corpus, docs, change, hashes, out):
        return None
    if change.moved:
        out.update((k, script_file(k, v)) for k, v in facet_payloads(change.facets).items())
    vocab = update_vocab(state, corpus, change.df, change.ids, out)
    firsts = [w for w, _ in vocab.bounds.values()]
    out["meta"] = script_file("meta", meta_payload(change.params, change.facets, firsts))
    files = dict(state.files)
    for key, data in out.items():
        if data is None:
            files.pop(key, None)
        else:
            files[key] = data
    index = Index(change.params, change.df, hashes, ks, vocab.present, vocab.words, vocab.starts, vocab.bounds,
                  change.facets, change.table, {})
    return index, files
