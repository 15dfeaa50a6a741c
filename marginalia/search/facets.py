"""Facets: tag, person, organisation, place and year, as small integer ids.

Input: documents in id order. Output: a :class:`Facets` table (value names per
dimension, each document's value ids) and the encoded shard payloads: value
names, one membership file per dimension, and per-term counts. Years need no
membership file: document ids follow dates, so a year is a range of ids.
Touches nothing outside memory.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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


def year_counts(docs: Sequence[int], year_starts: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """(year index, count) for ascending doc ids: a year is a range of ids, so two bisections."""
    out = []
    bounds = [start for _, start in year_starts] + [docs[-1] + 1 if docs else 0]
    for i in range(len(year_starts)):
        count = bisect.bisect_left(docs, bounds[i + 1]) - bisect.bisect_left(docs, bounds[i])
        if count:
            out.append((i, count))
    return out


def encode_counts(ndims: int, keys: Iterable[int], years: list[tuple[int, int]]) -> str:
    """Counts per dimension: enc(pairs), then (value gap, count) pairs, dimension by dimension.
    ``keys`` are the documents' keys of every dimension but the last (years), given apart."""
    counts = Counter(keys)
    out = []
    for dim in range(ndims):
        if dim == ndims - 1:
            pairs = years
        else:
            pairs = sorted((k // ndims, c) for k, c in counts.items() if k % ndims == dim)
        out.append(enc(len(pairs)))
        last = 0
        for value, count in pairs:
            out.append(enc(value - last) + enc(count))
            last = value
    return "".join(out)


def doc_facet_code(facets: Facets, doc_id: int) -> str:
    """One document's value ids: per dimension enc(n) then the ids."""
    out = []
    for dim in range(len(facets.dims)):
        vals = facets.doc_values[dim][doc_id]
        out.append(enc(len(vals)) + "".join(enc(v) for v in vals))
    return "".join(out)
