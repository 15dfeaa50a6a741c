"""The build cache can only save work: after random edits, a cached build equals a clean one byte for byte."""

from __future__ import annotations

import os
import pathlib
import random
import sys

import pytest

from marginalia.errors import SiteError
from marginalia.pipeline import build

from conftest import REPO, article, tree_bytes

TAGS = ["police", "courts", "health", "sport", "science"]
PEOPLE = ["Ian Quinn", "Kevin Laws", "Mark Luscombe", "Andrea Grossman"]


def _write(site: pathlib.Path, n: int, rng: random.Random) -> None:
    date = f"20{rng.randint(10, 20)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    tags = rng.sample(TAGS, rng.randint(0, 2))
    people = rng.sample(PEOPLE, rng.randint(0, 2))
    body = " ".join(rng.choice(["Police", "said", "the", "court", "heard", "today.", "*new*", "rules"])
                    for _ in range(rng.randint(5, 60)))
    fields = {"tags": "[" + ", ".join(tags) + "]", "people": "[" + ", ".join(people) + "]"}
    if rng.random() < 0.3:
        fields["content_note"] = '"Discusses violence."'
    (site / "content" / f"a{n}.md").write_text(article(f"Story {n} {rng.randint(0, 9)}", date, body, **fields))


def _large(monkeypatch) -> None:
    """Builds forked as in a large archive, whatever the number of articles."""
    import marginalia.pipeline
    import marginalia.workers

    monkeypatch.setattr(marginalia.workers, "PARALLEL_MIN", 1)
    monkeypatch.setattr(marginalia.pipeline, "PARALLEL_MIN", 1)


def _built(make_site, seed: int, count: int, jobs: int = 2) -> tuple[pathlib.Path, random.Random]:
    """A site of ``count`` random articles, built once; and the random source, to edit it on."""
    rng = random.Random(seed)
    site = make_site()
    for n in range(count):
        _write(site, n, rng)
    build(site, jobs=jobs)
    return site, rng


def test_random_edits_then_cached_build_equals_clean_build(make_site, tmp_path: pathlib.Path) -> None:
    rng = random.Random(20140618)
    site = make_site()
    for n in range(30):
        _write(site, n, rng)
    build(site)
    for round_ in range(6):
        existing = sorted((site / "content").glob("*.md"))
        for path in rng.sample(existing, 4):  # edit some, delete one, add one
            _write(site, int(path.stem[1:]), rng)
        rng.choice(existing).unlink()
        _write(site, 100 + round_, rng)
        if round_ == 3:  # a layout change re-renders what uses it
            (site / "layouts" / "credits.html").write_text(
                '{% extends "base.html" %}{% block main %}Credits, round 3{% endblock %}')
        build(site)
        clean = tmp_path / f"clean-{round_}"
        build(site, output=clean, clean=True)
        assert tree_bytes(site / "output") == tree_bytes(clean), f"round {round_}"


def test_forked_builds_equal_clean_builds(make_site, tmp_path: pathlib.Path, monkeypatch) -> None:
    """The same with the work forked as in a large archive: files read by a pool, pages written by
    worker processes straight into the new tree, the search index built in its own process."""
    _large(monkeypatch)
    site, rng = _built(make_site, 1812, 40)
    for round_ in range(4):
        existing = sorted((site / "content").glob("*.md"))
        for path in rng.sample(existing, 5):
            _write(site, int(path.stem[1:]), rng)
        rng.choice(existing).unlink()
        _write(site, 200 + round_, rng)
        if round_ == 2:  # every page of one layout made anew, from content that did not change
            (site / "layouts" / "article.html").write_text(
                '{% extends "base.html" %}{% block main %}<h1>{{ article.title }}</h1>{{ body }}{% endblock %}')
        report = build(site, jobs=2)
        assert report.rendered >= 5
        clean = tmp_path / f"clean-{round_}"
        build(site, output=clean, clean=True, jobs=2)
        assert tree_bytes(site / "output") == tree_bytes(clean), f"round {round_}"
        assert tree_bytes(clean) == tree_bytes(_single(site, tmp_path / f"one-{round_}"))


