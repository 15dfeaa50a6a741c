"""The build, stage by stage: config -> sources -> library -> pages -> writer.

Input: a site folder. Output: ``output/`` replaced atomically by the new
site, or a :class:`~marginalia.errors.SiteError` with every problem found and
the previous ``output/`` untouched. A persistent cache (``.marginalia-cache/``)
lets a rebuild redo only what its changes touch; ``clean=True`` ignores it.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .cache import STAGED, BuildCache, digest, value_bytes
from .config import load_config
from .errors import Problem, Problems, SiteError
from .fingerprint import tool_key
from .library import ContentFiles, Library, assemble, content_files, stat_signature
from .workers import default_jobs, map_forked, paused_gc
from .writer import MARKER, WriteStats, check_output, files_in, write_site

if TYPE_CHECKING:
    from .articles import Rendered, Source
    from .outputs import Job, Pages

Progress = Callable[[str, int, int], None]
Records = dict[str, tuple[str, str, Any]]  # content path -> (stat signature, key, cached record)


@dataclasses.dataclass
class BuildReport:
    """What a build did, for the summary line and for tests."""

    output: pathlib.Path
    articles: int = 0
    rendered: int = 0
    stats: WriteStats = dataclasses.field(default_factory=WriteStats)
    warnings: list[Problem] = dataclasses.field(default_factory=list)
    timings: dict[str, float] = dataclasses.field(default_factory=dict)
    nothing_changed: bool = False


def build(site: pathlib.Path, *, output: pathlib.Path | None = None, base_url: str | None = None,
          strict: bool = False, clean: bool = False, jobs: int | None = None,
          progress: Progress | None = None) -> BuildReport:
    """Build ``site`` into ``output`` (default ``site/output``)."""
    with paused_gc():
        return _build(site, output=output, base_url=base_url, strict=strict, clean=clean, jobs=jobs,
                      progress=progress)


def _build(site: pathlib.Path, *, output: pathlib.Path | None, base_url: str | None, strict: bool,
           clean: bool, jobs: int | None, progress: Progress | None) -> BuildReport:
    site = site.resolve()
    output = (output or site / "output").absolute()
    report = BuildReport(output)
    clock = _Clock(report)
    jobs = jobs or default_jobs()
    config = load_config(site, base_url=base_url)
    check_output(output, site)
    cache = BuildCache(site, output, read=not clean)
    try:
        content = content_files(site)
        rels = _rels(site, content.paths)
        signatures = {rel: stat_signature(path, content.sidecars)
                      for rel, path in zip(rels, content.paths, strict=True)}
        fingerprint = digest(tool_key(), repr(config), _layouts_signature(site), *sorted(
            f"{rel}={sig}" for rel, sig in signatures.items()))
        if _unchanged(cache, fingerprint, output, strict):
            report.nothing_changed = True
            report.articles = int(cache.state("articles") or 0)
            return report
        # Imported here, after the no-change check: they are most of a no-change build's start-up.
        from .feeds import FeedIndex, publishing_warnings
        from .fingerprint import TemplateKeys
        from .outputs import Pages
        from .templates import load_templates, make_env

        env = make_env(site)
        records = cache.files()  # read once: unpickling 10,000 records is not free
        sources = _load(site, content, rels, signatures, records, progress, jobs)
        clock.lap("load")
        library = assemble([s.article for s, _key in sources if s.article is not None], config)
        env.globals["feed_links"] = FeedIndex(library, config).links
        report.warnings.extend(publishing_warnings(config))
        report.warnings.extend(library.merged)
        load_templates(env, _templates_needed(library), site)
        report.articles = len(library.articles)
        pages = Pages(site, config, env, library, TemplateKeys(env),
                      {s.rel: (s, key) for s, key in sources if s.article is not None}, clean=clean,
                      jobs=jobs)
        previous = cache.pages() if cache.state("output") == output_identity(output) else {}
        rendered: list[Rendered | None] = [None] * len(library.articles)
        stager = _Stager(cache, pages, signatures)
        files = _files(pages, previous, output, rendered, stager, records, report, clock, jobs, progress)
        report.stats = write_site(files, output, keep_if_same=set(previous))
        clock.lap("write")
        if strict and report.warnings:
            raise SiteError([dataclasses.replace(w, severity="error") for w in report.warnings])
        cache.commit(_records(pages, signatures, rendered, stager.staged), pages.keys,
                     {"fingerprint": fingerprint, "articles": str(len(library.articles)),
                      "warnings": str(len(report.warnings)), "output": output_identity(output)})
    finally:
        cache.close()
    return report


def output_identity(output: pathlib.Path) -> str:
    """Which folder ``output`` is: every build swaps in a new one, so a cache that names
    another describes an older output (a build killed between swap and commit)."""
    try:
        st = output.stat()
    except OSError:
        return ""
    return f"{st.st_dev}:{st.st_ino}"


def _unchanged(cache: BuildCache, fingerprint: str, output: pathlib.Path, strict: bool) -> bool:
    """True when nothing the build reads changed since the last good build into ``output``."""
    if cache.state("fingerprint") != fingerprint or not (output / MARKER).is_file():
        return False
    if cache.state("output") != output_identity(output):
        return False  # output/ is not the folder the cache describes (e.g. killed after the swap)
    return not (strict and cache.state("warnings") not in (None, "0"))


def _layouts_signature(site: pathlib.Path) -> str:
    """Sizes and mtimes of the site's layouts and config: any edit changes it."""
    parts = []
    for p in sorted([site / "config.yaml", *(site / "layouts").rglob("*")]):
        if p.is_file():
            st = p.stat()
            parts.append(f"{p}:{st.st_size}:{st.st_mtime_ns}")
    return digest(*parts)


