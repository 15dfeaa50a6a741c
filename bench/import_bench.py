#!/usr/bin/env python3
"""Import benchmark: ``build.py import`` of N raw articles, then again, for one or more checkouts.

usage: python bench/import_bench.py [--size 10000] [--raw DIR] [--runs 3] [--repo PATH[,PATH...]]
                                    [--work DIR]

The raw articles are the N of ``build_bench.py`` (``../shared/bench/anchors.py``
over the BBC corpus, with their ``MANIFEST.tsv``), or any folder given with
``--raw`` (e.g. ``../shared/corpus/bbc``). Each run times, for every checkout in
turn (interleaved, since this machine is shared and its load moves), a
``build.py import RAW --site SITE`` into an empty ``content/`` and a second
import of the same files (which writes nothing): wall clock and CPU time (user
+ system of the process and its workers). The previous ``content/`` is moved
aside into ``WORK/trash/``, not deleted, until the end: on this machine's disk
creating files right after a large delete is several times slower. Then it
checks that every checkout wrote the same bytes (the sites sit at the same
depth, so the recorded source paths match), and prints medians per checkout.
Compare an earlier commit with ``git archive COMMIT | tar -x -C DIR``.
"""

from __future__ import annotations

import argparse
import filecmp
import pathlib
import resource
import shutil
import statistics
import subprocess
import sys
import time

BENCH = pathlib.Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
from build_bench import lay_out  # noqa: E402


def timed(cmd: list[str]) -> tuple[float, float]:
    """Run ``cmd``; its (wall, CPU) seconds, workers included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):  # 1: some raw file had an error, which a corpus may hold
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr[-4000:]}")
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def one_round(repo: str, raw: pathlib.Path, site: pathlib.Path, trash: pathlib.Path,
              results: dict[str, list[tuple[float, float]]]) -> None:
    """A fresh import and a re-import with one checkout."""
    if not (site / "config.yaml").is_file():
        subprocess.run([sys.executable, f"{repo}/build.py", "init", str(site)], check=True, capture_output=True)
    if (site / "content").exists():
        trash.mkdir(parents=True, exist_ok=True)
        (site / "content").rename(trash / f"{len(list(trash.iterdir())):05d}-content")
    (site / "content").mkdir()
    command = [sys.executable, f"{repo}/build.py", "import", str(raw), "--site", str(site)]
    results.setdefault("import", []).append(timed(command))
    results.setdefault("again", []).append(timed(command))


def differences(first: pathlib.Path, other: pathlib.Path) -> list[str]:
    """Files that differ between two content folders (or exist in one only)."""
    out: list[str] = []
    stack = [filecmp.dircmp(first, other)]
    while stack:
        cmp = stack.pop()
        out += [f"{cmp.left}/{n}" for n in cmp.left_only + cmp.right_only + cmp.diff_files + cmp.funny_files]
        stack += cmp.subdirs.values()
    for name in (p for p in first.rglob("*") if p.is_file()):  # dircmp compares sizes and times only
        twin = other / name.relative_to(first)
        if twin.is_file() and name.read_bytes() != twin.read_bytes():
            out.append(str(name))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--raw", type=pathlib.Path, default=None, help="a folder of raw articles to use instead")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repo", default=str(REPO), help="checkouts to run, comma-separated")
    parser.add_argument("--work", type=pathlib.Path, default=pathlib.Path("/tmp/import-bench"))
    args = parser.parse_args()
    work = args.work.resolve()
    raw = args.raw.resolve() if args.raw else lay_out(REPO.parent / "shared" / "corpus" / "bbc",
                                                      args.size, work) / "raw"
    repos = [str(pathlib.Path(r).resolve()) for r in args.repo.split(",")]
    sites = [work / "sites" / f"{i}" for i in range(len(repos))]
    results: list[dict[str, list[tuple[float, float]]]] = [{} for _ in repos]
    for _ in range(args.runs):
        for repo, site, result in zip(repos, sites, results, strict=True):
            one_round(repo, raw, site, work / "trash", result)
    print(f"{sum(p.is_file() for p in raw.rglob('*'))} files in {raw}, {args.runs} runs, "
          "wall / CPU seconds: median (lowest-highest CPU)")
    for repo, result in zip(repos, results, strict=True):
        cells = [f"{key} {statistics.median(w for w, _ in runs):.2f} / {statistics.median(c for _, c in runs):.2f}"
                 f" ({min(c for _, c in runs):.2f}-{max(c for _, c in runs):.2f})" for key, runs in result.items()]
        print(f"  {repo}: " + ", ".join(cells))
    for repo, site in zip(repos[1:], sites[1:], strict=True):
        diff = differences(sites[0] / "content", site / "content")
        print(f"  content of {repo} vs {repos[0]}: " + ("identical" if not diff else f"{len(diff)} differ: {diff[:3]}"))
    shutil.rmtree(work / "trash", ignore_errors=True)


if __name__ == "__main__":
    main()
