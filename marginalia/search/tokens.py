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
_APOSTROPHES = ("\u2019", "\u02bc", "\u2018")


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
    """The normalised words of ``text`` in order (a word's index is its position)."""
    return WORD_RE.findall(normalize(text))


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
