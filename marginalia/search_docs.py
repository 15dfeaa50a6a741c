"""What the search index needs of each article: plain text and facets."""

from __future__ import annotations

from collections.abc import Sequence

from .library import Library
from .model import ENTITY_KINDS, Article
from .search import SearchDoc

STEMMERS = {"ar": "arabic", "da": "danish", "de": "german", "el": "greek", "en": "english", "es": "spanish",
            "fi": "finnish", "fr": "french", "hu": "hungarian", "id": "indonesian", "it": "italian",
            "nl": "dutch", "no": "norwegian", "nb": "norwegian", "pt": "portuguese", "ro": "romanian",
            "ru": "russian", "sv": "swedish", "tr": "turkish"}


def stemmer_language(code: str) -> str:
    """The Snowball stemmer for a language code like ``en-GB`` (English when unknown)."""
    return STEMMERS.get(code.split("-")[0].lower(), "english")


def search_doc(article: Article, url: str, text: str) -> SearchDoc:
    """One article as the search index sees it."""
    names = {kind: tuple(e.name for e in article.entities_of(kind)) for kind in ENTITY_KINDS}
    return SearchDoc(url=url, title=article.title, date=article.date.isoformat() if article.date else None,
                     content_note=article.content_note or None,
                     text="\n".join(t for t in (article.standfirst, text) if t), tags=article.tags,
                     people=names["people"], organizations=names["organizations"], places=names["places"])


def search_docs(library: Library, texts: Sequence[str]) -> list[SearchDoc]:
    """Every article's search document, in library order."""
    return [search_doc(a, url, t) for a, url, t in zip(library.articles, library.urls, texts, strict=True)]
