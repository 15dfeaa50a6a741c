#!/usr/bin/env python3
"""CPU per article of the build's first stage: reading and parsing content files.

usage: python bench/load_bench.py SITE [--runs 5] [--repo CHECKOUT]

Times, on one core in this process (``time.process_time``), for every content
file of SITE: ``load_source`` (read, decode, front matter, sidecar) and the
whole parse a build worker runs (``read_source``: ``load_source``, annotation
entities merged, the cache key; ``_parse_one`` in older versions). Prints the
median and the spread over ``--runs`` rounds in milliseconds per article, and
how many front matters the plain YAML reader took. ``--repo`` imports the
package from another checkout (say, an export of an older commit), to compare
before and after on the same files: the script knows the calls of versions
before ``ContentFiles`` too.
"""

from __future__ import annotations

import argparse
import importlib
import pathlib
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

REPO = pathlib.Path(__file__).resolve().parent.parent


def per_article(function: Callable[[Any], object], items: list[Any], runs: int) -> list[float]:
    """Milliseconds of CPU per item, one figure per round."""
    out = []
    for _ in range(runs):
        start = time.process_time()
        for item in items:
            function(item)
        out.append((time.process_time() - start) * 1000 / len(items))
    return out


def stage(site: pathlib.Path) -> tuple[list[Any], dict[str, Callable[[Any], object]], list[str]]:
    """The items a build hands its workers, the two functions to time, and the content files."""
    pipeline = importlib.import_module("marginalia.pipeline")
    load_source = importlib.import_module("marginalia.articles").load_source
    listing = importlib.import_module("marginalia.library").content_files(site)
    importlib.import_module("marginalia.fingerprint").tool_key()
    if isinstance(listing, list):  # before ContentFiles: Paths in, the sidecar looked for on disk
        return listing, {"load_source": lambda p: load_source(site, p),
                         "_parse_one": lambda p: pipeline._parse_one(p, site)}, [str(p) for p in listing]
    items = list(zip(listing.paths, pipeline._rels(site, listing.paths), strict=True))
    if hasattr(pipeline, "_parse_one"):  # before read_source
        parse = lambda item: pipeline._parse_one(item, site, listing.sidecars)  # noqa: E731
    else:
        read_source = importlib.import_module("marginalia.articles").read_source
        parse = lambda item: read_source(site, *item, listing.sidecars)  # noqa: E731
    return items, {"load_source": lambda item: load_source(site, *item, listing.sidecars),
                   "_parse_one": parse}, listing.paths


def plain_share(paths: list[str]) -> tuple[int, int]:
    """(front matters the plain YAML reader takes, front matters)."""
    split = importlib.import_module("marginalia.frontmatter").split
    reader = getattr(importlib.import_module("marginalia.yamlio"), "_PLAIN", None)
    if reader is None:
        return 0, 0
    heads = [split(pathlib.Path(p).read_text(encoding="utf-8"), p) for p in paths]
    return sum(reader.read(head) is not None for head, _b, _l, problems in heads if not problems), len(heads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=pathlib.Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repo", type=pathlib.Path, default=REPO, help="the checkout to import marginalia from")
    args = parser.parse_args()
    sys.path.insert(0, str(args.repo.resolve()))
    site = args.site.resolve()
    items, functions, paths = stage(site)
    print(f"{len(items)} content files in {site}; marginalia from {importlib.import_module('marginalia').__file__}")
    per_article(functions["_parse_one"], items[:300], 1)  # imports, caches, the page cache warm
    for name, function in functions.items():
        times = per_article(function, items, args.runs)
        print(f"{name:12} median {statistics.median(times):.4f} ms/article "
              f"(min {min(times):.4f}, max {max(times):.4f}, {args.runs} runs)")
    taken, total = plain_share(paths)
    if total:
        print(f"plain YAML reader: {taken} of {total} front matters ({100 * taken / total:.1f}%)")


if __name__ == "__main__":
    main()
