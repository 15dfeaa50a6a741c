"""The whole BBC development corpus (1,781 files) through the importer.

The corpus is not in the repository (its terms forbid redistribution); it is
read from ``shared/`` beside the clone, as on every developer machine and in CI.
"""

from __future__ import annotations

import hashlib
import html.parser
import pathlib
import re
import time

import pytest
import yaml

from marginalia.frontmatter import RESERVED_SLUGS, SLUG_RE
from marginalia.ingest import ImportReport, run_import
from marginalia.ingest.document import is_hand_edited
from marginalia.markup import Renderer

SHARED = pathlib.Path(__file__).resolve().parents[2] / "shared"
BBC = SHARED / "corpus" / "bbc"
FILES = 1781
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus() -> pathlib.Path:
    """The BBC corpus folder; a clear failure (not a skip) when it is missing."""
    if not (BBC / "business" / "001.txt").is_file():
        pytest.fail(f"BBC corpus not found at {BBC}: the tests expect shared/ beside the clone")
    return BBC


@pytest.fixture(scope="module")
def imported(corpus: pathlib.Path, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[pathlib.Path, ImportReport, float]:
    """The corpus imported once into a fresh site, with the time it took."""
    site = tmp_path_factory.mktemp("bbc-site")
    start = time.perf_counter()
    report = run_import([corpus], site=site)
    return site, report, time.perf_counter() - start


@pytest.fixture(scope="module")
def items(corpus: pathlib.Path, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """The corpus as ``--json`` items."""
    return run_import([corpus], site=tmp_path_factory.mktemp("bbc-json"), as_json=True).json_items


class _Blocks(html.parser.HTMLParser):
    """Text of each paragraph, list item and heading in rendered HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.last = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        loose_item = tag == "p" and self.last == "li" and self.blocks[-1:] == [""]
        self.last = tag
        if tag in {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6"} and not loose_item:
            self.blocks.append("")

    def handle_data(self, data: str) -> None:
        if self.blocks:
            self.blocks[-1] += data


RENDERER = Renderer()


def rendered_blocks(body: str) -> list[str]:
    """Whitespace-normalised text of each block of the HTML the build makes from ``body``."""
    parser = _Blocks()
    parser.feed(RENDERER.render(body)[0])
    return [" ".join(b.split()) for b in parser.blocks]


def hashes(folder: pathlib.Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def source_blocks(raw: str, repairs: list[dict]) -> tuple[str, list[str]]:
    """(headline, body blocks) of a raw BBC file: paragraphs, each bullet line its own block."""
    lines = raw.split("\n")
    for repair in repairs:  # the only repairs the BBC files need are recorded, line by line
        assert repair["kind"] == "inserted-space", repair
        lines[repair["line"] - 1] = lines[repair["line"] - 1].replace(repair["before"], repair["after"])
    blocks: list[str] = []
    for para in re.split(r"\n\s*\n", "\n".join(lines[2:]).strip()):
        text: list[str] = []
        for line in para.split("\n"):
            if re.match(r"^\s*- ", line):
                blocks.extend([" ".join(text)] if text else [])
                text = []
                blocks.append(line.strip()[2:])
            else:
                text.append(line)
        blocks.extend([" ".join(text)] if text else [])
    return lines[0], [" ".join(b.split()) for b in blocks]


def test_every_file_is_written_once(imported: tuple) -> None:
    """(How fast: bench/build_bench.py times imports; tests assert behaviour, not timing.)"""
    site, report, _seconds = imported
    assert len(report.written) == FILES and len(set(report.written)) == FILES
    assert not [p for p in report.problems if p.severity == "error"]


def test_headlines_and_bodies_come_through_intact(corpus: pathlib.Path, items: list[dict]) -> None:
    assert len(items) == FILES
    for item in items:
        raw_path = corpus / pathlib.PurePath(item["source"]["path"]).relative_to(
            pathlib.PurePath(item["source"]["path"]).parents[1])
        raw = raw_path.read_bytes().decode(item["encoding"])
        headline, expected = source_blocks(raw, item["repairs"])
        assert item["title"] == headline, raw_path
        got = rendered_blocks(item["body"])
        assert got == expected, raw_path


def test_latin1_file(items: list[dict]) -> None:
    (item,) = [i for i in items if i["source"]["path"].endswith("bbc/sport/199.txt")]
    assert item["encoding"] == "cp1252" and "£" in item["body"] and "Â" not in item["body"]
    assert item["warnings"] == ["line 5: not valid UTF-8 (byte 0xA3 at column 176); decoded as cp1252"]


def test_second_import_changes_no_byte(corpus: pathlib.Path, imported: tuple) -> None:
    site, _report, _seconds = imported
    before = hashes(site)
    again = run_import([corpus], site=site)
    assert again.written == [] and again.skipped_edited == [] and len(again.unchanged) == FILES
    assert hashes(site) == before


def test_front_matter_parses_and_is_not_marked_edited(imported: tuple) -> None:
    site, report, _seconds = imported
    for rel in report.written[::50]:
        text = (site / rel).read_text(encoding="utf-8")
        meta = yaml.safe_load(text.split("\n---\n", 1)[0][4:])
        assert list(meta)[:1] == ["title"] and "date" not in meta
        assert meta["tags"] == [pathlib.PurePath(meta["source"]["path"]).parent.name]
        assert not is_hand_edited(text)


def test_slugs_are_safe_and_duplicates_are_named(corpus: pathlib.Path, imported: tuple) -> None:
    site, report, _seconds = imported
    stems = [pathlib.PurePath(p).stem for p in report.written]
    assert all(SLUG_RE.match(s) and s not in RESERVED_SLUGS and len(s) <= 60 for s in stems)
    assert len(set(stems)) == FILES
    duplicates = [p for p in report.problems if p.message.startswith("byte-identical to ")]
    pairs = (corpus.parent / "DUPLICATES.txt").read_text(encoding="utf-8").split("\n")
    pairs = [p.split() for p in pairs if p.strip()]
    assert len(pairs) == 66 and len(duplicates) == 132
    for first, second in pairs:
        (warning,) = [p for p in duplicates if p.path.endswith("bbc/" + first)]
        assert warning.message.endswith("bbc/" + second)