@pytest.mark.parametrize("breakage", ["content", "layout", "disk"])
def test_a_failed_forked_build_leaves_the_output_and_no_process(make_site, monkeypatch, breakage: str) -> None:
    """A clean build of a large archive starts its readers and indexer before anything is checked;
    when it then fails (on a content file, on a layout once all is read, or making its new tree
    before reading), they are stopped and the last output stays as it was."""
    import multiprocessing

    import marginalia.pipeline

    _large(monkeypatch)
    site, _rng = _built(make_site, 7, 40)
    before = tree_bytes(site / "output")
    if breakage == "content":
        (site / "content" / "a7.md").write_text("---\ntitle: [unclosed\n---\nText.\n")
    elif breakage == "layout":
        (site / "layouts" / "article.html").write_text("{% block main %}{{ unclosed( {% endblock %}")
    else:
        def full_disk(*args: object, **kwargs: object) -> None:
            raise OSError(28, "No space left on device")
        monkeypatch.setattr(marginalia.pipeline, "Staging", full_disk)
    with pytest.raises(OSError if breakage == "disk" else SiteError):
        build(site, clean=True, jobs=2)
    assert not multiprocessing.active_children()
    assert tree_bytes(site / "output") == before


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_build_that_fails_rendering_leaves_the_cache_as_it_was(make_site, monkeypatch, jobs: int) -> None:
    """The cache's new rows are written while the pages render and committed after the swap: a page
    that fails to render (after they were written) leaves the cache describing the last good build."""
    from marginalia.cache import BuildCache

    _large(monkeypatch)
    site, rng = _built(make_site, 11, 30, jobs)
    before, output = tree_bytes(site / "output"), site / "output"

    def stored() -> tuple[object, ...]:
        cache = BuildCache(site, output, variant="feeds=True")  # (the test config has a base URL)
        try:
            return cache.state("fingerprint"), cache.state("output"), cache.snapshot_bytes(), cache.pages()
        finally:
            cache.close()

    last = stored()
    assert last[0] and last[2]
    _write(site, 3, rng)
    (site / "layouts" / "article.html").write_text('{% extends "base.html" %}{% block main %}{{ article.nope }}'
                                                   '{% endblock %}')
    with pytest.raises(SiteError):
        build(site, jobs=jobs)
    assert stored() == last
    assert tree_bytes(site / "output") == before


def _single(site: pathlib.Path, output: pathlib.Path) -> pathlib.Path:
    """A clean build in this process alone."""
    build(site, output=output, clean=True, jobs=1)
    return output


def _forked(monkeypatch) -> list[frozenset[str]]:
    """Builds forked as in a large archive; returns what each build's linking process linked in."""
    from marginalia.writer import Staging

    _large(monkeypatch)
    seen: list[frozenset[str]] = []
    original = Staging.linked_files

    def linked_files(self: Staging) -> frozenset[str]:
        linked = original(self)
        seen.append(linked)
        return linked

    monkeypatch.setattr(Staging, "linked_files", linked_files)
    return seen


def test_linked_old_site_loses_what_is_gone(make_site, tmp_path: pathlib.Path, monkeypatch) -> None:
    """A rebuild links the old site in first: files and folders the new build does not make are gone
    from it afterwards, and pages it makes again replace their links without touching the old files."""
    seen = _forked(monkeypatch)
    site = make_site()
    for n, date in enumerate(["2019-01-05", "2019-01-09", "2020-03-01", "2021-07-04"]):
        (site / "content" / f"a{n}.md").write_text(article(f"Story {n}", date, f"Body {n}.", tags="[lonely]"
                                                           if n == 3 else "[police]"))
    build(site, jobs=2)
    assert seen and not any(seen)  # a first build has nothing to link
    seen.clear()
    old_page = site / "output" / "2019" / "01" / "a0.html"
    old_inode, old_bytes = old_page.stat().st_ino, old_page.read_bytes()
    (site / "content" / "a3.md").unlink()  # the only article of 2021, and of its tag
    (site / "content" / "a0.md").write_text(article("Story 0", "2019-01-05", "Body 0, edited."))
    build(site, jobs=2)
    assert "2021/07/a3.html" in seen[0] and "tags/lonely/index.html" in seen[0]
    assert not (site / "output" / "2021").exists() and not (site / "output" / "tags" / "lonely").exists()
    clean = tmp_path / "clean"
    build(site, output=clean, clean=True, jobs=1)
    assert tree_bytes(site / "output") == tree_bytes(clean)
    assert b"Body 0, edited." in (site / "output" / "2019" / "01" / "a0.html").read_bytes()
    assert (site / "output" / "2019" / "01" / "a0.html").stat().st_ino != old_inode
    assert old_bytes != (site / "output" / "2019" / "01" / "a0.html").read_bytes()


