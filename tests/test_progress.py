"""Progress on long builds: a bar on a terminal, plain lines elsewhere, nothing in CI; the summary line."""

from __future__ import annotations

import io
import re
import time

import pytest

from marginalia import commands
from marginalia.pipeline import build

from conftest import article


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_for_long_runs_when_not_a_terminal(monkeypatch, capsys) -> None:
    monkeypatch.delenv("CI", raising=False)
    progress = commands.progress_printer()
    assert progress is not None
    for done in range(0, 3000, 500):
        progress("read", done, 3000)
    progress("articles", 100, 200)  # a short run: no lines
    err = capsys.readouterr().err
    assert err.splitlines() == [f"read: {n}/3000" for n in range(500, 3000, 500)]


def test_nothing_in_ci(monkeypatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert commands.progress_printer() is None


def test_a_bar_on_a_terminal(monkeypatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    progress = commands.progress_printer()
    assert progress is not None
    progress("read", 0, 1000)
    time.sleep(0.15)  # (tqdm redraws at most every 0.1 s)
    progress("read", 1000, 1000)
    shown = terminal.getvalue()
    assert "read" in shown and "1000/1000" in shown and "article" in shown


def test_the_summary_gives_each_stage_and_they_add_up(make_site, monkeypatch, capsys) -> None:
    monkeypatch.delenv("CI", raising=False)
    site = make_site(files={f"content/a{n}.md": article(f"Story {n}", f"2020-01-{n + 1:02d}") for n in range(3)})
    assert commands.build(site, output=None, base_url=None, strict=False, clean=False, jobs=1, quiet=False) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("Built "))
    found = re.fullmatch(r"Built 3 articles \(3 rendered\): \d+ files written, 0 unchanged, in ([\d.]+)s "
                         r"\(read ([\d.]+)s, render ([\d.]+)s, write ([\d.]+)s, cache ([\d.]+)s\)\.", line)
    assert found, line
    total, *stages = map(float, found.groups())
    assert sum(stages) == pytest.approx(total, abs=0.011)


def test_a_build_reports_its_stages_to_the_end(make_site) -> None:
    site = make_site(files={f"content/a{n}.md": article(f"Story {n}", f"2020-01-{n + 1:02d}") for n in range(7)})
    calls: list[tuple[str, int, int]] = []
    build(site, jobs=1, progress=lambda stage, done, total: calls.append((stage, done, total)))
    assert calls == [("read", 7, 7), ("articles", 7, 7)]
