"""The index build's fast paths against the plain definitions they stand for, value for value.

The build tokenizes with ``str.split``, hashes, scores, levels and encodes with numpy over whole
arrays; each fast path is checked here against the one-value-at-a-time definition (the regex,
``enc``, ``fnv1a``, ``bisect``), on edge cases and on generated input, and the forward rows
against the rule the browser applies to them.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marginalia.search import SearchDoc, build_index
from marginalia.search.build import count_all
from marginalia.search.codec import FORWARD_BASIS, base36, dec_all, enc, enc_array, fnv1a, fnv1a_all
from marginalia.search.corpus import Corpus, assemble, order_docs
from marginalia.search.facets import FacetTable, collect_facets, count_numbers
from marginalia.search.forward import DIGITS, OFFSET, common_stems
from marginalia.search.records import EXCERPT_CHARS, excerpt
from marginalia.search.scan import merge_runs, scan_slice
from marginalia.search.scores import BOUNDS, INLINE_MAX, K1, TOP_K, B, levels, norms, rounded_average, top_mask
from marginalia.search.tokens import WORD_RE, Stemmer, normalize, words

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


@FUZZ
@given(st.lists(st.sampled_from(TRICKY) | st.characters(), max_size=12).map("".join), st.integers(0, 2**32 - 1))
def test_array_hashing_is_fnv1a(text: str, basis: int) -> None:
    texts = [text, text * 7, "", text[::-1]]
    assert fnv1a_all(texts, basis).tolist() == [fnv1a(t, basis) for t in texts]


def one_stem_top(lv: list[int], docs: list[int]) -> list[bool]:
    if len(lv) <= INLINE_MAX:
        return [True] * len(lv)
    best = set(sorted(range(len(lv)), key=lambda i: (lv[i], docs[i]), reverse=True)[:TOP_K])
    return [i in best for i in range(len(lv))]


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
        docs.append(SearchDoc(f"a{i}/index.html", " ".join(rng.choices(words, k=3)) + f" w{rng.randrange(n)}",
                              None if i % 13 == 0 else f"{2004 + i % 4}-0{1 + i % 9}-1{i % 10}", None, text,
                              tags=(rng.choice("abc"),), people=tuple(rng.sample(["P1", "P2", "P3", "P4"], k=i % 4))))
    return docs


def scanned(docs: list[SearchDoc]) -> tuple[list[SearchDoc], Corpus, np.ndarray, np.ndarray, np.ndarray]:
    """The corpus of ``docs`` and its postings: (docs in id order, corpus, offsets, docs, tfs) by stem id."""
    ordered = [docs[i] for i in order_docs(docs)]
    scan = scan_slice(ordered, Stemmer())
    c = assemble([str(i) for i in range(len(ordered))], [-1] * len(ordered), [scan], None)
    counted = count_all(c, fnv1a_all(c.stems))[0]
    offsets, pdocs, tfs = merge_runs([(x.run_ids, x.run_lengths, x.docs, x.tfs) for x in counted],
                                     len(c.stems))
    return ordered, c, offsets, pdocs.astype(np.int64), tfs


@pytest.mark.parametrize("seed", [1, 2])
def test_levels_and_top_blocks_are_the_one_posting_rules(seed: int) -> None:
    _, c, offsets, docs, tfs = scanned(corpus(seed, 2500))
    avg = rounded_average(int(c.lengths.sum()), len(c.keys))
    doc_norms = norms(c.lengths, avg)
    df = np.diff(offsets)
    lv = levels(tfs, doc_norms[docs])
    keep = top_mask(lv, docs, df)
    assert (df > INLINE_MAX).any() and (df <= INLINE_MAX).any()
    lengths = c.lengths.tolist()
    for stem in range(1, len(df)):
        a, b = int(offsets[stem]), int(offsets[stem + 1])
        for d, tf, level in zip(docs[a:b].tolist(), tfs[a:b].tolist(), lv[a:b].tolist(), strict=True):
            w = (K1 + 1) * tf / (tf + K1 * (1 - B + B * lengths[d] / avg))
            assert level == bisect.bisect(BOUNDS.tolist(), w)
        assert keep[a:b].tolist() == one_stem_top(lv[a:b].tolist(), docs[a:b].tolist())


@pytest.mark.parametrize("seed", [3, 4])
def test_facet_counts_are_the_one_stem_rule(seed: int) -> None:
    rng = random.Random(seed)
    ordered, c, offsets, docs, _ = scanned(corpus(seed, 400))
    facets = collect_facets(ordered)
    ndims, doc_keys = len(facets.dims), facets.doc_keys()
    table = FacetTable.of(doc_keys, ndims, facets.year_starts)
    df = np.diff(offsets)[1:]
    with_years = np.array([rng.random() < 0.5 for _ in df])
    numbers, sizes = count_numbers(table, docs[offsets[1]:], df, with_years)
    text, at = enc_array(numbers)
    cuts = at[np.concatenate([[0], np.cumsum(sizes)])].tolist()
    for i in range(len(df)):
        ids = docs[offsets[i + 1]:offsets[i + 2]].tolist()
        keys = [k for d in ids for k in doc_keys[d]]
        years = one_stem_years(ids, facets.year_starts) if with_years[i] else []
        assert text[cuts[i]:cuts[i + 1]] == one_stem_counts(ndims, keys, years)


def browser_codes(stem: str, common: list[str], salt: int) -> set[int]:
    """The codes the browser accepts for ``stem`` in a forward row (forwardCodes in search-index.js)."""
    if stem in common:
        return {common.index(stem) + 1}
    x = fnv1a(stem) + (fnv1a(stem, (FORWARD_BASIS + salt * 0x9E3779B1) & 0xFFFFFFFF) & 0x1FFFF) * 2**32
    return {45 + OFFSET[length] + x % 45**length for length in range(1, DIGITS + 1)}


@pytest.mark.parametrize("seed", [5, 6])
def test_forward_rows_name_each_stem_exactly_as_the_browser_reads_them(seed: int) -> None:
    docs = corpus(seed, 900)
    files = build_index(docs)
    meta = json.loads(files["search/idx/meta.js"].decode().split(",", 1)[1][:-3])
    ordered, c, offsets, _, _ = scanned(docs)
    assert meta["common"] == common_stems(np.diff(offsets), c.stems, len(ordered))
    rows: list[str] = []
    for start in range(0, len(ordered), 8):
        text = files[f"search/idx/w/{base36(start // 8)}.js"].decode()
        rows += json.loads(text.split(",", 1)[1][:-3]).split("~")
    assert len(rows) == len(ordered)
    for i, row in enumerate(rows):
        stems = [c.stems[x] for x in c.doc_cids(i).tolist()]
        own = set(stems) - {""}
        for code, stem in zip(dec_all(row), stems, strict=True):
            if stem == "":
                assert code == 0
            else:  # the code is the stem's, and no other stem of the document's
                assert {s for s in own if code in browser_codes(s, meta["common"], meta["salt"])} == {stem}


@FUZZ
@given(st.lists(st.sampled_from(["word", "a", "longerword", " ", "  ", "\n", "\t", "\u00a0", "-", ",", "\u2028"]),
                max_size=200).map("".join))
def test_excerpt_is_the_start_of_the_flattened_text(text: str) -> None:
    flat = " ".join(text.split())
    cut = flat.rfind(" ", 0, EXCERPT_CHARS)
    want = flat if len(flat) <= EXCERPT_CHARS else \
        flat[: cut if cut > EXCERPT_CHARS // 2 else EXCERPT_CHARS].rstrip(" ,;:-") + "\u2026"
    assert excerpt(text) == want


PIN_WORDS = ["ink", "vote", "voters", "voting", "market", "markets", "film", "goal", "rate", "o'neill",
             "o\u2019neill's", "caf\u00e9", "na\u00efve", "\u00a35bn", "2004", "a", "the", "don't", "'tis", "players'",
             "e-mail", "x''y", "\u4e2d\u6587", "\ufb01nance", "under_score", "elections", "elected"]
# sha256 of the index of pinned_corpus() (paths and bytes, by path), format 3 (stems addressed by hash,
# scores without the stem factor, forward rows by hash prefix): any change to these bytes must be deliberate.
PINNED = "e7adad5b6c4b9b9b5bee53703b8d8cc0f2379eae09b3dc7e62fbcf3853b067a4"


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
def test_the_index_has_the_pinned_bytes(jobs: int) -> None:
    files = build_index(pinned_corpus(), jobs=jobs)
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + files[path])
    assert digest.hexdigest() == PINNED
