"""Raw bytes to text: UTF-8 first, then a located, recorded fallback.

Input: the untouched bytes of one source. Output: its text with LF line
endings and the encoding assumed. Refuses binary and empty input with a
located :class:`~marginalia.ingest.draft.Rejected`. Touches no files.
"""

from __future__ import annotations

import codecs
import dataclasses

from .draft import Note, Rejected

# Western single-byte text is far likelier than what a detector guesses from a
# few stray bytes (it calls a lone 0xA3 "£" Shift-JIS), so cp1252 comes first.
_FALLBACKS = ("cp1252",)


@dataclasses.dataclass(frozen=True)
class Decoded:
    """A source's text and how it was decoded."""

    text: str
    encoding: str
    notes: tuple[Note, ...] = ()


def decode(data: bytes) -> Decoded:
    """Decode ``data`` as UTF-8 (BOM stripped), else cp1252, else the detector's guess.

    UTF-16 and UTF-32 with a byte-order mark (what Windows Notepad saves as "Unicode")
    are decoded too; other text with NUL bytes is refused as binary.
    """
    wide = _wide(data)
    if wide is not None:
        return wide
    if b"\x00" in data:
        line, col = _position(data, data.index(b"\x00"))
        raise Rejected(line, col, "binary file (NUL byte), not article text",
                       "import plain-text articles (.txt or no extension)")
    notes: tuple[Note, ...] = ()
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        text, encoding = _fallback(data)
        line, col = _position(data, exc.start)
        notes = (Note(line, f"not valid UTF-8 (byte 0x{data[exc.start]:02X} at column {col}); "
                            f"decoded as {encoding}",
                      "re-save the file as UTF-8 to silence this"),)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise Rejected(1, 1, "empty file", "remove it, or add a headline line and paragraphs")
    return Decoded(text, encoding, notes)


# Longest first: a UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def _wide(data: bytes) -> Decoded | None:
    """Text with a UTF-16 or UTF-32 byte-order mark, decoded; None without one."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                raise Rejected(1, 1, f"starts with a {encoding} byte-order mark but is not {encoding} "
                                     f"(bad bytes at offset {exc.start + len(bom)})",
                               "re-save the file as UTF-8") from exc
            if "\x00" in text:
                raise Rejected(1, 1, f"binary file (NUL character after decoding as {encoding})",
                               "import plain-text articles (.txt or no extension)")
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            if not text.strip():
                raise Rejected(1, 1, "empty file", "remove it, or add a headline line and paragraphs")
            note = Note(1, f"decoded as {encoding} (byte-order mark)", "re-save the file as UTF-8 to silence this")
            return Decoded(text, encoding, (note,))
    return _unmarked_utf16(data)


def _unmarked_utf16(data: bytes) -> Decoded | None:
    """UTF-16 without a mark: every other byte NUL (mostly-ASCII text), and it decodes cleanly."""
    if len(data) < 4 or len(data) % 2 or b"\x00" not in data:
        return None
    for encoding, zeros, chars in (("utf-16-le", data[1::2], data[0::2]), ("utf-16-be", data[0::2], data[1::2])):
        if zeros.count(0) >= 0.9 * len(zeros) and chars.count(0) == 0:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return None
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            if not text.strip():
                return None
            note = Note(1, f"no byte-order mark and every other byte is NUL; decoded as {encoding}",
                        "re-save the file as UTF-8 to silence this")
            return Decoded(text, encoding, (note,))
    return None


def _fallback(data: bytes) -> tuple[str, str]:
    """Decode non-UTF-8 bytes: cp1252, then the detector, then latin-1 (never fails)."""
    for encoding in _FALLBACKS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            pass
    import charset_normalizer  # here: nearly every file is UTF-8 or cp1252, and it takes a while to load

    best = charset_normalizer.from_bytes(data).best()
    if best is not None:
        return str(best), best.encoding
    return data.decode("latin-1"), "latin-1"


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a byte offset (column counted in bytes)."""
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return line, offset - start + 1
