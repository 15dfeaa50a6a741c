"""User-facing problems: one exception type, located as ``path:line:col``.

Every stage collects the problems it finds into a :class:`Problems` list and
raises :class:`SiteError` once, so a user sees everything that is wrong in one
run. Nothing here touches the file system.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator


@dataclasses.dataclass(frozen=True, order=True)
class Problem:
    """One located problem: where, what, and how to fix it."""

    path: str
    line: int = 0
    col: int = 0
    message: str = ""
    hint: str = ""
    severity: str = "error"  # "error" or "warning"

    def location(self) -> str:
        """``path:line:col`` (line/col omitted when unknown)."""
        loc = self.path
        if self.line:
            loc += f":{self.line}"
            if self.col:
                loc += f":{self.col}"
        return loc

    def format(self) -> str:
        """The problem as printed: ``path:line:col: message`` and a hint line."""
        prefix = "" if self.severity == "error" else "warning: "
        text = f"{self.location()}: {prefix}{self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class SiteError(Exception):
    """The input has one or more problems; ``problems`` holds them all."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(p.format() for p in self.problems))

    def __reduce__(self) -> tuple[type[SiteError], tuple[list[Problem]]]:
        """Pickle by problems, so an error raised in a worker process arrives whole."""
        return (SiteError, (self.problems,))


class Problems:
    """A collector: ``add`` problems as a stage finds them, ``raise_if_any`` at the end."""

    def __init__(self) -> None:
        self._items: list[Problem] = []

    def add(self, path: str, line: int = 0, col: int = 0, message: str = "",
            hint: str = "", severity: str = "error") -> None:
        self._items.append(Problem(path, line, col, message, hint, severity))

    def extend(self, problems: Iterable[Problem]) -> None:
        self._items.extend(problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self._items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self._items if p.severity == "warning"]

    def raise_if_any(self) -> None:
        """Raise :class:`SiteError` with every error collected so far."""
        if self.errors:
            raise SiteError(self.errors)


def collapse_warnings(warnings: Iterable[Problem], limit: int = 3) -> list[str]:
    """Format warnings, collapsing repeats of one message to a count."""
    by_message: dict[str, list[Problem]] = {}
    for w in sorted(warnings):
        by_message.setdefault(w.message, []).append(w)
    lines: list[str] = []
    for group in by_message.values():
        lines.extend(w.format() for w in group[:limit])
        if len(group) > limit:
            lines.append(f"  … and {len(group) - limit} more like this")
    return lines
