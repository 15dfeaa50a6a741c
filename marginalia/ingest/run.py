"""``build.py import``: raw article files in, Markdown content files out.

Input: raw files or folders, the site folder, ``force`` and ``as_json``.
Output: an :class:`ImportReport`. Reads the raw files, any ``MANIFEST.tsv``
beside them and the site's ``content/``; writes only ``content/**/*.md``,
atomically, and never over a hand-edited file unless forced. Writes nothing
with ``as_json``.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
from pathlib import Path
from typing import Any

from ..errors import Problem, SiteError
from ..paths import path_problem
from ..workers import default_jobs, map_forked, paused_gc
from .article import make_draft
from .dates import iso_datetime
from .decode import decode
from .discover import discover
from .document import front_matter, render_file
from .draft import Draft, Note, Rejected, SourceFile
from .escape import plain_paragraphs, render_body
from .manifest import Manifests, Row
from .slug import unique_slug
from .store import ContentIndex, ContentWriter, Existing, Outside, is_edited
from .suggestions import sidecar_text

SUFFIX = ".annotations.yaml"

EDITED = "edited since import; skipped (use --force to overwrite)"
MAX_RAW_BYTES = 20 * 1024 * 1024  # the build reads content files up to this size too
NAMED_COPIES = 3  # identical sources a duplicate warning names (the others are counted)


@dataclasses.dataclass
class ImportReport:
    """What an import did: content paths (relative to the site) and problems."""

    written: list[str] = dataclasses.field(default_factory=list)
    unchanged: list[str] = dataclasses.field(default_factory=list)
    skipped_edited: list[str] = dataclasses.field(default_factory=list)
    suggested: list[str] = dataclasses.field(default_factory=list)  # new suggestion sidecars
    json_items: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    problems: list[Problem] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class Loaded:
    """A source that parsed: where it is, its checksum and its draft.

    What a worker sends back, so only what the parent needs: the draft's blocks are left out (they
    are in ``body``) unless suggestions are wanted.
    """

    rel: str  # raw path relative to the site, posix
    sha256: str
    draft: Draft
    body: str  # the Markdown body


def run_import(paths: list[Path], *, site: Path, force: bool = False,
               as_json: bool = False, suggest: bool = False) -> ImportReport:
    """Import ``paths`` into ``site``/content (or describe them as JSON)."""
    site = _check_site(Path(site))
    with paused_gc():  # as for a build (see paused_gc): many objects, few cycles, forked workers
        return _import(paths, site, force, as_json, suggest)


def _import(paths: list[Path], site: Path, force: bool, as_json: bool, suggest: bool) -> ImportReport:
    sources = discover([Path(p) for p in paths])
    report = ImportReport()
    manifests = Manifests(lambda p: _relative(p, site))
    rows = [manifests.row_for(s.path) for s in sources]  # here: the workers would each read them
    index = ContentIndex(site)
    loaded = []
    # The workers read the sources and rows from the memory they were forked with: only each
    # source's number goes out to them. Results come back 256 at a time: with 64, waking up for
    # each message cost the parent 0.2 s more in 10,000 articles.
    shared = (sources, rows, site, as_json or suggest)
    for item, problems in map_forked(_load, range(len(sources)), shared, default_jobs(), chunksize=256):
        report.problems.extend(problems)
        if item is not None:
            loaded.append(item)
    report.problems.extend(manifests.problems)
    loaded = _with_duplicate_notes(loaded, index)
    with ContentWriter(site / "content") as writer:
        for item, (target, existing) in zip(loaded, _targets(loaded, index), strict=True):
            if as_json:
                report.json_items.append(_json_item(item, target, item.body, report))
            if as_json or _write(item, site, writer, target, existing, force, report, suggest):
                _report_notes(item, report)
    report.problems.sort()
    return report


def _check_site(site: Path) -> Path:
    """The site folder, absolute; a located error when it is missing."""
    if not site.is_dir():
        raise SiteError([Problem(str(site), 0, 0, "site folder does not exist",
                                 "give --site the folder that holds config.yaml and content/")])
    return site.resolve()


def _relative(path: Path, site: Path) -> str:
    """``path`` relative to the site folder, with forward slashes."""
    folder, name = os.path.split(path)
    if os.sep != "/" or name in ("", ".", ".."):
        return Path(os.path.relpath(path, site)).as_posix()
    above = _relative_folder(folder, os.fspath(site))  # the same for every file of a folder
    return name if above == "." else f"{above}/{name}"


@functools.lru_cache(maxsize=1024)
def _relative_folder(folder: str, site: str) -> str:
    return os.path.relpath(folder, site)


def _load(number: int, sources: list[SourceFile], rows: list[Row | None], site: Path,
          keep_blocks: bool) -> tuple[Loaded | None, list[Problem]]:
    """Read, decode and parse source ``number`` (in a worker process); a located problem instead when
    it cannot be."""
    source, row = sources[number], rows[number]
    problems: list[Problem] = []
    rel = _relative(source.path, site)
    problem = path_problem(rel)
    if problem:  # it would be recorded as source.path, which the build refuses
        readable = os.fsencode(rel).decode("utf-8", "backslashreplace")
        shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in readable)
        problems.append(Problem(shown, 0, 0, f"not imported: {problem}", "rename the file"))
        return None, problems
    try:
        with open(source.path, "rb", buffering=0) as handle:
            if os.fstat(handle.fileno()).st_size > MAX_RAW_BYTES:
                problems.append(Problem(rel, 1, 1, "file is larger than 20 MB, the most an article may be",
                                        "split it into several articles"))
                return None, problems
            data = handle.read()
    except OSError as exc:
        problems.append(Problem(rel, 0, 0, f"cannot read file: {exc.strerror}",
                                "check that the file exists and is readable"))
        return None, problems
    try:
        draft = make_draft(source, decode(data), row)
    except Rejected as exc:
        problems.append(Problem(rel, exc.line, exc.col, exc.message, exc.hint))
        return None, problems
    body = render_body(draft.blocks)
    if not keep_blocks:
        draft = dataclasses.replace(draft, blocks=())
    return Loaded(rel, hashlib.sha256(data).hexdigest(), draft, body), problems


def duplicate_message(others: list[str]) -> str:
    """The warning for a source with copies ``others`` (sorted): at most :data:`NAMED_COPIES` of
    them by name, so that a source copied a thousand times does not carry a thousand paths in its
    front matter, each copy in turn (the warning would grow with the square of the copies)."""
    named = ", ".join(others[:NAMED_COPIES])
    rest = len(others) - NAMED_COPIES
    return f"byte-identical to {named}" + (f" and {rest} more" if rest > 0 else "")


def _with_duplicate_notes(loaded: list[Loaded], index: ContentIndex) -> list[Loaded]:
    """Warn on each source that is byte-identical to another (in this run or already imported)."""
    by_sha: dict[str, set[str]] = {}
    for item in loaded:
        by_sha.setdefault(item.sha256, set()).add(item.rel)
    same: dict[str, list[str]] = {}  # every source of these bytes, sorted: made once for all of them
    out = []
    for item in loaded:
        if item.sha256 not in same:
            same[item.sha256] = sorted(by_sha[item.sha256].union(index.sources_with(item.sha256)))
        others = [rel for rel in same[item.sha256] if rel != item.rel]
        if others:
            note = Note(0, duplicate_message(others),
                        "it is imported as a separate article; delete one source if unwanted (every copy "
                        "has the same source.sha256 in its front matter)")
            item = dataclasses.replace(
                item, draft=dataclasses.replace(item.draft, notes=item.draft.notes + (note,)))
        out.append(item)
    return out


def _targets(loaded: list[Loaded], index: ContentIndex) -> list[tuple[str, Existing | None]]:
    """Each source's content path: the file it was imported to before, else a new unique slug."""
    claimed = {item.rel for item in loaded}
    taken = set(index.slugs)
    used: set[str] = set()
    out: list[tuple[str, Existing | None]] = []
    for item in loaded:
        existing = index.find(item.rel, item.sha256, claimed)
        if existing is not None and existing.path not in used:
            used.add(existing.path)
            out.append((existing.path, existing))
            continue
        slug = unique_slug(item.draft.title, taken)
        folder = f"content/{item.draft.date.year}" if item.draft.date else "content"
        out.append((f"{folder}/{slug}.md", None))
    return out


