"""Which relative paths an archive may record: portable, inside a known root, printable.

Input: a path as written in front matter (``source.path``) or found on disk by
the importer. Output: why it is unsafe ("" when it is fine). Refuses absolute
paths, Windows drive letters and backslashes, NUL and other control
characters, ``.`` and ``..`` anywhere but at the start (``../raw/a.txt`` is how
an import from beside the site is recorded), Windows device names (``CON``,
``nul.txt``, ``COM1``) and names too long for common file systems. Pure.
"""

from __future__ import annotations

import re

from .slugs import WINDOWS_RESERVED

MAX_PATH = 1024
MAX_SEGMENT = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DRIVE = re.compile(r"^[A-Za-z]:")


def path_problem(path: str) -> str:
    """Why ``path`` may not be recorded as a relative path ("" when it may)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8, kept by Python as lone surrogates
        return "file or folder name is not valid UTF-8"
    if _CONTROL.search(path):
        return "path holds a control character (NUL, newline …)"
    if path.startswith("/") or _DRIVE.match(path):
        return "absolute path"
    if "\\" in path:
        return "backslash in path (write it with forward slashes)"
    if len(path.encode("utf-8")) > MAX_PATH:
        return f"path longer than {MAX_PATH} bytes"
    leading = True
    for segment in path.split("/"):
        if segment == ".." and leading:
            continue
        leading = False
        if segment in ("", ".", ".."):
            return f"path segment {segment!r} (an empty, '.' or '..' part after the start)"
        if len(segment.encode("utf-8")) > MAX_SEGMENT:
            return f"file or folder name longer than {MAX_SEGMENT} bytes"
        if segment.split(".")[0].lower() in WINDOWS_RESERVED or segment.endswith((".", " ")):
            return f"'{segment}' cannot be a file name on Windows"
    return ""
