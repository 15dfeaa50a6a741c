"""The process helpers: pools keep item order, background work returns its result or its error."""

from __future__ import annotations

import os

import pytest

from marginalia.background import in_background
from marginalia.errors import Problem, SiteError
from marginalia.workers import PARALLEL_MIN, map_forked


def square_plus(item: int, offset: int) -> tuple[int, int]:
    return item * item + offset, os.getpid()


def test_map_forked_keeps_order_across_processes() -> None:
    items = list(range(PARALLEL_MIN * 2))
    results = list(map_forked(square_plus, items, (3,), jobs=2, chunksize=7))
    assert [r for r, _pid in results] == [i * i + 3 for i in items]
    assert len({pid for _r, pid in results} - {os.getpid()}) >= 1  # the work left this process


def test_map_forked_runs_here_for_few_items_or_one_job() -> None:
    assert {pid for _r, pid in map_forked(square_plus, [1, 2, 3], (0,), jobs=2)} == {os.getpid()}
    assert {pid for _r, pid in map_forked(square_plus, list(range(PARALLEL_MIN)), (0,), jobs=1)} == {os.getpid()}


def test_background_result_comes_from_another_process() -> None:
    data = list(range(1000))  # read by the child through fork, not sent
    result = in_background(lambda: (sum(data), os.getpid()))
    total, pid = result()
    assert total == sum(data) and pid != os.getpid()
    assert result() == (total, pid)  # asked again: the same answer, no second run


def test_background_error_is_raised_in_the_parent() -> None:
    def fail() -> None:
        raise SiteError([Problem("content/x.md", 3, 1, "broken", "fix it")])

    result = in_background(fail)
    with pytest.raises(SiteError) as caught:
        result()
    assert caught.value.problems[0].path == "content/x.md"


def test_background_not_worth_it_runs_on_demand_here() -> None:
    ran: list[int] = []
    result = in_background(lambda: ran.append(os.getpid()) or "done", worth_it=False)
    assert ran == []  # nothing yet: it runs when asked
    assert result() == "done" and ran == [os.getpid()]
