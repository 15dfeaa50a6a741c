"""Reading content files the way a build's workers do: the listing's sidecars, string paths, the key.

A worker gets each file's full path and site path, and the sidecars found when
content/ was listed, instead of looking for a sidecar per article: the sources
must be the very ones read by looking on disk, odd sidecars included. The key
of a source must change with any of its fields and never with anything else
(which objects happen to be shared, the process, its hash seed).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import os
import pathlib
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from marginalia.articles import load_source, read_source, source_key
from marginalia.cache import value_bytes
from marginalia.library import content_files, read_bytes, stat_signature
from marginalia.model import Article, replaced
from marginalia.pipeline import Reader, _rels
from marginalia.search import SearchDoc

from conftest import article

REPO = pathlib.Path(__file__).resolve().parent.parent
SIDECAR = "annotations:\n- id: n1\n  motivation: commenting\n  body: A note\n"


def odd_sidecars(make_site: Callable[..., pathlib.Path], tmp_path: pathlib.Path) -> pathlib.Path:
    """A site whose articles have every kind of sidecar: none, plain, in a subfolder, linked inside and
    out of content/, dangling, a FIFO, a folder, too large, undecodable, broken YAML."""
    outside = tmp_path / "outside.yaml"
    outside.write_text(SIDECAR.replace("A note", "Secret"), encoding="utf-8")
    names = ["none", "plain", "sub/deep", "link-in", "link-out", "dangling", "fifo", "folder", "huge", "utf16",
             "broken"]
    site = make_site({f"content/{n}.md": article(n.replace("/", "-")) for n in names} | {
        "content/plain.annotations.yaml": SIDECAR, "content/sub/deep.annotations.yaml": SIDECAR,
        "content/shared.yaml": SIDECAR, "content/utf16.annotations.yaml": SIDECAR.encode("utf-16-le"),
        "content/broken.annotations.yaml": "annotations: [\n"})
    content = site / "content"
    os.symlink(content / "shared.yaml", content / "link-in.annotations.yaml")
    os.symlink(outside, content / "link-out.annotations.yaml")
    os.symlink(tmp_path / "missing.yaml", content / "dangling.annotations.yaml")
    os.mkfifo(content / "fifo.annotations.yaml")
    (content / "folder.annotations.yaml").mkdir()
    with open(content / "huge.annotations.yaml", "wb") as f:
        f.truncate(21 * 1024 * 1024)  # sparse: larger than 20 MB without writing it
    return site


def test_listed_sidecars_read_as_when_looked_up_on_disk(make_site: Callable[..., pathlib.Path],
                                                        tmp_path: pathlib.Path) -> None:
    site = odd_sidecars(make_site, tmp_path)
    listing = content_files(site)
    assert {os.path.basename(p) for p in listing.sidecars} >= {"plain.annotations.yaml", "fifo.annotations.yaml",
                                                               "dangling.annotations.yaml"}
    assert not any(p.endswith("folder.annotations.yaml") for p in listing.sidecars)  # a folder is walked
    sources = {}
    for path, rel in zip(listing.paths, _rels(site, listing.paths), strict=True):
        sources[rel] = load_source(site, path, rel, listing.sidecars)
        assert sources[rel] == load_source(site, pathlib.Path(path)), rel  # looked up on disk, from a Path
        if rel != "content/folder.md":  # a folder is no sidecar: never read, now not stat'ed either
            assert stat_signature(path, listing.sidecars) == stat_signature(path), rel
    notes = {rel: [a.body for a in s.annotations.annotations] for rel, s in sources.items()}
    assert notes["content/plain.md"] == notes["content/sub/deep.md"] == notes["content/link-in.md"] == ["A note"]
    for name in ("none", "link-out", "dangling", "fifo", "folder"):
        assert notes[f"content/{name}.md"] == [] and not sources[f"content/{name}.md"].problems, name
    assert sources["content/sub/deep.md"].annotations.path == "content/sub/deep.annotations.yaml"
    messages = {rel: [p.format() for p in s.problems] for rel, s in sources.items() if s.problems}
    assert messages["content/huge.md"] == ["content/huge.annotations.yaml:1:1: file is larger than 20 MB\n"
                                           "  hint: split it up"]
    assert messages["content/utf16.md"][0].startswith("content/utf16.annotations.yaml:1:1: NUL byte")
    assert messages["content/broken.md"][0].startswith("content/broken.annotations.yaml:2:1: invalid YAML")
    assert set(messages) == {"content/huge.md", "content/utf16.md", "content/broken.md"}


def test_a_sidecar_gone_or_added_since_the_listing(make_site: Callable[..., pathlib.Path]) -> None:
    """The listing is what the build's stat signatures describe, so a sidecar added after it waits
    for the next build, and one removed since is no sidecar (not an error)."""
    site = make_site({"content/a.md": article("A"), "content/a.annotations.yaml": SIDECAR,
                      "content/b.md": article("B")})
    listing = content_files(site)
    (site / "content/a.annotations.yaml").unlink()
    (site / "content/b.annotations.yaml").write_text(SIDECAR, encoding="utf-8")
    for path, rel in zip(listing.paths, _rels(site, listing.paths), strict=True):
        source = load_source(site, path, rel, listing.sidecars)
        assert source.annotations.annotations == () and source.problems == ()


def test_a_worker_reads_what_load_source_reads(make_site: Callable[..., pathlib.Path],
                                               tmp_path: pathlib.Path) -> None:
    site = odd_sidecars(make_site, tmp_path)
    listing = content_files(site)
    for path, rel in zip(listing.paths, _rels(site, listing.paths), strict=True):
        source = read_source(site, path, rel, listing.sidecars)
        assert source.rel == rel and source.annotations == load_source(site, pathlib.Path(path)).annotations
        assert Reader(site, listing.sidecars, ("tags",)).prepare(rel).entry.key == source_key(source)


def test_an_article_without_its_body_is_a_copy_of_its_other_fields(make_site: Callable[..., pathlib.Path]) -> None:
    site = make_site({"content/a.md": article("A", tags="[x, y]", people="[Ann]", byline="Bo")})
    listing = content_files(site)
    full = read_source(site, listing.paths[0], "content/a.md", listing.sidecars).article
    assert full is not None and full.body
    slim = replaced(full, body="")
    assert slim == dataclasses.replace(full, body="") and type(slim) is Article and full.body
    assert value_bytes(slim) == value_bytes(dataclasses.replace(full, body=""))
    # what replaced() relies on, for both classes it copies: nothing for __init__ to run again,
    # fields in __dict__
    for kind in (Article, SearchDoc):
        assert not hasattr(kind, "__post_init__") and not hasattr(kind, "__slots__")


def changed(value: Any) -> Iterator[Any]:
    """Values of the same kind that differ from ``value``."""
    if isinstance(value, bool):
        yield not value
    elif isinstance(value, int):
        yield value + 1
    elif isinstance(value, str):
        yield value + "x"
        if value:
            yield value[:-1]
    elif isinstance(value, dt.date):
        yield value + dt.timedelta(days=1)
    elif isinstance(value, tuple):
        yield value[:-1] if value else ("x",)
    elif isinstance(value, dict):
        yield {**value, "x": 1}


def variants(value: Any) -> Iterator[Any]:
    """``value`` with one field (at any depth) changed, for every field."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            for other in variants(getattr(value, field.name)):
                yield dataclasses.replace(value, **{field.name: other})  # type: ignore[arg-type]
        return
    yield from changed(value)
    if isinstance(value, tuple):
        for i, item in enumerate(value):
            for other in variants(item):
                yield (*value[:i], other, *value[i + 1:])


