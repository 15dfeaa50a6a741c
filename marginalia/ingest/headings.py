"""The "split-subheading" repair: a sub-heading run into its paragraph.

Input: one paragraph's text. Output: (heading, rest, confident) when the
paragraph starts with a short capitalised phrase without punctuation that is
followed by a new sentence, as in "Operation Predator The US Department …";
None otherwise. Pure; the caller splits when confident and warns when not.
"""

from __future__ import annotations

import dataclasses
import re

_PLAIN = re.compile(r"^[A-Za-z][A-Za-z'’-]*$")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)]*$")
# Capitalised words that open a sentence far more often than they continue a name.
STARTERS = frozenset({
    "The", "A", "An", "He", "She", "It", "They", "We", "I", "His", "Her", "Its", "Their",
    "Our", "This", "That", "These", "Those", "There", "Some", "Many", "Most", "Police",
    "Officers", "In", "On", "At", "By", "For", "From", "With", "But", "And", "As", "When",
    "While", "After", "Before", "Since", "If", "Earlier", "Last", "Now", "Yet",
})
# A heading does not start like a sentence or like a name with a title.
NOT_FIRST = STARTERS | frozenset({
    "Mr", "Mrs", "Ms", "Dr", "Lt", "Det", "Sgt", "Sir", "Prof", "Professor", "Lord", "Lady",
    "St", "Gen", "Col", "Capt", "Rev", "Judge", "President", "Minister", "Detective",
    "Special", "Agent", "Officer", "Chief", "To", "Of", "Who", "What", "Why", "How", "Where",
    "Yes", "No", "So", "Or", "Not", "All", "Every", "Each", "Such", "Both",
})
# A heading does not end with a word that needs the next one.
FUNCTION_WORDS = frozenset({
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "and", "or",
    "but", "as", "is", "was", "are", "were", "be", "been", "has", "have", "had", "him", "her",
    "them", "it", "his", "their", "its", "our", "my", "your", "this", "that", "who", "which",
    "says", "said", "told", "tells", "than", "into", "after", "before", "about", "over",
})
MAX_WORDS = 4


@dataclasses.dataclass(frozen=True)
class RunIn:
    """A candidate run-in sub-heading and the sentence after it."""

    heading: str
    rest: str
    confident: bool


def find_run_in(text: str) -> RunIn | None:
    """The run-in sub-heading that starts ``text``, if it looks like one."""
    words = text.split(" ")
    split = _split_point(words)
    if split is None:
        return None
    heading, rest = words[:split], words[split:]
    if heading[0] in NOT_FIRST or not heading[0][0].isupper():
        return None
    if heading[-1].lower() in FUNCTION_WORDS:
        return None
    confident = (split <= MAX_WORDS and len(rest) >= 3
                 and bool(_SENTENCE_END.search(text)))
    return RunIn(" ".join(heading), " ".join(rest), confident)


def _split_point(words: list[str]) -> int | None:
    """Index of the first word that opens a new sentence after a plain phrase."""
    for k in range(1, min(MAX_WORDS + 2, len(words))):
        if not _PLAIN.match(words[k - 1]):
            return None
        word, prev = words[k], words[k - 1]
        if word[:1].isupper() and (word in STARTERS or prev[0].islower()):
            return k
    return None
