"""The build, stage by stage: config -> sources -> library -> pages -> writer.

Input: a site folder. Output: ``output/`` replaced atomically by the new
site, or a :class:`~marginalia.errors.SiteError` with every problem found and
the previous ``output/`` untouched. A persistent cache (``.marginalia-cache/``)
lets a rebuild redo only what its changes touch; ``clean=True`` ignores it.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import pathlib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any, NamedTuple

from .cache import CACHE_DIR, STAGED, BuildCache, decode_record, decode_snapshot, digest, encode_record
from .config import load_config
from .errors import Problem, Problems, SiteError
from .fingerprint import tool_key
from .library import Library, article_url, assemble, content_files, stat_signature
from .model import ENTITY_KINDS
from .quick import make_snapshot
from .slugs import group_slug
from .workers import (
    PARALLEL_MIN,
    Forked,
    Mapped,
    Started,
    can_fork,
    default_jobs,
    keep_freed_memory,
    paused_gc,
    start_forked,
)
from .writer import MARKER, WRITTEN, Data, Staging, WriteStats, check_output, claim, files_in, write_in_place

if TYPE_CHECKING:
    import jinja2

    from .articles import BodyRenderer, Entry, Prepared
    from .feeds import FeedIndex
    from .indexer import Indexer, Revision, Updater
    from .model import Config
    from .outputs import Job, Pages
    from .quick import Change, DocFields, FeedMembers, Plan, Snapshot
    from .search import SearchDoc

Progress = Callable[[str, int, int], None]
# New records go to the cache in transactions of this many (each commit costs a WAL write, and a
# checkpoint now and then): ~3 MB held at a time.
STAGE_BATCH = 2048
Records = dict[str, tuple[str, str, Any]]  # content path -> (stat signature, key, cached entry)


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
    quick: bool = False  # only a few articles' text changed (marginalia.quick)
    # The build's data, until the report is dropped: the command line exits without freeing it
    # (freeing it when the build returned took 36 ms of a 10,000-article build's last, serial part).
    held: tuple[Any, ...] = dataclasses.field(default=(), repr=False, compare=False)


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
    feeds = bool(config.base_url)  # entries carry a feed's text only where there are feeds
    cache = BuildCache(site, output, read=not clean, variant=f"feeds={feeds}")
    early: Updater | None = None
    indexer: Indexer | Revision | None = None
    revision: Revision | None = None
    records: Mapped[tuple[bytes, str, str]] | None = None
    snapshot: bytes | None = None
    try:
        # Neither "nothing changed" nor a quick rebuild can follow a clean build, or a last build
        # that is not what output/ holds.
        full = clean or not _describes(cache, output)
        # The last build's snapshot, for a quick rebuild (kept as stored: the search index's
        # updater, started from it now, and the build read the same bytes).
        blob = None if full else cache.snapshot_bytes()
        early = _early_updater(site, config, cache, blob, jobs)
        content = content_files(site)
        rels = _rels(site, content.paths)
        reader = Reader(site, content.sidecars, config.taxonomies, summaries=feeds) if full else None
        if len(rels) >= PARALLEL_MIN:
            keep_freed_memory()  # (before the readers and the indexer are forked: they inherit it)
        if reader is not None and jobs > 1 and len(rels) >= PARALLEL_MIN:
            # A full build of a large archive: the search index's process starts now, and so do the
            # readers when no record can be reused (every file is read), while this process takes
            # the files' signatures (~40 ms at 10,000 files, with one core idle before).
            indexer = _indexer(site, config, reader, clean, background=True)
            if clean or cache.blank:
                records = _readers(reader, rels, jobs)
        signatures = {rel: stat_signature(path, content.sidecars)
                      for rel, path in zip(rels, content.paths, strict=True)}
        frame = digest(tool_key(), repr(config), _layouts_signature(site))
        fingerprint = digest(frame, *sorted(f"{rel}={sig}" for rel, sig in signatures.items()))
        if _unchanged(cache, fingerprint, output, strict):
            report.nothing_changed = True
            report.articles = int(cache.state("articles") or 0)
            return report
        reader = reader or Reader(site, content.sidecars, config.taxonomies, summaries=feeds)
        start, early = _quick_start(site, output, config, reader, cache, frame, signatures, jobs, blob, early), None
        memo = None if clean else site / CACHE_DIR  # compiled templates, template references
        if start is not None:
            try:
                from .templates import make_env

                env = make_env(site, memo and memo / "templates")
                if _quick(Quick(site, output, config, env, memo, reader, cache, jobs, strict), start, fingerprint,
                          signatures, report, clock):
                    return report
            except BaseException:
                start.cancel()
                raise
        previous = cache.pages() if cache.state("output") == output_identity(output) else {}
        # A few files changed, none added or removed (the quick rebuild's kind, but more than their
        # text changed): the files that change are written into output/ in place, not into a new tree,
        # and the search index's updater, started for the quick rebuild, takes the changed documents.
        in_place = start is not None and bool(previous)
        if start is not None and start.indexer is not None and in_place:
            from .indexer import Revision

            indexer = revision = Revision(start.indexer)
        elif start is not None:
            start.cancel()
        indexer = indexer or _indexer(site, config, reader, clean, background=jobs > 1 and len(rels) >= PARALLEL_MIN)
        staging = None if in_place else Staging(output, checked=previous)
        if staging is not None and jobs > 1 and len(previous) >= PARALLEL_MIN:
            staging.link_old()  # meanwhile: a rebuild keeps most files
        edited = _edited(start, cache) if start is not None and staging is None else {}
        try:
            entries, fresh, docs = _load(reader, rels, signatures, cache, indexer, progress, jobs, records,
                                         None if revision is None or start is None else start.snapshot)
            if revision is not None:
                revision.rels = [rel for rel, _fields in docs]
            clock.lap("read")
            # Imported here, not before the readers start: they are most of a no-change build's
            # start-up, and were 40 ms of a cold build's before its readers started.
            from .feeds import FeedIndex, publishing_warnings
            from .fingerprint import TemplateKeys
            from .outputs import Pages, search_job
            from .templates import load_templates, make_env

            if start is None:
                env = make_env(site, memo and memo / "templates")
            library = assemble([e.article for e in entries if e.article is not None], config)
            feed_index = FeedIndex(library, config)
            env.globals["feed_links"] = feed_index.links
            report.warnings.extend(publishing_warnings(config))
            report.warnings.extend(library.merged)
            report.articles = len(library.articles)
            templates = TemplateKeys(env, memo and memo / "template-refs.json")
            pages = Pages(site, config, env, library, templates,
                          {e.rel: e for e in entries if e.article is not None}, clean=clean, jobs=jobs)
            # A build without last build's files asks for the search index now, so that the indexer
            # counts and writes it while the templates compile (a rebuild first sees what it keeps).
            search = search_job(pages, indexer) if staging is not None and not previous else None
            load_templates(env, _templates_needed(library), site)
            if staging is None:
                assert start is not None  # (staging is None only then)
                pages.known_keys = _known_listing_keys(start, edited, pages, previous)
                made, existing = _made_in_place(pages, reader, fresh, indexer, previous, output, report, clock,
                                                _unmoved(start, pages.library), start.jobs["search"])
            else:
                def prepare() -> None:
                    """The snapshot and the cache's new rows, written while the page workers render
                    and committed once the new tree is in place: this process had 0.1 s of it left
                    to do alone at 10,000 articles, with a core idle."""
                    nonlocal snapshot
                    if not (strict and report.warnings):  # (else the build fails below)
                        snapshot = _snapshot(frame, signatures, entries, pages, docs, report, feed_index)
                        # (which folder output/ is, the new tree or, when nothing in it is new, the
                        # old one, is known after the swap: cache.finish() below records it)
                        state = _state(fingerprint, len(library.articles), report, output, pages.job_keys)
                        cache.prepare(_records(entries, signatures, fresh), pages.keys, state, snapshot)

                _write(pages, reader, fresh, indexer, search, previous, staging, report, clock, progress, prepare)
        except BaseException:
            indexer.cancel()
            if staging is not None:
                staging.abandon()
            raise
        templates.save()
        if strict and report.warnings:
            raise SiteError([dataclasses.replace(w, severity="error") for w in report.warnings])
        if staging is None:
            state = _state(fingerprint, len(library.articles), report, output, pages.job_keys)
            snapshot = _snapshot(frame, signatures, entries, pages, docs, report, feed_index)
            cache.forget()  # until the update below, the cache describes no output: a crash means a full rebuild
            report.stats = write_in_place(output, made, existing)
            clock.lap("write")
            # (The records of the files read again were stored as they were read.)
            cache.update([], {p: k for p, k in pages.keys.items() if previous.get(p) != k},
                         [p for p in previous if p not in pages.keys], state, snapshot)
            if revision is not None:
                revision.close()  # (the updater writes the search cache after it answered)
        else:
            cache.finish({"output": output_identity(output)})  # (prepare() above wrote the rest)
        clock.lap("cache")
        report.held = (entries, fresh, docs, library, pages, staging, signatures, rels, content, snapshot, env)
    finally:
        if early is not None:  # (not handed to _quick_start: nothing changed, or a failure)
            early.cancel()
        if records is not None:  # (all read by now, unless the build failed)
            records.close()
        if indexer is not None:  # (done by now, unless the build failed)
            indexer.cancel()
        cache.close()
    return report


@dataclasses.dataclass
class Quick:
    """What a quick rebuild works with (the build's settings and tools)."""

    site: pathlib.Path
    output: pathlib.Path
    config: Config
    env: jinja2.Environment
    memo: pathlib.Path | None
    reader: Reader
    cache: BuildCache
    jobs: int
    strict: bool


@dataclasses.dataclass
class QuickStart:
    """A quick rebuild, begun: the snapshot, the changed files, the search index's updater."""

    snapshot: Snapshot
    jobs: dict[str, str]  # the last build's keys of the jobs that depend on every article
    changed: list[str]
    indexer: Updater | None

    def cancel(self) -> None:
        """Stop the search index's updater (the rebuild failed, or has no use for it)."""
        if self.indexer is not None:
            self.indexer.cancel()
            self.indexer = None


def _quick_start(site: pathlib.Path, output: pathlib.Path, config: Config, reader: Reader, cache: BuildCache,
                 frame: str, signatures: dict[str, str], jobs: int, blob: bytes | None,
                 early: Updater | None) -> QuickStart | None:
    """The start of a quick rebuild, if the change may be of its kind (``blob``: the last build's
    snapshot as stored, None unless the cache describes ``output``): the search index's updater
    runs from now on, to load what it needs while the build goes on (see :mod:`marginalia.quick`);
    ``early``, one started already from ``blob``, is used, or else stopped."""
    from .quick import changed_files

    start = None
    try:
        snap = decode_snapshot(blob)
        changed = changed_files(snap, frame, signatures)
        old_jobs = _jobs_state(cache)
        if changed is not None and old_jobs is not None:
            indexer = None
            if set(changed).intersection(rel for rel, _fields in snap.docs):
                indexer = early or _updater(site, config, blob, reader.doc_text, snap=snap,
                                            background=jobs > 1 and len(snap.docs) >= PARALLEL_MIN)
            start = QuickStart(snap, old_jobs, changed, indexer)
    finally:
        if early is not None and (start is None or start.indexer is not early):
            early.cancel()
    return start


def _jobs_state(cache: BuildCache) -> dict[str, str] | None:
    """The last build's keys of the jobs that depend on every article (None if any is missing)."""
    from .quick import JOBS

    try:
        jobs = json.loads(cache.state("jobs") or "{}")
    except ValueError:
        return None
    return jobs if isinstance(jobs, dict) and all(isinstance(jobs.get(j), str) for j in JOBS) else None


def _quick(q: Quick, start: QuickStart, fingerprint: str, signatures: dict[str, str], report: BuildReport,
           clock: _Clock) -> bool:
    """Rebuild in place of a full build when only a few articles' text changed (see
    :mod:`marginalia.quick`); False, having changed nothing, when the change is of another kind.
    The few files it changes are replaced in ``output/`` (:func:`~marginalia.writer.write_in_place`:
    no new tree beside it, since linking ten thousand files into one would take longer than the rest)."""
    from .quick import next_snapshot, read_change

    cache, output, snap, indexer = q.cache, q.output, start.snapshot, start.indexer
    search = None
    try:
        change = read_change(snap, start.changed, cache, q.reader.prepare)
        if change is None:
            raise _NotQuick
        previous = cache.pages()
        plan = _quick_plan(q, change, previous, start.jobs)
        if plan.search_changed:
            assert indexer is not None  # a published article's content changed
            search = indexer.files(_changed_docs(change), plan.jobs["search"], start.jobs["search"])
        else:
            start.cancel()
        made: dict[str, bytes | None] = {}
        made.update(_quick_pages(q, change, plan.render))
        made.update(_quick_feeds(q, change, plan.feeds))
        snapshot = next_snapshot(change, signatures, plan.feed_parts)
        existing = files_in(output)
        if any(path not in made and path not in existing for path in plan.keys):
            raise _NotQuick  # a file the last build made is gone from output/: the full build remakes it
        if search is not None:
            made.update(plan.take(search(), "search"))
        made.update(plan.site_files(q.config))
        if q.strict and snap.warnings:  # (before anything is written)
            raise SiteError([dataclasses.replace(w, severity="error") for w in snap.warnings])
        cache.forget()  # until the update below, the cache describes no output: a crash means a full rebuild
        report.stats = write_in_place(output, {path: made.get(path) for path in plan.keys}, existing)
    except _NotQuick:
        if search is not None:  # (asked already: of no use to the full rebuild, which else takes it)
            start.cancel()
        return False
    except BaseException:
        start.cancel()
        raise
    clock.lap("quick")
    report.quick, report.articles, report.rendered = True, len(snap.order), len(plan.render)
    report.warnings.extend(snap.warnings)
    records = [(rel, signatures[rel], change.keys[rel], prepared.entry) for rel, prepared in change.fresh.items()]
    cache.update(records, {p: k for p, k in plan.keys.items() if previous.get(p) != k},
                 [p for p in previous if p not in plan.keys],
                 _state(fingerprint, len(snap.order), report, output, plan.jobs), snapshot)
    clock.lap("cache")
    if indexer is not None:
        indexer.close()  # (it writes the search cache after it answered)
    return True


def _early_updater(site: pathlib.Path, config: Config, cache: BuildCache, blob: bytes | None,
                   jobs: int) -> Updater | None:
    """The search index's updater for a rebuild that may be quick, in a process forked before the
    build lists its content, when the last build left a snapshot (``blob``) and was large enough
    for the updater to get a process: there numpy, the index's cached state and the snapshot's
    documents load while the build checks what changed (the process is killed if nothing did, or
    not only text). Its documents come from the same bytes as the build's snapshot."""
    if blob is None or jobs <= 1 or int(cache.state("articles") or 0) < PARALLEL_MIN:
        return None
    readers: list[Reader] = []

    def load_text(rel: str) -> str:  # (the build's reader does not exist yet; seldom needed)
        if not readers:
            readers.append(Reader(site, content_files(site).sidecars, config.taxonomies,
                                  summaries=bool(config.base_url)))
        return readers[0].doc_text(rel)

    return _updater(site, config, blob, load_text, background=True)


def _updater(site: pathlib.Path, config: Config, blob: bytes | None, load_text: Callable[[str], str], *,
             background: bool, snap: Snapshot | None = None) -> Updater:
    """The search index's updater, starting from the documents the snapshot's build indexed:
    ``snap``'s, or else those of ``blob`` decoded when the updater needs them (in its own process)."""
    from .indexer import Updater
    from .quick import doc_from_fields
    from .search import SearchCache
    from .search_docs import stemmer_language

    def docs() -> list[tuple[str, SearchDoc]]:
        last = snap if snap is not None else decode_snapshot(blob)
        return [] if last is None else [(rel, doc_from_fields(fields)) for rel, fields in last.docs]

    cache = SearchCache(site / CACHE_DIR / "search-index.cache")
    return Updater(stemmer_language(config.language), cache, load_text, docs, background=background)


def _changed_docs(change: Change) -> dict[str, SearchDoc]:
    """The changed articles' search documents, by content file."""
    from .indexer import search_doc

    out = {}
    for rel, prepared in change.fresh.items():
        index = change.position.get(rel)
        if index is not None and prepared.entry.article is not None:
            url = change.order[index][1]
            out[rel] = search_doc(prepared.entry.article, url, prepared.text, key=f"{prepared.entry.key}|{url}")
    return out


def _quick_plan(q: Quick, change: Change, previous: dict[str, str], jobs: dict[str, str]) -> Plan:
    from .fingerprint import TemplateKeys
    from .outputs import config_key
    from .quick import Plan

    templates = TemplateKeys(q.env, q.memo and q.memo / "template-refs.json")
    plan = Plan(change, previous, jobs, config_key(q.config), templates.__getitem__)
    templates.save()
    return plan


def _quick_pages(q: Quick, change: Change, render: list[int]) -> dict[str, bytes]:
    """The changed articles' pages, rendered as the full build renders them."""
    from .outputs import article_extras, render_view
    from .quick import link
    from .templates import load_templates
    from .views import View, own_group_url, page_context

    order, feed_links = change.order, change.snapshot.feed_links
    q.env.globals["feed_links"] = lambda _page: list(feed_links)
    load_templates(q.env, sorted({order[i][3] for i in render}), q.site)
    group_url = own_group_url(q.config.taxonomies)
    made = {}
    for index in render:
        rel, url, _title, layout = order[index]
        prepared = change.fresh[rel]
        entry, article = prepared.entry, prepared.entry.article
        assert article is not None  # it is published
        context = page_context(article, prepared.html, link(order, index - 1), link(order, index + 1), group_url)
        context.update(article_extras(entry, article, url, q.config))
        made[url] = render_view(q.env, q.config, q.site, View(url, layout, context))
    return made


def _quick_feeds(q: Quick, change: Change, feeds: list[FeedMembers]) -> dict[str, bytes]:
    """The feeds that show a changed article, made again from their members' entries."""
    from .feeds import Feed, Summaries, article_updated, feed_files

    if not feeds:
        return {}
    wanted = {rel for feed in feeds for rel in feed[3] if rel not in change.fresh}
    stored = q.cache.records(wanted)
    if len(stored) != len(wanted):
        raise _NotQuick  # a record that cannot be read
    entries = {rel: record[2] for rel, record in stored.items()} | {rel: p.entry for rel, p in change.fresh.items()}
    made: dict[str, bytes] = {}
    for path, title, page, members in feeds:
        articles = tuple(entries[rel].article for rel in members)
        library = Library(articles, tuple(change.order[change.position[rel]][1] for rel in members), {})
        times = [t for a in articles if (t := article_updated(a, q.config)) is not None]
        made.update(feed_files(Feed(path, title, page, tuple(range(len(members)))), library, q.config,
                               Summaries(library, [entries[rel].summary for rel in members]), max(times)))
    return made


class _NotQuick(Exception):
    """The quick rebuild cannot finish; the full one runs instead."""


def _snapshot(frame: str, signatures: dict[str, str], entries: list[Entry], pages: Pages,
              docs: list[tuple[str, DocFields]], report: BuildReport, feed_index: FeedIndex) -> bytes:
    """The snapshot of this build (see :func:`~marginalia.quick.make_snapshot`)."""
    library = pages.library
    feed_links = feed_index.links(library.urls[0]) if library.urls else []  # (an article page's)
    return make_snapshot(frame, signatures, entries, pages, docs, report.warnings, feed_links,
                         feed_index.feeds.values())


def _state(fingerprint: str, articles: int, report: BuildReport, output: pathlib.Path,
           jobs: dict[str, str]) -> dict[str, str]:
    """What the cache records of a good build besides its files (``jobs``: the keys of the jobs
    that depend on every article, for a quick rebuild)."""
    return {"fingerprint": fingerprint, "tool": tool_key(), "articles": str(articles),
            "warnings": str(len(report.warnings)), "output": output_identity(output),
            "jobs": json.dumps(jobs, sort_keys=True)}


def _indexer(site: pathlib.Path, config: Config, reader: Reader, clean: bool, background: bool) -> Indexer:
    """The search index's builder: in a process forked now, before the build holds much memory,
    for a large archive. Its memo of the last build's index is ignored by a clean build."""
    from .indexer import Indexer
    from .search import SearchCache
    from .search_docs import stemmer_language

    cache = SearchCache(site / CACHE_DIR / "search-index.cache", read=not clean)
    return Indexer(stemmer_language(config.language), cache, reader.doc_text, background=background)


def _write(pages: Pages, reader: Reader, fresh: dict[str, Prepared], indexer: Indexer | Revision,
           search: Job | None, previous: dict[str, str], staging: Staging, report: BuildReport, clock: _Clock,
           progress: Progress | None, meanwhile: Callable[[], None] = lambda: None) -> None:
    """Every output file made (or kept) into ``staging``'s new tree, swapped in place of the output
    (``previous``: the last build's files there, with their keys; ``search``: the search index's
    job, if asked for already; ``meanwhile``: called once every page's key and every warning is
    known, while worker processes render, before this one helps them)."""
    workers: list[Started[bool]] = []
    kept: list[bool] = []  # pages the workers found as they were
    try:
        files = _files(pages, reader, fresh, indexer, search, previous, staging, workers, kept, report, clock,
                       progress, meanwhile)
        report.stats = staging.finish(files, keep_if_same=set(previous))
    finally:
        for started in workers:
            started.close()
    report.stats.written -= sum(kept)
    report.stats.unchanged += sum(kept)
    clock.lap("write")


def _unmoved(start: QuickStart, library: Library) -> list[bool]:
    """For each article page of a rebuild after a few edits (``start``: the last build's snapshot,
    the files changed since), whether its key is the last build's: its file unchanged,
    and it and its neighbours at the same places, with the same addresses and titles. (The tool,
    config and layouts are as they were, or the rebuild would not be of that kind.)"""
    order, changed = start.snapshot.order, set(start.changed)
    if len(order) != len(library.urls):
        return [False] * len(library.urls)
    same = [old[0] == article.path and old[1] == url and old[2] == article.title
            for old, article, url in zip(order, library.articles, library.urls, strict=True)]
    last = len(same) - 1
    return [same[i] and (i == 0 or same[i - 1]) and (i == last or same[i + 1]) and order[i][0] not in changed
            for i in range(len(same))]


def _edited(start: QuickStart, cache: BuildCache) -> dict[str, Entry]:
    """The changed files' entries as the last good build read them (read before this build's
    replace them in the cache; a failed build since may have stored others: those are left out)."""
    keys = start.snapshot.keys
    return {rel: row[2] for rel, row in cache.records(start.changed).items() if row[1] == keys.get(rel)}


# What an edit may change of an article and leave every group and the credits as they were.
_LISTED_ONLY = ("title", "standfirst", "byline", "content_note", "updated", "body_line")


def _known_listing_keys(start: QuickStart, edited: dict[str, Entry], pages: Pages, previous: dict[str, str]
                        ) -> dict[str, str]:
    """The last build's keys of the listing pages an edit of a few articles cannot have changed,
    by path (``edited``: the changed files' entries in the last build). When each edit changed
    only what a listing shows of an article (its headline, say: :data:`_LISTED_ONLY`), not what
    it is grouped or credited by, nor its mentions, a listing's context changes only where it
    shows an edited article: the article's groups, the home pages from its old place to its new
    one (a headline moves an article among those of its day), and the pages of the entities its
    passages name. Else (or when an edited file was not read before) none."""
    library, order = pages.library, start.snapshot.order
    changed = set(start.changed)
    old_places = {rel: i for i, (rel, *_rest) in enumerate(order) if rel in changed}
    new_places = {a.path: i for i, a in enumerate(library.articles) if a.path in changed}
    touched: set[str] = set()
    per_page = pages.config.per_page
    for rel in changed:
        old, new = edited.get(rel), pages.entries.get(rel)
        if old is None or new is None or old.article is None or new.article is None:
            return {}  # (a file that could not be read stops the build before this)
        unlisted = {name: getattr(old.article, name) for name in _LISTED_ONLY}
        if dataclasses.replace(new.article, **unlisted) != old.article or new.mentions != old.mentions \
                or (rel in old_places) != (rel in new_places):
            return {}
        if rel not in new_places:
            continue  # a draft, still
        first, last = sorted((old_places[rel], new_places[rel]))
        touched.update("index.html" if n == 1 else f"page/{n}/index.html"
                       for n in range(first // per_page + 1, last // per_page + 2))
        place = new_places[rel]
        touched.update(g.url for groups in library.groups.values() for g in groups if place in g.members)
        if new.article.date is None:
            touched.add("undated/index.html")
        for mention in new.mentions:
            slug = group_slug(mention.name)
            touched.update(f"{kind}/{slug}/index.html" for kind in ENTITY_KINDS)
    return {path: key for path, key in previous.items() if path not in touched}


def _made_in_place(pages: Pages, reader: Reader, fresh: dict[str, Prepared], indexer: Indexer | Revision,
                   previous: dict[str, str], output: pathlib.Path, report: BuildReport, clock: _Clock,
                   unmoved: list[bool], since: str) -> tuple[dict[str, bytes | None], set[str]]:
    """Every output file, made here as :func:`_files` makes them for a new tree (the same keys, in
    the same order), for :func:`~marginalia.writer.write_in_place`: the bytes of those to write,
    None for those ``output`` holds already; and the files it holds. For a rebuild after a few
    edits: the pages to render are few, so they render here (but for the editors' page, in a large
    archive), and no new tree is linked. An article page that is ``unmoved`` keeps the last build's
    key (see :func:`_unmoved`); the search index answers with the files that differ from those of
    ``since``, the index the output holds."""
    from .outputs import editor_files, editor_job_key, search_job, site_jobs

    library = pages.library
    existing = files_in(output)
    by_key = _paths_by_key(previous)
    # (Files of the index the output holds that stay the same come as None: only if all are there.)
    held = _kept(since, by_key, existing) is not None
    search = search_job(pages, indexer, reusable=lambda key: _kept(key, by_key, existing) is not None,
                        since=since if held else None)
    # The editors' page (long when many articles have import warnings) renders in a process of its
    # own meanwhile, when it must be made again in a large archive.
    editor = None
    if pages.jobs > 1 and len(library.articles) >= PARALLEL_MIN \
            and _kept(editor_job_key(pages), by_key, existing) is None:
        editor = Forked(editor_files, pages)
    try:
        files: dict[str, bytes | None] = {}
        given: list[str] = []  # every path, as made: more than the files, and two gave one path
        for index, url in enumerate(library.urls):
            old = previous.get(url)
            key = pages.keys[url] = old if unmoved[index] and old is not None else pages.article_key(index)
            given.append(url)
            if old == key and url in existing:
                files[url] = None
                continue
            rel = library.articles[index].path
            body = p.html if (p := fresh.get(rel)) is not None else reader.prepare(rel).html
            files[url] = pages.article_page(index, body)
            report.rendered += 1
        for job in site_jobs(pages, search, None if editor is None else editor.result):
            view = job.view
            if view is not None and _kept(job.key, by_key, existing) is None:
                made: Iterable[tuple[str, bytes | None]] = [(view.path, pages.render(view))]
            else:
                made = _job_files(job, by_key, existing)
            for path, data in made:
                job.pages_out[path] = job.key
                given.append(path)
                files[path] = data
        if len(given) != len(files) or not previous.keys() >= files.keys():
            # A path given twice, or one the last build did not have (it checked the others against
            # each other): checked as the new tree's are, which says which and why.
            folded: dict[str, str] = {}
            for path in given:
                claim(path, folded, previous)
        clock.lap("render")
        report.warnings.extend(w for index in range(len(library.urls)) for w in pages.entry(index).warnings)
        return files, existing
    finally:
        if editor is not None:
            editor.close()


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
    if cache.state("fingerprint") != fingerprint or not _describes(cache, output):
        return False
    return not (strict and cache.state("warnings") not in (None, "0"))


def _describes(cache: BuildCache, output: pathlib.Path) -> bool:
    """Whether the cache's last build is what ``output`` holds: the folder it swapped in (not one
    a build killed after the swap left), made by a build."""
    return cache.state("output") == output_identity(output) and (output / MARKER).is_file()


def _layouts_signature(site: pathlib.Path) -> str:
    """Sizes and mtimes of the site's layouts and config: any edit changes it."""
    parts = []
    for p in sorted([site / "config.yaml", *(site / "layouts").rglob("*")]):
        if p.is_file():
            st = p.stat()
            parts.append(f"{p}:{st.st_size}:{st.st_mtime_ns}")
    return digest(*parts)


class Reader:
    """Reads content files for the build: parsed, keyed and their bodies rendered (one
    :class:`~marginalia.articles.BodyRenderer` per process, made when first needed)."""

    def __init__(self, site: pathlib.Path, sidecars: frozenset[str], taxonomies: Sequence[str],
                 summaries: bool = True) -> None:
        self.site, self.sidecars, self.taxonomies, self.summaries = site, sidecars, tuple(taxonomies), summaries
        self.prefix = str(site) + os.sep
        self._renderer: BodyRenderer | None = None

    def renderer(self) -> BodyRenderer:
        """This process's body renderer (made, and the modules it needs imported, when first asked)."""
        if self._renderer is None:
            from .articles import BodyRenderer

            self._renderer = BodyRenderer(self.taxonomies, self.summaries)
        return self._renderer

    def prepare(self, rel: str) -> Prepared:
        """One content file, by its path in the site."""
        from .articles import prepare

        return prepare(self.site, self.prefix + rel.replace("/", os.sep), rel, self.sidecars, self.renderer())

    def doc_text(self, rel: str) -> str:
        """What the search index reads of one content file's article, read again (the index asks
        only for the texts its cache does not know)."""
        from .indexer import doc_text

        prepared = self.prepare(rel)
        assert prepared.entry.article is not None  # it was read without error before
        return doc_text(prepared.entry.article, prepared.text)

    def record(self, rel: str) -> tuple[bytes, str, str]:
        """One content file prepared, as a worker sends it back: its entry as the cache stores it
        (pickled here, in the worker, once), its body's HTML and its text."""
        prepared = self.prepare(rel)
        return encode_record(prepared.entry), prepared.html, prepared.text


def _load(reader: Reader, rels: list[str], signatures: dict[str, str], cache: BuildCache,
          indexer: Indexer | Revision, progress: Progress | None, jobs: int,
          records: Mapped[tuple[bytes, str, str]] | None = None, last: Snapshot | None = None
          ) -> tuple[list[Entry], dict[str, Prepared], list[tuple[str, DocFields]]]:
    """Every content file's entry, in content order: from the cache where the file's signature is
    unchanged, else read anew (those, with their rendered bodies, also by path in the second
    result; ``records``: every file's, when their reading started already). New records go to the
    cache, and every article to the indexer, as they arrive (and, without its text, to the third
    result); but with ``last``, the last build's snapshot, not an article whose entry is as that
    build read it: its document is the snapshot's (for a :class:`~marginalia.indexer.Revision`)."""
    from .articles import Prepared
    from .indexer import search_doc
    from .quick import doc_fields

    # Records made by other code (a development checkout, an upgrade within a version) are not used.
    cached = cache.files() if cache.state("tool") == tool_key() else {}
    usable = {rel: hit[2] for rel in rels if (hit := cached.get(rel)) is not None and hit[0] == signatures[rel]}
    todo = [rel for rel in rels if rel not in usable]
    kept, last_keys = (dict(last.docs), last.keys) if last is not None else ({}, {})
    assert records is None or not usable  # (they are started only for a build that reuses no record)
    records = records or _readers(reader, todo, jobs)
    entries: list[Entry] = []
    fresh: dict[str, Prepared] = {}
    batch: list[tuple[str, str, str, bytes]] = []
    docs: list[tuple[str, DocFields]] = []
    found = Problems()
    try:
        for n, rel in enumerate(rels):
            entry, text = usable.get(rel), None
            if entry is None:
                blob, html, text = next(records)
                entry = decode_record(blob)
                fresh[rel] = Prepared(entry, html, "")  # the text goes to the indexer only
                batch.append((rel, signatures[rel], entry.key, blob))
                if len(batch) >= STAGE_BATCH:
                    cache.stage(batch)
                    batch = []
            entries.append(entry)
            found.extend(entry.problems)
            if entry.article is not None and not entry.article.draft:
                fields = kept.get(rel)
                if fields is None or last_keys.get(rel) != entry.key:
                    url = article_url(entry.article)
                    doc = search_doc(entry.article, url, text, key=f"{entry.key}|{url}")
                    indexer.add(rel, doc)
                    fields = doc_fields(doc)
                docs.append((rel, fields))
            if progress and ((n + 1) % 500 == 0 or n + 1 == len(rels)):
                progress("read", n + 1, len(rels))
    finally:
        records.close()  # (every result taken: the pool's processes end)
    cache.stage(batch)
    found.raise_if_any()
    return entries, fresh, docs


def _readers(reader: Reader, rels: list[str], jobs: int) -> Mapped[tuple[bytes, str, str]]:
    """Every file of ``rels`` read (:meth:`Reader.record`), in processes forked now when there are
    enough: the body renderer is made here first, once, not imported and made in each of them."""
    if can_fork(len(rels), jobs):
        reader.renderer()
    return Mapped(_record, rels, (reader,), jobs)


def _record(rel: str, reader: Reader) -> tuple[bytes, str, str]:
    return reader.record(rel)


def _rels(site: pathlib.Path, paths: Sequence[str]) -> list[str]:
    """Each path (under ``site``) relative to it, with forward slashes (as ``relative_to``, faster)."""
    cut = len(str(site)) + 1
    return [p[cut:].replace(os.sep, "/") for p in paths]


def _files(pages: Pages, reader: Reader, fresh: dict[str, Prepared], indexer: Indexer | Revision,
           search: Job | None, previous: dict[str, str], staging: Staging, workers: list[Started[bool]],
           kept: list[bool], report: BuildReport, clock: _Clock, progress: Progress | None,
           meanwhile: Callable[[], None]) -> Iterator[tuple[str, Data]]:
    """Every output file in a fixed order: ``None`` where the previous file is still right,
    ``WRITTEN`` for the pages that worker processes write into the staging tree. The search index
    is asked for first (unless ``search`` was); then the page workers start on the article pages
    and the listings to make (a rebuild keys the listings first, to know which), while this process
    keys the rest and makes the feeds, exports and other pages; then it renders pages too, until
    none is left. How many pages the workers found unchanged goes to ``kept``."""
    from .outputs import search_job, site_jobs

    library = pages.library
    existing = staging.old_files() if previous else set()
    keys = [pages.article_key(index) for index in range(len(library.urls))] if previous else []
    todo = [i for i, url in enumerate(library.urls) if not previous or previous.get(url) != keys[i]
            or url not in existing]
    report.rendered = len(todo)
    by_key = _paths_by_key(previous)
    search = search or search_job(pages, indexer, reusable=lambda key: _kept(key, by_key, existing) is not None)
    bodies = {i: p.html for i in todo if (p := fresh.get(library.articles[i].path)) is not None}
    jobs = site_jobs(pages, search)
    count = len(pages.listing_views)
    # A rebuild keys the listings now, to know which to make; a cold build makes them all (keyed below).
    listings = list(itertools.islice(jobs, count)) if previous else None
    made = set(range(count)) if listings is None else \
        {place for place, job in enumerate(listings) if _kept(job.key, by_key, existing) is None}
    staging.linked_files()  # the workers replace linked files: the linking must be over (no-op if asked)
    written = start_forked(_write_page, [*todo, *(Listing(place) for place in sorted(made))],
                           (pages, reader, bodies, staging), pages.jobs, chunksize=32)
    workers.append(written)
    # While the workers render: a cold build's page keys, and every page's path claimed (each worker
    # checks a path is safe before it writes; here they are checked against each other).
    keys = keys or [pages.article_key(index) for index in range(len(library.urls))]
    for index in todo:
        staging.claim(library.urls[index])
    rendering = set(todo)
    for index, url in enumerate(library.urls):
        pages.keys[url] = keys[index]
        yield url, WRITTEN if index in rendering else None
    for job in itertools.islice(jobs, count) if listings is None else listings:
        if job.listing in made:
            assert job.view is not None
            staging.claim(job.view.path)
            job.pages_out[job.view.path] = job.key
            yield job.view.path, WRITTEN
        else:
            yield from _job_files(job, by_key, existing)
    for job in jobs:
        yield from _job_files(job, by_key, existing)
    report.warnings.extend(w for index in range(len(library.urls)) for w in pages.entry(index).warnings)
    meanwhile()
    for done, wrote in enumerate(written, 1):
        kept.append(not wrote)
        if progress and done <= len(todo) and (done % 500 == 0 or done == len(todo)):
            progress("articles", done, len(todo))  # (the listings come after the articles)
    clock.lap("render")  # (with workers, the pages rendered meanwhile; else here, just now)


class Listing(NamedTuple):
    """A listing page, by its place in :attr:`~marginalia.outputs.Pages.listing_views`."""

    place: int


def _write_page(item: int | Listing, pages: Pages, reader: Reader, bodies: dict[int, str], staging: Staging) -> bool:
    """One article page (by its place in the library) or a listing, rendered and written into the
    staging tree (in a worker process, or this one); False when the old page, linked there, had the
    same bytes and was left as it was."""
    if isinstance(item, Listing):
        view = pages.listing_views[item.place]
        return staging.write(view.path, pages.render(view))
    body = bodies.get(item)
    if body is None:  # content unchanged, page not (a neighbour's title, a layout): read it again
        body = reader.prepare(pages.library.articles[item].path).html
    return staging.write(pages.library.urls[item], pages.article_page(item, body))


def _job_files(job: Job, by_key: dict[str, list[str]], existing: AbstractSet[str]
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


def _paths_by_key(previous: dict[str, str]) -> dict[str, list[str]]:
    """The last build's files by their key (``previous``: their keys by path)."""
    by_key: dict[str, list[str]] = {}
    for path, key in previous.items():
        by_key.setdefault(key, []).append(path)
    return by_key


def _kept(key: str, by_key: dict[str, list[str]], existing: AbstractSet[str]) -> list[str] | None:
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


def _records(entries: list[Entry], signatures: dict[str, str], fresh: dict[str, Prepared]
             ) -> Iterator[tuple[str, str, str, object]]:
    """What the cache keeps per content file: its signature, key and entry (stored already where
    this build read the file)."""
    for entry in entries:
        yield entry.rel, signatures.get(entry.rel, ""), entry.key, STAGED if entry.rel in fresh else entry


class _Clock:
    """Records the time each stage took into the report."""

    def __init__(self, report: BuildReport):
        self.report, self.last = report, time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.report.timings[stage] = self.report.timings.get(stage, 0.0) + now - self.last
        self.last = now


