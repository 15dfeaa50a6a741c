"""``import --suggest``: suggested annotations in a sidecar, for a person to confirm."""

from __future__ import annotations

import pathlib
import shutil

from marginalia.annotations.sidecar import parse_sidecar
from marginalia.ingest import run_import
from marginalia.pipeline import build

from conftest import MINIMAL_CONFIG, REPO

SEED = REPO / "sources" / "seed" / "000_3dd9cadd05d23e49.txt"


def _site(tmp_path: pathlib.Path) -> pathlib.Path:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "config.yaml").write_text(MINIMAL_CONFIG)
    shutil.copy(SEED, site / "seed.txt")
    return site


def test_suggestions_sidecar_is_valid_and_never_overwritten(tmp_path: pathlib.Path) -> None:
    site = _site(tmp_path)
    assert run_import([site / "seed.txt"], site=site).suggested == []  # opt-in
    side = site / "content/2014/anti-paedophile-police-fight-child-porn-epidemic.annotations.yaml"
    assert not side.exists()
    report = run_import([site / "seed.txt"], site=site, suggest=True)
    assert report.suggested == [side.relative_to(site).as_posix()]
    annotations, problems = parse_sidecar(side.read_text(encoding="utf-8"), "side")
    assert problems == []
    assert annotations.annotations and all(a.status == "suggested" for a in annotations.annotations)
    names = {a.entity.name for a in annotations.annotations if a.entity}
    assert {"Ian Quinn", "Kevin Laws", "Los Angeles"} <= names
    speakers = {a.speaker for a in annotations.annotations if a.kind == "quote"}
    assert "Kevin Laws" in speakers
    edited = side.read_text(encoding="utf-8").replace("status: suggested", "status: accepted", 1)
    side.write_text(edited, encoding="utf-8")
    run_import([site / "seed.txt"], site=site, suggest=True)
    assert side.read_text(encoding="utf-8") == edited


def test_suggestions_wait_on_the_editors_page(tmp_path: pathlib.Path) -> None:
    site = _site(tmp_path)
    run_import([site / "seed.txt"], site=site, suggest=True)
    report = build(site)
    assert report.warnings == []  # suggestions are not anchored, so they cannot orphan
    page = (site / "output/2014/06/anti-paedophile-police-fight-child-porn-epidemic.html").read_text()
    assert "<mark" not in page  # nothing suggested is shown to readers
    editor = (site / "output/editor/index.html").read_text()
    assert "suggested annotation" in editor and "Anti-paedophile police" in editor
