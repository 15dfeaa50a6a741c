"""Measure suggestions against hand-made gold files: precision and recall per category.

usage: python -m marginalia.annotations.score [GOLD_DIR] [--shared DIR]

Each gold file names its article (``repo:`` a path in this repository, a
Markdown file; ``shared:`` a plain-text file under the shared folder, first
line the headline) and lists the people, organisations, places, quotes and
figures a careful reader would mark. Names match case-insensitively, or by an
alias; ``optional`` names are neither credited nor counted wrong; a second
suggestion for an entity already matched counts as a false positive. Quotes
match on their words; speakers are scored on the matched quotes. Figures match
on value, year and the first word of the label. Reads files; prints a table.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import pathlib
import re
from typing import Any

from .suggest import suggest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CATEGORIES = ("people", "organizations", "places", "quotes", "figures")


@dataclasses.dataclass
class Tally:
    """True positives, false positives, false negatives (and speakers right/judged)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    speaker_ok: int = 0
    speaker_all: int = 0

    def precision(self) -> float:
        """tp / (tp + fp), 1.0 when nothing was suggested."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    def recall(self) -> float:
        """tp / (tp + fn), 1.0 when there was nothing to find."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def norm(text: str) -> str:
    """Text as compared: case-folded, quotes and edge punctuation dropped, spaces single."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").casefold()
    text = re.sub(r"^the\s+", "", text.strip())
    return " ".join(re.sub(r"[^\w&'\s-]", " ", text).split())


def load_article(source: str, shared: pathlib.Path, title: str = "") -> tuple[str, list[str]]:
    """The title and paragraphs of a gold file's article."""
    kind, _, rel = source.partition(":")
    path = (ROOT if kind == "repo" else shared) / rel
    lines = path.read_text(encoding="utf-8").splitlines()
    if kind == "repo":
        blocks = [re.sub(r"^(#+|-)\s+", "", line) for line in lines if line.strip()]
        return title, blocks
    body = [line.strip() for line in lines if line.strip()]
    return body[0], body[1:]


def score_names(gold: list[dict[str, Any]], optional: list[str], got: list[dict[str, Any]],
                tally: Tally) -> list[str]:
    """Tally name suggestions; return the false positives and misses for the report."""
    keys = [{norm(g["name"]), *map(norm, g.get("aliases", []))} for g in gold]
    skip = set(map(norm, optional))
    matched: set[int] = set()
    wrong = []
    for item in got:
        name = norm(item["name"])
        hit = next((i for i, k in enumerate(keys) if name in k), None)
        if hit is None and name in skip:
            continue
        if hit is None or hit in matched:
            tally.fp += 1
            wrong.append(f"+{item['name']}")
        else:
            matched.add(hit)
            tally.tp += 1
    tally.fn += len(gold) - len(matched)
    return wrong + [f"-{g['name']}" for i, g in enumerate(gold) if i not in matched]


def score_quotes(gold: list[dict[str, Any]], got: list[dict[str, Any]], tally: Tally) -> list[str]:
    """Tally quotes by their words, and speakers of the quotes found."""
    wanted = {norm(g["text"]): g for g in gold}
    notes = []
    for item in got:
        g = wanted.pop(norm(item["text"]), None)
        if g is None:
            tally.fp += 1
            notes.append(f"+{item['text'][:40]}")
            continue
        tally.tp += 1
        tally.speaker_all += 1
        if g["speaker"] == item["speaker"]:
            tally.speaker_ok += 1
        else:
            notes.append(f"speaker {item['speaker']!r} for {g['speaker']!r}: {g['text'][:30]}")
    tally.fn += len(wanted)
    return notes + [f"-{g['text'][:40]}" for g in wanted.values()]


def score_figures(gold: list[dict[str, Any]], got: list[dict[str, Any]], tally: Tally) -> list[str]:
    """Tally figures by value, year and the label's first word."""
    def key(f: dict[str, Any]) -> tuple[float, int, str]:
        return float(f["value"]), int(f["year"]), (norm(f["label"]).split() or [""])[0]
    wanted = [key(g) for g in gold]
    notes = []
    for item in got:
        if key(item) in wanted:
            wanted.remove(key(item))
            tally.tp += 1
        else:
            tally.fp += 1
            notes.append(f"+{item}")
    tally.fn += len(wanted)
    return notes + [f"-{w}" for w in wanted]


def score(gold_dir: pathlib.Path, shared: pathlib.Path) -> tuple[dict[str, Tally], list[str]]:
    """Tallies per category over every gold file, and the per-file differences."""
    tallies = {c: Tally() for c in CATEGORIES}
    report = []
    for path in sorted(gold_dir.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        title, paragraphs = load_article(gold["source"], shared, gold.get("title", ""))
        got = suggest(title, paragraphs)
        diffs = []
        for cat in ("people", "organizations", "places"):
            diffs += score_names(gold[cat], gold.get("optional", []), got[cat], tallies[cat])
        diffs += score_quotes(gold["quotes"], got["quotes"], tallies["quotes"])
        diffs += score_figures(gold["figures"], got["figures"], tallies["figures"])
        report.append(f"{path.stem}: " + ("; ".join(diffs) or "all right"))
    return tallies, report


def table(tallies: dict[str, Tally]) -> str:
    """The precision/recall table."""
    rows = [f"{'category':<14}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}"]
    for cat, t in tallies.items():
        rows.append(f"{cat:<14}{t.tp:>5}{t.fp:>5}{t.fn:>5}{t.precision():>11.2f}{t.recall():>8.2f}")
    q = tallies["quotes"]
    if q.speaker_all:
        rows.append(f"speakers right on quotes found: {q.speaker_ok}/{q.speaker_all}")
    return "\n".join(rows)


def main() -> None:
    """Print the table (and, with -v, every difference)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="?", default=ROOT / "tests/data/annotations/gold", type=pathlib.Path)
    parser.add_argument("--shared", default=ROOT.parent / "shared", type=pathlib.Path)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    tallies, report = score(args.gold, args.shared)
    if args.verbose:
        print("\n".join(report))
    print(table(tallies))


if __name__ == "__main__":
    main()
