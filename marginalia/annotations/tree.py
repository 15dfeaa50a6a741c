"""The visible text of a Python-Markdown element tree, and marks wrapped into it.

Input: the tree after inline processing (and the Markdown instance's raw-HTML
stash). Output: the plain text a reader sees, with a map back to text nodes;
:func:`wrap` splits text nodes and inserts ``<mark>`` pieces. Touches only the
tree it is given.

Block elements are separated by a blank line, so after normalization a quote
can never run from one paragraph into the next. Raw-HTML stash placeholders
count as the text they stand for when that is a character reference (such as
smarty's ``&ldquo;``) and as nothing otherwise: text inside raw HTML cannot be
annotated. Elements carrying :data:`SKIP_CLASS` (our own notes) are invisible.
"""

from __future__ import annotations

import dataclasses
import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable

SKIP_CLASS = "anno-skip"
_ATOM = re.compile(r"\x02([^\x02\x03]*)\x03|&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_SKIP_TAGS = {"script", "style", "input"}
_SKIP_CLASSES = {SKIP_CLASS, "headerlink", "footnote-backref"}


@dataclasses.dataclass(frozen=True)
class Slot:
    """A text node: ``elem.text`` or ``elem.tail``."""

    elem: etree.Element
    attr: str  # "text" or "tail"


@dataclasses.dataclass
class TextMap:
    """Plain text plus, for each character, its slot and span in that slot's string."""

    parts: list[str] = dataclasses.field(default_factory=list)
    slots: list[Slot] = dataclasses.field(default_factory=list)
    owner: list[tuple[int, int, int]] = dataclasses.field(default_factory=list)

    @property
    def text(self) -> str:
        """The plain text."""
        return "".join(self.parts)

    def add(self, visible: str, slot: int, start: int, end: int) -> None:
        """Append visible characters that stand for ``slot``'s ``[start, end)``."""
        self.parts.append(visible)
        self.owner.extend((slot, start, end) for _ in visible)

    def pieces(self, start: int, end: int) -> list[tuple[Slot, int, int]]:
        """The text-node spans covering plain characters ``[start, end)``."""
        spans: dict[int, list[int]] = {}
        for slot, a, b in self.owner[start:end]:
            if slot >= 0:
                span = spans.setdefault(slot, [a, b])
                span[0], span[1] = min(span[0], a), max(span[1], b)
        return [(self.slots[s], a, b) for s, (a, b) in spans.items()]


def text_map(root: etree.Element, is_block: Callable[[str], bool],
             stash: list[str]) -> TextMap:
    """Map the visible text under ``root``."""
    tm = TextMap()
    _walk(root, tm, is_block, stash)
    return tm


def _walk(elem: etree.Element, tm: TextMap, is_block: Callable[[str], bool],
          stash: list[str]) -> None:
    """Add ``elem``'s text, children and their tails to ``tm``."""
    block = isinstance(elem.tag, str) and is_block(elem.tag)
    if block:
        tm.add("\n\n", -1, 0, 0)
    if elem.text:
        _add_string(tm, Slot(elem, "text"), elem.text, stash)
    for child in elem:
        if not _hidden(child):
            _walk(child, tm, is_block, stash)
        if child.tail:
            _add_string(tm, Slot(child, "tail"), child.tail, stash)
    if block:
        tm.add("\n\n", -1, 0, 0)


def _hidden(elem: etree.Element) -> bool:
    """True for elements whose text a reader does not see as article text."""
    if not isinstance(elem.tag, str) or elem.tag in _SKIP_TAGS:
        return True
    return bool(_SKIP_CLASSES & set((elem.get("class") or "").split()))


def _add_string(tm: TextMap, slot: Slot, s: str, stash: list[str]) -> None:
    """Add one text node, atom by atom."""
    index = len(tm.slots)
    tm.slots.append(slot)
    pos = 0
    for m in _ATOM.finditer(s):
        for i in range(pos, m.start()):
            tm.add(s[i], index, i, i + 1)
        tm.add(_visible(m, stash), index, m.start(), m.end())
        pos = m.end()
    for i in range(pos, len(s)):
        tm.add(s[i], index, i, i + 1)


def _visible(m: re.Match[str], stash: list[str]) -> str:
    """What a placeholder or character reference shows the reader."""
    if m.group(2) is not None:
        return html.unescape(m.group(0))
    inner = m.group(1)
    if inner.isdigit():
        return chr(int(inner))  # a backslash escape, undone later by Markdown
    if inner == "amp":
        return "&"
    if inner.startswith("wzxhzdk:") and inner[8:].isdigit() and int(inner[8:]) < len(stash):
        raw = stash[int(inner[8:])]
        return html.unescape(raw) if "<" not in raw else ""
    return ""


def parents(root: etree.Element) -> dict[etree.Element, etree.Element]:
    """Each element's parent."""
    return {child: parent for parent in root.iter() for child in parent}


def wrap(root: etree.Element, pieces: list[tuple[Slot, int, int]],
         make: Callable[[], etree.Element]) -> list[etree.Element]:
    """Wrap each text-node span in a new element from ``make``; return them in order."""
    up = parents(root)
    made = []
    for slot, a, b in pieces:
        mark = make()
        s = getattr(slot.elem, slot.attr) or ""
        setattr(slot.elem, slot.attr, s[:a] or None)
        mark.text, mark.tail = s[a:b], s[b:] or None
        if slot.attr == "text":
            slot.elem.insert(0, mark)
            up[mark] = slot.elem
        else:
            parent = up[slot.elem]
            parent.insert(list(parent).index(slot.elem) + 1, mark)
            up[mark] = parent
        made.append(mark)
    return made


def insert_after(root: etree.Element, elem: etree.Element, new: list[etree.Element],
                 is_block: Callable[[str], bool]) -> None:
    """Insert ``new`` after ``elem``'s outermost inline ancestor, inside its block."""
    up = parents(root)
    while elem in up and up[elem] is not root and not is_block(str(up[elem].tag)):
        elem = up[elem]
    parent = up[elem]
    at = list(parent).index(elem) + 1
    new[-1].tail, elem.tail = elem.tail, None
    for offset, item in enumerate(new):
        parent.insert(at + offset, item)


def has_ancestor(root: etree.Element, elem: etree.Element, tag: str) -> bool:
    """True when some ancestor of ``elem`` is a ``tag`` element."""
    up = parents(root)
    while elem in up:
        elem = up[elem]
        if elem.tag == tag:
            return True
    return False
