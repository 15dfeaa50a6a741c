"""Relevance and recall on the BBC corpus, through the real runtime in Chromium.

- A query made of an article's headline words finds that article (or a
  byte-identical duplicate of it) in the top 3 for at least 90% of a sample.
- A single word finds every article that contains it (or another form with
  the same stem): recall 100% against a brute-force scan.
"""

from __future__ import annotations

import pathlib
import random
from collections.abc import Iterator
from typing import Any

import pytest
from test_search_browser import make_site

from marginalia.search import SearchDoc
from marginalia.search.tokens import Stemmer, words

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BBC = pathlib.Path(__file__).resolve().parents[2] / "shared" / "corpus" / "bbc"


def bbc_docs() -> list[SearchDoc]:
    if not BBC.is_dir():
        pytest.fail(f"BBC corpus not found at {BBC}: the tests expect shared/ beside the clone")
    docs = []
    for i, path in enumerate(sorted(BBC.rglob("*.txt"))):
        raw = path.read_bytes().decode("utf-8", errors="replace")
        lines = [line.strip() for line in raw.splitlines() if line.strip()]
        docs.append(SearchDoc(f"{path.parent.name}/{path.stem}/index.html", lines[0],
                              f"{2004 + i % 2}-{1 + i % 12:02d}-{1 + i % 28:02d}", None, "\n".join(lines[1:]),
                              tags=(path.parent.name,)))
    return docs


@pytest.fixture(scope="module")
def corpus(chromium: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[SearchDoc], Any]]:
    docs = bbc_docs()
    root = tmp_path_factory.mktemp("bbc")
    # Only the index and the search page: article pages are not needed here.
    make_site(root, docs[:0])
    from marginalia.search import build_index

    for rel, data in build_index(docs).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    page = chromium.new_page()
    page.goto((root / "search/index.html").as_uri())
    page.wait_for_selector("#search-app[data-state=idle]")
    yield docs, page
    page.close()


def run(page: Any, queries: list[str], want: int) -> list[list[str]]:
    return page.evaluate(  # type: ignore[no-any-return]
        """async ([qs, want]) => { const out = [];
             for (const q of qs) out.push((await window.__marginaliaSearch.search(q, {want})).results.map(r => r.url));
             return out; }""", [queries, want])


def test_headline_words_find_the_article_in_the_top_3(corpus: tuple[list[SearchDoc], Any]) -> None:
    docs, page = corpus
    same_text: dict[str, set[str]] = {}
    for d in docs:
        same_text.setdefault(d.title + d.text, set()).add(d.url)
    sample = random.Random(7).sample(docs, 300)
    tops = run(page, [d.title + " " for d in sample], 3)
    found = sum(1 for d, top in zip(sample, tops, strict=True) if same_text[d.title + d.text] & set(top))
    misses = [d.title for d, top in zip(sample, tops, strict=True) if not same_text[d.title + d.text] & set(top)]
    assert found / len(sample) >= 0.9, misses[:20]


def test_single_words_have_full_recall(corpus: tuple[list[SearchDoc], Any]) -> None:
    docs, page = corpus
    stemmer = Stemmer()
    doc_stems = [{stemmer.stem(w) for w in words(d.title) + words(d.text)} for d in docs]
    vocabulary = sorted({w for d in docs for w in words(d.title)})
    rng = random.Random(11)
    probes = rng.sample(vocabulary, 60) + ["the", "said", "year", "election", "music", "film", "growth", "ink"]
    results = run(page, [w + " " for w in probes], len(docs))
    for word, urls in zip(probes, results, strict=True):
        expected = {d.url for d, stems in zip(docs, doc_stems, strict=True) if stemmer.stem(word) in stems}
        assert set(urls) == expected, (word, len(urls), len(expected))
