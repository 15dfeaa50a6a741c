"""One piece of the build computed in a forked process while the parent goes on.

Input: a function of no arguments. Output: a callable that returns its result
(or raises its exception) when asked, waiting for it if it is not done yet.
The child is forked, so it reads the parent's memory copy-on-write and only
the result crosses back, pickled through a pipe. Without fork, or when the
work is small, the function simply runs when the result is asked for.
"""

from __future__ import annotations

import functools
import multiprocessing
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def in_background(function: Callable[[], T], *, worth_it: bool = True) -> Callable[[], T]:
    """Start ``function`` in a forked process; the returned callable waits for its result."""
    if not worth_it or "fork" not in multiprocessing.get_all_start_methods() \
            or multiprocessing.current_process().daemon:
        return functools.cache(function)
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def child() -> None:
        receive.close()
        try:
            outcome: tuple[str, Any] = ("ok", function())
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
            outcome = ("error", exc)
        try:
            send.send(outcome)
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled
            send.send(("error", RuntimeError(traceback.format_exc())))
        send.close()

    process = ctx.Process(target=child, name="marginalia-background")
    process.start()
    send.close()
    return _Waiting(process, receive)


class _Waiting:
    def __init__(self, process: Any, receive: Any) -> None:
        self.process, self.receive = process, receive
        self.outcome: tuple[str, Any] | None = None

    def __call__(self) -> Any:
        if self.outcome is None:
            try:
                self.outcome = self.receive.recv()
            except EOFError:  # the child died without a word (killed, out of memory)
                self.process.join()
                self.outcome = ("error", RuntimeError(
                    f"a background build process ended with exit code {self.process.exitcode}"))
            finally:
                self.receive.close()
                self.process.join()
        kind, value = self.outcome
        if kind == "error":
            raise value
        return value
