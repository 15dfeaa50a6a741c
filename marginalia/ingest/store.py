"""The site's ``content/`` folder as the importer sees it, and atomic writes into it.

Input: the site folder. Output: which content file each raw source was
imported to (by ``source.path``, else by ``source.sha256``), which slugs are
taken and whether a file was edited by hand. Reads every ``content/**/*.md``;
writes only through :func:`write_atomic`.
"""

from __future__ import annotations

import contextlib
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
    with ContentWriter(root) as writer:
        writer.write(path, data)


# Writing relative to an open folder (openat, renameat): POSIX.
_BY_HANDLE = {os.open, os.unlink} <= os.supports_dir_fd and hasattr(os, "O_DIRECTORY")


class ContentWriter:
    """Atomic writes, each folder checked (and made) once, then written into through an open handle.

    A folder is checked as :func:`write_atomic` describes when it is first written to, and held
    open; every write into it creates, fills and renames its file relative to that handle, so a link
    swapped in later cannot lead a write elsewhere. That is five system calls a file, where the
    check alone made a dozen (it follows every link from ``/``). Without ``dir_fd`` support
    (Windows) each write is checked and made by path.
    """

    MAX_OPEN = 256  # folders held open at once (an archive has one a year)

    def __init__(self, root: Path | None = None) -> None:
        self.root = root
        self._resolved_root: Path | None = None
        self._folders: dict[Path, int] = {}
        self._count = 0

    def __enter__(self) -> ContentWriter:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Let go of the folders held open."""
        for handle in self._folders.values():
            os.close(handle)
        self._folders.clear()

    def write(self, path: Path, data: bytes) -> None:
        """Write ``data`` to ``path`` atomically (see :func:`write_atomic`)."""
        if not _BY_HANDLE:
            self._check(path.parent)
            _write_by_path(path, data)
            return
        folder, tmp, handle = self._create(path)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(handle, view):]
                os.fchmod(handle, 0o644)
            finally:
                os.close(handle)
            os.replace(tmp, path.name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=folder)
            raise

    def _create(self, path: Path) -> tuple[int, str, int]:
        """A new temporary file beside ``path``: its folder's handle, its name and its handle."""
        folder = self._folders.get(path.parent)
        if folder is None:
            folder = self._open(path.parent)
        while True:
            self._count += 1
            tmp = f".{path.name}.{os.getpid()}-{self._count}.tmp"
            try:
                return folder, tmp, os.open(tmp, _CREATE, 0o600, dir_fd=folder)
            except FileExistsError:
                continue  # left by an interrupted import: take the next name
            except FileNotFoundError:
                if self._folders.pop(path.parent, None) is None:
                    raise
                os.close(folder)  # the folder was removed since: check and make it again
                folder = self._open(path.parent)

    def _check(self, folder: Path) -> None:
        """Raise :class:`Outside` when ``folder`` leads out of the root; make it when missing."""
        existed = folder.is_dir()
        if self.root is not None and self._resolved_root is None:
            self.root.mkdir(parents=True, exist_ok=True)
            self._resolved_root = self.root.resolve()
        if self._resolved_root is not None:
            _check_inside(folder, self._resolved_root)
        if not existed:
            folder.mkdir(parents=True, exist_ok=True)
            if self._resolved_root is not None:  # the folders just made: still inside (no link raced in)
                _check_inside(folder, self._resolved_root)

    def _open(self, folder: Path) -> int:
        """Check ``folder`` (making it when missing) and hold it open."""
        self._check(folder)
        if len(self._folders) >= self.MAX_OPEN:
            self.close()
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        self._folders[folder] = handle
        return handle


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def _write_by_path(path: Path, data: bytes) -> None:
    """Write through a temporary file beside ``path`` named by path (no ``dir_fd``)."""
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
