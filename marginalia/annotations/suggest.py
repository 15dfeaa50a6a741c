"""Suggest annotations for a newly imported article, by rules and word lists only.

Input: the title and paragraphs (plain text). Output: a dict of people (with
roles), organisations, places, direct quotes (with speaker or None) and
figures (value, label, year), each list in order of first appearance, each
name once. No model, no network; touches only the package's data files.
"""

from __future__ import annotations

from typing import Any

from .entities import find_mentions
from .numbers import find_counts
from .quotes import find_quotes


def suggest(title: str, paragraphs: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Suggest people, organisations, places, quotes and figures for an article."""
    text = "\n\n".join(p.strip() for p in [title, *paragraphs] if p and p.strip())
    mentions = find_mentions(text)
    people: dict[str, str | None] = {}
    orgs: dict[str, None] = {}
    places: dict[str, None] = {}
    for m in mentions:
        if m.kind == "person":
            people[m.name] = people.get(m.name) or m.role
        else:
            (orgs if m.kind == "organization" else places).setdefault(m.name, None)
    return {
        "people": [{"name": n, "role": r} for n, r in people.items()],
        "organizations": [{"name": n} for n in orgs],
        "places": [{"name": n} for n in places],
        "quotes": [{"text": q.text, "speaker": q.speaker} for q in find_quotes(text, mentions)],
        "figures": [{"value": c.value, "label": c.label, "year": c.year}
                    for c in find_counts(text)],
    }
