"""The index build's fast paths against the plain definitions they replace, value for value.

The build tokenizes with ``str.split`` and scores, levels and encodes with numpy over whole
arrays; the index must stay byte-identical, so each fast path is checked here against the
one-value-at-a-time definition (the regex, ``enc``, ``bm25``, ``bisect``), on edge cases
and on generated input.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marginalia.search import SearchDoc, build_index
from marginalia.search.codec import enc, enc_array
from marginalia.search.facets import FacetTable, collect_facets, count_numbers
from marginalia.search.inverted import K1, B, bm25, build_inverted
from marginalia.search.records import EXCERPT_CHARS, excerpt
from marginalia.search.scores import INLINE_MAX, LEVELS, SCORE_UNIT, TOP_K, bm25_all, levels_all, top_mask
from marginalia.search.tokens import WORD_RE, normalize, words

FUZZ = settings(max_examples=600, deadline=None, database=None)

# Where the fast tokenizer and the regex could part: apostrophes at word edges and in runs,
# separators and word characters on both sides of ASCII, marks, ligatures, odd digits.
TRICKY = [*"ab'Z09_ \n\t.-\u2019\u02bc\u2018\u00e9\u00c9\u0301\u00df\u0130\ufb01\u00bd\u00b2\u2163\u0663\u4e2d",
          *"\U0001d400\u00a0\u2028\u00a3\u20ac\u2014\u00b7\u1e9e\u212a\u00aa", "''", "'''", "a'b", "'a'"]


@pytest.mark.parametrize("text", [
    "", "'", "''", "a'", "'a", "a''b", "a'''b", "a''''b", "'a'b'", "x' 'y", "9'9", "_a_", "a_'_b", "\u00a35bn",
    "o\u2019neill's", "caf\u00e9 d'\u00e9t\u00e9", "\u4e2d'\u6587", "rock'n'roll ''quoted'' players' 'tis",
    "\u00a3\u20ac\u2014\u2013\u00b7\u00b0\u00bf\u00a1\u00ab\u00bb\u2026 w'x",  # more separators than replace() pays for
])
def test_fast_tokenizer_is_the_regex(text: str) -> None:
    assert words(text) == WORD_RE.findall(normalize(text))


@FUZZ
@given(st.lists(st.sampled_from(TRICKY) | st.characters(), max_size=40).map("".join))
def test_fast_tokenizer_is_the_regex_on_any_text(text: str) -> None:
    assert words(text) == WORD_RE.findall(normalize(text))


@FUZZ
@given(st.lists(st.integers(0, 10**12) | st.sampled_from([0, 44, 45, 2024, 2025, 65535, 65536, 91124, 91125]),
                max_size=50))
def test_array_encoding_is_enc(values: list[int]) -> None:
    text, offsets = enc_array(np.array(values, dtype=np.int64))
    assert text == "".join(map(enc, values))
    assert [text[a:b] for a, b in zip(offsets, offsets[1:], strict=False)] == [enc(v) for v in values]


# The one-stem definitions the build used before it worked on whole arrays.
def one_stem_levels(scores: list[float]) -> tuple[int, int, list[int]]:
    lo = max(1, math.floor(min(scores) * SCORE_UNIT))
    hi = max(lo, math.ceil(max(scores) * SCORE_UNIT))
    if hi == lo:
        return lo, hi, [0] * len(scores)
    step = math.log(hi / lo) / (LEVELS - 1)
    bounds = [lo * math.exp(step * (i + 0.5)) / SCORE_UNIT for i in range(LEVELS - 1)]
    return lo, hi, [bisect.bisect(bounds, s) for s in scores]


def one_stem_top(scores: list[float]) -> list[bool]:
    if len(scores) <= INLINE_MAX:
        return [True] * len(scores)
    cut = sorted(scores, reverse=True)[TOP_K - 1]
    keep = [s > cut for s in scores]
    for i in [i for i, s in enumerate(scores) if s == cut][:TOP_K - sum(keep)]:
        keep[i] = True
    return keep


def one_stem_counts(ndims: int, keys: list[int], years: list[tuple[int, int]]) -> str:
    counts = Counter(keys)
    out = []
    for dim in range(ndims):
        pairs = years if dim == ndims - 1 else sorted((k // ndims, c) for k, c in counts.items() if k % ndims == dim)
        out.append(enc(len(pairs)))
        last = 0
        for value, count in pairs:
            out.append(enc(value - last) + enc(count))
            last = value
    return "".join(out)


def one_stem_years(docs: list[int], year_starts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    bounds = [start for _, start in year_starts] + [docs[-1] + 1 if docs else 0]
    counts = [(i, bisect.bisect_left(docs, bounds[i + 1]) - bisect.bisect_left(docs, bounds[i]))
              for i in range(len(year_starts))]
    return [(i, c) for i, c in counts if c]


def corpus(seed: int, n: int) -> list[SearchDoc]:
    """Short articles over a small vocabulary (so some stems are in more than INLINE_MAX of them),
    some of them identical (ties), some undated, over a few years, with facets."""
    rng = random.Random(seed)
    words = ["ink", "vote", "voters", "market", "film", "goal", "rate", "o'neill", "caf\u00e9", "2004", "a", "the"]
    docs = []
    for i in range(n):
        text = "same text" if i % 7 == 0 else " ".join(rng.choices(words, k=rng.randint(0, 30)))
        docs.append(SearchDoc(f"a{i}/index.html", " ".join(rng.choices(words, k=3)),
                              None if i % 13 == 0 else f"{2004 + i % 4}-0{1 + i % 9}-1{i % 10}", None, text,
                              tags=(rng.choice("abc"),), people=tuple(rng.sample(["P1", "P2", "P3", "P4"], k=i % 4))))
    return docs


@pytest.mark.parametrize("seed", [1, 2])
def test_scores_levels_and_top_blocks_are_the_one_stem_rules(seed: int) -> None:
    inv = build_inverted(corpus(seed, 2500), "english")
    df = inv.df[1:]
    docs, tfs = inv.postings(1, len(inv.stems))
    norms = inv.norms()
    scores = bm25_all(df, docs.astype(np.int64), tfs, len(inv.docs), norms)
    lo, hi, levels = levels_all(scores, df)
    keep = top_mask(scores, df)
    assert (df > INLINE_MAX).any() and (df <= INLINE_MAX).any()
    at = inv.offsets[1:].tolist()
    for i, term in enumerate(inv.terms[1:]):
        a, b = at[i], at[i + 1]
        one = bm25(term, len(inv.docs), norms.tolist())
        assert scores[a:b].tolist() == one  # the same floats, bit for bit
        assert (int(lo[i]), int(hi[i]), levels[a:b].tolist()) == one_stem_levels(one)
        assert keep[a:b].tolist() == one_stem_top(one)


@settings(max_examples=150, deadline=None, database=None)
@given(st.lists(st.lists(st.sampled_from([0.01, 0.5, 1.0, 1.015625, 2.25, 7.0]) | st.floats(1e-3, 40.0),
                         min_size=1, max_size=30), min_size=1, max_size=8), st.booleans())
def test_levels_and_top_blocks_of_any_scores(stems: list[list[float]], big: bool) -> None:
    if big:  # a stem in more than INLINE_MAX documents, with many ties at its cut
        stems = [*stems, [stems[0][i % len(stems[0])] for i in range(INLINE_MAX + 7)]]
    scores = np.array([s for stem in stems for s in stem])
    df = np.array([len(stem) for stem in stems])
    lo, hi, levels = levels_all(scores, df)
    keep = top_mask(scores, df)
    at = 0
    for i, stem in enumerate(stems):
        assert (int(lo[i]), int(hi[i]), levels[at:at + len(stem)].tolist()) == one_stem_levels(stem)
        assert keep[at:at + len(stem)].tolist() == one_stem_top(stem)
        at += len(stem)


@pytest.mark.parametrize("seed", [3, 4])
def test_facet_counts_are_the_one_stem_rule(seed: int) -> None:
    rng = random.Random(seed)
    docs = corpus(seed, 400)
    inv = build_inverted(docs, "english")
    facets = collect_facets(inv.docs)
    ndims, doc_keys = len(facets.dims), facets.doc_keys()
    table = FacetTable.of(doc_keys, ndims, facets.year_starts)
    df = inv.df[1:]
    with_years = np.array([rng.random() < 0.5 for _ in df])
    docs_all, _ = inv.postings(1, len(inv.stems))
    numbers, sizes = count_numbers(table, docs_all.astype(np.int64), df, with_years)
    text, offsets = enc_array(numbers)
    cuts = offsets[np.concatenate([[0], np.cumsum(sizes)])].tolist()
    for i, term in enumerate(inv.terms[1:]):
        ids = term.docs.tolist()
        keys = [k for d in ids for k in doc_keys[d]]
        years = one_stem_years(ids, facets.year_starts) if with_years[i] else []
        assert text[cuts[i]:cuts[i + 1]] == one_stem_counts(ndims, keys, years)


@FUZZ
@given(st.lists(st.sampled_from(["word", "a", "longerword", " ", "  ", "\n", "\t", "\u00a0", "-", ",", "\u2028"]),
                max_size=200).map("".join))
def test_excerpt_is_the_start_of_the_flattened_text(text: str) -> None:
    flat = " ".join(text.split())
    cut = flat.rfind(" ", 0, EXCERPT_CHARS)
    want = flat if len(flat) <= EXCERPT_CHARS else \
        flat[: cut if cut > EXCERPT_CHARS // 2 else EXCERPT_CHARS].rstrip(" ,;:-") + "\u2026"
    assert excerpt(text) == want


def test_length_norms_are_pythons_floats() -> None:
    inv = build_inverted(corpus(5, 300), "english")
    lengths = inv.lengths.tolist()
    avg = sum(lengths) / len(lengths)
    assert inv.norms().tolist() == [K1 * (1 - B + B * length / avg) for length in lengths]


PIN_WORDS = ["ink", "vote", "voters", "voting", "market", "markets", "film", "goal", "rate", "o'neill",
             "o\u2019neill's", "caf\u00e9", "na\u00efve", "\u00a35bn", "2004", "a", "the", "don't", "'tis", "players'",
             "e-mail", "x''y", "\u4e2d\u6587", "\ufb01nance", "under_score", "elections", "elected"]
# sha256 of the index of pinned_corpus() (paths and bytes, by path) as built one posting at a time in
# Python, before numpy (commit 1298b80): the whole-array build must give exactly these bytes.
PINNED = "e8ff4d0d98b7f5791f040c1f30fee6ff83742218be5a345b2e899cc220fa42f5"


def pinned_corpus(n: int = 6000, seed: int = 11) -> list[SearchDoc]:
    """Articles mixing a small vocabulary with rare words (so stems span every size, gaps reach past
    4,096 documents and codes past 65,535), ties, undated articles, a very long one, and facets."""
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        words = rng.choices(PIN_WORDS, k=rng.randint(0, 40)) + [f"rare{rng.randrange(3 * n)}" for _ in range(i % 3)]
        text = "same text" if i % 7 == 0 else " ".join(words)
        if i == 17:
            text = "ink " * 5000
        docs.append(SearchDoc(f"a{i}/index.html", " ".join(rng.choices(PIN_WORDS, k=3)) + f" ({i})",
                              None if i % 13 == 0 else f"{2004 + i % 5}-0{1 + i % 9}-1{i % 10}", None, text,
                              tags=(rng.choice("abc"),), people=tuple(rng.sample(["P1", "P2", "P3", "P4"], k=i % 4)),
                              places=("Here",) if i % 5 == 0 else ()))
    return docs


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_index_has_the_bytes_of_the_one_posting_at_a_time_build(jobs: int) -> None:
    files = build_index(pinned_corpus(), jobs=jobs)
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + files[path])
    assert digest.hexdigest() == PINNED
