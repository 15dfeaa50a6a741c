"""A persistent memo of scanned document blocks, so that a rebuild rescans only what changed.

Input: a file path. The file holds one pickle: ``(CACHE_FORMAT, {block key:
SliceScan})``. A block key covers the language, the block's first document id
and the headline and text of each of its documents (all that scanning reads),
so a hit is exactly what scanning would return and the index bytes never
depend on the cache. A missing, stale or corrupt file only means a cold build.
Writes the file (atomically: a temporary file, then a rename) when it changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from collections.abc import Mapping, Sequence
from pathlib import Path

from .doc import SearchDoc
from .scan import SliceScan

CACHE_FORMAT = 3  # bump when SliceScan or the scanning rules change (3: numpy arrays)


def block_key(docs: Sequence[SearchDoc], first_id: int, language: str) -> str:
    """A key of everything scanning reads from a block of documents."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{CACHE_FORMAT}|{language}|{first_id}|{len(docs)}".encode())
    for doc in docs:
        for part in (doc.title, doc.text):
            data = part.encode("utf-8", "surrogatepass")
            h.update(len(data).to_bytes(8, "little"))
            h.update(data)
    return h.hexdigest()


class SearchCache:
    """Scanned blocks of the previous build, read from and written to one file."""

    def __init__(self, path: Path, *, read: bool = True) -> None:
        """``read=False`` (a clean build) ignores what the file holds but still rewrites it."""
        self.path = path
        self._loaded: dict[str, SliceScan] | None = None if read else {}

    def load(self) -> dict[str, SliceScan]:
        """The stored blocks; empty when the file is missing, stale or unreadable."""
        if self._loaded is None:
            self._loaded = {}
            try:
                with self.path.open("rb") as f:
                    version, blocks = pickle.load(f)
                if version == CACHE_FORMAT and isinstance(blocks, dict) \
                        and all(isinstance(s, SliceScan) for s in blocks.values()):
                    self._loaded = blocks
            except Exception:  # noqa: BLE001 - any damage to the memo means a cold build
                pass
        return self._loaded

    def save(self, blocks: Mapping[str, SliceScan]) -> None:
        """Keep exactly ``blocks`` (those of this build); write only if they differ from the file's."""
        if self._loaded is not None and self._loaded.keys() == blocks.keys():
            return
        self._loaded = dict(blocks)
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tmp.open("wb") as f:
                pickle.dump((CACHE_FORMAT, {k: blocks[k] for k in sorted(blocks)}), f, pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError:  # a read-only site still builds, just cold next time
            with contextlib.suppress(OSError):
                tmp.unlink()
