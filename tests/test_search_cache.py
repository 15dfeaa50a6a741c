"""The search cache: a rebuild with it gives exactly the bytes of a cold build, and redoes little."""

from __future__ import annotations

import dataclasses
import hashlib
import pathlib
import random
from collections.abc import Callable, Sequence

import numpy as np
import pytest

from marginalia.pipeline import build
from marginalia.search import SearchCache, SearchDoc, build_index, delta, incremental
from marginalia.search.scan import scan_slice
from marginalia.search.tokens import Stemmer

from conftest import article

WORDS = ["election", "minister", "growth", "film", "broadband", "chelsea", "ink", "music", "vote", "voters",
         "voting", "elected", "markets", "market", "rates", "rate", "goal", "goals", "player", "players",
         "o'neill", "café", "naïve", "2004", "5bn", "the", "a", "of"]


def keyed(doc: SearchDoc) -> SearchDoc:
    """``doc`` with a key of all its fields, as the site build gives."""
    return dataclasses.replace(doc, key=hashlib.sha1(repr(dataclasses.replace(doc, key="")).encode()).hexdigest())


def corpus(rng: random.Random, n: int, common: int = 0) -> list[SearchDoc]:
    """``n`` random articles with facets and dates over a few years; ``common``: how many also hold
    "weather" (more than INLINE_MAX of them gives the stem chunks)."""
    return [keyed(SearchDoc(f"a{i}/index.html", " ".join(rng.choices(WORDS, k=4)),
                            f"{2004 + i % 5}-0{1 + i % 9}-1{i % 10}", None,
                            " ".join(rng.choices(WORDS, k=rng.randint(5, 60))) + (" weather" if i < common else ""),
                            tags=(rng.choice("abc"),), people=tuple(rng.sample(["P1", "P2", "P3"], k=i % 3))))
            for i in range(n)]


def edit(rng: random.Random, docs: list[SearchDoc], kind: int) -> list[SearchDoc]:
    """One change of the given kind: text, headline, a new word, facets, date, an article added
    (in the middle or at the end) or removed (in the middle or the last), or everything emptied."""
    docs = list(docs)
    i = rng.randrange(len(docs)) if docs else 0
    if kind == 0:
        docs[i] = dataclasses.replace(docs[i], text=docs[i].text + " " + " ".join(rng.choices(WORDS, k=9)))
    elif kind == 1:
        docs[i] = dataclasses.replace(docs[i], title="zyzzyva " + docs[i].title)
    elif kind == 2:
        docs[i] = dataclasses.replace(docs[i], text=f"brandnew{rng.randrange(10**6)} " + docs[i].text)
    elif kind == 3:
        docs[i] = dataclasses.replace(docs[i], tags=(rng.choice(["a", "b", "new-tag"]),), people=())
    elif kind == 4:
        docs[i] = dataclasses.replace(docs[i], date="2030-01-01")
    elif kind == 5:
        docs.insert(i, dataclasses.replace(docs[i], url=f"new{rng.random()}/index.html"))
    elif kind == 6:
        docs.append(dataclasses.replace(docs[i], url=f"zz{rng.random()}/index.html", date="2099-12-31"))
    elif kind == 7:
        del docs[i]
    elif kind == 8:
        docs.sort(key=lambda d: (d.date or "", d.url))
        docs.pop()
    elif kind == 9:
        docs[i] = dataclasses.replace(docs[i], text="")
    return [keyed(d) for d in docs]


def cached_build(docs: list[SearchDoc], path: pathlib.Path, **kwargs: object) -> dict[str, bytes]:
    """A build as the site does it: known texts left out, the others given by ``load_texts``."""
    asked: list[int] = []

    def load_texts(indexes: Sequence[int]) -> list[str]:
        asked.extend(indexes)
        return [docs[i].text for i in indexes]

    bare = [dataclasses.replace(d, text="") for d in docs]
    files = build_index(bare, cache=SearchCache(path), load_texts=load_texts, **kwargs)  # type: ignore[arg-type]
    assert len(asked) == len(set(asked))
    return files


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_cached_rebuilds_match_cold_builds(tmp_path: pathlib.Path, seed: int) -> None:
    rng = random.Random(seed)
    docs = corpus(rng, 160, common=0 if seed % 2 else 140)
    path = tmp_path / "cache" / "search-index.cache"
    assert cached_build(docs, path) == build_index(docs)
    assert path.is_file()
    for step in range(20):
        docs = edit(rng, docs, step % 10 if seed < 3 else rng.randrange(10))
        cold = build_index(docs)
        assert cached_build(docs, path) == cold, step
        if step % 5 == 4:
            assert cached_build(docs, path, jobs=2) == cold  # nothing to scan: all from the cache


