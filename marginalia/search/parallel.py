"""Running a stage of the index build on several cores.

Input: a function, its tasks and the data the tasks share. Output: the
results in task order, so the build stays deterministic. Workers are forked
after the shared data is set, and read it copy-on-write; only tasks and
results cross between processes. Without fork, with one core, or inside a
process that may not have children, the tasks run here, one after another.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..workers import default_jobs, fork_pool, forking

T = TypeVar("T")
SHARED: dict[str, Any] = {}  # what forked workers read

__all__ = ["SHARED", "default_jobs", "run_tasks"]


def run_tasks(func: Callable[..., T], tasks: Sequence[tuple[Any, ...]], shared: dict[str, Any], jobs: int) -> list[T]:
    """``[func(*task) for task in tasks]``, across ``jobs`` forked processes when that helps."""
    SHARED.clear()
    SHARED.update(shared)
    try:
        if jobs > 1 and len(tasks) > 1 and forking():
            with fork_pool(min(jobs, len(tasks))) as pool:
                return pool.starmap(func, tasks, chunksize=1)
        return [func(*task) for task in tasks]
    finally:
        SHARED.clear()
