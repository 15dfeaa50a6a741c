"""Every command shown in the README and docs/ runs as documented, so the docs cannot rot."""

from __future__ import annotations

import pathlib
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from conftest import REPO

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def documented_commands() -> list[tuple[str, str]]:
    """(doc name, command line) for every ``$ python build.py …`` line in the docs."""
    found = []
    for doc in DOCS:
        for line in doc.read_text(encoding="utf-8").splitlines():
            match = re.match(r"^\$ (python build\.py[^#]*)", line.strip())
            if match:
                found.append((doc.name, match.group(1).strip()))
    return found


COMMANDS = documented_commands()


def test_docs_show_every_command() -> None:
    shown = {shlex.split(cmd)[2] if len(shlex.split(cmd)) > 2 else "build" for _doc, cmd in COMMANDS}
    assert {"build", "import", "init", "check", "serve", "pack"} <= shown


@pytest.fixture
def sandbox(tmp_path: pathlib.Path) -> pathlib.Path:
    """A copy of the repository's archive (config, content, sources, layouts) to run commands in."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("config.yaml", "content", "sources", "layouts"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, root / name)
    return root


RUNNABLE = sorted({doc for doc, cmd in COMMANDS if shlex.split(cmd)[2:3] != ["serve"]})


@pytest.mark.parametrize("doc", RUNNABLE)
def test_documented_commands_run_in_order(doc: str, sandbox: pathlib.Path, tmp_path: pathlib.Path) -> None:
    """Each doc's commands, top to bottom, as a reader would type them (``serve`` runs forever: see test_serve)."""
    for name, command in COMMANDS:
        args = shlex.split(command)[2:]
        if name != doc or args[:1] == ["serve"]:
            continue
        args = [a.replace("/tmp/", f"{tmp_path}/") for a in args]
        result = subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=sandbox,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"{doc}: {command}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        assert "Traceback" not in result.stderr
