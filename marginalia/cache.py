"""The persistent build cache: what the last build saw and wrote.

A SQLite file in ``SITE/.marginalia-cache/`` (git-ignored) holds, per content
file, its stat signature and the parsed article; per output file, the key of
everything it was rendered from. A build reuses what matches and redoes the
rest, so the cache can only save work, never change output: every key covers
the tool's version, the config and the templates. Delete the folder, or pass
``--clean``, to start cold.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import operator
import pickle
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from . import __version__

CACHE_DIR = ".marginalia-cache"
# Bump when the stored shapes change (5: entries without bodies, not compressed; 6: the classes of
# _record_classes by their place in it).
SCHEMA = 6
STAGED = object()  # a record's meta in prepare(): "written already by stage()"


def encode_record(meta: object) -> bytes:
    """A cache record as stored: pickled, the dataclasses of :func:`_record_classes` as their field
    values alone. (Not compressed: records are an article's metadata, about 1.2 KB, and zlib spends
    ~0.1 ms setting up for each, five times the pickling.)"""
    return _pickled(meta, fast=False)


def decode_record(blob: bytes) -> Any:
    return pickle.loads(blob)


def _record_classes() -> tuple[type, ...]:
    """The dataclasses a record or snapshot holds, in a fixed order: pickle writes each instance
    as its place here and its field values (:func:`_rebuild`), not as the class's module and name
    and a dict of field names to values, which every record repeated. Ten thousand entries of the
    benchmark archive encoded in 114 ms that way, 80 ms this way, and decoded in 120 ms against 92
    (one process). Others pickle as usual."""
    from .annotations import model as notes
    from .articles import Entry, Mention
    from .articles import Source as FileSource
    from .errors import Problem
    from .model import Article, EntityRef, License, Source

    return (Entry, Article, Source, License, EntityRef, Mention, FileSource, Problem, notes.AnnotationSet,
            notes.Annotation, notes.Target, notes.Entity, notes.Source, notes.Figure, notes.FigureValue)


_TABLE: list[tuple[type, tuple[str, ...]]] = []  # per place in _record_classes: the class, its fields
_FIELDS: dict[type, tuple[int, Callable[[Any], tuple[Any, ...]]]] = {}  # class -> (place, field getter)


def _load_table() -> list[tuple[type, tuple[str, ...]]]:
    if not _TABLE:
        for place, cls in enumerate(_record_classes()):
            names = tuple(f.name for f in dataclasses.fields(cls))
            assert len(names) > 1 and "__slots__" not in vars(cls)  # (attrgetter of two or more gives a tuple)
            _FIELDS[cls] = (place, operator.attrgetter(*names))
            _TABLE.append((cls, names))
    return _TABLE


def _rebuild(place: int, values: tuple[Any, ...]) -> Any:
    """An instance of the class at ``place`` in :func:`_record_classes`, with these field values
    (set as ``__init__`` sets them, frozen or not)."""
    cls, names = (_TABLE or _load_table())[place]
    obj: Any = object.__new__(cls)
    obj.__dict__.update(zip(names, values, strict=True))
    return obj


class _RecordPickler(pickle.Pickler):
    """Pickles the classes of :func:`_record_classes` through :func:`_rebuild`."""

    buffer: io.BytesIO

    def reducer_override(self, obj: Any) -> Any:
        known = _FIELDS.get(type(obj))
        if known is None:
            return NotImplemented
        return _rebuild, (known[0], known[1](obj))


# One of each a process, their buffers reused: for records, and (no memo) for value_bytes.
_PICKLER: _RecordPickler | None = None
_FAST: _RecordPickler | None = None


def _pickled(value: object, fast: bool) -> bytes:
    """``value`` pickled by this process's record pickler (``fast``: the one without a memo)."""
    pickler = (_FAST if fast else _PICKLER) or _make_pickler(fast)
    buffer = pickler.buffer
    buffer.seek(0)
    buffer.truncate()
    pickler.clear_memo()
    pickler.dump(value)
    return buffer.getvalue()


def _make_pickler(fast: bool) -> _RecordPickler:
    global _PICKLER, _FAST
    _load_table()
    buffer = io.BytesIO()
    pickler = _RecordPickler(buffer, protocol=5)
    pickler.buffer = buffer
    if fast:
        pickler.fast = True  # no memo (and no PUT/GET opcodes): equal trees, equal bytes
        _FAST = pickler
    else:
        _PICKLER = pickler
    return pickler


def decode_snapshot(blob: bytes | None) -> Any:
    """A snapshot's stored bytes unpickled; None for none, or bytes that cannot be read."""
    try:
        return decode_record(blob) if blob else None
    except Exception:  # noqa: BLE001 - a damaged snapshot only means a full rebuild
        return None


