"""What each command does, between the argument parser and the engine."""

from __future__ import annotations

import pathlib
import shutil
import sys
import tempfile

from .cli import print_json, print_warnings
from .errors import Problem, SiteError
from .pipeline import build as build_site

SKELETON = pathlib.Path(__file__).parent / "skeleton"


def build(site: pathlib.Path, *, output: pathlib.Path | None, base_url: str | None, strict: bool,
          quiet: bool = False) -> int:
    """Build the site and print a summary with where to open it."""
    report = build_site(site, output=output, base_url=base_url, strict=strict)
    print_warnings(report.warnings)
    if not quiet:
        total = sum(report.timings.values())
        stages = ", ".join(f"{k} {v:.2f}s" for k, v in report.timings.items())
        print(f"Built {report.articles} articles: {report.stats.written} files written, "
              f"{report.stats.unchanged} unchanged, in {total:.2f}s ({stages}).")
        print(f"Open {(report.output / 'index.html').as_uri()}")
    return 0


def import_(site: pathlib.Path, paths: list[pathlib.Path], *, as_json: bool, force: bool) -> int:
    """Import raw articles into content/ (or preview them as JSON)."""
    from .ingest import run_import

    report = run_import(paths, site=site, force=force, as_json=as_json)
    errors = [p for p in report.problems if p.severity == "error"]
    print_warnings([p for p in report.problems if p.severity != "error"])
    for p in errors:
        print(p.format(), file=sys.stderr)
    if as_json:
        print_json(report.json_items)
    else:
        print(f"Imported: {len(report.written)} written, {len(report.unchanged)} unchanged, "
              f"{len(report.skipped_edited)} skipped (edited by hand).")
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


def check(site: pathlib.Path) -> int:
    """Build into a scratch folder and check every internal link and anchor."""
    from .checker import check_links

    with tempfile.TemporaryDirectory(prefix="marginalia-check-") as tmp:
        out = pathlib.Path(tmp) / "site"
        report = build_site(site, output=out)
        problems = check_links(out)
    print_warnings(report.warnings)
    if problems:
        raise SiteError(problems)
    print(f"Checked {report.articles} articles: front matter, annotations and every internal link are fine.")
    return 0
