"""The process helpers: pools keep item order; the search indexer gives the same index in its own process
or here, and its errors."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from marginalia.errors import Problem, SiteError
from marginalia.indexer import Indexer
from marginalia.search import SearchCache, SearchDoc, build_index
from marginalia.workers import PARALLEL_MIN, Forked, Mapped, map_forked, start_forked


def square_plus(item: int, offset: int) -> tuple[int, int]:
    return item * item + offset, os.getpid()


def test_map_forked_keeps_order_across_processes() -> None:
    items = list(range(PARALLEL_MIN * 2))
    results = list(map_forked(square_plus, items, (3,), jobs=2, chunksize=7))
    assert [r for r, _pid in results] == [i * i + 3 for i in items]
    assert len({pid for _r, pid in results} - {os.getpid()}) >= 1  # the work left this process


def refuse(path: str) -> None:
    raise SiteError([Problem(path, 3, 1, "refused", "a hint")])


def test_forked_call_gives_its_result_or_its_error_from_another_process() -> None:
    big = list(range(100_000))  # given to the child by the fork, not pickled; only the result is
    value, pid = Forked(square_plus, len(big), 1).result()
    assert value == 100_000 ** 2 + 1 and pid != os.getpid()
    assert Forked(sum, big).result() == sum(big)
    with pytest.raises(SiteError) as caught:
        Forked(refuse, "content/a.md").result()
    assert caught.value.problems == [Problem("content/a.md", 3, 1, "refused", "a hint")]
    with pytest.raises(RuntimeError, match="pickle"):  # a result that cannot travel back is an error, not a hang
        Forked(threading.Lock).result()
    stopped = Forked(square_plus, 2, 0)
    stopped.close()  # not asked: the process is stopped, and nothing is left waiting
    assert stopped.process is None


def test_map_forked_runs_here_for_few_items_or_one_job() -> None:
    assert {pid for _r, pid in map_forked(square_plus, [1, 2, 3], (0,), jobs=2)} == {os.getpid()}
    assert {pid for _r, pid in map_forked(square_plus, list(range(PARALLEL_MIN)), (0,), jobs=1)} == {os.getpid()}


def slow_square(item: int, offset: int) -> tuple[int, int]:
    time.sleep(0.0005)  # (long enough that the forked process gets its share)
    return item * item + offset, os.getpid()


def test_start_forked_shares_the_work_with_the_caller() -> None:
    """The forked process works while the caller goes on; the caller makes chunks too as it waits
    for results, which come in order."""
    items = list(range(PARALLEL_MIN))
    started = start_forked(slow_square, items, (5,), jobs=2, chunksize=11)
    try:
        results = list(started)
    finally:
        started.close()
    assert [r for r, _pid in results] == [i * i + 5 for i in items]
    pids = {pid for _r, pid in results}
    assert os.getpid() in pids and len(pids) == 2


def die_in_a_child(item: int, parent: int) -> int:
    if os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    return item


def test_a_worker_that_died_is_an_error_with_its_exit_code() -> None:
    started = start_forked(die_in_a_child, list(range(PARALLEL_MIN)), (os.getpid(),), jobs=2, chunksize=1)
    try:
        with pytest.raises(RuntimeError, match="exit code -9"):
            for _ in started:
                time.sleep(0.001)  # (the child takes a chunk meanwhile)
    finally:
        started.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a pipe's size is set on Linux only")
def test_a_worker_goes_on_while_its_results_wait() -> None:
    """The caller busy elsewhere (as the build's process is while it waits for the search index),
    a worker's results wait in its pipe: it holds thousands of chunks' results, so the worker takes
    every chunk instead of stopping once 64 KB of them wait (1,944 chunks of these, measured)."""
    items = list(range(5000))
    started = start_forked(square_plus, items, (0,), jobs=2, chunksize=1)
    try:
        deadline = time.monotonic() + 10
        while started.counter.value < len(items) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert started.counter.value == len(items)  # every chunk taken by the worker, none read yet
        assert [r for r, _pid in started] == [i * i for i in items]
    finally:
        started.close()


def test_start_forked_errors_reach_the_caller() -> None:
    def fail(item: int) -> int:
        if item == PARALLEL_MIN + 3:
            raise SiteError([Problem("content/x.md", 3, 1, "broken", "fix it")])
        return item

    started = start_forked(fail, list(range(PARALLEL_MIN * 2)), (), jobs=2)
    try:
        with pytest.raises(SiteError) as caught:
            list(started)
    finally:
        started.close()
    assert caught.value.problems[0].path == "content/x.md"


def docs(count: int) -> list[tuple[str, SearchDoc]]:
    """Documents with texts, and the same without (their texts read back on demand)."""
    return [(f"content/a{n}.md", SearchDoc(url=f"2020/01/a{n}.html", title=f"Story {n}", date="2020-01-02",
                                           content_note=None, text=f"words about police {n} and courts",
                                           key=f"k{n}")) for n in range(count)]


@pytest.mark.parametrize("background", [True, False])
def test_indexer_builds_the_same_index_in_its_process_or_here(tmp_path, background: bool) -> None:
    pairs = docs(50)
    texts = {rel: doc.text for rel, doc in pairs}
    expected = sorted(build_index([doc for _rel, doc in pairs]).items())
    indexer = Indexer("english", SearchCache(tmp_path / "search.cache"), texts.__getitem__, background=background)
    assert (indexer.process is not None) == background
    for n, (rel, doc) in enumerate(pairs):  # every other document without its text: read when needed
        indexer.add(rel, doc if n % 2 else dataclasses.replace(doc, text=""))
    assert indexer.files()() == expected


def test_indexer_errors_reach_the_build_and_cancel_stops_it(tmp_path) -> None:
    def unreadable(rel: str) -> str:
        raise SiteError([Problem(rel, 1, 1, "gone", "")])

    indexer = Indexer("english", SearchCache(tmp_path / "a.cache"), unreadable, background=True)
    rel, doc = docs(1)[0]
    indexer.add(rel, dataclasses.replace(doc, text=""))
    with pytest.raises(SiteError) as caught:
        indexer.files()()
    assert caught.value.problems[0].path == rel
    idle = Indexer("english", SearchCache(tmp_path / "b.cache"), unreadable, background=True)
    process = idle.process
    idle.cancel()
    assert idle.process is None and not process.is_alive()


def test_an_indexing_process_that_died_is_an_error_with_its_exit_code(tmp_path) -> None:
    """Documents sent after the process died (a closed pipe) are dropped; asking for the index
    then says how the process ended, not BrokenPipeError."""
    indexer = Indexer("english", SearchCache(tmp_path / "search.cache"), str, background=True)
    assert indexer.process is not None
    indexer.process.kill()
    indexer.process.join()
    for rel, doc in docs(3 * 200):  # (three messages' worth)
        indexer.add(rel, doc)
    with pytest.raises(RuntimeError, match="exit code -9"):
        indexer.files()()


def test_started_work_without_processes_is_done_here_as_it_is_iterated() -> None:
    started = start_forked(square_plus, list(range(PARALLEL_MIN)), (1,), jobs=1)
    first = next(started)
    assert first == (1, os.getpid())
    assert [r for r, _pid in started] == [i * i + 1 for i in range(1, PARALLEL_MIN)]
    started.close()


def test_the_pools_worker_thread_sleeps_while_results_wait(monkeypatch) -> None:
    # The standard pool's worker-maintaining thread wakes for every result waiting in the result
    # pipe and spins until it is read; this one wakes when the pool starts, changes or ends.
    import multiprocessing.pool

    calls = []
    maintain = multiprocessing.pool.Pool._maintain_pool

    def counted(*args: object) -> None:
        calls.append(1)
        maintain(*args)

    monkeypatch.setattr(multiprocessing.pool.Pool, "_maintain_pool", staticmethod(counted))
    items = list(range(PARALLEL_MIN))
    results = []
    for value, _pid in map_forked(square_plus, items, (0,), jobs=2, chunksize=1):
        results.append(value)
        if len(results) % 50 == 0:
            sum(range(200_000))  # busy here while the workers' results wait in the pipe
    assert results == [i * i for i in items]
    assert len(calls) < 20, len(calls)


def counted_square(item: int, done: Any) -> tuple[int, int]:
    with done.get_lock():
        done.value += 1
    return item * item, os.getpid()


def test_mapped_work_starts_when_made_and_close_stops_it() -> None:
    items = list(range(PARALLEL_MIN * 4))
    done = multiprocessing.get_context("fork").Value("q", 0)
    mapped = Mapped(counted_square, items, (done,), jobs=2, chunksize=8)
    deadline = time.monotonic() + 10
    while done.value == 0 and time.monotonic() < deadline:  # nothing asked for yet
        time.sleep(0.005)
    assert done.value > 0 and len(multiprocessing.active_children()) == 2
    assert [r for r, _pid in mapped] == [i * i for i in items]  # in order; the end closes the pool
    assert mapped.pool is None and not multiprocessing.active_children()
    stopped = Mapped(slow_square, items, (0,), jobs=2)
    assert next(stopped)[0] == 0
    stopped.close()  # before the end: the processes are stopped
    assert stopped.pool is None and not multiprocessing.active_children()


def test_mapped_errors_reach_the_caller_and_end_the_pool() -> None:
    mapped = Mapped(refuse, [f"content/{i}.md" for i in range(PARALLEL_MIN)], (), jobs=2)
    with pytest.raises(SiteError):
        list(mapped)
    assert mapped.pool is None and not multiprocessing.active_children()


_GROWING_BLOCKS = """
import resource, sys
if sys.argv[1] == "kept":
    from marginalia.workers import keep_freed_memory
    keep_freed_memory()
    keep_freed_memory()  # (once is enough: the second call does nothing)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for size in range(1, 33):  # 0.5 MiB more each time: above the threshold the allocator moves up to
    block = b"x" * (size << 19)
    del block
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="sets glibc's allocator (Linux)")
def test_freed_blocks_stay_for_the_next_ones() -> None:
    """Growing blocks, each freed before the next: by default every one is mapped anew and its
    pages faulted in again (~68,000 faults); kept, the heap reuses the freed space and faults
    only for the growth (~4,000)."""
    def faults(mode: str) -> int:
        done = subprocess.run([sys.executable, "-c", _GROWING_BLOCKS, mode], capture_output=True, text=True,
                              check=True)
        return int(done.stdout)

    default, kept = faults("default"), faults("kept")
    assert default > 20_000
    assert kept < default / 4


_HUGE_PAGES = """
import os
from marginalia.workers import keep_freed_memory
keep_freed_memory()
import numpy._core.multiarray as multiarray  # (imported after, as the search index's process does)
print(os.environ.get("NUMPY_MADVISE_HUGEPAGE"), multiarray._get_madvise_hugepage())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="huge pages are asked for on Linux only")
@pytest.mark.parametrize(("given", "expected"), [(None, "0 False"), ("1", "1 True")])
def test_numpy_imported_after_asks_for_no_huge_pages_unless_told(given: str | None, expected: str) -> None:
    """numpy, imported after keep_freed_memory() (by the search index's process, forked after it),
    does not ask for huge pages for its large arrays; a setting of the user's own is kept."""
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    if given is not None:
        env["NUMPY_MADVISE_HUGEPAGE"] = given
    done = subprocess.run([sys.executable, "-c", _HUGE_PAGES], capture_output=True, text=True, check=True, env=env)
    assert done.stdout.split() == expected.split()

