"""Every broken site in tests/invalid/ gives exactly its expected located message."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

from conftest import REPO

CASES = sorted(p for p in (REPO / "tests" / "invalid").iterdir() if (p / "config.yaml").exists())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_site_reports_located_errors(case: pathlib.Path, tmp_path: pathlib.Path) -> None:
    out = tmp_path / "output"
    out.mkdir()
    (out / ".marginalia-output").write_text("previous build\n")
    (out / "index.html").write_text("previous site\n")
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--site", str(case),
                             "--output", str(out)], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    expected = (case / "expected.txt").read_text(encoding="utf-8")
    assert result.stderr.startswith(expected), result.stderr
    assert "Traceback" not in result.stderr
    # The previous output survives untouched, and no content file was changed.
    assert (out / "index.html").read_text() == "previous site\n"
    assert sorted(p.name for p in out.iterdir()) == [".marginalia-output", "index.html"]
