"""Rebuilding only the vocabulary shards that changed.

Input: the previous build's state, the new corpus and stem frequencies, the
changed document ids. Output: the new sorted word list and its shards, the
changed shards written into ``out``. A shard changes when a word in it
appeared, disappeared or its stem's frequency moved, or when its bounds
moved (a word that starts a shard came or went): ``vocab.vocab_files``
makes exactly those, the same as a whole build would. Touches nothing
outside memory.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .build import entry_of
from .codec import js_json, script_file
from .corpus import Corpus
from .vocab import starts_shard, vocab_files

if TYPE_CHECKING:
    from .cache import State


@dataclass
class Vocab:
    words: list[str]  # sorted
    starts: list[bool]
    bounds: dict[str, tuple[str, str]]  # file -> (first word, next file's first word or "")
    present: np.ndarray  # per word id


def _word_ids(corpus: Corpus, docs: list[int]) -> np.ndarray:
    """Whether each word id occurs in one of the documents ``docs``."""
    seen = np.zeros(len(corpus.words), dtype=bool)
    for i in docs:
        seen[corpus.tokens[corpus.bounds[i]:corpus.bounds[i + 1]]] = True
    seen[0] = False
    return seen


def _presence(state: State, corpus: Corpus, ids: list[int]) -> tuple[np.ndarray, list[int], list[int]]:
    """Which words occur now, and the word ids that appeared and went."""
    present = np.zeros(len(corpus.words), dtype=bool)
    present[:len(state.index.present)] = state.index.present
    before = _word_ids(state.corpus, [i for i in ids if i < len(state.corpus.keys)])
    after = _word_ids(corpus, [i for i in ids if i < len(corpus.keys)])
    added = np.flatnonzero(after & ~present).tolist()
    candidates = np.zeros(len(corpus.words), dtype=bool)
    candidates[:len(before)] = before
    candidates &= ~after
    if candidates.any():  # a word of an old version may still occur elsewhere
        candidates[corpus.tokens[candidates[corpus.tokens]]] = False
    lost = np.flatnonzero(candidates).tolist()
    present[added] = True
    present[lost] = False
    return present, added, lost


def update_vocab(state: State, corpus: Corpus, df: np.ndarray, ids: list[int],
                 out: dict[str, bytes | None]) -> Vocab:
    """The vocabulary after the change, its changed shards written into ``out``."""
    prev = state.index
    present, added, lost = _presence(state, corpus, ids)
    old_df = np.zeros(len(df), dtype=np.int64)
    old_df[:len(prev.df)] = prev.df
    moved_stem = df != old_df
    moved = np.flatnonzero(moved_stem[corpus.wid_cid] & present).tolist()
    words, starts = list(prev.words), list(prev.starts)
    for w in lost:
        i = bisect.bisect_left(words, corpus.words[w])
        del words[i], starts[i]
    new_words = sorted(corpus.words[w] for w in added)
    for word, start in zip(new_words, starts_shard(new_words), strict=True):
        i = bisect.bisect_left(words, word)
        words.insert(i, word)
        starts.insert(i, start)
    changed = [corpus.words[w] for w in [*added, *lost, *moved]]
    firsts, payloads = vocab_files(words, starts, entry_of(corpus, df), prev.vocab, changed)
    bounds = {name: (first, firsts[i + 1] if i + 1 < len(firsts) else "")
              for i, (name, first) in enumerate(zip(payloads, firsts, strict=True))}
    for name in prev.vocab.keys() - bounds.keys():
        out[name] = None
    out.update((k, script_file(k, js_json(v))) for k, v in payloads.items() if v is not None)
    return Vocab(words, starts, bounds, present)
