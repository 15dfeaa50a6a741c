"""The quick rebuild: a few articles' text edited, and nothing else.

Input: the content files' stat signatures, the :class:`Snapshot` the last good
build left with the cache, and the cached records of the files that changed.
Output: what a full rebuild would make of that change -- the same files and
the same cache -- without reading the other records, assembling the library
or keying every listing; or ``None`` when the change is not of that kind, and
the full rebuild runs.

The kind: only content files changed (no file added or removed; the tool,
config and layouts as they were) -- at most :data:`QUICK_MAX` of them -- and
each one's entry (everything about it but its body's text: headline, dates,
tags, entities, annotations and where they anchor, warnings) is equal to the
cached one but for its key and the text feeds show of it. Fixing a typo is
that kind; changing a headline is not. Then nothing outside the articles' own
pages depends on the change except the search index, the feeds that show a
changed opening, the keys of the W3C exports (whose bytes depend on the
entries only) and the site files that list every page's key (the offline
manifest, the service worker's version; the sitemap, its own job keyed by the
pages' paths and dates, stays as it is).
``tests/test_quick.py`` checks each case against a full build and a clean
one, byte for byte. Pure: the pipeline renders, writes and commits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .cache import digest, encode_record
from .errors import Problem

if TYPE_CHECKING:
    from .articles import Entry, Prepared
    from .cache import BuildCache
    from .feeds import Feed
    from .model import Config
    from .outputs import Pages
    from .search import SearchDoc

QUICK_MAX = 16  # changed content files a quick rebuild takes on; more go through the full one
JOBS = ("search", "w3c", "editor", "feeds", "site")  # the jobs that depend on every article (outputs.site_jobs)
DocFields = tuple[Any, ...]  # a search document's fields but its text (see doc_fields)
FeedMembers = tuple[str, str, str, tuple[str, ...]]  # a feed's path, title and page, its articles' paths


@dataclasses.dataclass
class Snapshot:
    """What a build leaves for the next one to start from, besides the per-file records."""

    frame: str  # of the tool's code, the config and the layouts
    signatures: dict[str, str]  # every content file's stat signature
    keys: dict[str, str]  # every content file's entry key (drafts too)
    order: list[tuple[str, str, str, str]]  # the published articles in the library's order: rel, url, title, layout
    docs: list[tuple[str, DocFields]]  # each search document (rel, fields), in content order
    warnings: list[Problem]  # the build's warnings, in the order it reported them
    feed_links: list[Any]  # the feeds an article page announces (the same for every article)
    feed_parts: list[str]  # what the feeds show of each article, as a key (Entry.feed_key), in order
    feeds: list[FeedMembers]  # every feed


def doc_fields(doc: SearchDoc) -> DocFields:
    """A search document as the snapshot keeps it: without its text."""
    return (doc.url, doc.title, doc.date, doc.content_note, doc.tags, doc.people, doc.organizations, doc.places,
            doc.key)


def doc_from_fields(fields: DocFields) -> SearchDoc:
    """The document of :func:`doc_fields`, its text left for the index to read if it must."""
    from .search import SearchDoc

    url, title, date, note, tags, people, organizations, places, key = fields
    return SearchDoc(url, title, date, note, "", tags, people, organizations, places, key)


def make_snapshot(frame: str, signatures: dict[str, str], entries: Iterable[Entry],
                  pages: Pages, docs: list[tuple[str, DocFields]], warnings: Sequence[Problem],
                  feed_links: list[Any], feeds: Iterable[Feed]) -> bytes:
    """The snapshot of a full build, pickled for the cache."""
    library = pages.library
    order = [(a.path, url, a.title, pages.layout(i)) for i, (a, url) in
             enumerate(zip(library.articles, library.urls, strict=True))]
    members = [(f.path, f.title, f.page, tuple(library.articles[i].path for i in f.members)) for f in feeds]
    return encode_record(Snapshot(frame, signatures, {e.rel: e.key for e in entries}, order, docs,
                                  list(warnings), feed_links, pages.feed_parts, members))


@dataclasses.dataclass
class Change:
    """A quick rebuild's input: the snapshot and the changed files, read again."""

    snapshot: Snapshot
    fresh: dict[str, Prepared]  # the changed files, by path in the site
    retold: set[str]  # those whose feed text changed
    keys: dict[str, str]  # every content file's entry key after the change
    position: dict[str, int]  # each published article's place in the library

    @property
    def order(self) -> list[tuple[str, str, str, str]]:
        return self.snapshot.order


def changed_files(snapshot: Any, frame: str, signatures: Mapping[str, str]) -> list[str] | None:
    """The content files changed since the snapshot's build, when a quick rebuild may take them on,
    else None."""
    if not isinstance(snapshot, Snapshot) or snapshot.frame != frame:
        return None
    if snapshot.signatures.keys() != signatures.keys():
        return None  # a file added or removed
    changed = [rel for rel, sig in signatures.items() if snapshot.signatures[rel] != sig]
    return changed if 0 < len(changed) <= QUICK_MAX else None