def test_edits_of_many_articles_with_chunked_stems(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"delta": 0}
    update = delta.update

    def counted(*args: object) -> object:
        done = update(*args)  # type: ignore[arg-type]
        calls["delta"] += done is not None
        return done

    monkeypatch.setattr(incremental, "update", counted)
    rng = random.Random(9)
    docs = corpus(rng, 1300, common=1250)  # "weather": a top block and chunks
    path = tmp_path / "search-index.cache"
    cached_build(docs, path)
    for step in range(12):
        docs = edit(rng, docs, [0, 1, 2, 3, 6, 8][step % 6])
        assert cached_build(docs, path) == build_index(docs), step
    assert calls["delta"] >= 6  # text edits at least took the short way


def test_one_edit_rewrites_a_handful_of_files(tmp_path: pathlib.Path) -> None:
    rng = random.Random(11)
    docs = corpus(rng, 3000, common=1500)
    path = tmp_path / "search-index.cache"
    before = cached_build(docs, path)
    docs[1234] = keyed(dataclasses.replace(docs[1234], text=docs[1234].text + " An added sentence."))
    after = cached_build(docs, path)
    assert after == build_index(docs)
    changed = [k for k in set(before) | set(after) if before.get(k) != after.get(k)]
    assert len(changed) <= 20, sorted(changed)


def test_documents_without_keys_are_scanned_and_still_match(tmp_path: pathlib.Path) -> None:
    rng = random.Random(5)
    docs = [dataclasses.replace(d, key="") for d in corpus(rng, 80)]
    path = tmp_path / "search-index.cache"
    assert build_index(docs, cache=SearchCache(path)) == build_index(docs)
    docs[3] = dataclasses.replace(docs[3], text="something else entirely")
    assert build_index(docs, cache=SearchCache(path)) == build_index(docs)


def test_language_and_empty_archives(tmp_path: pathlib.Path) -> None:
    docs = corpus(random.Random(6), 50)
    path = tmp_path / "search-index.cache"
    cached_build(docs, path)
    assert build_index(docs, cache=SearchCache(path), language="french") == build_index(docs, language="french")
    assert cached_build([], path) == build_index([])
    assert cached_build(docs, path) == build_index(docs)
    assert cached_build(docs[:1], path) == build_index(docs[:1])


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05K\x01.", None])
def test_a_missing_or_corrupt_cache_means_a_cold_build(tmp_path: pathlib.Path, damage: bytes | None) -> None:
    docs = corpus(random.Random(7), 40)
    path = tmp_path / "search-index.cache"
    if damage is not None:
        path.write_bytes(damage)
    assert build_index(docs, cache=SearchCache(path)) == build_index(docs)
    assert SearchCache(path).load("english") is not None  # rewritten whole
    if damage:
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])  # a truncated file
        assert build_index(docs, cache=SearchCache(path)) == build_index(docs)


def test_a_clean_build_ignores_the_cache(tmp_path: pathlib.Path) -> None:
    docs = corpus(random.Random(8), 40)
    path = tmp_path / "search-index.cache"
    cached_build(docs, path)
    assert SearchCache(path, read=False).load("english") is None
    assert build_index(docs, cache=SearchCache(path, read=False)) == build_index(docs)


