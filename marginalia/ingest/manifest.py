"""MANIFEST.tsv: per-file metadata (topic, licence, source URL …) beside raw files.

Input: a raw file's path. Output: the manifest row that names it, found in the
file's folder or the nearest ancestor holding a ``MANIFEST.tsv`` that lists it.
Reads manifest files (each once); writes nothing.
"""

from __future__ import annotations

import csv
import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

from ..errors import Problem

MANIFEST_NAME = "MANIFEST.tsv"
# Accepted spellings, mapped to the one name the importer uses.
ALIASES = {"license": "licence", "license_url": "licence_url", "topic": "topic", "tags": "tags",
           "licence": "licence", "licence_url": "licence_url", "source_url": "source_url",
           "headline": "headline", "date": "date", "source_name": "source_name"}


@dataclasses.dataclass(frozen=True)
class Row:
    """One manifest row: its fields (by canonical name) and where it was written."""

    fields: dict[str, str]
    path: str
    line: int

    def get(self, key: str) -> str:
        """A field's text, or '' when the manifest has no such column."""
        return self.fields.get(key, "").strip()

    def tags(self) -> tuple[str, ...]:
        """The topic, then the tags column split at commas."""
        names = [self.get("topic"), *self.get("tags").split(",")]
        return tuple(dict.fromkeys(t.strip() for t in names if t.strip()))


class Manifests:
    """Finds and caches manifests; ``row_for`` looks a raw file up."""

    def __init__(self, display: Callable[[Path], str]) -> None:
        self._display = display
        self._by_folder: dict[Path, dict[Path, Row] | None] = {}
        self._parents: dict[Path, tuple[Path, ...]] = {}  # a folder and the folders above it
        self.problems: list[Problem] = []

    def row_for(self, path: Path) -> Row | None:
        """The nearest manifest row naming ``path``, if any."""
        parents = self._parents.get(path.parent)
        if parents is None:  # made once a folder, not once a file
            parents = self._parents[path.parent] = tuple(path.parents)
        for folder in parents:
            rows = self._load(folder)
            if rows and path in rows:
                return rows[path]
        return None

    def _load(self, folder: Path) -> dict[Path, Row] | None:
        """The rows of ``folder``/MANIFEST.tsv (None when there is none), read once."""
        if folder not in self._by_folder:
            manifest = folder / MANIFEST_NAME
            self._by_folder[folder] = self._read(manifest) if manifest.is_file() else None
        return self._by_folder[folder]

    def _read(self, manifest: Path) -> dict[Path, Row]:
        """Parse one manifest; a missing ``file`` column or a bad row is a located problem."""
        shown = self._display(manifest)
        text = manifest.read_text(encoding="utf-8-sig", errors="replace")
        lines = text.splitlines()
        reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = [h.strip().lower() for h in next(reader, [])]
        if "file" not in header:
            self.problems.append(Problem(shown, 1, 1, "MANIFEST.tsv has no 'file' column",
                                         "the first line names the tab-separated columns: file, topic, …"))
            return {}
        rows: dict[Path, Row] = {}
        where = _Folder(manifest.parent)
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                self.problems.append(Problem(
                    shown, number, 1, f"row has {len(values)} columns, the header has {len(header)}",
                    "separate columns with one tab each", "warning"))
                continue
            record = dict(zip(header, values, strict=True))
            fields = {ALIASES[k]: v for k, v in record.items() if k in ALIASES}
            rows[where.resolve(record["file"].strip())] = Row(fields, shown, number)
        return rows


class _Folder:
    """A manifest's folder, resolving the names its rows give as ``Path.resolve`` would."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.real: Path | None = None
        self.links: frozenset[str] | None = frozenset()  # None: the folder could not be listed

    def resolve(self, name: str) -> Path:
        """``(folder / name).resolve()``; for a plain file name that is not a link, the folder's real
        path and the name, with no system call (the folder is resolved and listed once)."""
        if os.name != "posix" or name in ("", ".", "..") or "/" in name or "\0" in name:
            return (self.folder / name).resolve()
        if self.real is None:
            self.real = self.folder.resolve()
            try:
                with os.scandir(self.real) as entries:
                    self.links = frozenset(e.name for e in entries if e.is_symlink())
            except OSError:
                self.links = None
        if self.links is None or name in self.links:
            return (self.folder / name).resolve()
        return self.real / name
