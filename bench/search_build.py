#!/usr/bin/env python3
"""Search index build cost: CPU time and peak memory of ``build_index``, each run in a fresh process.

usage: python bench/search_build.py [--size 10000] [--jobs 1] [--runs 3] [--repo PATH[,PATH...]] [--cache]

Each run starts a new Python process that reads the N articles of
``search_bench.py`` and times one ``build_index(docs, jobs=JOBS)``: CPU time
(user + system, forked workers included), wall clock, the process's peak
resident set before the build (the articles) and after it, and the largest
worker's. ``--repo`` imports ``marginalia`` from other checkouts, to compare
with an earlier commit (``git archive COMMIT marginalia | tar -x -C DIR``);
the runs of several are interleaved, since this machine is shared and its
load moves. ``--cache``: each build also writes a fresh ``SearchCache`` (as
the site build's first build does). Prints minimums and medians per checkout.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import subprocess
import sys

BENCH = pathlib.Path(__file__).resolve().parent
CHILD = """
import json, os, resource, sys, time
repo, bench, n, jobs, cache = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
sys.path.insert(0, repo)
import marginalia.search as search  # first, so that search_bench uses this checkout's
sys.path.insert(1, bench)
from search_bench import articles
docs = articles(n)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0, w0 = os.times(), time.perf_counter()
import pathlib, tempfile
with tempfile.TemporaryDirectory() as tmp:
    kwargs = {"cache": search.SearchCache(pathlib.Path(tmp) / "search.cache")} if cache == "1" else {}
    search.build_index(docs, jobs=jobs, **kwargs)
    wall, t1 = time.perf_counter() - w0, os.times()
cpu = sum(t1[:4]) - sum(t0[:4])
peak, child = (resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(json.dumps({"cpu": cpu, "wall": wall, "before": before / 1024, "peak": peak / 1024, "worker": child / 1024}))
"""


def run(repo: str, size: int, jobs: int, cache: bool) -> dict[str, float]:
    """One build in a fresh process."""
    out = subprocess.run([sys.executable, "-c", CHILD, repo, str(BENCH), str(size), str(jobs), "1" if cache else "0"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repo", default=str(BENCH.parent), help="checkouts to import from, comma-separated")
    parser.add_argument("--cache", action="store_true", help="each build writes a fresh cache too")
    args = parser.parse_args()
    repos = args.repo.split(",")
    results: dict[str, list[dict[str, float]]] = {repo: [] for repo in repos}
    for _ in range(args.runs):
        for repo in repos:
            results[repo].append(run(repo, args.size, args.jobs, args.cache))
    print(f"build_index of {args.size:,} articles, jobs={args.jobs}{', writing a cache' if args.cache else ''}, "
          f"{args.runs} runs each, interleaved:")
    for repo, values in results.items():
        def stat(key: str, values: list[dict[str, float]] = values) -> str:
            column = [v[key] for v in values]
            return f"{min(column):.2f} / {statistics.median(column):.2f}"
        print(f"- {repo}: CPU s (min / median) {stat('cpu')}; wall s {stat('wall')}; peak RSS MB {stat('peak')}"
              f" (before the build {stat('before')}); largest worker MB {stat('worker')}")


if __name__ == "__main__":
    main()
