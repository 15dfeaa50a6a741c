"""The site's ``content/`` folder as the importer sees it, and atomic writes into it.

Input: the site folder. Output: which content file each raw source was
imported to (by ``source.path``, else by ``source.sha256``), which slugs are
taken and whether a file was edited by hand. Reads every ``content/**/*.md``;
writes only through :func:`write_atomic`.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path

from ..frontmatter import split
from ..yamlio import load_yaml
from .document import is_hand_edited


@dataclasses.dataclass(frozen=True)
class Existing:
    """A content file already in the site."""

    path: str  # relative to the site, posix
    source_path: str
    source_sha256: str
    text: str


class ContentIndex:
    """Existing content files, looked up by their source."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.by_path: dict[str, Existing] = {}
        self.by_sha: dict[str, list[Existing]] = {}
        self.slugs: set[str] = set()
        content = site / "content"
        files = sorted(content.rglob("*.md")) if content.is_dir() else []
        for file in files:
            self.slugs.add(file.stem)
            entry = _read(file, site)
            if entry is not None and entry.source_path:
                self.by_path.setdefault(entry.source_path, entry)
                self.by_sha.setdefault(entry.source_sha256, []).append(entry)

    def find(self, source_path: str, sha256: str, claimed: set[str]) -> Existing | None:
        """The file imported from ``source_path``; else one from a moved copy of the same bytes."""
        entry = self.by_path.get(source_path)
        if entry is not None:
            return entry
        for entry in self.by_sha.get(sha256, []):
            if entry.source_path not in claimed and not (self.site / entry.source_path).exists():
                return entry
        return None

    def sources_with(self, sha256: str) -> list[str]:
        """Source paths of existing files imported from these exact bytes."""
        return [e.source_path for e in self.by_sha.get(sha256, [])]


def _read(file: Path, site: Path) -> Existing | None:
    """A content file's source fields, or None when it has no readable front matter."""
    rel = file.relative_to(site).as_posix()
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    head, _body, _line, problems = split(text, rel)
    data = None if problems else load_yaml(head, rel)[0]
    source = data.get("source") if isinstance(data, dict) else None
    if not isinstance(source, dict):
        return None
    return Existing(rel, str(source.get("path", "")), str(source.get("sha256", "")), text)


def is_edited(entry: Existing) -> bool:
    """True when the file was changed after the importer wrote it."""
    return is_hand_edited(entry.text)


class Outside(Exception):
    """A write would land outside ``content/`` (through a linked folder)."""


def write_atomic(path: Path, data: bytes, root: Path | None = None) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place.

    With ``root``, refuse (:class:`Outside`) when ``path``'s folder is, or would be made,
    outside ``root`` once links are followed: a linked folder never leads a write out.
    """
    existed = path.parent.is_dir()
    if root is not None:
        root.mkdir(parents=True, exist_ok=True)
        root = root.resolve()
        _check_inside(path.parent, root)
    if not existed:
        path.parent.mkdir(parents=True, exist_ok=True)
        if root is not None:  # the folders just made: still inside (no link raced in)
            _check_inside(path.parent, root)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check_inside(folder: Path, root: Path) -> None:
    """Raise :class:`Outside` unless ``folder``'s nearest existing ancestor resolves inside ``root``
    (given resolved)."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.resolve().is_relative_to(root):
        raise Outside(f"{folder} leads outside {root}")
