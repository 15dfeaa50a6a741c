"""Which raw files an import reads, in a stable order, with their folder tags.

Input: the paths given on the command line. Output: one
:class:`~marginalia.ingest.draft.SourceFile` per article file, sorted by path.
Raises :class:`~marginalia.errors.SiteError` for a path that does not exist.
Reads directory listings only.
"""

from __future__ import annotations

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
    root = folder.resolve()
    out: list[SourceFile] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        if is_article_name(path.name):
            out.append(SourceFile(path, tuple(rel.parts[:-1])))
    return out
