"""The only writer to ``output/``.

Input: an iterable of ``(relative path, bytes)``. The site is written into a
fresh folder beside ``output/``; unchanged files are hard-linked from the old
output (keeping their mtimes, so rsync deploys stay small); at the end the two
folders are swapped in one atomic step. A failed or killed build leaves the
previous ``output/`` whole. Refuses paths that escape, repeat or clash.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import multiprocessing
import os
import pathlib
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Container, Iterable, Iterator
from collections.abc import Set as AbstractSet
from typing import Any

from .errors import Problem, SiteError
from .slugs import WINDOWS_RESERVED
from .workers import forking

_BAD_SEGMENT = re.compile(r"^(?:\.{1,2}|)$|[\x00-\x1f\\:*?\"<>|]")
_RENAME_EXCHANGE = 2


@dataclasses.dataclass
class WriteStats:
    """What the writer did: files written, files kept unchanged."""

    written: int = 0
    unchanged: int = 0


def check_path(rel: str) -> str | None:
    """Why ``rel`` is not a safe output path, or None when it is."""
    if not rel or rel.startswith("/") or len(rel) > 1024:
        return "empty, absolute or over-long path"
    for segment in rel.split("/"):
        if _BAD_SEGMENT.search(segment) or len(segment) > 255:
            return f"unsafe path segment {segment!r}"
        if segment.split(".")[0].lower() in WINDOWS_RESERVED or segment.endswith((".", " ")):
            return f"path segment {segment!r} cannot be a file name on Windows"
    return None


MARKER = ".marginalia-output"


def check_output(output: pathlib.Path, site: pathlib.Path) -> None:
    """Refuse to replace a folder that is not ours: the site itself, content, or a stranger's."""
    out, site = output.absolute(), site.absolute()
    if out == site or out in site.parents or any(out.is_relative_to(site / d) for d in
                                                  ("content", "layouts", "sources", "tests")):
        raise SiteError([Problem(str(output), 0, 0, "refusing to build into the site's own folders",
                                 "choose an output folder such as output/")])
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise SiteError([Problem(str(output), 0, 0, "this folder exists and was not made by a build",
                                 "choose an empty or new folder; nothing was changed")])


class _Written:
    """The data of a file that a worker process wrote into the staging tree already."""

    def __repr__(self) -> str:
        return "WRITTEN"


WRITTEN = _Written()
Data = bytes | None | _Written
Files = Iterable[tuple[str, Data]]


def write_site(files: Files, output: pathlib.Path, keep_if_same: set[str] | None = None) -> WriteStats:
    """Write every file into a new tree and swap it in place of ``output``.

    ``None`` as a file's data means "unchanged since the last build": the old
    file is linked. When every file is unchanged and ``keep_if_same`` (the last
    build's file list) matches, ``output`` is left alone entirely.
    """
    return Staging(output, keep_if_same or ()).finish(files, keep_if_same)


def write_in_place(output: pathlib.Path, files: dict[str, bytes | None], old_files: AbstractSet[str]
                   ) -> WriteStats:
    """Change ``output`` file by file into the site ``files`` (every file of it; None: the file
    there is right), for a rebuild that changes a few files of a large site. Every changed file is
    first written beside its place under a temporary name; only then are they all renamed over the
    old ones (each rename atomic, all of them within about a millisecond) and the files of
    ``old_files`` (every file ``output`` holds) that the site no longer has removed, with the
    folders they leave empty. An unsafe path is refused, and a failure while writing removes the
    temporary files, before ``output`` changes at all."""
    for rel, data in files.items():
        if data is not None and rel not in old_files and (problem := check_path(rel)) is not None:
            raise SiteError([Problem(f"output/{rel}", 0, 0, problem, "check slugs and layout names")])
    stats = WriteStats()
    root = str(output) + os.sep
    ready: list[tuple[str, str]] = []  # (temporary file, its place)
    try:
        for rel, data in files.items():
            target = root + (rel if os.sep == "/" else rel.replace("/", os.sep))
            if data is None or (rel in old_files and _same(target, data)):
                stats.unchanged += 1
                continue
            folder, name = os.path.split(target)
            os.makedirs(folder, exist_ok=True)
            temporary = f"{folder}{os.sep}.{name}.{os.getpid()}.tmp"
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)  # left by a killed build of the same process id
            ready.append((temporary, target))
            _write_new(temporary, data)
            stats.written += 1
    except BaseException:
        for temporary, _target in ready:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise
    for temporary, target in ready:
        os.replace(temporary, target)
    _prune(root, sorted(rel for rel in old_files if rel not in files and rel != MARKER))
    return stats


