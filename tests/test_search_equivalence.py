"""The index build's fast paths against the plain definitions they replace, value for value.

The build tokenizes with ``str.split`` and scores, levels and encodes with numpy over whole
arrays; the index must stay byte-identical, so each fast path is checked here against the
one-value-at-a-time definition (the regex, ``enc``, ``bm25``, ``bisect``), on edge cases
and on generated input.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marginalia.search.codec import enc, enc_array
from marginalia.search.records import EXCERPT_CHARS, excerpt
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


@FUZZ
@given(st.lists(st.sampled_from(["word", "a", "longerword", " ", "  ", "\n", "\t", "\u00a0", "-", ",", "\u2028"]),
                max_size=200).map("".join))
def test_excerpt_is_the_start_of_the_flattened_text(text: str) -> None:
    flat = " ".join(text.split())
    cut = flat.rfind(" ", 0, EXCERPT_CHARS)
    want = flat if len(flat) <= EXCERPT_CHARS else \
        flat[: cut if cut > EXCERPT_CHARS // 2 else EXCERPT_CHARS].rstrip(" ,;:-") + "\u2026"
    assert excerpt(text) == want
