"""Find direct quotes and, where the text says, who spoke them.

Input: the article text and its person mentions. Output: quotes in text order
with a speaker name or None. Touches nothing.

Speakers come from, in order: an attribution right after the quote
(``", says Mr Quinn"``, ``", he says"``), a speech verb before it in the same
sentence (``Ms Hewitt said: "…"``), else the previous quote's speaker when it
ended within two sentences (a quote running on), else the person named in
this or the previous sentence. A pronoun takes the most recent person whose
gender agrees (from Mr/Ms or the first name) within three sentences; when
none does, the speaker is unknown and stays None, and that unknown person is
what later pronouns of the same gender refer to. So in the seed, "she says"
after "says Mr Quinn" is not given to Mr Quinn: the text dropped her name.
"""

from __future__ import annotations

import bisect
import dataclasses
import re

from .entities import Mention

SAY = (r"(?:says|said|say|tells|told|adds|added|explains|explained|warns|warned|argues|"
       r"argued|insists|insisted|claims|claimed|admits|admitted|believes|continues|"
       r"continued|concedes|conceded|notes|noted|recalls|recalled|asks|asked|wrote|"
       r"writes|according to)")
_AFTER = re.compile(rf"[ ,]*(?:{SAY}\b(?P<a>[^.!?\"“”\n]{{0,90}})|(?P<b>[^.!?\"“”\n]{{1,70}}?) {SAY}\b)")
_PRONOUN = re.compile(r"\b(?:[Hh]e|[Ss]he)\b")
_SENTENCE_END = re.compile(r"[.!?][\"”’]?\s+(?=[\"“(]?[A-Z0-9])|\n\n")
WINDOW = 3  # sentences a pronoun may look back
MIN_WORDS = 4  # shorter quoted words are scare quotes or titles, not speech


@dataclasses.dataclass(frozen=True)
class Quote:
    """A direct quote at ``text[start:end]`` (without its marks)."""

    start: int
    end: int
    text: str
    speaker: str | None


def sentence_starts(text: str) -> list[int]:
    """Start offsets of the text's sentences."""
    return [0] + [m.end() for m in _SENTENCE_END.finditer(text)]


def find_quotes(text: str, mentions: list[Mention]) -> list[Quote]:
    """Direct quotes with their speakers, in text order."""
    starts = sentence_starts(text)
    people = _Timeline(text, [m for m in mentions if m.kind == "person"], starts)
    quotes: list[Quote] = []
    for start, end in _quote_spans(text):
        body = text[start:end].strip()
        if len(body.split()) < MIN_WORDS:
            continue
        speaker = people.speaker(start, end, quotes[-1] if quotes else None)
        quotes.append(Quote(start, end, body, speaker))
    return quotes


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """Spans between quote marks; an opening mark while a quote is open ends it."""
    spans: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+", text):
        opened: int | None = None
        for m in re.finditer(r"[\"“”]", para.group()):
            pos = para.start() + m.start()
            if _opens(text, pos):
                if opened is not None:
                    spans.append((opened, pos))
                opened = pos + 1
            elif opened is not None:
                spans.append((opened, pos))
                opened = None
        if opened is not None:
            spans.append((opened, para.end()))
    return spans


def _opens(text: str, pos: int) -> bool:
    """True when the quote mark at ``pos`` opens a quote."""
    mark = text[pos]
    if mark in "“”":
        return mark == "“"
    before = text[pos - 1] if pos else " "
    after = text[pos + 1] if pos + 1 < len(text) else " "
    return (before.isspace() or before in "([—-") and not after.isspace()


class _Timeline:
    """Person mentions and pronouns in text order, resolving who is who."""

    def __init__(self, text: str, people: list[Mention], starts: list[int]) -> None:
        self.text, self.starts = text, starts
        self.events: list[tuple[int, str | None, str]] = [(m.start, m.name, m.gender)
                                                          for m in people]
        self.events.sort(key=lambda e: e[0])
        for m in _PRONOUN.finditer(text):
            gender = "f" if m.group().lower() == "she" else "m"
            who = self.resolve(m.start(), gender)
            bisect.insort(self.events, (m.start(), who, gender), key=lambda e: e[0])

    def sentence(self, pos: int) -> int:
        """Index of the sentence holding ``pos``."""
        return bisect.bisect_right(self.starts, pos) - 1

    def resolve(self, pos: int, gender: str) -> str | None:
        """The most recent person of agreeing gender within the window, else None."""
        here = self.sentence(pos)
        for start, name, g in reversed(self.events):
            if start >= pos:
                continue
            if here - self.sentence(start) > WINDOW:
                return None
            if g in (gender, "u"):
                return name
        return None

    def named_in(self, start: int, end: int) -> tuple[bool, str | None]:
        """Whether someone is named or pronouned in ``[start, end)``, and who (first one)."""
        for pos, name, _g in self.events:
            if start <= pos < end:
                return True, name
        return False, None

    def speaker(self, start: int, end: int, previous: Quote | None) -> str | None:
        """Who spoke the quote at ``[start, end)``."""
        after = _AFTER.match(self.text, end + 1)
        if after:
            span = after.span("a") if after.group("a") is not None else after.span("b")
            hit, name = self.named_in(*span)
            if hit:
                return name
        sentence_start = self.starts[self.sentence(start)]
        before = self.text[sentence_start:start]
        verbs = list(re.finditer(rf"\b{SAY}\b", before))
        if verbs:
            hit, name = self._last_named(sentence_start, sentence_start + verbs[-1].start())
            if hit:
                return name
        return self._unattributed(start, previous)

    def _last_named(self, start: int, end: int) -> tuple[bool, str | None]:
        """The last person named or pronouned in ``[start, end)``."""
        hits = [(pos, name) for pos, name, _g in self.events if start <= pos < end]
        return (True, hits[-1][1]) if hits else (False, None)

    def _unattributed(self, start: int, previous: Quote | None) -> str | None:
        """A quote without attribution: it runs on, or the person just named speaks."""
        here = self.sentence(start)
        if previous is not None and here - self.sentence(previous.end) <= 2:
            between = [n for p, n, _g in self.events if previous.end <= p < start]
            if all(n == previous.speaker for n in between):
                return previous.speaker
        recent = [(p, n) for p, n, _g in self.events
                  if p < start and here - self.sentence(p) <= 1]
        return recent[-1][1] if recent else None