def claim(rel: str, folded: dict[str, str], checked: Container[str] = ()) -> None:
    """Refuse ``rel`` if it is unsafe (unless ``checked`` holds it), claimed already, or clashes with
    a claimed path; else claim it (``folded``: every claimed path by its casefolded form)."""
    key = rel.casefold()
    problem = None if rel in checked else check_path(rel)
    if problem is None and folded.get(key) == rel:
        problem = "two pages would write this file"
    elif problem is None and key in folded:
        problem = f"clashes with {folded[key]} on case-insensitive disks"
    if problem:
        raise SiteError([Problem(f"output/{rel}", 0, 0, problem, "check slugs and layout names")])
    folded[key] = rel


class Staging:
    """A new site tree beside ``output``, filled by this process and by worker processes it forks
    (each writes the files it was given, which are :meth:`claim`-ed here too), then swapped
    in place of ``output`` in one step; or removed, leaving ``output`` as it was."""

    def __init__(self, output: pathlib.Path, checked: Container[str] = ()) -> None:
        """``checked``: paths known to be safe (last build's), which need no second look."""
        self.output, self.checked = output.absolute(), checked
        self.output.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(self.output)
        self.path = self.output.with_name(f".{self.output.name}.building-{os.getpid()}")
        _remove(self.path)
        self.path.mkdir()
        # Plain strings, not Paths: these run once per output file, and pathlib's joins and hashes
        # were a tenth of the parent process's time in a 10,000-article build.
        self.root = str(self.path) + os.sep
        self.folded: dict[str, str] = {}  # casefolded path -> the path (also: every path claimed)
        self.made: set[str] = set()  # folders created in the new tree by this process
        self.linked: frozenset[str] = frozenset()  # files of the old output linked in by link_old()
        self._linker: tuple[Any, Any] | None = None  # (process, pipe) while it runs
        self._old_files: AbstractSet[str] | None = None

    def link_old(self) -> None:
        """Start hard-linking every file of the current ``output`` into the new tree, in a process of
        its own (where ``fork`` exists): a rebuild keeps nearly all of them, and linking ten thousand
        files costs the build's own process a third of a second it can spend on other work meanwhile.
        :meth:`linked_files` waits for it; files the build then writes replace their link, and
        linked files it does not make again are removed before the swap."""
        if not forking():
            return
        ctx = multiprocessing.get_context("fork")
        receive, send = ctx.Pipe(duplex=False)
        process = ctx.Process(target=_link_tree, args=(str(self.output), self.root, send), daemon=True,
                              name="marginalia-link")
        process.start()
        send.close()
        self._linker = (process, receive)

    def linked_files(self) -> frozenset[str]:
        """Wait for :meth:`link_old`'s process: the files it linked into the new tree. Should it fail,
        the new tree is emptied and nothing counts as linked (the build links as it goes instead)."""
        if self._linker is None:
            return self.linked
        process, receive = self._linker
        self._linker = None
        try:
            linked = receive.recv()
        except (EOFError, OSError):
            linked = None
        finally:
            receive.close()
            process.join()
        if isinstance(linked, frozenset) and process.exitcode == 0:
            self.linked = linked
        else:
            _remove(self.path)
            self.path.mkdir()
        return self.linked

    def old_files(self) -> AbstractSet[str]:
        """Every regular file of the current ``output`` (walked once; the linking process's list
        when it linked them all)."""
        if self._old_files is None:
            self._old_files = self.linked_files() or files_in(self.output)
        return self._old_files

    def claim(self, rel: str) -> None:
        """Refuse ``rel`` if it is unsafe, claimed already, or clashes with a claimed path."""
        claim(rel, self.folded, self.checked)

    def write(self, rel: str, data: bytes) -> bool:
        """Write a file into the new tree (from any process of the build), after checking its path
        is safe; the build :meth:`claim`-s it too, which checks it against the others. False when
        the old file, linked in, holds ``data`` already: it is kept (and keeps its time)."""
        problem = check_path(rel)
        if problem:
            raise SiteError([Problem(f"output/{rel}", 0, 0, problem, "check slugs and layout names")])
        target = self.root + (rel if os.sep == "/" else rel.replace("/", os.sep))
        if rel in self.linked:  # the old file, linked in: kept, or replaced, never written through
            if _same(target, data):
                return False
            os.unlink(target)
        try:
            _write_new(target, data)
        except FileNotFoundError:  # its folder is not there yet (another process may be making it)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            _write_new(target, data)
        return True

    def finish(self, files: Files, keep_if_same: set[str] | None = None) -> WriteStats:
        """Add ``files`` (``WRITTEN``: a worker wrote it; ``None``: link last build's file) and swap
        the new tree in. When nothing is new and ``keep_if_same`` (last build's file list) matches,
        ``output`` is left alone entirely."""
        items = iter(files)
        kept: list[str] = []
        first_new: tuple[str, Data] | None = None
        stats = WriteStats()
        try:
            for rel, data in items:  # look ahead: a build that changed nothing writes nothing
                if data is None:
                    kept.append(rel)
                else:
                    first_new = (rel, data)
                    break
            if first_new is None and keep_if_same is not None and set(kept) == keep_if_same \
                    and (self.output / MARKER).is_file():
                self.abandon()
                stats.unchanged = len(kept)
                return stats
            rest = itertools.chain(((rel, None) for rel in kept), [first_new] if first_new else [], items)
            self._fill(_with_marker(rest), stats, self.old_files())
            swapped = _swap(self.path, self.output)
        except BaseException:
            self.abandon()
            raise
        if swapped:  # the staging path now holds the previous site
            _discard(self.path, big=stats.written + stats.unchanged > 2000)
        return stats

    def abandon(self) -> None:
        """Remove the new tree; ``output`` stays as it was."""
        big = len(self.linked) > 2000
        if self._linker is not None:  # still linking, or done and not asked: stop it
            process, receive = self._linker
            self._linker = None
            process.kill()
            process.join()
            receive.close()
            big = True  # how many files it linked is not known
        if self.path.exists():  # (not when swapped in and discarded already, or abandoned)
            _discard(self.path, big=big)

    def _fill(self, files: Files, stats: WriteStats, old_files: AbstractSet[str]) -> None:
        new_root, old_root = self.root, str(self.output) + os.sep
        linked = self.linked
        for rel, data in files:
            if data is WRITTEN:  # claimed and written already
                stats.written += 1
                continue
            self.claim(rel)
            native = rel if os.sep == "/" else rel.replace("/", os.sep)
            target = new_root + native
            if rel in linked:  # the old file is in the new tree already
                assert not isinstance(data, _Written)
                if data is None or _same(old_root + native, data):
                    stats.unchanged += 1
                    continue
                os.unlink(target)
                _write_new(target, data)
                stats.written += 1
                continue
            # (A path that is a file in one build and a folder in the other could meet a linked file
            # or folder in the way here; page paths are made so that this never happens.)
            folder = native.rpartition(os.sep)[0]
            if folder and folder not in self.made:
                os.makedirs(new_root + folder, exist_ok=True)
                while folder:
                    self.made.add(folder)
                    folder = folder.rpartition(os.sep)[0]
            if data is None:
                if rel not in old_files or not _link(old_root + native, target):
                    raise SiteError([Problem(f"output/{rel}", 0, 0, "a file the cache counted on is gone",
                                             "run the build again with --clean")])
                stats.unchanged += 1
            elif isinstance(data, bytes) and rel in old_files and _same(old_root + native, data) \
                    and _link(old_root + native, target):
                stats.unchanged += 1
            else:
                assert isinstance(data, bytes)
                _write_new(target, data)
                stats.written += 1
        if linked:  # every path made was claimed; the rest of the old site is not in the new one
            _prune(new_root, linked.difference(self.folded.values()))


