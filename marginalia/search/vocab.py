"""Vocabulary shards: every indexed word, its stem's id and the stem's frequency.

Input: the word -> stem id mapping and each stem's document frequency. The
browser never stems: this stored mapping is the only source of stems. Output:
``{"v/<n>": payload}`` plus the first word of each shard (kept in ``meta``).
Words are sorted and front-coded, so one shard covers an alphabetical range:
a word, all words with a given prefix and near spellings sit together.
Touches nothing outside memory.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from .codec import base36, enc

VOCAB_TARGET = 4096  # characters per vocabulary shard, roughly


def vocab_payloads(word_tids: dict[str, int], df: Sequence[int]) -> tuple[list[str], dict[str, str]]:
    """Records ``enc(shared with previous word) suffix ' ' enc(stem id) enc(df)``, '~'-joined."""
    firsts: list[str] = []
    files: dict[str, str] = {}
    current: list[str] = []
    size = 0
    previous = ""
    for word in sorted(word_tids):
        if not current:
            firsts.append(word)
            previous = ""
        tid = word_tids[word]
        shared = len(os.path.commonprefix([previous, word]))
        record = f"{enc(shared)}{word[shared:]} {enc(tid)}{enc(df[tid])}"
        current.append(record)
        size += len(record) + 1
        previous = word
        if size >= VOCAB_TARGET:
            files[f"v/{base36(len(firsts) - 1)}"] = "~".join(current)
            current, size = [], 0
    if current:
        files[f"v/{base36(len(firsts) - 1)}"] = "~".join(current)
    return firsts, files
