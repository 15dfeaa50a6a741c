"""Compact text encodings for the shards, and the JavaScript file wrapper.

Input: integers and JSON-able values. Output: strings and ``bytes`` of shard
files. Integers are written as variable-length digits over a 90-character
alphabet (printable ASCII without space, ``"``, ``\\``, ``<`` and ``~``), so they
sit inside JSON strings with no escaping; space and ``~`` stay free to separate
fields and records. Touches nothing outside memory.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable
from typing import Any

import numpy as np

ALPHABET = "".join(chr(c) for c in range(33, 127) if chr(c) not in '"\\<~')
BASE = len(ALPHABET) // 2  # 45: the first 45 symbols end a number, the next 45 continue it
assert len(ALPHABET) == 2 * BASE == 90
_END = ALPHABET[:BASE]
_MORE = ALPHABET[BASE:]
_SMALL = 1 << 16
_TABLE: list[str] = []


def _encode_slow(value: int) -> str:
    out = []
    while value >= BASE:
        out.append(_MORE[value % BASE])
        value //= BASE
    out.append(_END[value])
    return "".join(out)


# The codes of 0 .. 2**16 - 1: one symbol below BASE, two below BASE**2, then three (as _encode_slow
# writes them, low digits first), made by joining symbols rather than one division loop per number.
_TABLE.extend(_END)
_TABLE.extend(low + high for high in _END[1:] for low in _MORE)
_TABLE.extend(low + mid + high for high in _END[1:] for mid in _MORE for low in _MORE)
del _TABLE[_SMALL:]
assert _TABLE[BASE * BASE] == _encode_slow(BASE * BASE) and _TABLE[-1] == _encode_slow(_SMALL - 1)


def enc(value: int) -> str:
    """One non-negative integer as 1+ symbols (0-44 take one, up to 2024 two)."""
    if 0 <= value < _SMALL:
        return _TABLE[value]
    if value < 0:
        raise ValueError(f"cannot encode negative {value}")
    return _encode_slow(value)


def enc_all(values: Iterable[int]) -> str:
    """A run of integers, each self-delimiting."""
    values = values if isinstance(values, (list, tuple, array)) else list(values)
    try:
        return "".join(map(_TABLE.__getitem__, values))  # all small: a lookup each, at C speed
    except IndexError:
        return "".join([_TABLE[v] if v < _SMALL else _encode_slow(v) for v in values])


_LIMITS = np.array([BASE ** i for i in range(1, 12)], dtype=np.int64)  # enough for 2 ** 63
_CODES = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)  # _END's symbols, then _MORE's


def _digit_table(count: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The codes of 0..count-1 as a (count, width) table of symbols, and each code's length."""
    values = np.arange(count, dtype=np.int64)
    lengths = np.searchsorted(_LIMITS, values, side="right").astype(np.int64) + 1
    table = np.zeros((count, width), dtype=np.uint8)
    for k in range(width):
        table[:, k] = _CODES[(values // BASE ** k) % BASE + BASE * (k < lengths - 1)]
    return table, lengths.astype(np.uint8)


_SHORT, _SHORT_LENGTHS = _digit_table(BASE ** 3, 3)  # every number of up to three symbols, looked up
_SHORT_FLAT = _SHORT.reshape(-1)


def enc_array(values: np.ndarray) -> tuple[str, np.ndarray]:
    """``enc`` of every value, concatenated, and where each value's code starts (``len(values) + 1``
    offsets, so value ``i`` is ``text[offsets[i]:offsets[i + 1]]``). Codes of up to three symbols
    (numbers below 91,125: nearly all) are rows of a table, their symbols gathered for the whole array
    at once; the few longer ones are put in one by one."""
    values = np.asarray(values, dtype=np.int64)
    offsets = np.zeros(len(values) + 1, dtype=np.int64)
    if not len(values):
        return "", offsets
    if values.min() < 0:
        raise ValueError(f"cannot encode negative {values.min()}")
    big = np.flatnonzero(values >= BASE ** 3)
    small = values if not len(big) else np.where(values < BASE ** 3, values, 0)
    widths = _SHORT_LENGTHS[small]
    np.cumsum(widths, out=offsets[1:])
    # symbol j of the text is symbol j - offsets[i] of value i's row: gathered from the flat table
    # in one step (a third faster than taking whole rows and trimming them with a mask)
    symbols = np.repeat(small * 3 - offsets[:-1], widths) + np.arange(offsets[-1])
    text = _SHORT_FLAT[symbols].tobytes().decode("ascii")
    if not len(big):
        return text, offsets
    # longer codes (few: forward rows' longest hash prefixes, huge gaps) replace their "0"s one by one
    parts, at = [], 0
    for i, value in zip(big.tolist(), values[big].tolist(), strict=True):
        start = int(offsets[i])
        parts += [text[at:start], enc(value)]
        at = start + 1
    parts.append(text[at:])
    widths = widths.astype(np.int64)
    widths[big] = np.searchsorted(_LIMITS, values[big], side="right") + 1
    np.cumsum(widths, out=offsets[1:])
    return "".join(parts), offsets


def enc_gaps(sorted_values: Iterable[int]) -> str:
    """Ascending integers as their differences (the first from 0)."""
    out = []
    last = 0
    for v in sorted_values:
        out.append(enc(v - last))
        last = v
    return "".join(out)


def dec_all(text: str) -> list[int]:
    """Decode a run written by :func:`enc_all` (the Python twin of the JS reader)."""
    values, value, mul = [], 0, 1
    for ch in text:
        digit = ALPHABET.index(ch)
        if digit >= BASE:
            value += (digit - BASE) * mul
            mul *= BASE
        else:
            values.append(value + digit * mul)
            value, mul = 0, 1
    return values


def base36(value: int) -> str:
    """``value.toString(36)`` in JavaScript."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        value, rem = divmod(value, 36)
        out = digits[rem] + out
        if not value:
            return out


_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def js_json(value: Any) -> str:
    """Compact JSON with sorted keys that cannot end a <script> element or a JS line."""
    text = _JSON.encode(value)
    return (text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def shard_file(key: str, payload: Any) -> bytes:
    """A shard: one call that registers ``payload`` under ``key`` with the runtime."""
    return f"__marginaliaSearch.add({js_json(key)},{js_json(payload)});\n".encode()


FNV_PRIME = 16777619
STEM_BASIS = 2166136261  # FNV-1a's offset basis: the stem hash that picks a stem's record shard
FORWARD_BASIS = 0x1F351C7C  # a second FNV-1a, for the high bits of a stem's forward code
_LONG = 48  # strings longer than this (in UTF-16 units) are hashed one by one


def fnv1a(text: str, basis: int = STEM_BASIS) -> int:
    """32-bit FNV-1a over the UTF-16 code units of ``text``: what ``fnv`` in static/search-index.js gives."""
    h = basis
    for unit in memoryview(text.encode("utf-16-le", "surrogatepass")).cast("H"):
        h = ((h ^ unit) * FNV_PRIME) & 0xFFFFFFFF
    return h


def fnv1a_all(texts: list[str], basis: int = STEM_BASIS) -> np.ndarray:
    """:func:`fnv1a` of every string, as uint64, one numpy pass per character position instead of a
    Python loop per character (the stems of a build are hashed in milliseconds)."""
    out = np.full(len(texts), basis, dtype=np.uint64)
    if not texts:
        return out
    units = np.frombuffer("".join(texts).encode("utf-16-le", "surrogatepass"), dtype=np.uint16).astype(np.uint64)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    if len(units) != int(lengths.sum()):  # characters beyond U+FFFF take two units
        lengths = np.array([len(t.encode("utf-16-le", "surrogatepass")) // 2 for t in texts], dtype=np.int64)
    starts = np.cumsum(lengths) - lengths
    short = np.flatnonzero(lengths <= _LONG)
    h, starts, lengths_s = out[short], starts[short], lengths[short]
    units = np.append(units, np.uint64(0))  # a pad, so that finished strings read a valid index
    for col in range(int(lengths_s.max()) if len(short) else 0):
        live = np.flatnonzero(lengths_s > col)
        h[live] = ((h[live] ^ units[starts[live] + col]) * FNV_PRIME) & 0xFFFFFFFF
    out[short] = h
    for i in np.flatnonzero(lengths > _LONG).tolist():
        out[i] = fnv1a(texts[i], basis)
    return out


_DIGITS = {ch: i for i, ch in enumerate(ALPHABET)}


class Reader:
    """Reads integers written by :func:`enc` from ``text``, from ``at`` on (the Python twin of the JS
    reader, for taking written shards apart on a rebuild)."""

    def __init__(self, text: str, at: int = 0) -> None:
        self.text, self.at = text, at

    def int(self) -> int:
        value, mul = 0, 1
        while True:
            digit = _DIGITS[self.text[self.at]]
            self.at += 1
            if digit < BASE:
                return value + digit * mul
            value += (digit - BASE) * mul
            mul *= BASE


def script_file(key: str, payload_json: str) -> bytes:
    """A shard whose payload is already JSON (from :func:`js_json`)."""
    return f"__marginaliaSearch.add({js_json(key)},{payload_json});\n".encode()
