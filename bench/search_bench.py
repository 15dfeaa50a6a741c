#!/usr/bin/env python3
"""Search benchmark: Marginalia's index against Pagefind's on the same articles.

usage: python bench/search_bench.py [--sizes 10000,100000] [--runs 3] [--work DIR] [--markdown FILE]
                                    [--words election,music,...] [--no-pagefind] [--build-only]
                                    [--pagefind-python PATH]

For each size N it takes the same N articles as ``../shared/bench/anchors.py``
(BBC articles cycled, a running number in each headline, one date a day) and:

- times ``build_index`` + writing its files, and Pagefind (``python -m
  pagefind``, from ``pip install pagefind pagefind-bin``) over N simple HTML
  pages of the same articles, interleaved, ``--runs`` times each: wall clock
  and CPU time (user + system, workers and threads included), medians and
  minimums, since a shared machine makes wall clock noisy;
- measures the index on disk beside the articles' plain text (headline + body);
- serves a stand-in site over HTTP on 127.0.0.1 and, in headless Chromium,
  for each probe word: bytes loaded by a cold page opened with ``?q=word``
  (runtime and page assets included, the HTML page itself not), bytes of one
  further query on the same page, and the time from the last keystroke to the
  results being drawn (word typed with 60 ms between keys into a cold page),
  with the number of index files requested after the last key; that time
  again from a second server that sets TCP_NODELAY, as production servers do
  (the stock ``http.server`` adds ~40 ms to each response on a kept-alive
  connection: see SERVER below);
- opens the same page from file:// and counts the index scripts loaded;
- runs Pagefind's own JS API (``pagefind.search(word)`` then ``data()`` of the
  first 10 results) cold in the same browser for bytes and time.

Prints a Markdown report (and writes it with ``--markdown``). Wall-clock
figures are from one noisy shared machine: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import html
import importlib.util
import pathlib
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared"

from marginalia.search import RUNTIME, SearchDoc, build_index  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
WORDS = ["election", "music", "growth", "film", "broadband", "chelsea", "ink", "minister"]
BASE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{% block title %}{% endblock %}</title>
{% block head %}{% endblock %}</head><body><header><form class="site-search" role="search"
action="{{ root }}search/index.html"><input id="site-q" name="q" type="search"></form></header>
<main id="main">{% block main %}{% endblock %}</main><script src="{{ root }}assets/site.js" defer></script>
{% block scripts %}{% endblock %}</body></html>"""
PAGEFIND_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>pagefind</title></head><body><script>
window.runPagefind = async (q) => {
  const t0 = performance.now();
  const pf = await import("./pagefind/pagefind.js");
  await pf.init();
  const s = await pf.search(q);
  const data = await Promise.all(s.results.slice(0, 10).map(r => r.data()));
  return {total: s.results.length, ms: performance.now() - t0, titles: data.map(d => d.meta.title)};
};
</script></body></html>"""


def articles(n: int) -> list[SearchDoc]:
    """The N articles of anchors.py, as search documents."""
    spec = importlib.util.spec_from_file_location("anchors", SHARED / "bench" / "anchors.py")
    assert spec and spec.loader
    anchors = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(anchors)
    arts = anchors.read_corpus(SHARED / "corpus" / "bbc")
    base = dt.date(2004, 1, 1)
    docs = []
    for i in range(n):
        title, paras, tag, _ = arts[i % len(arts)]
        docs.append(SearchDoc(f"posts/a{i:06d}/index.html", f"{title} ({i})".replace('"', "'"),
                              (base + dt.timedelta(days=i % 3650)).isoformat(), None, "\n".join(paras), tags=(tag,)))
    return docs


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its finished children so far."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def write_ours(docs: list[SearchDoc], out: pathlib.Path) -> tuple[float, float]:
    """Build and write our index (wall and CPU seconds), then the stand-in search page and assets."""
    shutil.rmtree(out / "search", ignore_errors=True)
    gc.collect()
    start, cpu = time.perf_counter(), cpu_seconds()
    files = build_index(docs)
    for rel, data in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    import jinja2

    env = jinja2.Environment(loader=jinja2.ChoiceLoader([jinja2.DictLoader({"base.html": BASE}),
                                                         jinja2.FileSystemLoader(str(REPO / "marginalia/layouts"))]),
                             autoescape=True)
    (out / "search/index.html").write_text(env.get_template("search.html").render(
        root="../", site={"title": "Bench", "language": "en"}))
    (out / "assets").mkdir(parents=True, exist_ok=True)
    for name in (*RUNTIME, "site.js", "search.css"):
        shutil.copy(REPO / "marginalia/static" / name, out / "assets" / name)
    return seconds, cpu


def write_pagefind_site(docs: list[SearchDoc], out: pathlib.Path) -> None:
    """N plain HTML article pages for Pagefind to index."""
    if (out / "posts").is_dir() and len(list((out / "posts").iterdir())) == len(docs):
        return
    shutil.rmtree(out, ignore_errors=True)
    for d in docs:
        page = out / d.url
        page.parent.mkdir(parents=True, exist_ok=True)
        body = "".join(f"<p>{html.escape(p)}</p>" for p in d.text.split("\n"))
        page.write_text(f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(d.title)}"
                        f"</title></head><body><main><h1>{html.escape(d.title)}</h1><time>{d.date}</time>{body}"
                        f"<ul><li>{d.tags[0]}</li></ul></main></body></html>")
    (out / "pf.html").write_text(PAGEFIND_PAGE)


PAGEFIND_PYTHON = [sys.executable]  # --pagefind-python: a Python that has the pagefind package


def run_pagefind(site: pathlib.Path) -> tuple[float, float]:
    """Pagefind over the site: wall and CPU seconds (its process and threads)."""
    shutil.rmtree(site / "pagefind", ignore_errors=True)
    start, cpu = time.perf_counter(), cpu_seconds()
    subprocess.run([*PAGEFIND_PYTHON, "-m", "pagefind", "--site", str(site)], check=True, capture_output=True)
    return time.perf_counter() - start, cpu_seconds() - cpu


def tree_size(root: pathlib.Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


# Python's http.server writes a response's headers and body in two calls; on a kept-alive connection
# Nagle's algorithm then holds the body until the client's delayed ACK, ~40 ms on Linux, for every
# response but the first on a connection (python/cpython#108736). Production servers set TCP_NODELAY
# (nginx's default, Go, Node); the benchmark measures both.
SERVER = """
import functools, http.server, socket, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as any real web server
    def setup(self):
        super().setup()
        if sys.argv[2] == "nodelay":
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=sys.argv[1]))
print(server.server_address[1], flush=True)
server.serve_forever()
"""


@contextmanager
def serve(root: pathlib.Path, nodelay: bool = False) -> Iterator[str]:
    """A static HTTP server on 127.0.0.1 in its own process (so it never waits for this one's GIL);
    ``nodelay``: with TCP_NODELAY on its connections, as production servers have."""
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(root), "nodelay" if nodelay else "plain"],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout
        yield f"http://127.0.0.1:{proc.stdout.readline().strip()}/"
    finally:
        proc.terminate()
        proc.wait()


def counted_page(browser: Any) -> tuple[Any, Any, list[int]]:
    """A page in a fresh context (cold cache) that adds up response body sizes."""
    context = browser.new_context()
    page = context.new_page()
    sizes: list[int] = []

    def on_response(response: Any) -> None:
        if response.request.resource_type != "document":
            with contextlib.suppress(Exception):  # a body may be gone with its page
                sizes.append(len(response.body()))

    page.on("response", on_response)
    return context, page, sizes


LATENCY_JS = """() => { window.__bench = {input: 0, drawn: []};
  document.addEventListener('input', () => { window.__bench.input = performance.now(); }, true);
  new MutationObserver(() => { const app = document.getElementById('search-app');
    if (app && app.getAttribute('data-state') === 'ready') window.__bench.drawn.push(performance.now()); })
    .observe(document, {subtree: true, attributes: true, attributeFilter: ['data-state']}); }"""


def measure_ours(browser: Any, base: str, word: str, other: str, fast_base: str) -> dict[str, float]:
    """Cold bytes, further-query bytes and keystroke-to-drawn time for one word."""
    context, page, sizes = counted_page(browser)
    page.goto(f"{base}search/index.html?q={word}")
    page.wait_for_selector("#search-app[data-state=ready]")
    page.wait_for_load_state("load")
    cold = sum(sizes)
    status = page.locator("#search-status").inner_text()
    sizes.clear()
    page.fill("#search-q", other)
    page.wait_for_function(f"document.getElementById('search-status').textContent.includes('{other}')")
    page.wait_for_selector("#search-app[data-state=ready]")
    further = sum(sizes)
    context.close()
    ms, typed, after = typed_latency(browser, base, word)
    fast_ms, _, _ = typed_latency(browser, fast_base, word)
    return {"cold": cold, "further": further, "ms": ms, "typed": typed, "status": status,  # type: ignore[dict-item]
            "after": after, "fast_ms": fast_ms}


def typed_latency(browser: Any, base: str, word: str) -> tuple[float, int, int]:
    """Type ``word`` into a cold search page: ms from the last keystroke to the results drawn, bytes
    loaded and the number of index files requested after the last keystroke (by resource timing,
    so that no listener slows the page; 0 from file://)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}search/index.html")
    page.wait_for_selector("#search-app[data-state=idle]")
    page.evaluate(LATENCY_JS)
    page.click("#search-q")
    page.keyboard.type(word, delay=60)
    page.wait_for_function(f"document.getElementById('search-status').textContent.includes('{word}')")
    page.wait_for_selector("#search-app[data-state=ready]")
    ms = page.evaluate("() => { const b = window.__bench; return Math.max(...b.drawn) - b.input; }")
    typed = page.evaluate("performance.getEntriesByType('resource').reduce((s, e) => s + e.encodedBodySize, 0)")
    after = page.evaluate("performance.getEntriesByType('resource').filter(e => e.startTime >= window.__bench.input"
                          " && e.name.includes('/search/idx/')).length")
    context.close()
    return ms, typed, after


def file_scripts(browser: Any, root: pathlib.Path, word: str) -> tuple[int, int]:
    """From file://: index scripts loaded for a cold one-word query, and their bytes on disk."""
    page = browser.new_page()
    page.add_init_script("""window.__scripts = [];
      new MutationObserver(ms => ms.forEach(m => m.addedNodes.forEach(n => {
        if (n.tagName === 'SCRIPT' && n.src) window.__scripts.push(n.src); })))
        .observe(document, {childList: true, subtree: true});""")
    page.goto((root / "search/index.html").as_uri() + f"?q={word}")
    page.wait_for_selector("#search-app[data-state=ready]")
    urls = page.evaluate("window.__scripts")
    page.close()
    idx = [u for u in urls if "/search/idx/" in u]
    prefix = root.as_uri()
    size = sum((root / u[len(prefix) + 1:]).stat().st_size for u in idx)
    return len(idx), size


def measure_pagefind(browser: Any, base: str, word: str) -> dict[str, float]:
    context, page, sizes = counted_page(browser)
    page.goto(base + "pf.html")
    res = page.evaluate("q => window.runPagefind(q)", word)
    out = {"cold": sum(sizes), "ms": res["ms"], "total": res["total"]}
    context.close()
    return out


def kb(n: float) -> str:
    return f"{n / 1024:.1f} KB"


def bench_size(n: int, runs: int, work: pathlib.Path, words: list[str], pagefind: bool,
               browser_too: bool = True) -> list[str]:
    from playwright.sync_api import sync_playwright

    docs = articles(n)
    text = sum(len(d.title.encode()) + len(d.text.encode()) for d in docs)
    ours_dir, pf_dir = work / f"ours{n}", work / f"pagefind{n}"
    if pagefind:
        write_pagefind_site(docs, pf_dir)
    ours_t: list[tuple[float, float]] = []
    pf_t: list[tuple[float, float]] = []
    for _ in range(runs):
        ours_t.append(write_ours(docs, ours_dir))
        if pagefind:
            pf_t.append(run_pagefind(pf_dir))
    index_bytes, index_files = tree_size(ours_dir / "search/idx")
    runtime = sum((REPO / "marginalia/static" / name).stat().st_size for name in RUNTIME)
    lines = [f"### {n:,} articles", "",
             f"Articles' plain text (headlines + bodies, UTF-8): {text / 1e6:.2f} MB.", "",
             "| | Marginalia | Pagefind |", "|---|---|---|"]
    pf_bytes, pf_files = tree_size(pf_dir / "pagefind") if pagefind else (0, 0)
    def cell(runs_: list[tuple[float, float]], which: int) -> str:
        values = [r[which] for r in runs_]
        return f"{statistics.median(values):.2f} (min {min(values):.2f}; {', '.join(f'{v:.2f}' for v in values)})"

    for which, name in ((0, "wall clock"), (1, "CPU time, user + system")):
        lines.append(f"| index build, {name}, median of {runs} (s) | {cell(ours_t, which)} | "
                     + (f"{cell(pf_t, which)} |" if pagefind else "not run |"))
        if pagefind:
            ratio = statistics.median(r[which] for r in ours_t) / statistics.median(r[which] for r in pf_t)
            best = min(r[which] for r in ours_t) / min(r[which] for r in pf_t)
            lines.append(f"| build {name} ratio, ours / Pagefind (medians; minimums) | {ratio:.2f}; {best:.2f} | 1 |")
    lines.append(f"| index on disk | {index_bytes / 1e6:.2f} MB in {index_files:,} files "
                 f"({100 * index_bytes / text:.1f}% of text) | "
                 + (f"{pf_bytes / 1e6:.2f} MB in {pf_files:,} files ({100 * pf_bytes / text:.1f}% of text) |"
                    if pagefind else "not run |"))
    lines.append(f"| runtime ({', '.join(RUNTIME)}) | {kb(runtime)} | see cold bytes |")
    if not browser_too:
        return lines + [""]
    per_word: list[str] = ["", "| word | results | cold query bytes (ours) | typed cold (ours) | further query (ours) "
                           "| keystroke to drawn, HTTP (ours; files requested after the last key) "
                           "| same, HTTP with TCP_NODELAY (ours) | same, file:// (ours) | cold bytes (Pagefind) "
                           "| search+data time (Pagefind; with TCP_NODELAY) |", "|---" * 10 + "|"]
    colds, furthers, mss, fast_mss, file_mss, pf_colds, pf_mss, pf_fast = [], [], [], [], [], [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        with serve(ours_dir) as base, serve(ours_dir, nodelay=True) as fast_base:
            for i, word in enumerate(words):
                m = measure_ours(browser, base, word, words[(i + 1) % len(words)], fast_base)
                file_ms, _, _ = typed_latency(browser, ours_dir.as_uri() + "/", word)
                file_mss.append(file_ms)
                colds.append(m["cold"])
                furthers.append(m["further"])
                mss.append(m["ms"])
                fast_mss.append(m["fast_ms"])
                row = f"| {word} | {m['status']} | {kb(m['cold'])} | {kb(m['typed'])} | {kb(m['further'])} | " \
                      f"{m['ms']:.1f} ms ({m['after']:.0f}) | {m['fast_ms']:.1f} ms | {file_ms:.1f} ms |"
                if pagefind:
                    with serve(pf_dir) as pf_base, serve(pf_dir, nodelay=True) as pf_fast_base:
                        pm = measure_pagefind(browser, pf_base, word)
                        pf_fast.append(measure_pagefind(browser, pf_fast_base, word)["ms"])
                    pf_colds.append(pm["cold"])
                    pf_mss.append(pm["ms"])
                    row += f" {kb(pm['cold'])} | {pm['ms']:.1f}; {pf_fast[-1]:.1f} ms |"
                else:
                    row += " | |"
                per_word.append(row)
        scripts, script_bytes = file_scripts(browser, ours_dir, words[0])
        browser.close()
    lines.append(f"| cold one-word query, bytes (median / max over {len(words)} words) | "
                 f"{kb(statistics.median(colds))} / {kb(max(colds))} | "
                 + (f"{kb(statistics.median(pf_colds))} / {kb(max(pf_colds))} |" if pagefind else "|"))
    lines.append(f"| further query, bytes (median / max) | {kb(statistics.median(furthers))} / {kb(max(furthers))} |"
                 " n/a |")
    lines.append("| last keystroke to results drawn, HTTP (median / max) | "
                 f"{statistics.median(mss):.1f} / {max(mss):.1f} ms | "
                 + (f"{statistics.median(pf_mss):.1f} / {max(pf_mss):.1f} ms (search() + data(), cold) |"
                    if pagefind else "|"))
    lines.append(f"| same, HTTP with TCP_NODELAY (median / max) | {statistics.median(fast_mss):.1f} / "
                 f"{max(fast_mss):.1f} ms | "
                 + (f"{statistics.median(pf_fast):.1f} / {max(pf_fast):.1f} ms (search() + data(), cold) |"
                    if pagefind else "|"))
    lines.append(f"| same from file:// (median / max) | {statistics.median(file_mss):.1f} / {max(file_mss):.1f} ms |"
                 " does not work from file:// |")
    lines.append(f"| file://: index scripts for a cold query ('{words[0]}') | {scripts} files, {kb(script_bytes)} | "
                 "does not work from file:// |")
    return lines + per_word + [""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", default=str(REPO / "bench/work/search"))
    parser.add_argument("--markdown")
    parser.add_argument("--words", default=",".join(WORDS))
    parser.add_argument("--no-pagefind", action="store_true")
    parser.add_argument("--build-only", action="store_true", help="time the builds and sizes, skip the browser")
    parser.add_argument("--pagefind-python", help="a Python with the pagefind package (default: this one)")
    args = parser.parse_args()
    if args.pagefind_python:
        PAGEFIND_PYTHON[:] = [args.pagefind_python]
    work = pathlib.Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    report = ["## Results", ""]
    for size in (int(s) for s in args.sizes.split(",")):
        runs = args.runs if size <= 20000 else 1
        report += bench_size(size, runs, work, args.words.split(","), not args.no_pagefind, not args.build_only)
        print("\n".join(report), flush=True)
    if args.markdown:
        pathlib.Path(args.markdown).write_text("\n".join(report) + "\n")


if __name__ == "__main__":
    main()