def _load(site: pathlib.Path, content: ContentFiles, rels: list[str], signatures: dict[str, str],
          cached: Records, progress: Progress | None, jobs: int = 1) -> list[tuple[Source, str]]:
    """Parse every content file, reusing the cache for files whose signature is unchanged."""
    sources: list[tuple[Source, str]] = []
    usable = {rel: hit for rel in rels if (hit := cached.get(rel)) is not None and hit[0] == signatures[rel]}
    todo = [(path, rel) for path, rel in zip(content.paths, rels, strict=True) if rel not in usable]
    fresh = map_forked(_parse_one, todo, (site, content.sidecars), jobs)
    found = Problems()
    for n, rel in enumerate(rels):
        hit = usable.get(rel)
        if hit is not None:
            source, key = hit[2][0], hit[1]
        else:
            source, key = next(fresh)
        sources.append((source, key))
        found.extend(source.problems)
        if progress and n % 500 == 0:
            progress("read", n, len(rels))
    found.raise_if_any()
    return sources


def _rels(site: pathlib.Path, paths: Sequence[str]) -> list[str]:
    """Each path (under ``site``) relative to it, with forward slashes (as ``relative_to``, faster)."""
    cut = len(str(site)) + 1
    return [p[cut:].replace(os.sep, "/") for p in paths]


def _parse_one(item: tuple[str, str], site: pathlib.Path, sidecars: frozenset[str]) -> tuple[Source, str]:
    """One content file (its full path and its path in the site) parsed, with its annotations'
    entities merged in, and its key."""
    from .articles import load_source
    from .outputs import merge_annotation_entities

    path, rel = item
    source = load_source(site, path, rel, sidecars)
    article = merge_annotation_entities(source)
    if article is not source.article:
        source = dataclasses.replace(source, article=article)
    return source, digest(tool_key(), value_bytes(source))


