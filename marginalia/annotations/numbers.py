"""Find figures in text: a number, what it counts, and the year it belongs to.

Input: the article text. Output: :class:`Count` items in text order. A
sentence gives a figure when it names exactly one year and exactly one other
number (percentages, times and day-of-month numbers are not counts); what it
counts is the phrase after the number, or, for "the figure had grown to N",
the previous figure's label. Touches nothing.
"""

from __future__ import annotations

import dataclasses
import re

from .quotes import sentence_starts

_NUMBER = re.compile(
    r"(?<![\w.,:£$€])([£$€]?)(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
    r"(?:\s*(million|billion|trillion|bn|m)\b)?(?![\d:])(\s*(?:%|per ?cent))?")
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|"
           "November|December")
#: A year the figure belongs to: "In 2003", "of 2004", "As of May 2014" (not "by 2007").
_YEAR = re.compile(rf"(?:^|\b[Ii]n |\bof |\b(?:{_MONTHS}) )(19[5-9]\d|20\d\d)(?!\d|s\b|,\d)")
_DAY = re.compile(rf"^\s+(?:{_MONTHS})\b")
_STOP = re.compile(r"[,.;:()\"“”]|\b(?:were|was|are|is|had|has|have|in|last|this|during|"
                   r"from|by|at|on|compared|up|down|against|to|than|each|per|a|who|which|"
                   r"that|and|but|so)\b")
SCALE = {"million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}
MAX_LABEL_WORDS = 10


@dataclasses.dataclass(frozen=True)
class Count:
    """One figure: ``value`` of ``label`` in ``year``."""

    value: int | float
    label: str
    year: int
    start: int = 0


def find_counts(text: str) -> list[Count]:
    """Figures with a year, in text order."""
    starts = sentence_starts(text) + [len(text)]
    counts: list[Count] = []
    for a, b in zip(starts, starts[1:], strict=False):
        count = _count(text, a, b, counts[-1] if counts else None)
        if count is not None:
            counts.append(count)
    return counts


def _count(text: str, start: int, end: int, previous: Count | None) -> Count | None:
    """The one figure in ``text[start:end]``, if the sentence holds exactly one."""
    sentence = text[start:end]
    years = {int(m.group(1)) for m in _YEAR.finditer(sentence)}
    numbers = [m for m in _NUMBER.finditer(sentence) if _is_count(sentence, m, years)]
    if len(years) != 1 or len(numbers) != 1:
        return None
    m = numbers[0]
    label = _label(sentence[m.end():])
    if not label:
        if previous is None or start - previous.start > 400 or not re.search(
                r"\b(?:figure|number|total|count)\b", sentence):
            return None
        label = previous.label
    return Count(_value(m), label, years.pop(), start + m.start())


def _is_count(sentence: str, m: re.Match[str], years: set[int]) -> bool:
    """False for the year itself, percentages and dates like "18 June"."""
    if m.group(4) or (not m.group(1) and not m.group(3) and m.group(2).isdigit()
                      and int(m.group(2)) in years):
        return False
    return not _DAY.match(sentence[m.end():])


def _value(m: re.Match[str]) -> int | float:
    """The number, scaled by million/bn; whole numbers as int."""
    value = float(m.group(2).replace(",", "")) * SCALE.get(m.group(3) or "", 1)
    return int(value) if value.is_integer() else value


def _label(rest: str) -> str:
    """The phrase after the number: up to a verb, preposition or punctuation."""
    stop = _STOP.search(rest)
    words = (rest[:stop.start()] if stop else rest).split()
    return " ".join(words[:MAX_LABEL_WORDS])
