"""Process pools over per-item work (articles, raw files), in order.

Input: a function, the items and the arguments they share. Output: the results
in item order, so builds stay deterministic. Workers are forked after the
parent set up the shared state, which they read copy-on-write; only items and
results cross between processes. Without fork, with one job or for a few
items, the function runs here, one item after another.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import multiprocessing.pool
import os
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


def can_fork(items: int, jobs: int) -> bool:
    """Whether a pool of ``jobs`` forked processes is worth starting for ``items`` items."""
    return jobs > 1 and items >= PARALLEL_MIN and "fork" in multiprocessing.get_all_start_methods() \
        and not multiprocessing.current_process().daemon


def _apply(item: Any) -> Any:
    return _WORKER["function"](item, *_WORKER["args"])


def map_forked(function: Callable[..., T], items: Sequence[Any], args: tuple[Any, ...],
               jobs: int, chunksize: int = 64) -> Iterator[T]:
    """``function(item, *args)`` for each item, in order, across ``jobs`` forked processes."""
    if not can_fork(len(items), jobs):
        yield from (function(item, *args) for item in items)
        return
    _WORKER.update(function=function, args=args)
    try:
        with fork_pool(jobs) as pool:
            yield from pool.imap(_apply, items, chunksize=chunksize)
    finally:
        _WORKER.clear()


class Started(Iterator[T]):
    """Results of work that forked processes started on at once (see :func:`start_forked`)."""

    def __init__(self, results: Iterator[T], pool: Any = None,
                 function: Callable[..., T] | None = None, args: tuple[Any, ...] = ()) -> None:
        self.results, self.pool, self.function, self.args = results, pool, function, args
        self.later: list[Any] = []  # the results of the items added with also()

    def __next__(self) -> T:
        return next(self.results)

    def also(self, item: Any) -> None:
        """One more item, after those given: for the processes (then :meth:`rest` has its
        result, or raises its exception), or done here and now without them."""
        if self.pool is None:
            assert self.function is not None
            self.later.append(self.function(item, *self.args))
        else:
            self.later.append(self.pool.apply_async(_apply, (item,)))

    def rest(self) -> list[T]:
        """The results of the items added with :meth:`also`, in order (a worker's exception
        raised here); iterate the first items' results before."""
        if self.pool is None:
            return list(self.later)
        return [result.get() for result in self.later]

    def close(self) -> None:
        """Stop the processes (those not finished are killed): call it once done, or on failure."""
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None


def start_forked(function: Callable[..., T], items: Sequence[Any], args: tuple[Any, ...],
                 jobs: int, chunksize: int = 64) -> Started[T]:
    """``function(item, *args)`` for each item, in order, across ``jobs`` processes forked now that
    work while the caller goes on; iterating the result waits for each in turn. Without fork (or
    for few items or one job) the work is done here, one item at a time, as the result is iterated."""
    if not can_fork(len(items), jobs):
        return Started((function(item, *args) for item in items), function=function, args=args)
    _WORKER.update(function=function, args=args)
    try:
        pool = fork_pool(jobs)
    finally:
        _WORKER.clear()  # the workers have their copy; the parent needs none
    return Started(pool.imap(_apply, items, chunksize=chunksize), pool)


class Forked(Generic[T]):
    """``function(*args)``, computed in a process forked now while the caller goes on (its result
    pickled back), or here when :meth:`result` is asked, where fork is not available."""

    def __init__(self, function: Callable[..., T], *args: Any) -> None:
        self.function, self.args = function, args
        self.process: Any = None
        if "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon:
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
    send.send(outcome)


def default_jobs() -> int:
    """One worker per core the process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


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
