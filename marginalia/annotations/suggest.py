"""Rule-based suggestions for the importer (stub; being made real)."""

from __future__ import annotations


def suggest(title: str, paragraphs: list[str]) -> dict:
    """Suggest people, organisations, places, quotes and figures for an article."""
    return {"people": [], "organizations": [], "places": [], "quotes": [], "figures": []}
