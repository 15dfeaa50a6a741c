"""URL slugs from headlines: short, ASCII, stable and unique across ``content/``.

Input: a headline and the slugs already taken. Output: a slug of lowercase
a-z, 0-9 and hyphens, at most 60 characters cut at a word boundary, never
empty or reserved ("index", "tags", …), with "-2", "-3" … on collisions. Pure.
"""

from __future__ import annotations

import re
import unicodedata

from ..frontmatter import RESERVED_SLUGS

MAX_LENGTH = 60
FALLBACK = "article"
# Letters NFKD does not take apart into ASCII.
_SPECIAL = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "œ": "oe",
                          "Œ": "oe", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "þ": "th",
                          "ð": "d", "ı": "i", "&": " and ", "£": " ", "€": " ", "$": " "})


def slugify(title: str) -> str:
    """The base slug for ``title`` (not yet made unique)."""
    text = unicodedata.normalize("NFKD", title.translate(_SPECIAL))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"['’`]", "", text)
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > MAX_LENGTH:
        cut = slug[:MAX_LENGTH + 1]
        slug = cut[:cut.rfind("-")] if "-" in cut else slug[:MAX_LENGTH]
        slug = slug.strip("-")
    if not slug:
        return FALLBACK
    return f"{slug}-{FALLBACK}" if slug in RESERVED_SLUGS else slug


def unique_slug(title: str, taken: set[str]) -> str:
    """``slugify(title)``, with the first free "-N" suffix when taken; adds it to ``taken``."""
    base = slugify(title)
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug
