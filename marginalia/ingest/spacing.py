"""The "inserted-space" repair: a sentence run into the next after its full stop.

Input: one raw line. Output: the line with a space after each full stop that
ends a lowercase word and starts a capitalised one ("Taskforce.Its"), the
repairs made, and warnings for pairs too short to be sure of ("One.Tel" is a
company). Leaves abbreviations, initials, decimals, URLs, e-mail addresses
and domain names ("bbc.co.uk", "Bungie.Org") alone. Pure.
"""

from __future__ import annotations

import re

from .draft import Note, Repair
from .headings import STARTERS

# "Its" after the stop; a word of two or more letters ending lowercase before it.
_JOIN = re.compile(r"(?<![A-Za-z.])([A-Za-z]*[a-z][a-z])\.([A-Z][a-z]+)\b")
# Every match of _JOIN holds a stop before a capital; this finds one twenty times faster (a literal
# first lets the regex engine skip ahead), and in nearly every line there is none.
_STOP_CAPITAL = re.compile(r"\.[A-Z]")
_TOKEN = re.compile(r"\S+")
_LINKISH = ("://", "www.", "@", "/")
# Capitalised top-level domains and file types that look like words: "Amazon.Com".
_NOT_WORDS = frozenset({
    "com", "org", "net", "edu", "gov", "mil", "int", "info", "biz", "co", "uk", "us", "eu",
    "de", "fr", "es", "it", "nl", "au", "ca", "io", "ly", "tv", "fm", "me", "ie", "in",
    "jp", "cn", "ru", "ch", "se", "no", "dk", "fi", "be", "at", "nz", "za", "br", "mx",
    "pdf", "doc", "docx", "jpg", "jpeg", "png", "gif", "txt", "html", "htm", "php", "asp",
    "aspx", "exe", "zip", "js", "py", "xml", "json", "csv", "mp3", "mp4",
})
# Lowercase abbreviations that end with a stop and may precede a capital.
_ABBREVIATIONS = frozenset({"etc", "viz", "cf", "approx", "vs", "eg", "ie", "al"})
_DOTTED = re.compile(r"[A-Za-z0-9]\.[A-Za-z0-9]+\.[A-Za-z0-9]")
SURE_LENGTH = 4  # a shorter word before the stop may be a name like "One.Tel"


def insert_spaces(text: str, line: int) -> tuple[str, list[Repair], list[Note]]:
    """Return ``text`` with missing spaces after full stops inserted, the repairs and doubts."""
    repairs: list[Repair] = []
    notes: list[Note] = []
    if not _STOP_CAPITAL.search(text) or not _JOIN.search(text):  # the common case: nothing to do
        return text, repairs, notes

    def fix_token(match: re.Match[str]) -> str:
        """Fix one whitespace-separated token, unless it is a link, address or domain."""
        token = match.group(0)
        if any(mark in token.lower() for mark in _LINKISH) or _DOTTED.search(token):
            return token
        for pair in _JOIN.finditer(token):
            if _doubt(pair):
                notes.append(Note(line, f"possible missing space in '{pair[0]}' not inserted",
                                  f"if it is two sentences, write '{pair[1]}. {pair[2]}'"))
        fixed = _JOIN.sub(_fix_pair, token)
        if fixed != token:
            repairs.append(Repair("inserted-space", line, token, fixed))
        return fixed

    return _TOKEN.sub(fix_token, text), repairs, notes


def _skip(pair: re.Match[str]) -> bool:
    """True for a domain, file type or abbreviation: never a missing space."""
    return pair[2].lower() in _NOT_WORDS or pair[1].lower() in _ABBREVIATIONS


def _doubt(pair: re.Match[str]) -> bool:
    """True for a short word before the stop and an unusual one after it ("One.Tel")."""
    return not _skip(pair) and len(pair[1]) < SURE_LENGTH and pair[2] not in STARTERS


def _fix_pair(pair: re.Match[str]) -> str:
    """``word.Next`` -> ``word. Next`` when sure."""
    if _skip(pair) or _doubt(pair):
        return pair[0]
    return f"{pair[1]}. {pair[2]}"