def read_change(snapshot: Snapshot, changed: list[str], cache: BuildCache,
                prepare: Callable[[str], Prepared]) -> Change | None:
    """The changed files read again (``prepare(rel)``), when a quick rebuild can take them: each
    one's entry is the cached one but for its key and feed text. Else None."""
    stored = cache.records(changed)
    fresh: dict[str, Prepared] = {}
    retold = set()
    for rel in changed:
        if rel not in stored or stored[rel][1] != snapshot.keys.get(rel):
            return None
        old: Entry = stored[rel][2]
        prepared = prepare(rel)
        entry = prepared.entry
        if entry.problems or dataclasses.replace(entry, key=old.key, summary=old.summary, feed_key=old.feed_key) != old:
            return None  # an error to report, or more changed than the text
        fresh[rel] = prepared
        if entry.summary != old.summary:
            retold.add(rel)
    keys = dict(snapshot.keys)
    keys.update((rel, p.entry.key) for rel, p in fresh.items())
    return Change(snapshot, fresh, retold, keys, {rel: i for i, (rel, *_rest) in enumerate(snapshot.order)})


def neighbours(order: Sequence[tuple[str, str, str, str]], index: int) -> list[tuple[str, str]]:
    """The (url, title) of the articles before and after ``index``, as a page key names them."""
    return [(order[i][1], order[i][2]) for i in (index - 1, index + 1) if 0 <= i < len(order)]


def link(order: Sequence[tuple[str, str, str, str]], index: int) -> dict[str, str] | None:
    """An article page's newer or older link (``views._link``)."""
    return {"url": order[index][1], "title": order[index][2]} if 0 <= index < len(order) else None


def next_snapshot(change: Change, signatures: dict[str, str], feed_parts: list[str]) -> bytes:
    """The snapshot after a quick rebuild: the new signatures, keys, search documents' keys and
    feed parts."""
    snap = change.snapshot
    docs = [(rel, (*fields[:-1], f"{change.keys[rel]}|{fields[0]}") if rel in change.fresh else fields)
            for rel, fields in snap.docs]
    return encode_record(dataclasses.replace(snap, signatures=signatures, keys=change.keys, docs=docs,
                                             feed_parts=feed_parts))


class Plan:
    """The keys of every output file after a change, and which files to make again."""

    def __init__(self, change: Change, previous: dict[str, str], jobs: dict[str, str], config_key: str,
                 template_key: Callable[[str], str]) -> None:
        """``previous``: every output file's key in the snapshot's build, ``jobs``: the keys of its
        jobs that depend on every article (:data:`JOBS`); ``template_key(name)``: the key of a
        layout with the templates it uses."""
        from .outputs import contents_key, editor_key, page_key

        snap, order, keys = change.snapshot, change.order, change.keys
        self.snapshot, self.old_jobs = snap, jobs
        self.keys = dict(previous)  # every output file's key after the change
        self.render: list[int] = []  # the article pages to render, by place in the library
        for rel in change.fresh:
            index = change.position.get(rel)
            if index is None:
                continue  # a draft: no page
            _rel, url, _title, layout = order[index]
            self.keys[url] = page_key(config_key, template_key(layout), keys[rel], index == 0,
                                      neighbours(order, index))
            self.render.append(index)
        whole = contents_key(config_key, ((url, keys[rel]) for rel, url, _title, _layout in order))
        self.jobs = {**jobs, "search": digest("search", whole), "w3c": digest("w3c", whole),
                     "editor": editor_key(config_key, template_key("editor.html"), whole)}
        self.by_key: dict[str, list[str]] = {}
        self.made: dict[str, list[str]] = {}  # the files of the jobs made again, by job
        for path, key in previous.items():
            self.by_key.setdefault(key, []).append(path)
        for job in ("w3c", "editor"):  # their bytes depend on the entries only: kept, newly keyed
            for path in self.files_of(job):
                self.keys[path] = self.jobs[job]
        # The feeds: those that show an article whose feed text changed are made again (by the
        # caller, from their members' entries); the others' bytes stay as they are.
        self.feed_parts = parts = list(snap.feed_parts)
        for rel in change.retold:
            if (index := change.position.get(rel)) is not None:
                parts[index] = change.fresh[rel].entry.feed_key
        self.jobs["feeds"] = digest("feeds", config_key, *parts)
        for path in self.files_of("feeds"):
            self.keys[path] = self.jobs["feeds"]
        self.feeds = [feed for feed in snap.feeds if change.retold.intersection(feed[3])] \
            if self.jobs["feeds"] != jobs["feeds"] else []

    @property
    def search_changed(self) -> bool:
        return self.jobs["search"] != self.old_jobs["search"]

    def files_of(self, job: str) -> list[str]:
        """A job's files: the new ones once :meth:`take` has them, else the snapshot build's."""
        return self.made.get(job) or self.by_key.get(self.old_jobs[job], [])

    def take(self, files: Iterable[tuple[str, bytes | None]], job: str) -> dict[str, bytes | None]:
        """A job's files made again, in place of its old ones (None: as the old file)."""
        for path in self.files_of(job):
            del self.keys[path]
        made = dict(files)
        for path in made:
            self.keys[path] = self.jobs[job]
        self.made[job] = list(made)
        return made

    def site_files(self, config: Config) -> dict[str, bytes | None]:
        """The files that list every other file's key, made again when one of those changed (call
        last: they describe every other file)."""
        from .meta import site_files, site_key

        old = set(self.files_of("site"))
        keys = {path: key for path, key in self.keys.items() if path not in old}
        whole = site_key(keys)
        self.jobs["site"] = digest("site", whole)
        if self.jobs["site"] == self.old_jobs["site"]:
            return {}
        return self.take(site_files(keys, whole, config), "site")
