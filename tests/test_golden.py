"""Golden output: the bundled seed article's page, byte for byte.

After an intended change to templates or rendering, regenerate with
``python -m pytest tests/test_golden.py --update-golden`` and review the diff.
"""

from __future__ import annotations

import difflib
import pathlib

from conftest import REPO

GOLDEN = REPO / "tests" / "golden"
PAGES = {
    "seed-article.html": "2014/06/anti-paedophile-police-fight-child-porn-epidemic.html",
    "people-ian-quinn.html": "people/ian-quinn/index.html",
}


def test_golden_pages(demo_output: pathlib.Path, update_golden: bool) -> None:
    for name, rel in PAGES.items():
        got = (demo_output / rel).read_text(encoding="utf-8")
        golden = GOLDEN / name
        if update_golden:
            golden.write_text(got, encoding="utf-8")
            continue
        want = golden.read_text(encoding="utf-8")
        if got != want:
            diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True), name, rel, n=2))
            raise AssertionError(f"{rel} differs from tests/golden/{name} (--update-golden if intended):\n"
                                 + diff[:6000])
