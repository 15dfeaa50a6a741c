"""The command line: parse arguments, call the package, print located errors.

Exit status: 0 success, 1 the input has errors, 2 wrong usage.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
from collections.abc import Callable, Sequence

from . import __version__
from .errors import Problem, SiteError, collapse_warnings

COMMANDS = ("build", "import", "init", "check", "serve", "pack")
REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent


def default_site() -> pathlib.Path:
    """The current folder when it holds config.yaml, else the repository root."""
    cwd = pathlib.Path.cwd()
    return cwd if (cwd / "config.yaml").exists() else REPO_ROOT


def parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-parser per command."""
    top = argparse.ArgumentParser(prog="build.py", description=(
        "Marginalia: build an annotated news archive into a static site. "
        "With no command, 'build' runs."))
    top.add_argument("--version", action="version", version=f"marginalia {__version__}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")

    def site_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("--site", type=pathlib.Path, default=None, metavar="DIR",
                       help="the archive folder holding config.yaml, content/, layouts/ "
                            "(default: the current folder if it has config.yaml, else the repository root)")

    b = sub.add_parser("build", help="render content/ into output/",
                       description="Render content/ through layouts/ into a static site in output/.")
    site_arg(b)
    b.add_argument("--output", type=pathlib.Path, default=None, metavar="DIR",
                   help="where to write the site (default: SITE/output)")
    b.add_argument("--base-url", default=None, metavar="URL",
                   help="the public URL of the site, overriding config.yaml's base_url")
    b.add_argument("--strict", action="store_true", help="treat warnings (e.g. orphaned annotations) as errors")
    b.add_argument("--clean", action="store_true", help="ignore the build cache and rebuild everything")
    b.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="worker processes for rendering (default: one per core)")
    b.add_argument("--quiet", "-q", action="store_true", help="print errors only")

    i = sub.add_parser("import", help="turn raw article text files into content/ pages",
                       description="Import raw articles (files or folders, recursively) into content/.")
    i.add_argument("paths", nargs="+", type=pathlib.Path, metavar="PATH")
    site_arg(i)
    i.add_argument("--json", action="store_true", help="write nothing; print what would be imported as JSON")
    i.add_argument("--force", action="store_true", help="overwrite content files edited since their import")
    i.add_argument("--suggest", action="store_true",
                   help="also write suggested annotations (people, places, quotes…) beside each new article "
                        "for a person to confirm")

    n = sub.add_parser("init", help="start a new, empty archive in DIR",
                       description="Create DIR with config.yaml, content/ and layouts/.")
    n.add_argument("dir", type=pathlib.Path, metavar="DIR")

    c = sub.add_parser("check", help="check content, annotations and links without touching output/",
                       description="Validate front matter, annotations and every internal link and #anchor.")
    site_arg(c)
    _publishing_parsers(sub, site_arg)
    return top


def _publishing_parsers(sub: argparse._SubParsersAction, site_arg: Callable[[argparse.ArgumentParser], None]) -> None:
    """``serve`` (live preview) and ``pack`` (one zip for offline reading)."""
    s = sub.add_parser("serve", help="preview the site on localhost, rebuilding and reloading on every change",
                       description="Build into a scratch folder, serve it, rebuild when content/, layouts/ or "
                                   "config.yaml change, and reload the open page.")
    site_arg(s)
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, metavar="N", help="port to listen on (default: 8000)")
    s.add_argument("--output", type=pathlib.Path, default=None, metavar="DIR",
                   help="build into DIR instead of a scratch folder")
    p = sub.add_parser("pack", help="build the site into one zip for reading offline",
                       description="Build the site and write it as one deterministic zip; unzip it anywhere "
                                   "and open index.html.")
    site_arg(p)
    p.add_argument("--output", type=pathlib.Path, default=None, metavar="FILE",
                   help="the zip to write (default: SITE/archive.zip)")
    p.add_argument("--base-url", default=None, metavar="URL",
                   help="the public URL of the site, overriding config.yaml's base_url")


def main(argv: Sequence[str], *, exiting: bool = False) -> int:
    """Run one command; return the exit status (``exiting``: the process ends right after, without
    freeing what the command made, as build.py's does)."""
    argv = list(argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "build")
    args = parser().parse_args(argv)
    try:
        return _run(args, exiting)
    except SiteError as exc:
        _print_problems(exc.problems)
        count = len(exc.problems)
        print(f"{count} error{'s' if count != 1 else ''}; nothing was changed.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; output/ was left as it was", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace, exiting: bool = False) -> int:
    from . import commands

    if args.command == "init":
        return commands.init(args.dir)
    site: pathlib.Path = args.site or default_site()
    if args.command == "build":
        return commands.build(site, output=args.output, base_url=args.base_url, strict=args.strict,
                              quiet=args.quiet, clean=args.clean, jobs=args.jobs, exiting=exiting)
    if args.command == "import":
        return commands.import_(site, args.paths, as_json=args.json, force=args.force, suggest=args.suggest)
    if args.command == "serve":
        return commands.serve(site, host=args.host, port=args.port, output=args.output)
    if args.command == "pack":
        return commands.pack(site, output=args.output, base_url=args.base_url)
    return commands.check(site)


def _print_problems(problems: Sequence[Problem]) -> None:
    for p in problems:
        print(p.format(), file=sys.stderr)


def print_warnings(warnings: Sequence[Problem]) -> None:
    """Warnings, with repeats of one message collapsed to a count."""
    for line in collapse_warnings(warnings):
        print(line, file=sys.stderr)


def print_json(value: object) -> None:
    """Deterministic JSON on stdout."""
    print(json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False))
