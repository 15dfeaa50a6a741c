"""A fast reader for the plain YAML that front matter nearly always is.

Input: YAML text and the implicit resolvers of the loader it stands in for.
Output: the Python data that loader gives for the text, or None when the text
uses anything this reader leaves to PyYAML (the caller then reads it there,
with located errors). Touches nothing.

What it accepts, and nothing else:

- block mappings whose keys are plain words (``[A-Za-z0-9_][A-Za-z0-9_.-]*``,
  up to 128 characters) that resolve to text, each key once per mapping;
- block sequences (``- item``), also as a mapping's value at the mapping's own
  indentation, with scalars, mappings (``- key: value``) or sequences as items;
- one-line scalars: plain ones, resolved by the loader's own implicit resolvers
  and kept only when they resolve to text, a boolean, null or a decimal integer
  of at most 18 digits; ``'single-quoted'`` ones; ``"double-quoted"`` ones with
  the escapes both libyaml and PyYAML know (no surrogates);
- one-line flow sequences of such scalars (``[a, "b"]``) and the empty ``{}``;
- blank lines, comment lines, and comments after a value.

Anything else returns None: tabs, carriage returns, control characters, the
characters YAML 1.1 takes as line breaks (U+0085, U+2028, U+2029), a byte-order
mark, document markers and directives, anchors, aliases, tags, block scalars,
multi-line scalars, flow mappings, nested flow collections, quoted or complex
keys, floats, octal/hex/binary/sexagesimal integers and integers with
underscores, merge keys, plain scalars starting with an indicator, indentation
YAML would refuse, more than 20 levels of nesting.

Why it is safe: every construct accepted is one whose meaning YAML fixes on
its own line (the structure from the indentation alone, the value from the
rest of the line), and it is decided the way libyaml decides it: a plain
scalar ends at ``": "`` (refused), at ``" #"`` (a comment) or at the line's
end, trailing spaces dropped; block context, so ``[]{},`` inside a plain
scalar are text. The type of a plain scalar comes from the same resolver
table the loader uses. ``tests/test_plainyaml.py`` checks the result against
PyYAML on every bundled and imported article and on generated documents.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from yaml.constructor import SafeConstructor

_TAG = "tag:yaml.org,2002:"
_MAX_DEPTH = 20

# Characters outside these are refused: control characters (libyaml's reader refuses them), tab and CR
# (their rules are subtle), NEL/LS/PS (line breaks to YAML 1.1), U+FEFF, U+FFFE/U+FFFF, lone surrogates.
_UNSAFE = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
# A significant line (not blank, not a comment): its indentation, a sequence entry's "- ", a plain
# word key with its ':', and the rest of the line.
_LINE = re.compile(r"^( *)(?=[^ \n#])(-(?: +|$))?(?:([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}):(?: +|$))?(.*)", re.M)
_TAIL = r"(?: +(?:#.*)?)?$"  # what may follow a quoted or flow scalar on its line
_SINGLE = re.compile(r"'((?:[^']|'')*)'" + _TAIL)
_DOUBLE = re.compile(r'"((?:[^"\\]|\\.)*)"' + _TAIL)
_EMPTY_MAP = re.compile(r"\{ *\}" + _TAIL)
# A flow-sequence item: quoted, or plain without any flow indicator, ':' or '#' (nor an indicator first).
_ITEM = (r"'(?:[^']|'')*'|\"(?:[^\"\\]|\\.)*\"|[^ ,\[\]{}#:&*!|>'\"%@`?-][^,\[\]{}#:]*"
         r"|-[^ ,\[\]{}#:][^,\[\]{}#:]*")
_FLOW = re.compile(r"\[ *((?:" + _ITEM + r")(?: *, *(?:" + _ITEM + r"))*)? *\]" + _TAIL)
_FLOW_ITEM = re.compile(_ITEM)
_ESCAPE = re.compile(r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ESCAPES = {"0": "\0", "a": "\x07", "b": "\x08", "t": "\t", "n": "\n", "v": "\x0b", "f": "\x0c", "r": "\r",
            "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
            "P": "\u2029"}  # the escapes libyaml and PyYAML's own scanner agree on
_NOT_PLAIN = frozenset("-?:,[]{}#&*!|>'\"%@`")  # a plain scalar may not start with these (but "-x")
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]{0,17})")
_BOOLS: Mapping[str, bool] = SafeConstructor.bool_values

Resolvers = Mapping[Any, Sequence[tuple[str, re.Pattern[str]]]]


class _Refused(Exception):
    """The text uses something this reader leaves to PyYAML."""


class PlainReader:
    """Reads plain YAML as a loader with the given implicit resolvers would (see the module)."""

    def __init__(self, resolvers: Resolvers):
        wild = tuple(resolvers.get(None, ()))
        self._by_first = {k: (*v, *wild) for k, v in resolvers.items() if k is not None}
        self._wild = wild
        self._text_keys: set[str] = set()  # keys seen to resolve to text (a handful in practice)

    def read(self, text: str) -> dict[str, Any] | list[Any] | None:
        """The data of ``text``, or None when it is not plain enough to read here."""
        if _UNSAFE.search(text):
            return None
        lines = _LINE.findall(text)
        if not lines:
            return None
        doc = _Document(self, lines)
        try:
            data = doc.node(doc.indents[0], 0)
        except _Refused:
            return None
        return data if doc.i == len(lines) else None

    def text_key(self, key: str) -> bool:
        """Whether a plain key resolves to text ('yes:' or '1:' does not)."""
        if key in self._text_keys:
            return True
        if self.plain_tag(key) is not None:
            return False
        if len(self._text_keys) < 4096:
            self._text_keys.add(key)
        return True

    def plain_tag(self, value: str) -> str | None:
        """The tag a non-empty plain scalar resolves to, None for text."""
        for tag, pattern in self._by_first.get(value[0], self._wild):
            if pattern.match(value):
                return tag
        return None

    def plain(self, value: str) -> Any:
        """A non-empty plain scalar's value, as the loader constructs it."""
        if value[0] not in self._by_first and not self._wild:
            return value  # most text: no resolver looks at it
        tag = self.plain_tag(value)
        if tag is None:
            return value
        if tag == _TAG + "bool":
            return _BOOLS[value.lower()]
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "int" and _DECIMAL.fullmatch(value):
            return int(value)
        raise _Refused  # floats, other integer forms, merge keys, '=' ...


