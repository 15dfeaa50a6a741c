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


_WIDE = 24  # characters compared by numpy; longer common prefixes are finished in Python


def shared_prefixes(firsts: Sequence[str], seconds: Sequence[str]) -> list[int]:
    """``shared_prefix(firsts[i], seconds[i])`` for every i, compared as arrays of characters."""
    if not firsts:
        return []
    def grid(texts: Sequence[str]) -> np.ndarray:
        return np.array([t[:_WIDE] for t in texts], dtype=f"<U{_WIDE}").view(np.uint32).reshape(len(texts), _WIDE)
    same = grid(firsts) == grid(seconds)
    out = np.where(same.all(axis=1), _WIDE, np.argmin(same, axis=1)).tolist()
    for i in np.flatnonzero(same.all(axis=1)).tolist():  # equal over the whole width: look further
        out[i] = shared_prefix(firsts[i], seconds[i])
    return out  # type: ignore[no-any-return]


def payload(words: Sequence[str], stems: Sequence[str], dfs: Sequence[int]) -> str:
    """One shard's records, '~'-joined: ``enc(shared with the previous word) suffix ' ' enc(df)
    enc(shared with the stem) stem suffix``."""
    shared = shared_prefixes(["", *words[:-1]], words)
    cut = shared_prefixes(stems, words)
    return "~".join([f"{enc(s)}{w[s:]} {enc(d)}{enc(c)}{t[c:]}"
                     for w, t, d, s, c in zip(words, stems, dfs, shared, cut, strict=True)])


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
            entries = [entry(w) for w in words[a:b]]
            files[name] = payload(words[a:b], [e[0] for e in entries], [e[1] for e in entries])
    return firsts, files


def _holds(sorted_words: list[str], first: str, end: str) -> bool:
    """Is a word of ``sorted_words`` in [first, end) ("" end: no end)?"""
    import bisect

    i = bisect.bisect_left(sorted_words, first)
    return i < len(sorted_words) and (not end or sorted_words[i] < end)
