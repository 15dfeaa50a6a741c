"""A fast writer for the plain YAML of imported front matter.

Input: the front-matter fields (nested dicts and lists of text, integers,
dates and date-times) and the implicit resolvers of the dumper it stands in
for. Output: exactly the text ``yaml.dump`` gives for them with the
importer's dumper (libyaml's emitter, block style, ``allow_unicode``, no
line folding, strings with a line break or surrounding white space double
quoted), or None when the data holds anything this writer leaves to PyYAML.
Touches nothing.

What it writes, and nothing else:

- block mappings whose keys are plain words, block sequences at their
  mapping's own indentation (``tags:`` then ``- business``), a mapping as a
  sequence item (``- kind: …``), ``[]`` and ``{}`` for empty ones;
- strings: plain where libyaml would write them plain; single-quoted where a
  plain scalar would start with an indicator, hold ``": "`` or ``" #"``, or
  read back as something else (``'2014'``, ``'yes'``, ``''``: the dumper's own
  resolver table decides); double-quoted, with libyaml's escapes, for
  characters it does not print (controls, tab, U+FEFF, U+FFFE/U+FFFF and
  everything above U+FFFF), and where the importer asks for it;
- integers, dates and ISO date-times, plain.

None for anything else: other types (booleans, floats, None, tuples, …),
a list as a sequence item, empty collections in a sequence, keys that are
not plain words, lone surrogates (PyYAML refuses them), U+2028 and U+2029
outside double quotes (line breaks to libyaml), strings long enough that
libyaml could fold them (it folds past 1,000,000 columns), and the same list
or dict twice (PyYAML writes an anchor and an alias).

``tests/test_plainemit.py`` compares it with PyYAML on every BBC and bundled
article and on generated fields full of YAML's traps.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

_TAG = "tag:yaml.org,2002:"
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_LONGEST = 50_000  # characters: even escaped (10 columns each) far below libyaml's folding width
# libyaml's IS_PRINTABLE with allow_unicode: anything else is escaped inside double quotes.
_UNPRINTABLE = re.compile(r"[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd]")
# Printable, and no line break, ':' or '#': then only the first characters and the resolvers matter.
_NOT_SIMPLE = re.compile(r"[^\x20-\x22\x24-\x39\x3b-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_WIDE_BREAK = re.compile(r"[\u2028\u2029]")
# What libyaml's analysis calls a block indicator after the first character: ": " (or ':' at the
# end) and " #". (White space here: libyaml's IS_BLANKZ.)
_INNER_INDICATOR = re.compile(r":(?=[ \t\n\r\x85\u2028\u2029]|\Z)|(?<=[ \t\n\r\x85\u2028\u2029])#")
_FIRST_INDICATORS = frozenset("#,[]{}&*!|>'\"%@`")
_BLANKZ = frozenset(" \t\n\r\x85\u2028\u2029")
_ESCAPES = {"\0": "0", "\x07": "a", "\x08": "b", "\t": "t", "\n": "n", "\x0b": "v", "\x0c": "f",
            "\r": "r", "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\u2028": "L",
            "\u2029": "P"}
# What libyaml escapes in double quotes: the unprintable, line breaks, the quote and the backslash.
_TO_ESCAPE = re.compile(r'[^\x20-\x21\x23-\x5b\x5d-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]')

Resolvers = Mapping[Any, Sequence[tuple[str, re.Pattern[str]]]]


class _Refused(Exception):
    """The data holds something this writer leaves to PyYAML."""


class PlainEmitter:
    """Writes front matter as the dumper with the given implicit resolvers would (see the module)."""

    def __init__(self, resolvers: Resolvers, iso_datetime: Callable[[dt.datetime], str]):
        wild = tuple(resolvers.get(None, ()))
        self._by_first = {k: (*v, *wild) for k, v in resolvers.items() if k is not None}
        self._wild = wild
        self._iso_datetime = iso_datetime
        self._keys: set[str] = set()  # keys seen to be plain words that resolve to text

    def dump(self, data: dict[str, Any]) -> str | None:
        """``data`` as YAML text, or None when it is not plain enough to write here."""
        out: list[str] = []
        try:
            if not isinstance(data, dict) or not data:
                raise _Refused
            self._mapping(data, "", out, set())
        except _Refused:
            return None
        return "".join(out)

    def _mapping(self, data: dict[Any, Any], indent: str, out: list[str], seen: set[int],
                 lead: str | None = None) -> None:
        """A non-empty block mapping with its keys at ``indent``; ``lead`` goes before the first key
        instead (a sequence item's "- ")."""
        for key, value in data.items():
            if key not in self._keys:
                self._check_key(key)
            out.append((indent if lead is None else lead) + key + ":")
            lead = None
            self._value(value, indent, out, seen)

    def _check_key(self, key: Any) -> None:
        """Refuse a key that is not a plain word resolving to text (``yes:``, ``1:``, ``a b:``)."""
        if type(key) is not str or not _KEY.fullmatch(key) or self._tag(key) is not None:
            raise _Refused
        if len(self._keys) < 4096:
            self._keys.add(key)

    def _value(self, value: Any, indent: str, out: list[str], seen: set[int]) -> None:
        """A mapping's value after its key's ':' (a collection on the lines that follow)."""
        kind = type(value)
        if kind is str:
            out.append(" " + self._string(value) + "\n")
        elif kind is dict or kind is list:
            _once(value, seen)
            if not value:
                out.append(" {}\n" if kind is dict else " []\n")
            elif kind is dict:
                out.append("\n")
                self._mapping(value, indent + "  ", out, seen)
            else:
                out.append("\n")
                self._sequence(value, indent, out, seen)
        else:
            out.append(" " + self._scalar(value, seen) + "\n")

    def _sequence(self, items: list[Any], indent: str, out: list[str], seen: set[int]) -> None:
        """A non-empty block sequence at ``indent`` (a mapping's value: libyaml does not indent it)."""
        for item in items:
            kind = type(item)
            if kind is dict and item:
                _once(item, seen)
                self._mapping(item, indent + "  ", out, seen, lead=indent + "- ")
            elif kind is dict or kind is list:
                raise _Refused
            else:
                out.append(indent + "- " + (self._string(item) if kind is str else self._scalar(item, seen)) + "\n")

    def _scalar(self, value: Any, seen: set[int]) -> str:
        """One scalar as libyaml writes it."""
        kind = type(value)
        if kind is str:
            return self._string(value)
        if kind is int:
            text, expected = str(value), "int"
        elif kind is dt.date:
            _once(value, seen)  # PyYAML aliases a date object met twice
            text, expected = value.isoformat(), "timestamp"
        elif kind is dt.datetime:
            _once(value, seen)
            text, expected = self._iso_datetime(value), "timestamp"
        else:
            raise _Refused
        if self._tag(text) != _TAG + expected or _UNPRINTABLE.search(text) or _block_indicators(text):
            raise _Refused
        return text

    def _string(self, value: str) -> str:
        """A string: double-quoted when asked for (a line break, surrounding white space) or when it
        holds what libyaml does not print, else plain when libyaml allows it, else single-quoted."""
        if value and not _NOT_SIMPLE.search(value) and len(value) <= _LONGEST and value == value.strip():
            if _starts_block(value) or self._tag(value) is not None:  # most text: one pass above
                return "'" + value.replace("'", "''") + "'"
            return value
        if len(value) > _LONGEST or _SURROGATE.search(value):
            raise _Refused
        if "\n" in value or value != value.strip() or _UNPRINTABLE.search(value):
            return _double_quoted(value)
        if _WIDE_BREAK.search(value):
            raise _Refused  # a line break to libyaml, in a single-quoted scalar: left to PyYAML
        if value and not _block_indicators(value) and self._tag(value) is None:
            return value
        return "'" + value.replace("'", "''") + "'"

    def _tag(self, value: str) -> str | None:
        """The tag a plain scalar would resolve to; None for text."""
        for tag, pattern in self._by_first.get(value[:1], self._wild):
            if pattern.match(value):
                return tag
        return None


def _once(value: Any, seen: set[int]) -> None:
    """Refuse an object met before: PyYAML would write an anchor and an alias."""
    if id(value) in seen:
        raise _Refused
    seen.add(id(value))


def _block_indicators(value: str) -> bool:
    """Whether libyaml's analysis finds a block indicator in ``value`` (then it is not plain)."""
    return _starts_block(value) or _INNER_INDICATOR.search(value, 1) is not None


def _starts_block(value: str) -> bool:
    """Whether ``value``'s first characters are a block indicator to libyaml (the rest of its
    analysis looks for ``": "`` and ``" #"``: _INNER_INDICATOR)."""
    first = value[0]
    if first in _FIRST_INDICATORS or value.startswith(("---", "...")):
        return True
    return first in "?:-" and (len(value) == 1 or value[1] in _BLANKZ)


def _double_quoted(value: str) -> str:
    """``value`` in double quotes with libyaml's escapes (upper-case hex, as it writes them)."""
    return '"' + _TO_ESCAPE.sub(_escape, value) + '"'


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    named = _ESCAPES.get(char)
    if named is not None:
        return "\\" + named
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02X}"
    if code <= 0xFFFF:
        return f"\\u{code:04X}"
    return f"\\U{code:08X}"
