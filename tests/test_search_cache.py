"""The search scan cache: a rebuild with it gives exactly the bytes of a cold build."""

from __future__ import annotations

import dataclasses
import pathlib
import random
from collections.abc import Callable

import pytest

from marginalia.pipeline import build
from marginalia.search import SearchCache, SearchDoc, build_index, inverted

from conftest import article

WORDS = ["election", "minister", "growth", "film", "broadband", "chelsea", "ink", "music", "vote", "voters",
         "voting", "elected", "markets", "market", "rates", "rate", "goal", "goals", "player", "players",
         "o'neill", "café", "naïve", "2004", "5bn"]


def corpus(rng: random.Random, n: int) -> list[SearchDoc]:
    """``n`` small random articles with facets and dates over a few years."""
    return [SearchDoc(f"a{i}/index.html", " ".join(rng.choices(WORDS, k=4)), f"{2004 + i % 5}-0{1 + i % 9}-1{i % 10}",
                      None, " ".join(rng.choices(WORDS, k=rng.randint(5, 60))),
                      tags=(rng.choice("abc"),), people=tuple(rng.sample(["P1", "P2", "P3"], k=i % 3)))
            for i in range(n)]


def edit(rng: random.Random, docs: list[SearchDoc], count: int) -> list[SearchDoc]:
    """``count`` random changes: new text, new headline, an article added or removed."""
    docs = list(docs)
    for _ in range(count):
        i, kind = rng.randrange(len(docs)), rng.randrange(4)
        if kind == 0:
            docs[i] = dataclasses.replace(docs[i], text=docs[i].text + " " + " ".join(rng.choices(WORDS, k=9)))
        elif kind == 1:
            docs[i] = dataclasses.replace(docs[i], title="zyzzyva " + docs[i].title)
        elif kind == 2:
            docs.append(dataclasses.replace(docs[i], url=f"new{rng.random()}/index.html"))
        else:
            del docs[i]
    return docs


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cached_rebuilds_match_cold_builds(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
                                           seed: int) -> None:
    monkeypatch.setattr(inverted, "BLOCK", 16)  # many blocks, so that most edits leave most blocks cached
    rng = random.Random(seed)
    docs = corpus(rng, 150)
    path = tmp_path / "cache" / "search-scan.pickle"
    assert build_index(docs, cache=SearchCache(path)) == build_index(docs)
    assert path.is_file()
    for step in range(4):
        docs = edit(rng, docs, 1 + step)
        cold = build_index(docs)
        assert build_index(docs, cache=SearchCache(path)) == cold
        assert build_index(docs, cache=SearchCache(path), jobs=2) == cold  # all blocks cached now


def test_the_cache_only_holds_the_current_blocks(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inverted, "BLOCK", 10)
    docs = corpus(random.Random(5), 95)
    path = tmp_path / "search-scan.pickle"
    build_index(docs, cache=SearchCache(path))
    assert len(SearchCache(path).load()) == 10
    build_index(docs[:25], cache=SearchCache(path))
    assert len(SearchCache(path).load()) == 3


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05K\x01.", None])
def test_a_missing_or_corrupt_cache_means_a_cold_build(tmp_path: pathlib.Path, damage: bytes | None) -> None:
    docs = corpus(random.Random(7), 40)
    path = tmp_path / "search-scan.pickle"
    if damage is not None:
        path.write_bytes(damage)
    assert build_index(docs, cache=SearchCache(path)) == build_index(docs)
    assert SearchCache(path).load()  # rewritten whole
    if damage:
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])  # a truncated file
        assert build_index(docs, cache=SearchCache(path)) == build_index(docs)


def test_an_unwritable_cache_still_builds(tmp_path: pathlib.Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    docs = corpus(random.Random(9), 30)
    assert build_index(docs, cache=SearchCache(blocker / "sub" / "search-scan.pickle")) == build_index(docs)


def test_the_site_build_keeps_its_scan_cache(make_site: Callable[..., pathlib.Path]) -> None:
    site = make_site({"content/a.md": article("Ink prices", body="Printer ink costs more."),
                      "content/b.md": article("B", "2019-01-01")})
    build(site)
    assert len(SearchCache(site / ".marginalia-cache" / "search-scan.pickle").load()) == 1
