"""The build cache can only save work: after random edits, a cached build equals a clean one byte for byte."""

from __future__ import annotations

import pathlib
import random

from marginalia.pipeline import build

from conftest import article, tree_bytes

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
    import marginalia.pipeline
    import marginalia.workers

    monkeypatch.setattr(marginalia.workers, "PARALLEL_MIN", 1)
    monkeypatch.setattr(marginalia.pipeline, "PARALLEL_MIN", 1)
    rng = random.Random(1812)
    site = make_site()
    for n in range(40):
        _write(site, n, rng)
    build(site, jobs=2)
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


def _single(site: pathlib.Path, output: pathlib.Path) -> pathlib.Path:
    """A clean build in this process alone."""
    build(site, output=output, clean=True, jobs=1)
    return output