def test_the_key_changes_with_every_field_and_only_with_them(make_site: Callable[..., pathlib.Path]) -> None:
    sidecar = ("annotations:\n- id: q1\n  motivation: describing\n  kind: quote\n  speaker: Ann\n"
               "  target: {exact: Some text}\n  created: 2020-01-03\n")
    site = make_site({"content/a.md": article("A", tags="[x, y]", people="[Ann]", byline="Bo"),
                      "content/a.annotations.yaml": sidecar})
    listing = content_files(site)
    source = read_source(site, listing.paths[0], "content/a.md", listing.sidecars)
    key = source_key(source)
    assert source.article is not None and source.annotations.annotations and source.article.body
    keys = {source_key(v) for v in variants(source)}
    count = sum(1 for _ in variants(source))
    assert count > 60 and len(keys) == count and key not in keys
    # Equal values give equal keys, whichever objects are shared: a deep copy, a re-parse, one string
    # object in two fields or two equal strings.
    assert key == source_key(read_source(site, listing.paths[0], "content/a.md", listing.sidecars))
    assert value_bytes(copy.deepcopy(source)) == value_bytes(source)
    assert source.article.byline == "Bo"
    shared = dataclasses.replace(source.article, title="Bo", byline="Bo")
    distinct = dataclasses.replace(source.article, title="".join(["B", "o"]), byline="Bo")
    assert shared.title is shared.byline and distinct.title is not distinct.byline
    assert value_bytes(shared) == value_bytes(distinct)


KEYS_SCRIPT = """
import json, pathlib, sys
from marginalia.library import content_files
from marginalia.articles import read_source, source_key
from marginalia.pipeline import _rels
site = pathlib.Path(sys.argv[1])
listing = content_files(site)
print(json.dumps([source_key(read_source(site, path, rel, listing.sidecars))
                  for path, rel in zip(listing.paths, _rels(site, listing.paths))]))
"""


@pytest.mark.slow
def test_keys_are_the_same_in_every_process() -> None:
    """The bundled archive's keys, in two processes with different hash seeds, and here."""
    listing = content_files(REPO)
    here = [source_key(read_source(REPO, path, rel, listing.sidecars))
            for path, rel in zip(listing.paths, _rels(REPO, listing.paths), strict=True)]
    for seed in ("1", "2"):
        run = subprocess.run([sys.executable, "-c", KEYS_SCRIPT, str(REPO)], capture_output=True, text=True,
                             check=True, env={**os.environ, "PYTHONHASHSEED": seed}, cwd=REPO)
        assert json.loads(run.stdout) == here


@pytest.mark.parametrize("length", [0, 1, 4095, 4096, 3 << 20])
@pytest.mark.parametrize("change", [0, -1, 1, 5000])  # the file as stat said, shrunk or grown since
def test_a_file_is_read_whole_whatever_its_size_was(tmp_path: pathlib.Path, length: int, change: int) -> None:
    data = bytes(i % 251 for i in range(length))
    path = tmp_path / "a.md"
    path.write_bytes(data)
    assert read_bytes(str(path), max(0, length - change)) == data
