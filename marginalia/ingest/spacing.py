"""The "inserted-space" repair: a sentence run into the next after its full stop.

Input: one raw line. Output: the line with a space after each full stop that
ends a lowercase word and starts a capitalised one ("Taskforce.Its"), and
the repairs made. Leaves abbreviations, initials, decimals, URLs, e-mail
addresses and domain names alone. Pure.
"""

from __future__ import annotations

import re

from .draft import Repair

# "Its" after the stop; a word of two or more letters ending lowercase before it.
_JOIN = re.compile(r"(?<![A-Za-z.])([A-Za-z]*[a-z][a-z])\.([A-Z][a-z]+)\b")
_TOKEN = re.compile(r"\S+")
_LINKISH = ("://", "www.", "@", "/")
# Capitalised top-level domains and file types that look like words: "Amazon.Com".
_NOT_WORDS = frozenset({
    "com", "org", "net", "edu", "gov", "mil", "int", "info", "biz", "co", "uk", "us", "eu",
    "de", "fr", "es", "it", "nl", "au", "ca", "io", "ly", "tv", "fm", "me", "ie", "in",
    "jp", "cn", "ru", "ch", "se", "no", "dk", "fi", "be", "at", "nz", "za", "br", "mx",
    "pdf", "doc", "docx", "jpg", "jpeg", "png", "gif", "txt", "html", "htm", "php", "asp",
    "aspx", "exe", "zip", "js", "py", "net", "xml", "json", "csv", "mp3", "mp4",
})
# Lowercase abbreviations that end with a stop and may precede a capital.
_ABBREVIATIONS = frozenset({"etc", "viz", "cf", "approx", "vs", "eg", "ie", "al"})


def insert_spaces(text: str, line: int) -> tuple[str, list[Repair]]:
    """Return ``text`` with missing spaces after full stops inserted, and the repairs."""
    repairs: list[Repair] = []

    def fix_token(match: re.Match[str]) -> str:
        token = match.group(0)
        if any(mark in token.lower() for mark in _LINKISH):
            return token
        fixed = _JOIN.sub(_fix_pair, token)
        if fixed != token:
            repairs.append(Repair("inserted-space", line, token, fixed))
        return fixed

    return _TOKEN.sub(fix_token, text), repairs


def _fix_pair(match: re.Match[str]) -> str:
    """``word.Next`` -> ``word. Next`` unless either side is a domain, file type or abbreviation."""
    before, after = match.group(1), match.group(2)
    if after.lower() in _NOT_WORDS or before.lower() in _ABBREVIATIONS:
        return match.group(0)
    return f"{before}. {after}"