def _files(pages: Pages, previous: dict[str, str], output: pathlib.Path, rendered: list[Rendered | None],
           stager: _Stager, records: Records, report: BuildReport, clock: _Clock, jobs: int,
           progress: Progress | None) -> Iterator[tuple[str, bytes | None]]:
    """Every output file in a fixed order: ``None`` where the previous file is still right."""
    from .articles import ArticleRenderer, render_all
    from .outputs import site_jobs

    cached = {rel: meta for rel, (_sig, _key, meta) in records.items()} if previous else {}
    existing = files_in(output) if previous else set()
    keys = [pages.article_key(index) for index in range(len(pages.library.urls))]
    todo: list[tuple[int, str]] = []
    for index, url in enumerate(pages.library.urls):
        old = cached.get(pages.library.articles[index].path)
        if previous.get(url) == keys[index] and old is not None and old[1] is not None and url in existing:
            rendered[index] = old[1]
        else:
            todo.append((index, url))
    report.rendered = len(todo)
    fresh = render_all(todo, [pages.source(i) for i in range(len(pages.library.articles))],
                       lambda: ArticleRenderer(pages.article_page, pages.config.taxonomies), jobs)
    done = 0
    for index, url in enumerate(pages.library.urls):
        pages.keys[url] = keys[index]
        if rendered[index] is None:
            got_index, result, blob = next(fresh)
            assert got_index == index
            stager.add(index, blob)
            rendered[index] = dataclasses.replace(result, page=b"")
            done += 1
            if progress and done % 500 == 0:
                progress("articles", done, len(todo))
            yield url, result.page
        else:
            yield url, None
    stager.flush()
    for done_result in rendered:
        report.warnings.extend(done_result.problems if done_result else ())
    clock.lap("articles")
    by_key: dict[str, list[str]] = {}
    for path, key in previous.items():
        by_key.setdefault(key, []).append(path)
    for job in site_jobs(pages, [r for r in rendered if r is not None],
                         reusable=lambda key: _kept(key, by_key, existing) is not None):
        yield from _job_files(job, by_key, existing)
    clock.lap("listings")


def _job_files(job: Job, by_key: dict[str, list[str]], existing: set[str]
               ) -> Iterator[tuple[str, bytes | None]]:
    """A job's files: kept from the last build when its key is unchanged, else made anew."""
    kept = _kept(job.key, by_key, existing)
    if kept is not None:
        for path in kept:
            job.pages_out[path] = job.key
            yield path, None
        return
    for path, data in job.make():
        job.pages_out[path] = job.key
        yield path, data


def _kept(key: str, by_key: dict[str, list[str]], existing: set[str]) -> list[str] | None:
    """Last build's files for ``key``, sorted, when they are all still in output/; else None."""
    kept = by_key.get(key, [])
    if key and kept and all(p in existing for p in kept):
        return sorted(kept)
    return None


def _templates_needed(library: Library) -> list[str]:
    layouts = {dict(a.extra).get("layout", "article") for a in library.articles}
    return sorted({"index.html", "list.html", "terms.html", "archive.html", "credits.html", "search.html",
                   "timeline.html", "editor.html", "404.html"}
                  | {f"{name}.html" for name in layouts})


class _Stager:
    """Hands the records the render workers pickled to the cache in batches, as they arrive, so a
    build of 100,000 articles does not hold them all in memory."""

    def __init__(self, cache: BuildCache, pages: Pages, signatures: dict[str, str]) -> None:
        self.cache, self.pages, self.signatures = cache, pages, signatures
        self.staged: set[int] = set()  # articles whose records are stored already
        self.batch: list[tuple[str, str, str, bytes]] = []

    def add(self, index: int, blob: bytes) -> None:
        self.staged.add(index)
        rel = self.pages.library.articles[index].path
        self.batch.append((rel, self.signatures.get(rel, ""), self.pages.article_keys[rel], blob))
        if len(self.batch) >= 256:
            self.flush()

    def flush(self) -> None:
        self.cache.stage(self.batch)
        self.batch = []


def _records(pages: Pages, signatures: dict[str, str], rendered: list[Rendered | None], staged: set[int]
             ) -> Iterator[tuple[str, str, str, object]]:
    """What the cache keeps per content file: its signature, key, source and rendered parts
    (staged already where a worker pickled them)."""
    index_of = {a.path: i for i, a in enumerate(pages.library.articles)}
    for rel, (source, key) in pages.sources.items():
        index = index_of.get(rel)
        if index is not None and index in staged:
            yield rel, signatures.get(rel, ""), key, STAGED
        else:
            yield rel, signatures.get(rel, ""), key, (source, rendered[index] if index is not None else None)


class _Clock:
    """Records the time each stage took into the report."""

    def __init__(self, report: BuildReport):
        self.report, self.last = report, time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.report.timings[stage] = self.report.timings.get(stage, 0.0) + now - self.last
        self.last = now


