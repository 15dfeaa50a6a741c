"""URL slugs: stable, lowercase ASCII, safe as one path segment."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_len: int = 60) -> str:
    """``"Gdańsk mayor stabbed!"`` -> ``"gdansk-mayor-stabbed"``; cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_WORD.sub("-", ascii_text.lower().replace("'", "")).strip("-")
    if len(slug) > max_len:
        cut = slug[:max_len + 1].rsplit("-", 1)[0]
        slug = (cut if len(cut) >= max_len // 2 else slug[:max_len]).strip("-")
    return slug
