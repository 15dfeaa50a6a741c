"""Facets: tag, person, organisation, place and year, as small integer ids.

Input: documents in id order. Output: a :class:`Facets` table (value names per
dimension, each document's value ids) and the encoded shard payloads: value
names, one membership file per dimension, and per-term counts. Years need no
membership file: document ids follow dates, so a year is a range of ids.
Touches nothing outside memory.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .codec import enc, enc_gaps
from .doc import SearchDoc

# (URL parameter and shard name, SearchDoc attribute, label shown)
DIMENSIONS = (("tag", "tags", "Topic"), ("person", "people", "Person"),
              ("organization", "organizations", "Organisation"), ("place", "places", "Place"))
YEAR = "year"


@dataclass
class Facets:
    """Value names and memberships; dimension ``i`` of ``dims`` is ``names[i]``."""

    dims: list[str]  # dimension names in shard order, "year" last
    labels: list[str]
    names: list[list[str]]  # per dimension: value names, sorted (a value's id is its index)
    doc_values: list[list[tuple[int, ...]]]  # per dimension, per document: value ids
    year_starts: list[tuple[int, int]]  # (year, first document id), ascending

    def doc_keys(self) -> list[tuple[int, ...]]:
        """Per document: flat keys ``value * ndims + dim`` for counting (years excluded)."""
        n = len(self.dims)
        per_dim = [[tuple(v * n + d for v in vals) for vals in self.doc_values[d]] for d in range(n - 1)]
        if not per_dim:
            return [() for _ in self.doc_values[-1]]
        return [tuple(itertools.chain.from_iterable(keys)) for keys in zip(*per_dim, strict=True)]


def _year(doc: SearchDoc) -> int | None:
    return int(doc.date[:4]) if doc.date and doc.date[:4].isdigit() else None


def collect_facets(docs: Sequence[SearchDoc]) -> Facets:
    """Name every facet value and record each document's values."""
    dims, labels, names, doc_values = [], [], [], []
    for name, attr, label in DIMENSIONS:
        values = sorted({v for doc in docs for v in getattr(doc, attr)})
        if not values:
            continue
        index = {v: i for i, v in enumerate(values)}
        dims.append(name)
        labels.append(label)
        names.append(values)
        doc_values.append([tuple(sorted({index[v] for v in getattr(doc, attr)})) for doc in docs])
    years = [_year(doc) for doc in docs]
    known = sorted({y for y in years if y is not None})
    year_index = {y: i for i, y in enumerate(known)}
    dims.append(YEAR)
    labels.append("Year")
    names.append([str(y) for y in known])
    doc_values.append([() if y is None else (year_index[y],) for y in years])
    starts: list[tuple[int, int]] = []
    for doc_id, y in enumerate(years):
        if y is not None and (not starts or starts[-1][0] != y):
            starts.append((y, doc_id))
    return Facets(dims, labels, names, doc_values, starts)


def membership_payload(facets: Facets, dim: int) -> str:
    """Per value (in id order): enc(count), then its document ids as gaps; '~' between values."""
    members: list[list[int]] = [[] for _ in facets.names[dim]]
    for doc_id, vals in enumerate(facets.doc_values[dim]):
        for v in vals:
            members[v].append(doc_id)
    return "~".join(enc(len(ids)) + enc_gaps(ids) for ids in members)


@dataclass
class FacetTable:
    """What counting a stem's facets reads: each document's keys (``value * ndims + dim``, years
    excluded) as flat arrays, and the index of the year whose range of ids holds it."""

    ndims: int
    keys: np.ndarray  # int64: every document's keys, document after document
    key_bounds: np.ndarray  # int64: document d's keys are keys[key_bounds[d]:key_bounds[d + 1]]
    years: np.ndarray  # int64: per document, its year's index in year_starts (-1 before the first)

    @classmethod
    def of(cls, doc_keys: Sequence[tuple[int, ...]], ndims: int, year_starts: Sequence[tuple[int, int]]) -> FacetTable:
        bounds = np.zeros(len(doc_keys) + 1, dtype=np.int64)
        np.cumsum([len(k) for k in doc_keys], out=bounds[1:])
        keys = np.fromiter(itertools.chain.from_iterable(doc_keys), dtype=np.int64, count=int(bounds[-1]))
        starts = np.array([start for _, start in year_starts], dtype=np.int64)
        years = np.searchsorted(starts, np.arange(len(doc_keys)), side="right") - 1
        return cls(ndims, keys, bounds, years)


