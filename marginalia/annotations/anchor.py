"""Anchor annotation targets in an article's visible text, exact match first.

Input: the reader-visible plain text of a rendered article and the targets.
Output: one :class:`Anchor` per annotation (orphans included, never dropped)
and located problems. Touches nothing.

The text is first *normalized*: each whitespace run becomes one space, a run
holding a blank line (a block boundary) becomes one ``\\n``, and curly quotes
fold to straight ones. Offsets (``position`` hints, anchors) count characters
of that normalized text. A quote never contains ``\\n``, so it cannot span two
blocks. When the quote is gone, an approximate search in the manner of
Hypothesis's approx-string-match (Myers' bit-parallel edit distance) looks
for the best passage within ``len(quote) // 4`` edits, scored with the
prefix, suffix and position, as dom-anchor-text-quote does.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence

from ..errors import Problem
from .model import Annotation, Figure, Target

FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                      "\u00a0": " ", "\u2032": "'", "\u2033": '"'})
_SPACE = re.compile(r"\s+")
MAX_MATCHES = 1000  # stop counting exact matches past this many
CONTEXT = 32  # characters of prefix/suffix kept for exports
WEIGHTS = {"quote": 50.0, "prefix": 20.0, "suffix": 20.0, "position": 2.0}


@dataclasses.dataclass(frozen=True)
class Anchor:
    """Where one annotation (or figure) landed; ``start`` is None for an orphan."""

    item: Annotation | Figure
    start: int | None = None
    end: int | None = None
    method: str = "orphan"  # exact | context | fuzzy | orphan | ambiguous
    text: str = ""  # the passage as it now reads (normalized)
    prefix: str = ""
    suffix: str = ""

    @property
    def found(self) -> bool:
        """True when the annotation has a place in the text."""
        return self.start is not None


class AnchorResult:
    """Collects anchors and problems for one article while it renders."""

    def __init__(self, path: str = "") -> None:
        self.path = path
        self.anchors: list[Anchor] = []
        self.problems: list[Problem] = []
        self.text = ""  # the normalized text anchored against

    @property
    def orphans(self) -> list[Anchor]:
        """Anchors that found no place (orphaned or ambiguous)."""
        return [a for a in self.anchors if not a.found]

    def get(self, ident: str) -> Anchor | None:
        """The anchor of the annotation or figure with this id."""
        return next((a for a in self.anchors if a.item.id == ident), None)


def normalize(raw: str) -> tuple[str, list[int]]:
    """Normalized text and, for each of its characters, its offset in ``raw``."""
    out: list[str] = []
    where: list[int] = []
    pos = 0
    for m in _SPACE.finditer(raw):
        _copy(raw, pos, m.start(), out, where)
        if m.start() > 0 and m.end() < len(raw):
            out.append("\n" if m.group().count("\n") >= 2 else " ")
            where.append(m.start())
        pos = m.end()
    _copy(raw, pos, len(raw), out, where)
    return "".join(out).translate(FOLD), where


def _copy(raw: str, start: int, end: int, out: list[str], where: list[int]) -> None:
    """Copy ``raw[start:end]`` into ``out`` with its offsets, expanding ellipses."""
    chunk = raw[start:end]
    if "\u2026" not in chunk:
        out.append(chunk)
        where.extend(range(start, end))
        return
    for i, ch in enumerate(chunk, start):
        text = "..." if ch == "\u2026" else ch
        out.append(text)
        where.extend([i] * len(text))


def fold_quote(text: str) -> str:
    """A quote (or prefix/suffix) as it compares with normalized text."""
    return " ".join(text.split()).translate(FOLD).replace("\u2026", "...")


@dataclasses.dataclass(frozen=True)
class Span:
    """Where a target landed: ``start``/``end`` are None when it did not."""

    start: int | None
    end: int | None
    method: str  # exact | context | fuzzy | orphan | ambiguous
    matches: int = 0  # how many exact matches were seen


def anchor_all(text: str, items: Iterable[Annotation | Figure], path: str = "",
               result: AnchorResult | None = None) -> AnchorResult:
    """Anchor every targeted item in normalized ``text``; report orphans and ambiguity."""
    result = result if result is not None else AnchorResult(path)
    result.text = text
    for item in items:
        if item.target is None:
            continue
        span = anchor_target(text, item.target)
        if span.start is not None and span.end is not None:
            anchor = Anchor(item, span.start, span.end, span.method, text[span.start:span.end],
                            text[max(0, span.start - CONTEXT):span.start],
                            text[span.end:span.end + CONTEXT])
        else:
            anchor = Anchor(item, method=span.method)
        result.anchors.append(anchor)
        problem = _problem(result.path, item, span)
        if problem is not None:
            result.problems.append(problem)
    return result


def _problem(path: str, item: Annotation | Figure, span: Span) -> Problem | None:
    """The warning an unplaced target deserves, located at its sidecar line."""
    assert item.target is not None
    label = _short(item.target.exact)
    kind = "figure" if isinstance(item, Figure) else "annotation"
    if span.method == "ambiguous":
        return Problem(path, item.line, 0, f'{kind} "{label}" matches {span.matches} places; '
                       "add prefix or suffix to choose one",
                       "prefix: the words just before it; suffix: the words just after",
                       severity="warning")
    if span.method == "orphan":
        return Problem(path, item.line, 0, f'{kind} "{label}" no longer matches the text',
                       "change 'exact' to the passage as it now reads, or remove it",
                       severity="warning")
    return None


def _short(text: str) -> str:
    """A quote shortened for messages."""
    text = " ".join(text.split())
    return text if len(text) <= 50 else text[:47] + "…"


def anchor_target(text: str, target: Target) -> Span:
    """Anchor one target in normalized ``text``: exact, then by context, then fuzzy."""
    quote = fold_quote(target.exact)
    if not quote:
        return Span(None, None, "orphan")
    starts = _find_all(text, quote)
    if len(starts) > 1:
        chosen = _choose(text, quote, starts, target)
        if chosen is None:
            return Span(None, None, "ambiguous", len(starts))
        return Span(chosen, chosen + len(quote), "context", len(starts))
    if starts:
        return Span(starts[0], starts[0] + len(quote), "exact", 1)
    found = fuzzy_find(text, quote, target)
    if found is None:
        return Span(None, None, "orphan")
    return Span(found[0], found[1], "fuzzy")


def _find_all(text: str, quote: str) -> list[int]:
    """Every start of ``quote`` in ``text`` (overlaps included, capped)."""
    starts: list[int] = []
    i = text.find(quote)
    while i >= 0 and len(starts) < MAX_MATCHES:
        starts.append(i)
        i = text.find(quote, i + 1)
    return starts


def _choose(text: str, quote: str, starts: Sequence[int], target: Target) -> int | None:
    """Pick one of several exact matches by context, or None when still tied."""
    if not (target.prefix.strip() or target.suffix.strip() or target.position is not None):
        return None
    scored = sorted((-_context_score(text, s, s + len(quote), target), s) for s in starts)
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None
    return scored[0][1]


def _context_score(text: str, start: int, end: int, target: Target) -> float:
    """How well the text around a match agrees with the target's context."""
    score = 0.0
    prefix, suffix = fold_quote(target.prefix), fold_quote(target.suffix)
    if prefix:
        before = text[max(0, start - len(prefix)):start].lstrip(" ")
        score += WEIGHTS["prefix"] * _similarity(prefix.strip(), before.strip())
    if suffix:
        after = text[end:end + len(suffix)].rstrip(" ")
        score += WEIGHTS["suffix"] * _similarity(suffix.strip(), after.strip())
    if target.position is not None:
        distance = abs(start - target.position)
        score += WEIGHTS["position"] * (1.0 - distance / max(len(text), 1))
    return score


