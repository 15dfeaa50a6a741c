#!/usr/bin/env python3
"""Live preview benchmark: from saving an article to the open page showing the edit.

usage: python bench/serve_bench.py [--articles 3,1000] [--edits 7] [--kinds headline,text] [--corpus DIR]

For each size it makes a site (BBC articles from ``../shared/corpus/bbc`` when
there, else generated text), starts ``build.py serve``'s preview on 127.0.0.1
(``marginalia.serve.Preview``), opens one article in headless Debian Chromium
(Playwright, never a downloaded browser), then ``--edits`` times rewrites that
article's file and times the moment the reloaded page shows the edit: for
each of ``--kinds``, a new headline (which its neighbours, listings and the
search index show: a full rebuild) or a sentence added to its text (the
quick rebuild). Prints the median, minimum and maximum in seconds. The preview
waits ``DEBOUNCE`` for the file watcher to settle before it rebuilds, so that
is part of every figure. Tests check that the page reloads; this measures how
fast (the project keeps timing out of its tests).
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from marginalia.serve import Preview  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
CONFIG = "title: Bench archive\ntimezone: UTC\nper_page: 20\n"


def page(title: str, date: str, body: str) -> str:
    return f'---\ntitle: "{title}"\ndate: {date}\n---\n{body}\n'


def make_site(root: pathlib.Path, count: int, corpus: pathlib.Path) -> pathlib.Path:
    """A site of ``count`` articles; the first one is the one edited."""
    (root / "content").mkdir(parents=True)
    (root / "config.yaml").write_text(CONFIG, encoding="utf-8")
    texts = sorted(corpus.rglob("*.txt")) if corpus.is_dir() else []
    for n in range(count):
        if texts:
            lines = texts[n % len(texts)].read_bytes().decode("utf-8", "replace").splitlines()
            body = "\n\n".join(line.strip() for line in lines[1:] if line.strip())
        else:
            body = f"Paragraph {n} of made-up text about a council, a court and a storm."
        day = f"20{10 + n % 10}-{1 + n % 12:02d}-{1 + n % 28:02d}"
        (root / "content" / f"a{n:05d}.md").write_text(page(f"Headline {n}", day, body.replace('"', "'")),
                                                        encoding="utf-8")
    return root


def measure(site: pathlib.Path, edits: int, kinds: list[str]) -> dict[str, list[float]]:
    """Seconds from each save to the reloaded page showing it, by kind of edit."""
    from playwright.sync_api import sync_playwright

    server = Preview(site, port=0, log=lambda line: None)
    server.start()
    target = site / "content" / "a00000.md"
    original = target.read_text(encoding="utf-8")
    url = server.url + original.split("date: ")[1][:7].replace("-", "/") + "/a00000.html"  # slug: file name
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            tab = browser.new_page()
            tab.goto(url)
            for kind in kinds:
                for edit in range(edits):
                    time.sleep(0.5)  # let the watcher settle between edits
                    saved = time.perf_counter()
                    if kind == "headline":
                        target.write_text(original.replace("Headline 0", f"Headline 0 edit {edit}"), encoding="utf-8")
                        tab.wait_for_selector(f"h1:text-is('Headline 0 edit {edit}')", timeout=60000)
                    else:
                        added = f"A sentence added in edit {edit}."
                        target.write_text(f"{original.rstrip()}\n\n{added}\n", encoding="utf-8")
                        tab.wait_for_selector(f"p:text-is('{added}')", timeout=60000)
                    times[kind].append(time.perf_counter() - saved)
                target.write_text(original, encoding="utf-8")
            browser.close()
    finally:
        server.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", default="3,1000")
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--kinds", default="headline", help="headline, text, or both: headline,text")
    parser.add_argument("--corpus", type=pathlib.Path, default=REPO.parent / "shared" / "corpus" / "bbc")
    args = parser.parse_args()
    kinds = args.kinds.split(",")
    if not set(kinds) <= {"headline", "text"}:
        parser.error("--kinds: headline, text or both")
    print("| articles | edit | edits | median | min | max |\n|---:|---|---:|---:|---:|---:|")
    for count in (int(n) for n in args.articles.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            by_kind = measure(make_site(pathlib.Path(tmp), count, args.corpus), args.edits, kinds)
        for kind, times in by_kind.items():
            print(f"| {count:,} | {kind} | {len(times)} | {statistics.median(times):.2f} s | {min(times):.2f} s "
                  f"| {max(times):.2f} s |")


if __name__ == "__main__":
    main()
