"""The plain-paragraph fast path gives exactly what Python-Markdown gives.

Bodies of plain paragraphs skip Python-Markdown (marginalia.markup.plain_paragraphs);
these tests render every body the fast path accepts both ways and compare the
HTML and the captured text byte for byte: the bundled archive, the 1,781 BBC
articles as imported, generated text full of the characters that matter, and
hand-picked bodies on either side of each rule.
"""

from __future__ import annotations

import pathlib
import re

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, example, given, settings

from marginalia.ingest.run import run_import
from marginalia.markup import ESCAPABLE, Renderer, plain_paragraphs

from conftest import REPO

BBC = REPO.parent / "shared" / "corpus" / "bbc"
RENDERER = Renderer()


def slow(body: str) -> tuple[str, str]:
    return RENDERER.render(body, plain_ok=False)


def check_alone(body: str) -> None:
    """The paragraphs' texts a plain body leaves (what a feed's summary is made of) are those of
    each paragraph rendered alone, as the summary would otherwise render them (articles.summary)."""
    renderer = Renderer()
    renderer.render(body)
    alone = renderer.last_paragraphs()
    assert alone is not None
    blocks = [b for b in re.split(r"\n\s*\n", body.strip()) if not b.lstrip().startswith("#")]
    # (An empty text adds nothing to a summary: the empty body is one empty block to re.split.)
    assert [t for t in alone if t] == [t for block in blocks if (t := slow(block)[1])], repr(body)


def bodies(folder: pathlib.Path) -> list[str]:
    return [p.read_text(encoding="utf-8").split("\n---\n", 1)[1] for p in sorted(folder.rglob("*.md"))]


def test_bundled_articles() -> None:
    found = bodies(REPO / "content")
    accepted = [b for b in found if plain_paragraphs(b) is not None]
    assert len(accepted) > 270  # of 292
    for body in accepted:
        assert plain_paragraphs(body) == slow(body)
        check_alone(body)


@pytest.mark.slow
def test_bbc_articles_as_imported(tmp_path: pathlib.Path) -> None:
    if not (BBC / "business" / "001.txt").is_file():
        pytest.fail(f"BBC corpus not found at {BBC}: the tests expect shared/ beside the clone")
    run_import([BBC], site=tmp_path)
    found = bodies(tmp_path / "content")
    accepted = [b for b in found if plain_paragraphs(b) is not None]
    assert len(found) == 1781 and len(accepted) > 1700  # the rest hold lists
    for body in accepted:
        assert plain_paragraphs(body) == slow(body)
        check_alone(body)


# Lines from pieces that are plain, Markdown syntax, or awkward (unicode spaces, entities, list
# and heading starts), so the generator reaches both sides of every rule.
PIECES = ["word", "Two words", "1. item", "1) item", "- dash", "* star", "+ plus", "# hash", "> quote",
          "=== ", "---", "    code", "\tTab", "a  ", "x\\y", "a*b*", "a_b", "[link](x)", "<b>", "&amp;",
          "a|b", "£5", "“curly”", "'single'", "\"double\"", "(aside)", "$1m", "50%", "\u00a0nbsp", "\u3000ideo",
          "end\u3000", "é", "2014 was", "12.5 per cent", "Q&A", "ok!", "a:b", "~tilde~", "^caret", "{brace}",
          "\ufeffbom", "\u2028sep", "", " ", "  ", "7.", "8)\u2028", "\u0663. item"]
# The inline forms the fast path writes itself, next to look-alikes it must leave to Markdown.
INLINE_PIECES = [
    # "&": bare, entities (named, unknown, numeric, hex), and what only looks like one
    "AT&T", "&", "&&amp;", "&nbsp;", "&foo;", "&a-b;", "&1x;", "&#163;", "&#x1F;", "&#X1F;", "&#12a;",
    "&#150;", "&#13;", "&#160;", "&#x2028;",
    "&#163 pounds", "&#2;amp&#3;", "&#", "&\\#35;", "&\\\\#", "&lt;b&gt;", "&#91;TOC&#93;",
    # a backslash before each escapable character, before others, doubled, at a line's end
    *("\\" + c for c in sorted(ESCAPABLE)), "\\y", "\\&amp;", "\\<b>", "\\ ", "a\\", "\\\\*",
    "1\\. item", "\\- dash", "\\# hash", "\\> quote", "\\[TOC\\]", "a\\|b", "=\\|=", "a\\  ",
    # "!" and ">" in a line; line starts no block takes, and one that can ("=")
    "![x](y)", "!\\[x\\]", "Mamma Mia!", "a > b", "x>", ".start", ": colon", ", comma", "; semi",
    "?", "/path", "@name", ")", "...", "=",
]
PIECES += INLINE_PIECES
SEPARATORS = st.sampled_from(["\n", "\n\n", "\n\n\n", " "])


def check_generated(pieces: list[str], seps: list[str]) -> None:
    body = "".join(p + (seps[i] if i < len(seps) else "\n") for i, p in enumerate(pieces))
    fast = plain_paragraphs(body)
    if fast is not None:
        assert fast == slow(body), repr(body)
        check_alone(body)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=12), st.lists(SEPARATORS, max_size=12))
@example(["Hello", "world"], ["\n\n"])
def test_generated_text(pieces: list[str], seps: list[str]) -> None:
    check_generated(pieces, seps)


# Few pieces, most of them plain enough to pass, so that every inline form is often accepted.
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(INLINE_PIECES + ["word", "Two words", ""]), min_size=1, max_size=5),
       st.lists(SEPARATORS, max_size=5))
def test_generated_inline(pieces: list[str], seps: list[str]) -> None:
    check_generated(pieces, seps)


def test_escapable_characters_are_markdowns() -> None:
    assert set(RENDERER.md.ESCAPED_CHARS) == ESCAPABLE


@pytest.mark.parametrize("body", [
    "AT&T and M&S\n\nQ&A!", "Mr Blair&amp;#191;s &#163;5 &nbsp;", "&nbsp;\n\nword\n\n&nbsp;",
    "a &lt;b&gt; tag", "x&a-b; &1x; &foo;", "\\\\ \\* \\_ \\` \\[x\\] \\| \\> \\#", "1\\. Item\n\\- not a list",
    "C:\\new \\&amp; a\\\nb\\", "Mamma Mia! a > b\n: colon, .dot", "\\[TOC\\]", "&#91;TOC&#93;",
    "a &#150; b &#13; &#x2028;",  # the sanitizer's own reading of odd character references
])
def test_accepted_examples(body: str) -> None:
    assert plain_paragraphs(body) is not None
    assert plain_paragraphs(body) == slow(body)
    check_alone(body)


@pytest.mark.parametrize("body", [
    "&#X1F;",  # an entity to the serializer, not to the entity pattern: written as is
    "&\\#35;",  # the escape is undone before the serializer sees "&#35;"
    "&#163 pounds",  # Python-Markdown's HTML parser adds the ";"
    "&#2;amp&#3;",  # resolves to Python-Markdown's own placeholder for "&"
    "\\\\*", "![x](y)", "- a list", "a\\  \nhard break", "=\n\\==",
    "1. a list", "Text\n\n2) second", "Para\n3.\nmore",  # an ordered item, also ending its line
])
def test_refused_examples(body: str) -> None:
    assert plain_paragraphs(body) is None
    renderer = Renderer()
    renderer.render(body)
    assert renderer.last_paragraphs() is None  # the summary renders each paragraph itself
