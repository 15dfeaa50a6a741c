"""URL slugs: stable, lowercase ASCII, safe as one path segment."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")
#: Names Windows reserves for devices in every folder: "con", "nul", "com1" … (and "con.txt").
WINDOWS_RESERVED = frozenset({"con", "prn", "aux", "nul"} | {f"{d}{n}" for d in ("com", "lpt") for n in range(10)})


def slugify(text: str, max_len: int = 60) -> str:
    """``"Gdańsk mayor stabbed!"`` -> ``"gdansk-mayor-stabbed"``; cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_WORD.sub("-", ascii_text.lower().replace("'", "")).strip("-")
    if len(slug) > max_len:
        cut = slug[:max_len + 1].rsplit("-", 1)[0]
        slug = (cut if len(cut) >= max_len // 2 else slug[:max_len]).strip("-")
    return slug


def group_slug(name: str) -> str:
    """The slug of a tag or entity page: ``slugify(name)``; for a name with no Latin
    letters or digits at all ("日本", "!!!") a stable ``n-`` plus a hash of the name, so
    such names never share one page; a Windows device name ("CON") gets the hash too."""
    slug = slugify(name)
    if slug and slug not in WINDOWS_RESERVED:
        return slug
    key = " ".join(name.split()).casefold()
    return (slug or "n") + "-" + hashlib.blake2b(key.encode("utf-8"), digest_size=5).hexdigest()
