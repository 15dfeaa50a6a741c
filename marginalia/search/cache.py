"""The search cache: the previous build's corpus and files, so that a rebuild redoes only what changed.

Input: a file path (``SITE/.marginalia-cache/search-index.cache`` in a site
build). The file holds one :class:`State`: the scanned corpus (each
document's word ids, by key), the index's parameters and per-document rows,
and every file it wrote. A missing, stale (other format or language) or
damaged file only means a cold build; the index bytes never depend on it.
Written atomically (a temporary file, then a rename); a read-only site
still builds, cold next time.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a state is read or written (they load numpy and the codec)
    from .build import Index
    from .corpus import Corpus

CACHE_FORMAT = 4  # bump when the scanning rules change (4: whole-index state, by document key)


@dataclass
class State:
    """Everything a rebuild starts from."""

    language: str
    corpus: Corpus
    index: Index
    files: dict[str, bytes]  # every file of the index, by key
    token: str = ""  # what the caller named the index (so it can tell whether it holds these files)


def _schema() -> tuple[object, ...]:
    """The index format and the fields of everything the file holds: a file written by other code is stale."""
    from .build import FORMAT_VERSION, Index, Params
    from .corpus import Corpus

    classes = (State, Index, Corpus, Params)
    return (FORMAT_VERSION, *((cls.__name__, tuple(f.name for f in fields(cls))) for cls in classes))


class SearchCache:
    """The state of the previous build, read from and written to one file."""

    def __init__(self, path: Path, *, read: bool = True, deferred: bool = False) -> None:
        """``read=False`` (a clean build) ignores what the file holds but still rewrites it;
        ``deferred``: :meth:`save` only keeps the state, :meth:`flush` writes it (after the
        index's files went to whoever waits for them)."""
        self.path = path
        self.read = read
        self.deferred = deferred
        self._loaded: dict[str, State | None] = {}
        self._pending: State | None = None

    def load(self, language: str) -> State | None:
        """The stored state, or None when the file is missing, stale or unreadable (read once)."""
        if not self.read:
            return None
        if language not in self._loaded:
            self._loaded[language] = self._read(language)
        return self._loaded[language]

    def _read(self, language: str) -> State | None:
        try:
            with self.path.open("rb") as f:
                version, state = pickle.load(f)
        except Exception:  # noqa: BLE001 - any damage to the memo means a cold build
            return None
        fresh = version == (CACHE_FORMAT, _schema()) and isinstance(state, State)
        return state if fresh and state.language == language else None

    def save(self, state: State) -> None:
        """Replace the file with ``state`` (when deferred: at :meth:`flush`)."""
        self._loaded.clear()
        if self.deferred:
            self._pending = state
            return
        self._write(state)

    def flush(self) -> None:
        """Write the state a deferred :meth:`save` kept, if any."""
        state, self._pending = self._pending, None
        if state is not None:
            self._write(state)

    def _write(self, state: State) -> None:
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tmp.open("wb") as f:
                pickle.dump(((CACHE_FORMAT, _schema()), state), f, pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()