def _report_notes(item: Loaded, report: ImportReport) -> None:
    """Every warning about a source, as a located problem."""
    for note in item.draft.notes:
        report.problems.append(Problem(item.rel, note.line, 0, note.message, note.hint, "warning"))


def _source_fields(item: Loaded) -> dict[str, str]:
    """The ``source`` mapping: raw path, checksum, name and URL."""
    return {"path": item.rel, "sha256": item.sha256, "name": item.draft.source_name,
            "url": item.draft.source_url}


def _write(item: Loaded, site: Path, writer: ContentWriter, target: str, existing: Existing | None,
           force: bool, report: ImportReport, suggest: bool = True) -> bool:
    """Write one content file unless it is unchanged or was edited by hand (then False)."""
    text = render_file(front_matter(item.draft, _source_fields(item)), item.body)
    if existing is not None and existing.text == text:
        report.unchanged.append(target)
    elif existing is not None and not force and is_edited(existing):
        report.skipped_edited.append(target)
        report.problems.append(Problem(target, 0, 0, EDITED, f"imported from {item.rel}",
                                       "warning"))
        return False  # the source's own warnings no longer apply to the edited file
    elif not _write_inside(site, writer, target, text, report):
        return False
    else:
        report.written.append(target)
    if suggest:
        _write_suggestions(item, site, writer, target, report)
    return True


