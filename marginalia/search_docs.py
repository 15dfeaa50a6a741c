"""Which Snowball stemmer the search index uses for the site's language."""

from __future__ import annotations

STEMMERS = {"ar": "arabic", "da": "danish", "de": "german", "el": "greek", "en": "english", "es": "spanish",
            "fi": "finnish", "fr": "french", "hu": "hungarian", "id": "indonesian", "it": "italian",
            "nl": "dutch", "no": "norwegian", "nb": "norwegian", "pt": "portuguese", "ro": "romanian",
            "ru": "russian", "sv": "swedish", "tr": "turkish"}


def stemmer_language(code: str) -> str:
    """The Snowball stemmer for a language code like ``en-GB`` (English when unknown)."""
    return STEMMERS.get(code.split("-")[0].lower(), "english")