def _similarity(a: str, b: str) -> float:
    """1.0 for equal strings, falling to 0.0 with edit distance."""
    if not a or not b:
        return 1.0 if a == b else 0.0
    return max(0.0, 1.0 - edit_distance(a, b) / max(len(a), len(b)))


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance of two strings."""
    if not a or not b:
        return len(a) or len(b)
    return _myers(a, b, anchored=True)[-1]


def fuzzy_find(text: str, quote: str, target: Target) -> tuple[int, int] | None:
    """The best approximate match of ``quote`` within ``len(quote)//4`` edits, or None."""
    max_errors = len(quote) // 4
    if max_errors == 0 or not text:
        return None
    scores = _myers(quote, text, anchored=False)
    ends = _best_ends(scores, max_errors)
    best: tuple[float, int, int] | None = None
    for end, errors in ends:
        start = _start_of(text, quote, end, errors)
        if "\n" in text[start:end]:
            continue
        score = WEIGHTS["quote"] * (1.0 - errors / len(quote))
        score += _context_score(text, start, end, target)
        if best is None or score > best[0]:
            best = (score, start, end)
    return (best[1], best[2]) if best else None


def _best_ends(scores: list[int], max_errors: int, keep: int = 16) -> list[tuple[int, int]]:
    """Match ends within ``max_errors``: the best of each run, fewest errors first."""
    runs: list[list[int]] = []  # [last position, best end, its errors]
    for j, errors in enumerate(scores):
        if errors > max_errors:
            continue
        if runs and j - runs[-1][0] == 1:
            runs[-1][0] = j
            if errors < runs[-1][2]:
                runs[-1][1:] = [j + 1, errors]
        else:
            runs.append([j, j + 1, errors])
    return sorted(((end, errors) for _, end, errors in runs), key=lambda r: (r[1], r[0]))[:keep]


def _start_of(text: str, quote: str, end: int, errors: int) -> int:
    """Where the match ending at ``end`` with ``errors`` edits begins."""
    lo = max(0, end - len(quote) - errors)
    window = text[lo:end][::-1]
    if not window:
        return end
    costs = _myers(quote[::-1], window, anchored=True)
    best = min(range(len(costs)), key=lambda i: (costs[i], abs(i + 1 - len(quote))))
    return end - (best + 1)


def _myers(pattern: str, text: str, anchored: bool) -> list[int]:
    """Edit distance of ``pattern`` against text ending at each position.

    Myers' bit-vector algorithm (Hyyrö's formulation); with ``anchored`` the
    match must start at ``text[0]``, otherwise it may start anywhere.
    """
    m = len(pattern)
    full = (1 << m) - 1
    last = 1 << (m - 1)
    peq: dict[str, int] = {}
    for i, ch in enumerate(pattern):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    pv, mv, score, carry = full, 0, m, int(anchored)
    scores: list[int] = []
    for ch in text:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & full)
        mh = pv & xh
        if ph & last:
            score += 1
        elif mh & last:
            score -= 1
        ph = ((ph << 1) | carry) & full
        mh = (mh << 1) & full
        pv = mh | (~(xv | ph) & full)
        mv = ph & xv
        scores.append(score)
    return scores
