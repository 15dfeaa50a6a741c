"""Words and stems: the one tokenizer the index and the browser both follow.

Input: plain text. Output: normalised words (and their positions) and the
Snowball stem of each word. ``static/search-index.js`` and ``static/site.js`` repeat
the same rules in JavaScript (see ``WORD_PATTERN_JS``), so the browser never
stems: it looks up the word -> stem mapping that the index stores.
Touches nothing outside memory.
"""

from __future__ import annotations

import re
import unicodedata

import snowballstemmer

from ..errors import Problem, SiteError

# A word is a run of letters and digits, possibly joined by apostrophes
# ("country's", "o'neill"). Python's [^\W_] is "letter or number", the same
# set as JavaScript's [\p{L}\p{N}] once combining marks are stripped.
WORD_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
WORD_PATTERN_JS = r"[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*"
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_WORD_CHAR = re.compile(r"[^\W_]")
_APOSTROPHES = ("\u2019", "\u02bc", "\u2018")
# For WORD_RE every character that is neither a word character nor an apostrophe is the same
# separator, so each can become a space; an ASCII string's only other characters are then
# letters, digits and apostrophes (see words()).
# (A bytes table: bytes.translate, with the encoding and decoding around it, took 1.4 us for a
# 2 KB ASCII news text, str.translate 3.2 us.)
_ASCII_SEPARATORS = bytes(32 if c < 128 and chr(c) != "'" and not _WORD_CHAR.match(chr(c)) else c for c in range(256))
_FEW = 8  # distinct non-ASCII separators worth a str.replace each; more go to the regex


def normalize(text: str) -> str:
    """Lower-case ``text``, strip accents (NFKD, drop marks) and unify apostrophes."""
    if not text.isascii():
        for apostrophe in _APOSTROPHES:  # str.replace is many times faster than str.translate
            text = text.replace(apostrophe, "'")
        text = unicodedata.normalize("NFKD", text)
        if not text.isascii():
            text = _NON_ASCII.sub(_drop_mark, text)
    return text.lower()


def _drop_mark(match: re.Match[str]) -> str:
    char = match.group()
    return "" if unicodedata.category(char) == "Mn" else char


def words(text: str) -> list[str]:
    """The normalised words of ``text`` in order (a word's index is its position):
    ``WORD_RE.findall(normalize(text))``, found about twice as fast with ``str.split``."""
    text = normalize(text)
    if not text.isascii():
        others = set(_NON_ASCII.findall(text))
        if len(others) > _FEW:
            return WORD_RE.findall(text)
        for char in others:  # news text: mostly '£' and dashes, which separate words like a space
            if not _WORD_CHAR.match(char):
                text = text.replace(char, " ")
        if not text.isascii():  # letters beyond ASCII: the regex knows them
            return WORD_RE.findall(text)
    text = text.encode("ascii").translate(_ASCII_SEPARATORS).decode("ascii")
    if "'" in text:
        text = _lone_apostrophes(text)
    return text.split()


def _lone_apostrophes(text: str) -> str:
    """``text`` (letters, digits, apostrophes, spaces) with a space for every apostrophe that
    is not between two word characters: WORD_RE keeps only those between two, and splits at
    the others. (Split at the apostrophes, a few a text, and joined again: 2.5 us for a news
    text, against 7 us for the three scans and two copies of replacing ``''``, `` '`` and ``' ``.)"""
    parts = text.split("'")
    out = [before := parts[0]]
    for after in parts[1:]:
        out += ("'" if before and after and before[-1] != " " and after[0] != " " else " ", after)
        before = after
    return "".join(out)


class Stemmer:
    """A Snowball stemmer with a cache: each distinct word is stemmed once."""

    def __init__(self, language: str = "english") -> None:
        if language not in snowballstemmer.algorithms():
            raise SiteError([Problem(
                "config.yaml", message=f"search: no Snowball stemmer for language {language!r}",
                hint="use one of: " + ", ".join(sorted(snowballstemmer.algorithms())))])
        self._stemmer = snowballstemmer.stemmer(language)
        self._cache: dict[str, str] = {}

    def stem(self, word: str) -> str:
        """The stem of one normalised word (never empty)."""
        found = self._cache.get(word)
        if found is None:
            # Numbers are their own stems; skipping Snowball for them saves time.
            found = word if word.isdigit() else (self._stemmer.stemWord(word) or word)
            self._cache[word] = found
        return found

    def mapping(self) -> dict[str, str]:
        """Every word stemmed so far -> its stem."""
        return dict(self._cache)
