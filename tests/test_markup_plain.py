"""The plain-paragraph fast path gives exactly what Python-Markdown gives.

Bodies of plain paragraphs skip Python-Markdown (marginalia.markup.plain_paragraphs);
these tests render every body the fast path accepts both ways and compare the
HTML and the captured text byte for byte: the bundled archive, the 1,781 BBC
articles as imported, and generated text full of the characters that matter.
"""

from __future__ import annotations

import pathlib

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, example, given, settings

from marginalia.ingest.run import run_import
from marginalia.markup import Renderer, plain_paragraphs

from conftest import REPO

BBC = REPO.parent / "shared" / "corpus" / "bbc"
RENDERER = Renderer()


def slow(body: str) -> tuple[str, str]:
    return RENDERER.render(body, plain_ok=False)


def bodies(folder: pathlib.Path) -> list[str]:
    return [p.read_text(encoding="utf-8").split("\n---\n", 1)[1] for p in sorted(folder.rglob("*.md"))]


def test_bundled_articles() -> None:
    found = bodies(REPO / "content")
    accepted = [b for b in found if plain_paragraphs(b) is not None]
    assert len(accepted) > 100
    for body in accepted:
        assert plain_paragraphs(body) == slow(body)


@pytest.mark.slow
def test_bbc_articles_as_imported(tmp_path: pathlib.Path) -> None:
    if not (BBC / "business" / "001.txt").is_file():
        pytest.fail(f"BBC corpus not found at {BBC}: the tests expect shared/ beside the clone")
    run_import([BBC], site=tmp_path)
    found = bodies(tmp_path / "content")
    accepted = [b for b in found if plain_paragraphs(b) is not None]
    assert len(found) == 1781 and len(accepted) > 1000
    for body in accepted:
        assert plain_paragraphs(body) == slow(body)


# Lines from pieces that are plain, Markdown syntax, or awkward (unicode spaces, entities, list
# and heading starts), so the generator reaches both sides of every rule.
PIECES = ["word", "Two words", "1. item", "1) item", "- dash", "* star", "+ plus", "# hash", "> quote",
          "=== ", "---", "    code", "\tTab", "a  ", "x\\y", "a*b*", "a_b", "[link](x)", "<b>", "&amp;",
          "a|b", "£5", "“curly”", "'single'", "\"double\"", "(aside)", "$1m", "50%", "\u00a0nbsp", "\u3000ideo",
          "end\u3000", "é", "2014 was", "12.5 per cent", "Q&A", "ok!", "a:b", "~tilde~", "^caret", "{brace}",
          "\ufeffbom", "\u2028sep", "", " ", "  "]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=12), st.lists(st.sampled_from(["\n", "\n\n", "\n\n\n", " "]),
                                                                  max_size=12))
@example(["Hello", "world"], ["\n\n"])
def test_generated_text(pieces: list[str], seps: list[str]) -> None:
    body = "".join(p + (seps[i] if i < len(seps) else "\n") for i, p in enumerate(pieces))
    fast = plain_paragraphs(body)
    if fast is not None:
        assert fast == slow(body), repr(body)
