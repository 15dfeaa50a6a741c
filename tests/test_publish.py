"""Reproducible, safe publishing: identical builds, and no half-written output/ after a crash."""

from __future__ import annotations

import hashlib
import os
import pathlib
import random
import signal
import subprocess
import sys
import time

import pytest
import yaml

from marginalia.pipeline import build

from conftest import REPO
from sitegen import CONFIG, many_articles, write_articles

ARTICLES = 2000
TRIES = 20


def tree_hashes(root: pathlib.Path) -> dict[str, str]:
    """Every file under ``root`` by relative path, as a SHA-256."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical(make_site, tmp_path: pathlib.Path) -> None:
    site = make_site(many_articles(40), config=CONFIG)
    build(site, output=tmp_path / "one", clean=True)
    build(site, output=tmp_path / "two", clean=True)
    one, two = tree_hashes(tmp_path / "one"), tree_hashes(tmp_path / "two")
    assert len(one) > 100 and one == two
    for name in ("feed.xml", "feed.json", "sitemap.xml", "sw.js", "offline-manifest.json", "404.html"):
        assert name in one, name


def test_an_incremental_build_writes_what_a_clean_one_does(make_site, tmp_path: pathlib.Path) -> None:
    site = make_site(many_articles(30), config=CONFIG)
    build(site)
    (site / "content/2019/story-3.md").unlink()
    write_articles(site, many_articles(2, start=10, edition=" (revised)") | many_articles(1, start=40))
    build(site)
    build(site, output=tmp_path / "clean", clean=True)
    assert tree_hashes(site / "output") == tree_hashes(tmp_path / "clean")


def test_pages_workflow_builds_with_base_url_and_uploads_output() -> None:
    workflow = yaml.safe_load((REPO / ".github/workflows/pages.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert any(r.startswith("python build.py build") and "--base-url" in r for r in runs)
    assert "python build.py check" in runs
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "output"
    assert workflow["jobs"]["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages@")


def differences(got: dict[str, str], references: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    """Per reference build, a few of the files where ``got`` differs from it."""
    return {state: sorted(k for k in set(got) | set(ref) if got.get(k) != ref.get(k))[:8]
            for state, ref in references.items()}


def edition(state: str) -> dict[str, str]:
    """The content of state A, or of B: 100 articles removed, 100 revised, 50 added."""
    files = many_articles(ARTICLES)
    if state == "B":
        files = {rel: text for rel, text in files.items() if not rel.endswith(tuple(f"/story-{i}.md"
                                                                                     for i in range(100)))}
        files.update(many_articles(100, start=100, edition=" (revised)"))
        files.update(many_articles(50, start=ARTICLES))
    return files


def switch(site: pathlib.Path, state: str) -> None:
    """Make ``site/content`` hold exactly the given state."""
    wanted = edition(state)
    for path in (site / "content").rglob("*.md"):
        if path.relative_to(site).as_posix() not in wanted:
            path.unlink()
    write_articles(site, {rel: text for rel, text in wanted.items()
                          if not (site / rel).is_file() or (site / rel).read_text(encoding="utf-8") != text})


def start_build(site: pathlib.Path, output: pathlib.Path, *options: str) -> subprocess.Popen[bytes]:
    """``build.py build`` in its own process group (so a kill takes its workers too)."""
    return subprocess.Popen([sys.executable, str(REPO / "build.py"), "build", "--site", str(site),
                             "--output", str(output), "--quiet", *options], cwd=site, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def complete_build(site: pathlib.Path, output: pathlib.Path, state: str) -> tuple[dict[str, str], float]:
    """Switch the content to ``state``, build it uninterrupted; return the tree and the time taken."""
    switch(site, state)
    started = time.perf_counter()
    assert start_build(site, output).wait() == 0
    return tree_hashes(output), time.perf_counter() - started


@pytest.mark.slow
def test_sigkill_never_leaves_output_incomplete_or_mixed(make_site, tmp_path: pathlib.Path) -> None:
    site = make_site(edition("A"), config=CONFIG)
    output = tmp_path / "output"
    references = {"A": complete_build(site, output, "A")[0]}
    references["B"], duration = complete_build(site, output, "B")
    assert references["A"] != references["B"]
    rng = random.Random(20140618)
    outcomes = []
    for attempt in range(TRIES):
        target = "A" if attempt % 2 == 0 else "B"
        switch(site, target)
        process = start_build(site, output)
        try:
            process.wait(timeout=rng.uniform(0.0, duration))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        got = tree_hashes(output)
        matches = [state for state, ref in references.items() if ref == got]
        assert len(matches) == 1, f"try {attempt}: output/ matches neither build: {differences(got, references)}"
        if process.returncode == 0:  # finished before the kill: must be the new state exactly
            assert matches == [target], attempt
        outcomes.append((target, process.returncode, matches[0]))
    killed = [o for o in outcomes if o[1] != 0]
    assert len(killed) >= TRIES // 3, outcomes  # most tries really were interrupted
    assert complete_build(site, output, "A")[0] == references["A"]  # a kill never poisons the next build
