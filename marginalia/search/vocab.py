"""Vocabulary shards: every indexed word, its stem and the stem's document frequency.

Input: the sorted words of the archive, and for each its stem and the stem's
frequency. The browser never stems: this stored mapping is the only source
of stems. Output: ``{"v/<name>": payload}`` plus the first word of each shard
(kept in ``meta``). Words are sorted and front-coded, so one shard covers an
alphabetical range: a word, all words with a given prefix and near
spellings sit together. A shard starts at every word whose FNV-1a hash is a
multiple of ``EVERY`` (and at the first word), and is named after the hash of
its first word: a rule of the words alone, so a new word moves no cut but
its own and rewrites one or two shards, never the shards after it.
Touches nothing outside memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from .codec import base36, enc, fnv1a_all

EVERY = 256  # a shard starts at about one word in EVERY: ~2.5 KB shards


def starts_shard(words: Sequence[str]) -> list[bool]:
    """Per word: does a shard start at it (when it is not the first word)?"""
    return (fnv1a_all(list(words)) % EVERY == 0).tolist()  # type: ignore[no-any-return]


def shard_names(firsts: Sequence[str]) -> list[str]:
    """The file of each shard: ``v/`` and the base-36 hash of its first word, ``.1``, ``.2``... after a
    hash already taken (``vocabName`` in static/search-index.js does the same)."""
    seen: dict[int, int] = {}
    names = []
    for h in fnv1a_all(list(firsts)).tolist():
        count = seen.get(h, 0)
        seen[h] = count + 1
        names.append(f"v/{base36(h)}" + (f".{count}" if count else ""))
    return names


def shared_prefix(a: str, b: str) -> int:
    """The length of the common prefix of ``a`` and ``b``."""
    if b.startswith(a):
        return len(a)
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def record(word: str, previous: str, stem: str, df: int) -> str:
    """``enc(shared with previous word) suffix ' ' enc(df) enc(shared with the stem) stem suffix``."""
    shared = shared_prefix(previous, word)
    cut = shared_prefix(stem, word)
    return f"{enc(shared)}{word[shared:]} {enc(df)}{enc(cut)}{stem[cut:]}"


def payload(words: Sequence[str], entry: Callable[[str], tuple[str, int]]) -> str:
    """One shard's records, '~'-joined; ``entry(word)`` is (stem, df)."""
    out, previous = [], ""
    for word in words:
        stem, df = entry(word)
        out.append(record(word, previous, stem, df))
        previous = word
    return "~".join(out)


def ranges(starts: Sequence[bool]) -> list[tuple[int, int]]:
    """The shards as [start, end) ranges of word indexes."""
    cuts = [0] + [i for i in np.flatnonzero(np.array(starts, dtype=bool)).tolist() if i > 0]
    return list(zip(cuts, [*cuts[1:], len(starts)], strict=True)) if starts else []


def vocab_files(words: Sequence[str], starts: Sequence[bool], entry: Callable[[str], tuple[str, int]],
                old: dict[str, tuple[str, str]] | None = None,
                changed: Iterable[str] = ()) -> tuple[list[str], dict[str, str | None]]:
    """The first word of every shard and its payloads by name. With ``old`` ({name: (first word, end
    word)} of the previous build, "" for the end of the list) only shards that differ are made:
    those holding a ``changed`` word or with other bounds; the payload of an unchanged one is None."""
    spans = ranges(starts)
    firsts = [words[a] for a, _ in spans]
    names = shard_names(firsts)
    dirty = sorted(set(changed))
    files: dict[str, str | None] = {}
    for name, (a, b) in zip(names, spans, strict=True):
        end = words[b] if b < len(words) else ""
        if old is not None and old.get(name) == (words[a], end) and not _holds(dirty, words[a], end):
            files[name] = None
        else:
            files[name] = payload(words[a:b], entry)
    return firsts, files


def _holds(sorted_words: list[str], first: str, end: str) -> bool:
    """Is a word of ``sorted_words`` in [first, end) ("" end: no end)?"""
    import bisect

    i = bisect.bisect_left(sorted_words, first)
    return i < len(sorted_words) and (not end or sorted_words[i] < end)
