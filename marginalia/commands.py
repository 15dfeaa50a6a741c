"""What each command does, between the argument parser and the engine."""

from __future__ import annotations

import gc
import os
import pathlib
import shutil
import sys
import tempfile
from collections.abc import Callable
from typing import Any

from .cli import print_json, print_warnings
from .errors import Problem, SiteError

SKELETON = pathlib.Path(__file__).parent / "skeleton"
_FINISHED: list[object] = []  # builds' reports, held until the process exits (see build())


def build(site: pathlib.Path, *, output: pathlib.Path | None, base_url: str | None, strict: bool,
          quiet: bool = False, clean: bool = False, jobs: int | None = None, exiting: bool = False) -> int:
    """Build the site and print a summary with where to open it (``exiting``: the process ends
    right after, without freeing the build's objects)."""
    from .pipeline import build as build_site  # here: an import has no use for the build's modules

    if exiting:
        # The build pauses the cyclic garbage collector; turned on again, it would walk every object
        # the build made (58 ms at 10,000 articles) and freeing them would take 36 ms more, in the
        # serial end of the build: a process that ends next does neither.
        gc.disable()
    report = build_site(site, output=output, base_url=base_url, strict=strict, clean=clean, jobs=jobs,
                        progress=None if quiet else progress_printer())
    if exiting:
        _FINISHED.append(report)
    print_warnings(report.warnings)
    if report.nothing_changed and not quiet:
        print(f"Nothing changed since the last build of {report.articles} articles.")
        print(f"Open {(report.output / 'index.html').as_uri()}")
    elif report.quick and not quiet:
        print(f"Rebuilt {report.articles} articles quickly (only article text changed; {report.rendered} "
              f"{'page' if report.rendered == 1 else 'pages'} rendered): "
              f"{report.stats.written} files written, {report.stats.unchanged} unchanged, "
              f"in {sum(report.timings.values()):.2f}s.")
        print(f"Open {(report.output / 'index.html').as_uri()}")
    elif not quiet:
        total = sum(report.timings.values())
        stages = ", ".join(f"{k} {v:.2f}s" for k, v in report.timings.items())
        print(f"Built {report.articles} articles ({report.rendered} rendered): {report.stats.written} files written, "
              f"{report.stats.unchanged} unchanged, in {total:.2f}s ({stages}).")
        print(f"Open {(report.output / 'index.html').as_uri()}")
    return 0


def progress_printer() -> Callable[[str, int, int], None] | None:
    """A progress bar on a terminal (tqdm); plain lines for long runs elsewhere; nothing in CI."""
    if os.environ.get("CI"):
        return None
    if sys.stderr.isatty():
        from tqdm import tqdm

        bars: dict[str, Any] = {}

        def bar(stage: str, done: int, total: int) -> None:
            if stage not in bars:
                bars[stage] = tqdm(total=total, desc=stage, unit="article", leave=False)
            bars[stage].update(done - bars[stage].n)
            if done >= total:  # the stage is over: its bar goes (the summary line says the rest)
                bars.pop(stage).close()

        return bar

    def line(stage: str, done: int, total: int) -> None:
        if total >= 2000 and done:
            print(f"{stage}: {done}/{total}", file=sys.stderr)

    return line


def import_(site: pathlib.Path, paths: list[pathlib.Path], *, as_json: bool, force: bool,
            suggest: bool = False) -> int:
    """Import raw articles into content/ (or preview them as JSON)."""
    from .ingest import run_import

    report = run_import(paths, site=site, force=force, as_json=as_json, suggest=suggest)
    errors = [p for p in report.problems if p.severity == "error"]
    print_warnings([p for p in report.problems if p.severity != "error"])
    for p in errors:
        print(p.format(), file=sys.stderr)
    if as_json:
        print_json(report.json_items)
    else:
        print(f"Imported: {len(report.written)} written, {len(report.unchanged)} unchanged, "
              f"{len(report.skipped_edited)} skipped (edited by hand)"
              + (f"; {len(report.suggested)} new suggestion files to review (see output/editor/)."
                 if report.suggested else "."))
    return 1 if errors else 0


def init(target: pathlib.Path) -> int:
    """Create a new, empty archive in ``target``."""
    if (target / "config.yaml").exists():
        raise SiteError([Problem(str(target / "config.yaml"), 0, 0, "an archive already exists here",
                                 "choose a new folder; nothing was changed")])
    target.mkdir(parents=True, exist_ok=True)
    for source in sorted(SKELETON.rglob("*")):
        rel = source.relative_to(SKELETON)
        dest = target / (".gitignore" if rel.name == "gitignore" else rel)
        if source.is_dir():
            dest.mkdir(exist_ok=True)
        elif not dest.exists():
            shutil.copyfile(source, dest)
    print(f"Created a new archive in {target}.")
    print(f"Next: python build.py import RAW_FILES --site {target}")
    print(f"Then: python build.py build --site {target}")
    return 0


def serve(site: pathlib.Path, *, host: str, port: int, output: pathlib.Path | None) -> int:
    """Preview the site on localhost, rebuilding and reloading on every change."""
    from .serve import serve as run_preview

    return run_preview(site, host=host, port=port, output=output)


def pack(site: pathlib.Path, *, output: pathlib.Path | None, base_url: str | None) -> int:
    """Build the site into one deterministic zip for reading offline."""
    from .pack import pack as pack_site

    report = pack_site(site, output or site / "archive.zip", base_url=base_url)
    print_warnings(report.build.warnings)
    print(f"Packed {report.build.articles} articles ({report.files} files) into {report.zip_path}.")
    print(f"Unzip it anywhere and open {report.zip_path.stem}/index.html.")
    return 0


def check(site: pathlib.Path) -> int:
    """Build into a scratch folder and check every internal link and anchor."""
    from .checker import check_links
    from .pipeline import build as build_site

    with tempfile.TemporaryDirectory(prefix="marginalia-check-") as tmp:
        out = pathlib.Path(tmp) / "site"
        report = build_site(site, output=out)
        problems = check_links(out)
    print_warnings(report.warnings)
    if problems:
        raise SiteError(problems)
    print(f"Checked {report.articles} articles: front matter, annotations, every internal link, anchor and asset "
          "are fine.")
    return 0