class _Document:
    """One text's significant lines and the position reached in them."""

    def __init__(self, reader: PlainReader, lines: list[tuple[str, str, str, str]]):
        self.reader, self.i = reader, 0
        self.lines = lines  # (indentation, "- " or "", key or "", rest of the line)
        self.indents = [len(line[0]) for line in lines]

    def node(self, indent: int, depth: int) -> dict[str, Any] | list[Any]:
        """The block collection whose first line (at ``indent``) is the current line."""
        if depth > _MAX_DEPTH:
            raise _Refused
        if self.lines[self.i][1]:
            return self.sequence(indent, depth)
        return self.mapping(indent, depth)

    def mapping(self, indent: int, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        lines, indents, end, reader = self.lines, self.indents, len(self.lines), self.reader
        i = self.i
        while i < end and indents[i] == indent:
            _, dash, key, rest = lines[i]
            if dash or not key or key in out or not reader.text_key(key):
                raise _Refused  # not a key line; the careful path reports a repeated key
            i += 1
            if not rest or rest[0] == "#":
                self.i = i
                out[key] = self.nested(indent, depth, same_level_sequence=True)
                i = self.i
            else:
                out[key] = self.scalar(rest)
            if i < end and indents[i] > indent:
                raise _Refused  # a continuation line, or indentation YAML refuses
        self.i = i
        return out

    def sequence(self, indent: int, depth: int) -> list[Any]:
        out: list[Any] = []
        lines, indents, end = self.lines, self.indents, len(self.lines)
        while self.i < end and indents[self.i] == indent and lines[self.i][1]:
            _, dash, key, rest = lines[self.i]
            if key:
                # "- key: value": a mapping at the key's column, read as if its first line began there.
                indents[self.i] += len(dash)
                lines[self.i] = ("", "", key, rest)
                out.append(self.mapping(indents[self.i], depth + 1))
            elif not rest or rest[0] == "#":
                self.i += 1
                out.append(self.nested(indent, depth, same_level_sequence=False))
            else:
                out.append(self.scalar(rest))  # refuses "- - item"
                self.i += 1
            if self.i < end and indents[self.i] > indent:
                raise _Refused
        return out

    def nested(self, indent: int, depth: int, same_level_sequence: bool) -> Any:
        """The value after a bare 'key:' or '-': the more indented block that follows, a sequence at
        the key's own indentation (a mapping's value only), or null."""
        if self.i < len(self.lines):
            child = self.indents[self.i]
            if child > indent:
                return self.node(child, depth + 1)
            if same_level_sequence and child == indent and self.lines[self.i][1]:
                return self.sequence(indent, depth + 1)
        return None

    def scalar(self, text: str) -> Any:
        """A value written on the rest of its line."""
        first = text[0]
        if first not in _NOT_PLAIN or (first == "-" and len(text) > 1 and text[1] != " "):
            cut = text.find(" #")  # a comment
            value = (text if cut < 0 else text[:cut]).rstrip(" ")
            if ": " in value or value[-1] == ":":
                raise _Refused  # a mapping where YAML allows none
            return self.reader.plain(value)
        if first == "'":
            match = _SINGLE.match(text)
            if match is None:
                raise _Refused  # unclosed (multi-line), or followed by more than a comment
            return match.group(1).replace("''", "'")
        if first == '"':
            match = _DOUBLE.match(text)
            if match is None:
                raise _Refused
            return _unescape(match.group(1))
        if first == "[":
            return self.flow_sequence(text)
        if first == "{" and _EMPTY_MAP.match(text):
            return {}
        raise _Refused  # an indicator: a block scalar, an anchor, alias or tag, a flow mapping ...

    def flow_sequence(self, text: str) -> list[Any]:
        match = _FLOW.match(text)
        if match is None:
            raise _Refused
        out: list[Any] = []
        for item in _FLOW_ITEM.findall(match.group(1) or ""):
            if item[0] == "'":
                out.append(item[1:-1].replace("''", "'"))
            elif item[0] == '"':
                out.append(_unescape(item[1:-1]))
            else:
                out.append(self.reader.plain(item.rstrip(" ")))
        return out


def _unescape(text: str) -> str:
    """A double-quoted scalar's content with its escapes replaced."""
    if "\\" not in text:
        return text
    return _ESCAPE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    simple = match.group(4)
    if simple is not None:
        if simple not in _ESCAPES:
            raise _Refused
        return _ESCAPES[simple]
    code = int(match.group(1) or match.group(2) or match.group(3), 16)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        raise _Refused  # libyaml refuses these
    return chr(code)
