#!/usr/bin/env python3
"""Search index rebuild benchmark: cold builds against a rebuild after editing one article.

usage: python bench/search_rebuild.py [--size 10000] [--jobs 1] [--runs 3] [--work DIR]

Takes the N articles of ``search_bench.py``, each with a key (a digest of its
fields, as the site build gives), and, ``--runs`` times, interleaved: a cold
``build_index`` (no cache), a cold one that writes a fresh cache, and a
rebuild with the cache after one article's text changed (a different
article each run; a sentence added at its end), called as the site build
calls it: texts of known articles are not passed (``text=""``) and
``load_texts`` supplies the others. Prints wall clock and CPU time (user +
system, workers included; loading and saving the cache included),
minimums and medians, and the number of index files whose bytes changed;
checks that every rebuild gives the same bytes as the cold build of the
same articles.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import pathlib
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from search_bench import REPO, articles, cpu_seconds  # noqa: E402

from marginalia.search import SearchCache, SearchDoc, build_index  # noqa: E402


def timed(func: Callable[[], dict[str, bytes]]) -> tuple[float, float, dict[str, bytes]]:
    """Wall and CPU seconds of one call, and its result."""
    start, cpu = time.perf_counter(), cpu_seconds()
    result = func()
    return time.perf_counter() - start, cpu_seconds() - cpu, result


def keyed(doc: SearchDoc) -> SearchDoc:
    """The document with a key, as the site build gives it (a digest of its content and URL)."""
    return dataclasses.replace(doc, key=hashlib.blake2b(repr(dataclasses.astuple(doc)).encode(),
                                                        digest_size=16).hexdigest())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", default=str(REPO / "bench/work/rebuild"))
    args = parser.parse_args()
    work = pathlib.Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    docs = [keyed(d) for d in articles(args.size)]
    cache = work / "search-index.cache"
    build_index(docs, jobs=args.jobs, cache=SearchCache(cache))
    times: dict[str, list[tuple[float, float]]] = {}
    changes: list[int] = []
    previous = build_index(docs, jobs=args.jobs)
    for run in range(args.runs):
        i = (run * 997) % len(docs)
        edited: list[SearchDoc] = list(docs)
        edited[i] = keyed(dataclasses.replace(docs[i], key="", text=docs[i].text + f"\nAn added sentence, edit {run}."))
        bare = [dataclasses.replace(d, text="") for d in edited]  # the pipeline passes no texts

        def load_texts(indexes: Sequence[int], edited: list[SearchDoc] = edited) -> list[str]:
            return [edited[j].text for j in indexes]

        fresh = work / f"fresh{run}.cache"
        cold = timed(partial(build_index, edited, jobs=args.jobs))
        cached = timed(partial(build_index, bare, jobs=args.jobs, cache=SearchCache(cache), load_texts=load_texts))
        written = timed(partial(build_index, edited, jobs=args.jobs, cache=SearchCache(fresh)))
        assert cold[2] == cached[2] == written[2], "a cached build differs from a cold one"
        changes.append(sum(1 for k in set(cold[2]) | set(previous) if cold[2].get(k) != previous.get(k)))
        previous, docs = cold[2], edited
        for name, (wall, cpu, _) in (("cold, no cache", cold), ("cold, writing a new cache", written),
                                      ("one article edited, with the cache", cached)):
            times.setdefault(name, []).append((wall, cpu))
    print(f"{args.size:,} articles, jobs={args.jobs}, {args.runs} runs (seconds):")
    for name, values in times.items():
        walls, cpus = [w for w, _ in values], [c for _, c in values]
        print(f"- {name}: wall min {min(walls):.3f}, median {statistics.median(walls):.3f}; "
              f"CPU min {min(cpus):.3f}, median {statistics.median(cpus):.3f}")
    print(f"- index files whose bytes changed, per edit: {', '.join(map(str, changes))} "
          f"(of {len(previous):,} files)")


if __name__ == "__main__":
    main()