def count_numbers(table: FacetTable, docs: np.ndarray, df: np.ndarray,
                  with_years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The facet counts of consecutive stems (``df`` postings each, ``docs`` ascending per stem) as
    the numbers of their records, and how many numbers each stem has. Per dimension: the number of
    values present, then (value gap, count) per value in ascending order; years, the last
    dimension, only where ``with_years`` (a stem with chunks: the others' years follow from their
    document ids). A year is a range of ids, so a document counts for the year whose range holds it."""
    ndims = table.ndims
    stem = np.repeat(np.arange(len(df)), df)
    per = table.key_bounds[docs + 1] - table.key_bounds[docs]
    key_stem = np.repeat(stem, per)
    keys = table.keys[np.repeat(table.key_bounds[docs] - (np.cumsum(per) - per), per) + np.arange(int(per.sum()))]
    dated = with_years[stem] & (table.years[docs] >= 0)
    key_stem = np.concatenate([key_stem, stem[dated]])
    keys = np.concatenate([keys, table.years[docs[dated]] * ndims + (ndims - 1)])
    group = key_stem * ndims + keys % ndims  # (stem, dimension), in record order
    span = int(keys.max()) // ndims + 1 if len(keys) else 1
    found, counts = _counted(group * span + keys // ndims, len(df) * ndims * span)
    group, value = found // span, found % span
    pairs = np.bincount(group, minlength=len(df) * ndims)
    sizes = 1 + 2 * pairs
    starts = np.cumsum(sizes) - sizes
    out = np.empty(int(sizes.sum()), dtype=np.int64)
    out[starts] = pairs
    previous = np.zeros(len(value), dtype=np.int64)
    previous[1:] = value[:-1]
    previous[np.flatnonzero(np.diff(group, prepend=-1))] = 0  # each dimension's gaps start from 0
    place = starts[group] + 1 + 2 * (np.arange(len(value)) - (np.cumsum(pairs) - pairs)[group])
    out[place] = value - previous
    out[place + 1] = counts
    return out, sizes.reshape(len(df), ndims).sum(axis=1)


def _counted(values: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_counts=True)`` for values below ``limit``: by counting into a
    table of ``limit`` slots when that is not much larger than the values (few facet values), as
    it needs no sort."""
    if limit <= 4 * len(values) + 4096:
        counts = np.bincount(values, minlength=limit)
        found = np.flatnonzero(counts)
        return found, counts[found]
    return np.unique(values, return_counts=True)  # type: ignore[no-any-return]


def facet_code(doc: SearchDoc, facets: Facets) -> str | None:
    """:func:`doc_facet_code` of ``doc`` from the value names alone (and its year), or None if one of
    its values is not among them."""
    attrs = {name: attr for name, attr, _ in DIMENSIONS}
    out = []
    for dim, name in enumerate(facets.dims[:-1]):
        index = {v: i for i, v in enumerate(facets.names[dim])}
        if any(v not in index for v in getattr(doc, attrs[name])):
            return None
        vals = sorted({index[v] for v in getattr(doc, attrs[name])})
        out.append(enc(len(vals)) + "".join(enc(v) for v in vals))
    if any(getattr(doc, attr) and name not in facets.dims for name, attr, _ in DIMENSIONS):
        return None
    year = _year(doc)
    years = facets.names[-1]
    if year is not None and str(year) not in years:
        return None
    out.append(enc(0) if year is None else enc(1) + enc(years.index(str(year))))
    return "".join(out)


def doc_facet_code(facets: Facets, doc_id: int) -> str:
    """One document's value ids: per dimension enc(n) then the ids."""
    out = []
    for dim in range(len(facets.dims)):
        vals = facets.doc_values[dim][doc_id]
        out.append(enc(len(vals)) + "".join(enc(v) for v in vals))
    return "".join(out)
