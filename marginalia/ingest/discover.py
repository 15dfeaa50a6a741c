"""Which raw files an import reads, in a stable order, with their folder tags.

Input: the paths given on the command line. Output: one
:class:`~marginalia.ingest.draft.SourceFile` per article file, sorted by path.
Raises :class:`~marginalia.errors.SiteError` for a path that does not exist.
Reads directory listings only.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

from ..errors import Problem, SiteError
from .draft import SourceFile

# Files that sit beside articles in a corpus but are not articles themselves.
NOT_ARTICLES = frozenset({
    "authors", "changelog", "copying", "licence", "license", "makefile", "manifest",
    "md5sums", "notice", "readme", "sha1sums", "sha256sums", "sha512sums",
})


def discover(paths: list[Path]) -> list[SourceFile]:
    """Every article file under ``paths`` (files as given, folders recursively)."""
    missing = [Problem(str(p), 0, 0, "no such file or folder",
                       "check the path; give article files or folders that hold them")
               for p in paths if not p.exists()]
    if missing:
        raise SiteError(missing)
    found: dict[Path, SourceFile] = {}
    for given in paths:
        if given.is_dir():
            for source in _walk(given):
                found.setdefault(source.path, source)
        else:
            found.setdefault(given.resolve(), SourceFile(given.resolve()))
    return sorted(found.values(), key=lambda s: s.path.as_posix())


def is_article_name(name: str) -> bool:
    """True for ``*.txt`` and extension-less names that are not hidden or known non-articles."""
    if name.startswith(".") or name.startswith("~"):
        return False
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if stem.lower().split(".")[0] in NOT_ARTICLES:
        return False
    return ext == "" or ext.lower() == "txt"


def _walk(folder: Path) -> list[SourceFile]:
    """Article files under ``folder``, skipping hidden folders; sub-folder names become tags."""
    out: list[SourceFile] = []
    _scan(folder.resolve(), (), out)
    return out


def _scan(folder: Path, tags: tuple[str, ...], out: list[SourceFile]) -> None:
    """Add the article files in ``folder`` and the folders below it that are neither hidden nor links.

    What ``sorted(folder.rglob("*"))`` filtered by name and ``is_file()`` gives, without a ``Path``
    and a ``stat`` for every entry: an entry knows whether it is a folder or a file (it stats only
    links), and a hidden folder is not entered at all.
    """
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except PermissionError:  # as rglob: an unreadable folder has nothing to import
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if _checked(entry.is_dir, follow_symlinks=False):
            _scan(folder / entry.name, (*tags, entry.name), out)
        elif _checked(entry.is_file) and is_article_name(entry.name):
            out.append(SourceFile(folder / entry.name, tags))


# What Path.is_file() and rglob take as "no", not as an error: the entry went away, a link loops.
_GONE = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})


def _checked(test: Callable[..., bool], **kwargs: bool) -> bool:
    try:
        return test(**kwargs)
    except OSError as exc:
        if exc.errno not in _GONE:
            raise
        return False