def value_bytes(value: object) -> bytes:
    """``value`` pickled without the memo, so that the bytes follow from its values alone, not from
    which of them happen to be one shared object: every field's type and value, in field order, for
    a key that changes with any of them (a record class as its place, as :func:`encode_record`
    writes it: 4.5 us for an article's fields instead of 5.9). Only for acyclic data, such as the
    parsed sources."""
    return _pickled(value, fast=True)


def digest(*parts: bytes | str) -> str:
    """A short, stable hex key of the parts."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


class BuildCache:
    """Read the previous build's records; stage new ones; commit them after a good build."""

    def __init__(self, site: Path, output: Path, enabled: bool = True, read: bool = True, variant: str = ""):
        """``read=False`` (``--clean``) ignores what is stored but still records this build.
        ``variant`` names what else the records depend on (they are kept apart by it)."""
        self.enabled, self.read = enabled, read
        self.path = site / CACHE_DIR / "cache.sqlite"
        self.scope = digest(__version__, str(SCHEMA), str(output.absolute()), variant)
        self.db: sqlite3.Connection | None = None
        self.unreadable: set[str] = set()  # records to rewrite whatever their key
        self.blank = False  # no record of this scope was stored before this build (see prepare)
        self.prepared = False  # prepare() left its transaction open, for finish() to commit
        if enabled:
            self._open()

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(exist_ok=True)
            (self.path.parent / ".gitignore").write_text("*\n")
            self.db = sqlite3.connect(self.path, isolation_level=None)
            self.db.executescript(
                "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                "CREATE TABLE IF NOT EXISTS files (scope TEXT, rel TEXT, sig TEXT, key TEXT, meta BLOB,"
                " PRIMARY KEY (scope, rel));"
                "CREATE TABLE IF NOT EXISTS pages (scope TEXT, path TEXT, key TEXT, PRIMARY KEY (scope, path));"
                "CREATE TABLE IF NOT EXISTS state (scope TEXT, name TEXT, value TEXT, PRIMARY KEY (scope, name));"
                "CREATE TABLE IF NOT EXISTS snapshot (scope TEXT PRIMARY KEY, data BLOB);")
            if not self.read:  # --clean: forget every record now; this build writes them anew
                self.db.execute("DELETE FROM files WHERE scope = ?", (self.scope,))
            row = self.db.execute("SELECT 1 FROM files WHERE scope = ? LIMIT 1", (self.scope,)).fetchone()
            self.blank = row is None
        except (OSError, sqlite3.Error):
            self.db, self.enabled = None, False  # a read-only site still builds, just cold

    def files(self) -> dict[str, tuple[str, str, Any]]:
        """rel -> (stat signature, key, unpickled meta) from the last good build."""
        if self.db is None or not self.read:
            return {}
        rows = self.db.execute("SELECT rel, sig, key, meta FROM files WHERE scope = ?", (self.scope,))
        out = {}
        for rel, sig, key, meta in rows:
            try:
                out[rel] = (sig, key, decode_record(meta))
            except Exception:  # noqa: BLE001 - an unreadable record is just a miss
                self.unreadable.add(rel)
        return out

    def records(self, rels: Iterable[str]) -> dict[str, tuple[str, str, Any]]:
        """rel -> (stat signature, key, unpickled meta) for the given content files only."""
        if self.db is None or not self.read:
            return {}
        out = {}
        for rel in rels:
            row = self.db.execute("SELECT sig, key, meta FROM files WHERE scope = ? AND rel = ?",
                                  (self.scope, rel)).fetchone()
            if row is not None:
                with contextlib.suppress(Exception):  # an unreadable record is just a miss
                    out[rel] = (row[0], row[1], decode_record(row[2]))
        return out

    def snapshot_bytes(self) -> bytes | None:
        """What the last good build left for the next one to start from (:mod:`marginalia.quick`),
        as stored (None when there is none; :func:`decode_snapshot` unpickles it)."""
        if self.db is None or not self.read:
            return None
        row = self.db.execute("SELECT data FROM snapshot WHERE scope = ?", (self.scope,)).fetchone()
        return row[0] if row else None

    def pages(self) -> dict[str, str]:
        """Output path -> the key it was rendered from, in the last good build."""
        if self.db is None or not self.read:
            return {}
        return dict(self.db.execute("SELECT path, key FROM pages WHERE scope = ?", (self.scope,)))

    def state(self, name: str) -> str | None:
        """A value the last good build recorded (None when unknown or ignored)."""
        if self.db is None or not self.read:
            return None
        row = self.db.execute("SELECT value FROM state WHERE scope = ? AND name = ?", (self.scope, name)).fetchone()
        return row[0] if row else None

    def stage(self, rows: Iterable[tuple[str, str, str, bytes]]) -> None:
        """Store (content path, signature, key, encoded record) rows during the build, so that they
        need not be held in memory; :meth:`prepare` is then told they are :data:`STAGED`. A record
        only memoizes parsing and rendering one file's content, so storing it before the build
        succeeds is safe: it is used only while the file's signature still matches."""
        if self.db is not None:
            with self._transaction() as db:
                db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                               ((self.scope, rel, sig, key, blob) for rel, sig, key, blob in rows))

    def prepare(self, files: Iterable[tuple[str, str, str, Any]], pages: dict[str, str],
                state: dict[str, str], snapshot: bytes | None = None) -> None:
        """Replace the records with this build's, before output/ is swapped in, in a transaction
        left open: :meth:`finish` commits it once the swap is done; closing the cache without that
        leaves it as it was. A record's meta may be :data:`STAGED` (stored already); rows whose
        signature and key are stored already are left as they are, so a rebuild after one edit
        rewrites a few rows, not all of them. ``snapshot``: the pickled start of the next build,
        stored with the rest (or dropped)."""
        if self.db is None:
            return
        files = list(files)
        db = self.db
        db.execute("BEGIN")
        try:
            # A first or --clean build stored every record it has while it read (STAGED), and no other:
            # nothing to compare or delete (at 100,000 files, reading the table back took 0.3 s).
            if not (self.blank and all(meta is STAGED for *_row, meta in files)):
                self._replace_files(db, files)
            old_pages = dict(db.execute("SELECT path, key FROM pages WHERE scope = ?", (self.scope,)))
            db.executemany("DELETE FROM pages WHERE scope = ? AND path = ?",
                           sorted((self.scope, p) for p in old_pages if p not in pages))
            db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?)",
                           ((self.scope, p, k) for p, k in pages.items() if old_pages.get(p) != k))
            self._replace_state(db, state, snapshot)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self.prepared = True

    def finish(self, state: dict[str, str] | None = None) -> None:
        """Commit what :meth:`prepare` wrote, with ``state``: rows of the state known only now (call
        only once output/ was swapped in, or left as it was)."""
        if self.db is not None and self.prepared:
            if state:
                self.db.executemany("INSERT OR REPLACE INTO state VALUES (?, ?, ?)",
                                    ((self.scope, name, value) for name, value in state.items()))
            self.db.execute("COMMIT")
            self.prepared = False

    def _replace_files(self, db: sqlite3.Connection, files: list[tuple[str, str, str, Any]]) -> None:
        """The records of ``files`` in place of those stored: only rows whose signature or key changed
        are written, and rows of files no longer there are deleted."""
        stored = {(rel, sig, key) for rel, sig, key in db.execute(
            "SELECT rel, sig, key FROM files WHERE scope = ?", (self.scope,)) if rel not in self.unreadable}
        rels: set[str] = set()
        changed = []
        for rel, sig, key, meta in files:
            rels.add(rel)
            if (rel, sig, key) not in stored and meta is not STAGED:
                changed.append((self.scope, rel, sig, key, encode_record(meta)))
        db.executemany("DELETE FROM files WHERE scope = ? AND rel = ?",
                       sorted((self.scope, rel) for rel, _sig, _key in stored if rel not in rels))
        db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)", changed)

    def update(self, files: Iterable[tuple[str, str, str, Any]], pages: Mapping[str, str], removed: Iterable[str],
               state: dict[str, str], snapshot: bytes | None) -> None:
        """Store what a rebuild changed and nothing else: the records of ``files`` (content path,
        signature, key, entry), the keys of ``pages`` (output path -> key), without the ``removed``
        pages; and, as :meth:`prepare` does, the state and the snapshot."""
        if self.db is None:
            return
        with self._transaction() as db:
            db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                           ((self.scope, rel, sig, key, encode_record(meta)) for rel, sig, key, meta in files))
            db.executemany("DELETE FROM pages WHERE scope = ? AND path = ?", ((self.scope, p) for p in removed))
            db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?)",
                           ((self.scope, p, k) for p, k in pages.items()))
            self._replace_state(db, state, snapshot)

    def _replace_state(self, db: sqlite3.Connection, state: dict[str, str], snapshot: bytes | None) -> None:
        db.execute("DELETE FROM state WHERE scope = ?", (self.scope,))
        db.executemany("INSERT INTO state VALUES (?, ?, ?)", ((self.scope, n, v) for n, v in state.items()))
        db.execute("DELETE FROM snapshot WHERE scope = ?", (self.scope,))
        if snapshot is not None:
            db.execute("INSERT INTO snapshot VALUES (?, ?)", (self.scope, snapshot))

    def forget(self) -> None:
        """Forget this scope's state and snapshot, keeping the records: until the next commit the
        cache describes no output, so the next build is a full one (called before a build changes
        ``output/`` in place)."""
        if self.db is None:
            return
        with self._transaction() as db:
            db.execute("DELETE FROM state WHERE scope = ?", (self.scope,))
            db.execute("DELETE FROM snapshot WHERE scope = ?", (self.scope,))

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        assert self.db is not None
        self.db.execute("BEGIN")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        if self.db is not None:
            if self.prepared:  # the build failed after prepare(): the cache stays as it was
                self.db.execute("ROLLBACK")
                self.prepared = False
            self.db.close()
            self.db = None