def test_linking_that_fails_falls_back(make_site, tmp_path: pathlib.Path, monkeypatch) -> None:
    """When the linking process dies halfway, the build empties the new tree and links as it goes."""
    import marginalia.writer

    seen = _forked(monkeypatch)

    def half_then_die(old: str, new_root: str, report: object) -> None:
        for rel in sorted(marginalia.writer.files_in(pathlib.Path(old)))[:3]:
            os.makedirs(os.path.dirname(new_root + rel) or new_root, exist_ok=True)
            os.link(f"{old}/{rel}", new_root + rel)
        os._exit(3)

    monkeypatch.setattr(marginalia.writer, "_link_tree", half_then_die)
    site = make_site()
    for n in range(5):
        (site / "content" / f"a{n}.md").write_text(article(f"Story {n}", f"2019-0{n + 1}-05", f"Body {n}."))
    build(site, jobs=2)
    # (a new article: a few edits of existing files are written in place, which links nothing)
    (site / "content" / "a1.md").write_text(article("Story 1, edited", "2019-02-05", "Body 1, edited."))
    (site / "content" / "a5.md").write_text(article("Story 5", "2019-07-05", "Body 5."))
    seen.clear()
    build(site, jobs=2)
    assert seen and not any(seen)
    clean = tmp_path / "clean"
    build(site, output=clean, clean=True, jobs=1)
    assert tree_bytes(site / "output") == tree_bytes(clean)


def test_other_code_reads_every_file_again(make_site, monkeypatch) -> None:
    """Cached records hold what the code of their build parsed: changed code parses again, so that
    its pages and their keys (which the offline manifest lists) are a clean build's."""
    import marginalia.articles
    import marginalia.outputs
    import marginalia.pipeline

    site = make_site()
    for n in range(3):
        (site / "content" / f"a{n}.md").write_text(article(f"Story {n}", "2019-01-05", f"Body {n}."))
    build(site, jobs=1)
    read: list[str] = []
    original = marginalia.pipeline.Reader.prepare

    def prepare(self: marginalia.pipeline.Reader, rel: str) -> object:
        read.append(rel)
        return original(self, rel)

    monkeypatch.setattr(marginalia.pipeline.Reader, "prepare", prepare)
    (site / "content" / "a0.md").write_text(article("Story 0", "2019-01-05", "Body 0, edited."))
    build(site, jobs=1)
    assert read == ["content/a0.md"]
    read.clear()
    for module in (marginalia.articles, marginalia.outputs, marginalia.pipeline):
        monkeypatch.setattr(module, "tool_key", lambda: "other code")
    build(site, jobs=1)
    assert sorted(read) == ["content/a0.md", "content/a1.md", "content/a2.md"]


def test_workers_render_the_listings_and_keep_pages_whose_bytes_did_not_change(
        make_site, tmp_path: pathlib.Path, monkeypatch) -> None:
    """In a forked build the listings are shared out with the article pages, each rendered once, by
    whichever process takes its chunk. A page whose key changed but whose bytes did not (a comment
    added to its layout) is left as it was: the same file, counted as unchanged."""
    import marginalia.outputs

    seen = _forked(monkeypatch)
    renders = tmp_path / "renders.txt"
    original = marginalia.outputs.Pages.render

    def render(self: marginalia.outputs.Pages, view: marginalia.outputs.View) -> bytes:
        with renders.open("a") as log:  # (from any process)
            log.write(f"{os.getpid()} {view.path}\n")
        return original(self, view)

    monkeypatch.setattr(marginalia.outputs.Pages, "render", render)
    rng = random.Random(7)
    site = make_site()
    for n in range(12):
        _write(site, n, rng)
    layout = site / "layouts" / "article.html"
    layout.parent.mkdir(exist_ok=True)
    layout.write_text((pathlib.Path(marginalia.outputs.__file__).parent / "layouts" / "article.html").read_text())
    build(site, jobs=2)
    paths = [line.split(" ", 1)[1] for line in renders.read_text().splitlines()]
    assert len(paths) == len(set(paths)) and {"index.html", "archive/index.html"} <= set(paths)
    files = sorted(p for p in (site / "output").rglob("*") if p.is_file())
    before = {p: p.stat().st_ino for p in files}
    layout.write_text(layout.read_text() + "{# the same pages #}\n")
    report = build(site, jobs=2)
    assert seen[-1]  # a rebuild that linked the old site in
    after = {p: p.stat().st_ino for p in files}
    new = sorted(str(p.relative_to(site / "output")) for p in files if after[p] != before[p])
    # Rendered again, all the same; only the files that name every file's key are new.
    assert report.rendered == 12 and new == ["offline-manifest.json", "sw.js"]
    assert report.stats.written == len(new)
    clean = tmp_path / "clean"
    build(site, output=clean, clean=True, jobs=1)
    assert tree_bytes(site / "output") == tree_bytes(clean)
    # A listing that fails in a worker fails the build, as it would here; the site stays as it was.
    (site / "layouts" / "list.html").write_text('{% extends "base.html" %}{% block main %}'
                                               '{{ items|length // 0 }}{% endblock %}')
    with pytest.raises(SiteError) as caught:
        build(site, jobs=2)
    assert "list.html" in caught.value.problems[0].format()
    assert tree_bytes(site / "output") == tree_bytes(clean)