def test_an_unwritable_cache_still_builds(tmp_path: pathlib.Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    docs = corpus(random.Random(9), 30)
    assert build_index(docs, cache=SearchCache(blocker / "sub" / "search-index.cache")) == build_index(docs)


def test_the_site_build_keeps_its_cache(make_site: Callable[..., pathlib.Path]) -> None:
    site = make_site({"content/a.md": article("Ink prices", body="Printer ink costs more."),
                      "content/b.md": article("B", "2019-01-01")})
    build(site)
    caches = [p for p in (site / ".marginalia-cache").iterdir() if p.name.startswith("search-")]
    assert len(caches) == 1
    state = SearchCache(caches[0]).load("english")
    assert state is not None and len(state.corpus.keys) == 2


@pytest.mark.parametrize("seed", [1, 2])
def test_documents_scanned_as_they_arrive_give_the_same_index(tmp_path: pathlib.Path, seed: int) -> None:
    """A prescan takes documents in any order (as the site build reads them), some of them never used
    and some never prescanned; with or without a cache the bytes are a cold build's."""
    rng = random.Random(seed)
    docs = corpus(rng, 2500, common=1100)
    cold = build_index(docs)
    for cache in (None, SearchCache(tmp_path / f"c{seed}")):
        arrival = rng.sample(docs, len(docs))
        prescan = incremental.Prescan("english")
        kept = {}  # the documents as the prescan gives them back (texts it scanned dropped), as the indexer keeps them
        for doc in arrival[:2000] + keyed_extras(rng):  # 500 not prescanned, a few that are not in the archive
            kept[doc.url] = prescan.add(doc)
            assert kept[doc.url] == dataclasses.replace(doc, text="" if doc.key else doc.text)
        assert build_index([kept.get(d.url, d) for d in docs], cache=cache, prescan=prescan) == cold
    edited = edit(rng, docs, 0)
    prescan = incremental.Prescan("english")
    for doc in edited:
        prescan.add(doc)
    assert build_index(edited, cache=SearchCache(tmp_path / f"c{seed}"), prescan=prescan) == build_index(edited)


def test_every_document_prescanned_in_another_order_gives_the_same_index() -> None:
    """A cold site build prescans every document as it is read, in content order, not the index's
    date order: the corpus gathers each document's tokens from that one scan by index."""
    rng = random.Random(6)
    docs = corpus(rng, 700, common=300)
    prescan = incremental.Prescan("english")
    kept = {doc.url: prescan.add(doc) for doc in rng.sample(docs, len(docs))}
    assert build_index([kept[d.url] for d in docs], prescan=prescan) == build_index(docs)


def test_tokens_gathered_by_index_are_the_runs_copied_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Documents taken from one source in another order, some not at all, some empty: gathered by
    index a few documents at a time, their tokens are those of each document's run copied in turn."""
    from marginalia.search import corpus as corpus_module

    rng = np.random.default_rng(5)
    sizes = rng.integers(0, 40, 700)
    source = rng.integers(0, 60000, int(sizes.sum())).astype(np.uint32)
    order = rng.permutation(700)[:650]
    starts, taken = (np.cumsum(sizes) - sizes)[order], sizes[order]
    runs = [source[a:a + n] for a, n in zip(starts.tolist(), taken.tolist(), strict=True)]
    expected = np.concatenate(runs).astype(np.uint16)
    monkeypatch.setattr(corpus_module, "GATHER_DOCS", 7)
    for sources in ([source], [np.zeros(0, dtype=np.uint16), source]):
        got = corpus_module._runs(sources, starts, taken, np.uint16)
        assert got.dtype == np.uint16 and np.array_equal(got, expected)
    monkeypatch.setattr(corpus_module, "GATHER_RUNS", 10**6)  # the copy run by run
    assert np.array_equal(corpus_module._runs([source], starts, taken, np.uint16), expected)


def test_a_prescan_is_one_scan_whatever_the_batches(tmp_path: pathlib.Path) -> None:
    """Documents arriving over several batches make one scan, each distinct word numbered and
    stemmed once: the scan of them all at once."""
    docs = corpus(random.Random(4), 2 * incremental.SLICE_SCAN + 300, common=900)
    prescan = incremental.Prescan("english")
    for doc in docs:
        prescan.add(doc)
    [scan] = prescan.take()
    assert len(prescan.scanner.tokens) == 0  # the buffer went with the scan: no second copy stays
    whole = scan_slice(docs, Stemmer())
    assert scan.words == whole.words and len(set(scan.words)) == len(scan.words)
    assert scan.stems == whole.stems and scan.excerpts == whole.excerpts
    for name in ("tokens", "sizes", "titles"):
        assert np.array_equal(getattr(scan, name), getattr(whole, name)), name


def keyed_extras(rng: random.Random) -> list[SearchDoc]:
    return [keyed(SearchDoc(f"x{i}/index.html", "Extra", "2010-01-01", None, "unused words zebra")) for i in range(3)]
