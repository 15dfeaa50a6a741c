"""Process pools over per-item work (articles, raw files), in order.

Input: a function, the items and the arguments they share. Output: the results
in item order, so builds stay deterministic. Workers are forked after the
parent set up the shared state, which they read copy-on-write; only items and
results cross between processes. Without fork, with one job or for a few
items, the function runs here, one item after another.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import multiprocessing
import multiprocessing.connection
import multiprocessing.pool
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")
PARALLEL_MIN = 400  # below this many items a process pool costs more than it saves
_WORKER: dict[str, Any] = {}  # what forked workers read


class _Pool(multiprocessing.pool.Pool):
    """A process pool whose worker-maintaining thread sleeps until a worker exits or the pool
    changes state. The standard pool's also wakes whenever a result is waiting in the result
    pipe, and spins (polling every worker's exit status, making a selector) until its result
    thread has read it; with the build's process busy, that read waits for the GIL: the spinning
    thread took 0.27 s of CPU in a 10,000-article build, and the GIL from the thread doing the
    work. The workers here exit only when the pool ends (no ``maxtasksperchild``), which their
    sentinels signal."""

    def _get_sentinels(self) -> list[Any]:
        return [self._change_notifier._reader]  # type: ignore[attr-defined]


def fork_pool(jobs: int) -> multiprocessing.pool.Pool:
    """A pool of ``jobs`` forked processes (see :class:`_Pool`)."""
    return _Pool(jobs, context=multiprocessing.get_context("fork"))


def forking() -> bool:
    """Whether this process may fork workers: ``fork`` exists here, and this is no daemon process
    (which may not have children)."""
    return "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon


def can_fork(items: int, jobs: int) -> bool:
    """Whether a pool of ``jobs`` forked processes is worth starting for ``items`` items."""
    return jobs > 1 and items >= PARALLEL_MIN and forking()


def _apply(item: Any) -> Any:
    return _WORKER["function"](item, *_WORKER["args"])


def map_forked(function: Callable[..., T], items: Sequence[Any], args: tuple[Any, ...],
               jobs: int, chunksize: int = 64) -> Iterator[T]:
    """``function(item, *args)`` for each item, in order, across ``jobs`` forked processes (forked
    when the first result is asked for)."""
    mapped = Mapped(function, items, args, jobs, chunksize)
    try:
        yield from mapped
    finally:
        mapped.close()


class Mapped(Iterator[T]):
    """``function(item, *args)`` for each item, in order, across ``jobs`` processes forked when
    this is made, which work while the caller goes on (without fork, or for few items or one job,
    each result is made here when asked for). :meth:`close` it when done with it, or to stop the
    processes early."""

    def __init__(self, function: Callable[..., T], items: Sequence[Any], args: tuple[Any, ...], jobs: int,
                 chunksize: int = 64) -> None:
        self.pool: Any = None
        if not can_fork(len(items), jobs):
            self.results: Iterator[T] = (function(item, *args) for item in items)
            return
        _WORKER.update(function=function, args=args)  # (kept until close: the pool may fork anew)
        try:
            self.pool = fork_pool(jobs)
            self.results = self.pool.imap(_apply, items, chunksize=chunksize)
        except BaseException:
            self.close()
            _WORKER.clear()
            raise

    def __next__(self) -> T:
        try:
            return next(self.results)
        except BaseException:  # the end, or a worker's exception
            self.close()
            raise

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool = None
            _WORKER.clear()


class Started(Iterator[T]):
    """Results, in order, of work shared between processes forked at the start and this one (see
    :func:`start_forked`): each process takes the next chunk of items in turn, and this one takes
    chunks too whenever it waits for a result, so it helps once its own work is done."""

    def __init__(self, function: Callable[..., T], items: Sequence[Any], args: tuple[Any, ...], forks: int,
                 chunksize: int) -> None:
        self.function, self.args = function, args
        self.chunks = [items[i:i + chunksize] for i in range(0, len(items), chunksize)]
        self.done: dict[int, list[T]] = {}  # results of chunks not yet iterated
        self.place = 0  # the chunk to iterate next
        self.current: Iterator[T] = iter(())
        self.counter: Any = None  # the next chunk to take, shared (with its lock)
        self.children: list[tuple[Any, Any]] = []  # (process, the pipe it sends its results by)
        if forks:
            context = multiprocessing.get_context("fork")
            self.counter = context.Value("q", 0)
            try:
                for _ in range(forks):
                    receive, send = context.Pipe(duplex=False)
                    _widen(send)
                    process = context.Process(target=_share, args=(send, self.counter, self.chunks, function, args),
                                              daemon=True)
                    process.start()
                    send.close()
                    self.children.append((process, receive))
            except BaseException:
                self.close()
                raise

    def __next__(self) -> T:
        for result in self.current:
            return result
        if self.place == len(self.chunks):
            raise StopIteration
        self.current = iter(self._chunk(self.place))
        self.place += 1
        return next(self)

    def _chunk(self, place: int) -> list[T]:
        """The results of chunk ``place``: made here if no process took it, else (making others
        meanwhile while any are left) when its process sends them."""
        if self.counter is None:
            return [self.function(item, *self.args) for item in self.chunks[place]]
        while place not in self.done:
            ready = [receive for _process, receive in self.children if receive.poll()]
            if not ready and (mine := _take(self.counter, len(self.chunks))) is not None:
                self.done[mine] = [self.function(item, *self.args) for item in self.chunks[mine]]
                continue
            if not ready and not self.children:  # (cannot be: a process that ended sent all it took)
                raise RuntimeError(f"the results of items {place * len(self.chunks[0])}... were lost")
            for receive in ready or multiprocessing.connection.wait([r for _p, r in self.children]):
                self._receive(receive)
        return self.done.pop(place)

    def _receive(self, receive: Any) -> None:
        """One message of a process: a chunk's results, its exception (raised here), or its end."""
        try:
            taken, results = receive.recv()
        except EOFError:  # the process ended: it sent every chunk it took, or died
            process = next(p for p, r in self.children if r is receive)
            self.children = [(p, r) for p, r in self.children if r is not receive]
            receive.close()
            process.join()
            if process.exitcode != 0:
                raise RuntimeError(f"a worker process ended with exit code {process.exitcode}") from None
            return
        if taken < 0:
            raise results  # the function's exception, in the process that met it
        self.done[taken] = results

    def close(self) -> None:
        """Stop the processes (those not finished are killed): call it once done, or on failure."""
        for process, receive in self.children:
            process.kill()
            process.join()
            receive.close()
        self.children = []


PIPE_BYTES = 1 << 20  # what a worker's results pipe holds (Linux's default largest for anyone)


def _widen(connection: Any) -> None:
    """Let the pipe behind ``connection`` hold PIPE_BYTES (Linux; elsewhere, or where the system
    refuses, it keeps its size). A worker's results wait there while the caller does its own work,
    and a full pipe stops the worker: with the default 64 KB, about 1,150 chunks' results, the page
    writer of a 100,000-article build stopped for ten seconds while the build's process waited for
    the search index, with a core idle."""
    with contextlib.suppress(ImportError, AttributeError, OSError):
        import fcntl

        fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _take(counter: Any, count: int) -> int | None:
    """The next chunk of ``count`` nobody took yet, now taken; None when all are."""
    with counter.get_lock():
        taken = counter.value
        if taken >= count:
            return None
        counter.value = taken + 1
    return taken  # type: ignore[no-any-return]


def _share(send: Any, counter: Any, chunks: list[Sequence[Any]], function: Callable[..., Any],
           args: tuple[Any, ...]) -> None:
    """A forked process's part of :class:`Started`: chunks until none is left, each chunk's
    results sent back (or the exception that stopped it)."""
    try:
        while (taken := _take(counter, len(chunks))) is not None:
            send.send((taken, [function(item, *args) for item in chunks[taken]]))
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the caller
        reply(send, (-1, exc), failed=-1)
        return
    send.close()


def start_forked(function: Callable[..., T], items: Sequence[Any], args: tuple[Any, ...],
                 jobs: int, chunksize: int = 64) -> Started[T]:
    """``function(item, *args)`` for each item, in order, across ``jobs`` processes: ``jobs - 1``
    forked now, which work while the caller goes on, and the caller's, which makes chunks too
    whenever iterating the result waits (so give this work that returns small results: a process
    waits while its result does not fit in its pipe). Without fork (or for few items or one job)
    the work is done here, one chunk at a time, as the result is iterated."""
    return Started(function, items, args, jobs - 1 if can_fork(len(items), jobs) else 0, chunksize)


class Forked(Generic[T]):
    """``function(*args)``, computed in a process forked now while the caller goes on (its result
    pickled back), or here when :meth:`result` is asked, where fork is not available."""

    def __init__(self, function: Callable[..., T], *args: Any) -> None:
        self.function, self.args = function, args
        self.process: Any = None
        if forking():
            context = multiprocessing.get_context("fork")
            self.receive, send = context.Pipe(duplex=False)
            self.process = context.Process(target=_call, args=(send, function, args), daemon=True)
            self.process.start()
            send.close()

    def result(self) -> T:
        """The result (the function's exception raised here); the process is gone after."""
        if self.process is None:
            return self.function(*self.args)
        try:
            outcome, value = self.receive.recv()
        except EOFError:
            outcome, value = "error", RuntimeError(f"a forked process died (exit code {self.process.exitcode})")
        finally:
            self.close()
        if outcome == "error":
            raise value
        return value  # type: ignore[no-any-return]

    def close(self) -> None:
        """Stop the process, finished or not (call on failure; :meth:`result` calls it)."""
        if self.process is not None:
            self.process.kill()
            self.process.join()
            self.receive.close()
            self.process = None


def _call(send: Any, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        outcome: tuple[str, Any] = ("ok", function(*args))
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the caller
        outcome = ("error", exc)
    reply(send, outcome)


def reply(send: Any, outcome: tuple[Any, Any], failed: Any = "error") -> None:
    """Send a forked process's answer back and close the pipe; an answer that cannot be pickled
    (an exception or a result) goes as ``(failed, RuntimeError(its traceback))``."""
    try:
        send.send(outcome)
    except Exception:  # noqa: BLE001 - a value that cannot be pickled
        send.send((failed, RuntimeError(traceback.format_exc())))
    send.close()


def default_jobs() -> int:
    """One worker per core the process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


@functools.cache
def keep_freed_memory() -> None:
    """Large blocks this process (and every process it forks after) frees stay in its heap for the
    next ones, instead of going back to the system and coming back a page at a time.

    The C library's allocator (glibc) maps each block above a threshold on its own and unmaps it
    when freed, and gives the heap's free top back; each page is faulted in again when next used,
    and an unmapping in a process with threads interrupts the other cores. In a 10,000-article
    build a fifth of the page faults came so (pipe messages, numpy's arrays, pages rendered).
    Measured, cold builds alternated with and without: 123,000-124,500 faults instead of
    157,000; system time 0.60-0.97 s instead of 0.64-1.54 s, lower in ten pairs of eleven; the
    wall time gained much (median 3.60 → 3.16 s) only where the default fell into slow spells,
    ~1% otherwise; the largest process's peak 180 MB instead of 185 (freed blocks are reused).
    Linux with glibc only (elsewhere nothing changes); once a process, which keeps its largest
    heap after the build (as a preview server does between builds).

    Nor do numpy's arrays of 4 MB or more ask for huge pages (numpy's ``NUMPY_MADVISE_HUGEPAGE``,
    read when numpy is imported: by the search index's process, forked after this): each such
    ``madvise`` splits the heap's mapping, and a huge page is zeroed whole at its first touch. The
    index of the benchmark's 10,000 articles, built twice in one process: system time 0.52-0.65 s
    with them, 0.16-0.25 s without, user time the same. Cold builds of those articles alternated
    with and without (page cache dropped before each), two runs of eight pairs: system time
    0.94 → 0.83 and 0.97 → 0.85 s; wall time lower in 12 pairs of 16 (medians 3.55 → 3.62 s in
    the first run, 3.68 → 3.56 s in the second: this host's noise is of that size)."""
    if not sys.platform.startswith("linux"):
        return
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    import ctypes  # (here, for large builds only: 1.5 ms)

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, 32 << 20)  # (the largest the allocator takes)
    mallopt(m_trim_threshold, 1 << 30)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off for a build, back on after it.

    A build makes millions of objects but few reference cycles (about three per article rendered,
    measured), and each automatic collection walks every live object: in a 10,000-article build
    that was ~6% of the CPU time, and in forked workers the walk also writes to every object's
    header, copying the parent's pages one by one. Workers forked inside inherit the setting.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