def files_in(folder: pathlib.Path) -> set[str]:
    """Every regular file under ``folder`` by relative path (empty when there is no such folder):
    one walk instead of a failing stat per new file. Links are left out: the writer never carries
    one (to who knows where) into a new site."""
    found: set[str] = set()
    folders = [(str(folder), "")]
    while folders:
        path, prefix = folders.pop()
        try:
            entries = os.scandir(path)
        except OSError:
            continue
        with entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, f"{prefix}{entry.name}/"))
                elif entry.is_file(follow_symlinks=False):
                    found.add(prefix + entry.name)
    return found


def _write_new(target: str, data: bytes) -> None:
    """Create ``target`` (in the new tree, so it does not exist yet) with ``data``: the bare
    system calls, without the buffering and terminal checks of ``open()``."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _link(source: str, target: str) -> bool:
    """Hard-link an unchanged file (keeps its mtime; callers link only regular files found by
    :func:`files_in`); False where links are not possible."""
    try:
        os.link(source, target)
    except OSError:
        return False
    return True


def _link_tree(old: str, new_root: str, report: Any) -> None:
    """Hard-link every regular file under ``old`` to the same path under ``new_root`` (in the
    linking process), then send back the set of their relative paths; nothing, on failure."""
    try:
        linked = files_in(pathlib.Path(old))
        for rel in linked:
            native = rel if os.sep == "/" else rel.replace("/", os.sep)
            try:
                os.link(old + os.sep + native, new_root + native)
            except FileNotFoundError:  # its folder is not there yet
                os.makedirs(new_root + native.rpartition(os.sep)[0], exist_ok=True)
                os.link(old + os.sep + native, new_root + native)
        report.send(frozenset(linked))
    except OSError:
        pass  # the build sees no answer and links as it goes
    finally:
        report.close()


def _prune(root: str, rels: Iterable[str]) -> None:
    """Remove files that were linked in but not made again, and the folders they leave empty."""
    folders = set()
    for rel in rels:
        native = rel if os.sep == "/" else rel.replace("/", os.sep)
        os.unlink(root + native)
        folders.add(native.rpartition(os.sep)[0])
    for folder in sorted(folders, key=len, reverse=True):  # deepest first
        while folder:
            try:
                os.rmdir(root + folder)
            except OSError:
                break  # not empty
            folder = folder.rpartition(os.sep)[0]


def _with_marker(files: Files) -> Iterator[tuple[str, Data]]:
    yield from files
    yield MARKER, b"This folder is generated by 'python build.py build'; edits here are lost.\n"


def _same(path: str, data: bytes) -> bool:
    """True when ``path`` is a regular file holding exactly ``data``."""
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
            return False
        with open(path, "rb") as f:
            return f.read() == data
    except OSError:
        return False


def _swap(staging: pathlib.Path, output: pathlib.Path) -> bool:
    """Put ``staging`` where ``output`` is, atomically where the system allows."""
    if not output.exists():
        os.rename(staging, output)
        return False
    if _exchange(staging, output):
        return True  # staging now holds the old site; the caller removes it
    old = output.with_name(f".{output.name}.old-{os.getpid()}")
    os.rename(output, old)
    os.rename(staging, output)
    _remove(old)
    return False


def _exchange(a: pathlib.Path, b: pathlib.Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): swap two folders in one step."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # (here: 1.5 ms of every build's start otherwise)

    try:  # the symbols the process has loaded, the C library's among them (find_library runs ldconfig: 10 ms)
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    return bool(renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0)


def _discard(old: pathlib.Path, big: bool) -> None:
    """Delete the previous site. A big one goes in a detached process: deleting 10,000 folders can
    take seconds on a busy disk, and the new site is already in place."""
    if not big:
        _remove(old)
        return
    trash = old.with_name(old.name.replace(".building-", ".old-"))
    os.rename(old, trash)
    _delete_detached(trash)


# The detached deleter first renames the folder after its own process, so that a build starting
# meanwhile sees a live owner and leaves the folder to it.
_DELETER = """import os, shutil, sys
folder = sys.argv[1]
mine = folder.rpartition("-")[0] + f"-{os.getpid()}"
try:
    os.rename(folder, mine)
except OSError:
    sys.exit(0)  # gone, or another deleter has it
shutil.rmtree(mine, ignore_errors=True)
"""


def _delete_detached(folder: pathlib.Path) -> None:
    """Delete ``folder`` (a ``.NAME.old-PID`` beside the output) in a process of its own."""
    subprocess.Popen([sys.executable, "-c", _DELETER, str(folder)], stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _remove_stale(output: pathlib.Path) -> None:
    """Hand the folders that killed builds (or killed deletes) left beside ``output`` to a detached
    delete: half-built trees, and old trees whose delete did not finish (their process is gone)."""
    for sibling in output.parent.glob(f".{output.name}.*-*"):
        kind, _, pid = sibling.name.rpartition("-")
        if not kind.endswith((".building", ".old")) or not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            trash = sibling.with_name(f"{kind.removesuffix('.building').removesuffix('.old')}.old-{pid}")
            try:
                os.rename(sibling, trash)
            except OSError:
                continue  # another build or deleter got to it first
            _delete_detached(trash)
        except PermissionError:
            pass  # alive, someone else's


def _remove(path: pathlib.Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)