def test_cache_records_follow_the_content_after_first_clean_and_cached_builds(make_site) -> None:
    """The cache holds a record for every content file and none other: after a first build (which
    stores its records as it reads and skips comparing them at the end), after a --clean one that
    follows a deleted file (the same), and after a cached one that follows another."""
    import sqlite3

    from marginalia.cache import CACHE_DIR

    rng = random.Random(7)
    site = make_site()
    for n in range(6):
        _write(site, n, rng)

    def records() -> list[str]:
        with sqlite3.connect(site / CACHE_DIR / "cache.sqlite") as db:
            return sorted(rel for (rel,) in db.execute("SELECT rel FROM files"))

    build(site)
    assert records() == [f"content/a{n}.md" for n in range(6)]
    (site / "content" / "a2.md").unlink()
    build(site, clean=True)
    assert records() == [f"content/a{n}.md" for n in (0, 1, 3, 4, 5)]
    (site / "content" / "a4.md").unlink()
    _write(site, 1, rng)
    report = build(site)
    assert report.rendered >= 1 and records() == [f"content/a{n}.md" for n in (0, 1, 3, 5)]
    assert build(site).nothing_changed


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_the_new_tree_is_swapped_in_one_step(tmp_path: pathlib.Path) -> None:
    from marginalia.writer import _swap

    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "page.html").write_text("new")
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "page.html").write_text("old")
    assert _swap(tmp_path / "new", tmp_path / "output")  # exchanged: "new" now holds the old site
    assert (tmp_path / "output" / "page.html").read_text() == "new"
    assert (tmp_path / "new" / "page.html").read_text() == "old"


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_build_that_makes_nothing_new_leaves_a_cache_for_the_next(make_site, monkeypatch, jobs: int) -> None:
    """A full build whose every file is as output/ holds it leaves output/ as it was (no new tree
    swapped in); the cache it commits must name that folder, or the next build starts over."""
    _large(monkeypatch)
    site, _rng = _built(make_site, 5, 20, jobs)
    (site / "layouts" / "unused.html").write_text("{# a layout no page uses #}")  # a full build, nothing new
    report = build(site, jobs=jobs)
    assert report.stats.written == 0 and report.rendered == 0
    assert build(site, jobs=jobs).nothing_changed


def test_records_round_trip_and_name_no_class_of_their_own() -> None:
    """Every content file of the bundled archive (entities, annotations of every kind, figures,
    mentions, warnings): its entry, as the cache stores it, reads back equal, and the stored bytes
    name none of the record classes (each is its place in a fixed list, not its module, name and
    field names); every dataclass an entry holds is one of them."""
    import dataclasses

    from marginalia.cache import _record_classes, decode_record, encode_record
    from marginalia.config import load_config
    from marginalia.library import content_files
    from marginalia.pipeline import Reader

    site = REPO
    files = content_files(site)
    reader = Reader(site, files.sidecars, load_config(site).taxonomies)
    classes, seen = set(_record_classes()), set()

    def walk(value: object) -> None:
        if dataclasses.is_dataclass(value):
            seen.add(type(value))
            for field in dataclasses.fields(value):
                walk(getattr(value, field.name))
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    cut = len(str(site)) + 1
    for path in files.paths:
        entry = reader.prepare(path[cut:].replace(os.sep, "/")).entry
        blob = encode_record(entry)
        assert decode_record(blob) == entry
        assert b"Entry" not in blob and b"marginalia.model" not in blob
        walk(entry)
    assert {cls.__name__ for cls in seen} >= {"Entry", "Article", "AnnotationSet", "Annotation", "Figure", "Mention"}
    assert seen <= classes