def _write_suggestions(item: Loaded, site: Path, writer: ContentWriter, target: str,
                       report: ImportReport) -> None:
    """Write the suggestions sidecar beside a new article; an existing sidecar is a person's: kept."""
    side = target.removesuffix(".md") + SUFFIX
    path = site / side
    if path.exists() or path.is_symlink():
        return
    text = sidecar_text(_suggestions(item, report))
    if text is not None and _write_inside(site, writer, side, text, report):
        report.suggested.append(side)


def _write_inside(site: Path, writer: ContentWriter, target: str, text: str, report: ImportReport) -> bool:
    """Write ``site/target`` atomically; a located error instead when a linked folder leads out."""
    try:
        writer.write(site / target, text.encode("utf-8"))
    except Outside:
        report.problems.append(Problem(target, 0, 0, "not written: its folder is a link to a place "
                                       "outside content/", "replace the linked folder with a real one"))
        return False
    return True


def _json_item(item: Loaded, target: str, body: str, report: ImportReport) -> dict[str, Any]:
    """What ``--json`` prints for one article."""
    draft = item.draft
    lic = draft.license
    return {
        "path": target, "title": draft.title, "body": body,
        "date": draft.date.isoformat() if draft.date else None,
        "updated": iso_datetime(draft.updated) if draft.updated else None,
        "byline": draft.byline or None, "standfirst": draft.standfirst or None,
        "tags": list(draft.tags), "source": {k: v for k, v in _source_fields(item).items() if v},
        "license": dataclasses.asdict(lic) if lic else None,
        "encoding": draft.encoding,
        "repairs": [r.as_dict() for r in draft.repairs],
        "warnings": [n.text() for n in draft.notes],
        "suggestions": _suggestions(item, report),
    }


def _suggestions(item: Loaded, report: ImportReport) -> dict[str, Any]:
    """People, organisations, places, quotes and figures proposed by the annotations stage."""
    try:
        from ..annotations.suggest import suggest
    except ImportError:
        return {}
    try:
        return dict(suggest(item.draft.title, plain_paragraphs(item.draft.blocks)))
    except Exception as exc:  # another stage's bug must not stop an import preview
        report.problems.append(Problem(item.rel, 0, 0, f"suggestions failed: {exc!r}", "",
                                       "warning"))
        return {}
