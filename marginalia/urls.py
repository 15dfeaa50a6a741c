"""Which URLs a page may link to.

Input: a URL as written in Markdown, front matter, a manifest or an annotation.
Output: whether it is safe in an ``href``: http(s), mailto, a #fragment or a
relative path. ``javascript:``, ``data:``, ``vbscript:`` and every other scheme
are refused, however they are disguised with case, spaces or control
characters (browsers drop those before reading the scheme). Pure.
"""

from __future__ import annotations

import re

_SAFE = re.compile(r"^(?:https?:|mailto:|#|[^:]*$)", re.I)
_IGNORED = re.compile(r"[\x00-\x20\x7f]")


def safe_url(url: str) -> bool:
    """True for http(s), mailto, fragment and relative URLs; False for javascript:, data: …"""
    return bool(_SAFE.match(_IGNORED.sub("", url)))


def url_problem(url: str) -> str:
    """Why ``url`` may not be linked to ("" when it may)."""
    if safe_url(url):
        return ""
    scheme = _IGNORED.sub("", url).split(":", 1)[0][:20]
    return f"URL scheme '{scheme}:' is not allowed in a link"


URL_HINT = "use an http:// or https:// address (javascript:, data: and other schemes are refused)"
