"""Generated archives for the publishing tests: many dated articles with tags and entities."""

from __future__ import annotations

import datetime as dt
import pathlib

from conftest import article

TAGS = ("policing", "health", "science")
PEOPLE = ("Ada Lovelace", "Grace Hopper", "Ida B. Wells")
PLACES = ("Gdańsk", "Los Angeles")
BASE_URL = "https://example.org/archive/"
CONFIG = f"title: Test archive\nbase_url: {BASE_URL}\ntimezone: Europe/London\nper_page: 10\n"


def generated_article(i: int, *, words: int = 60, edition: str = "") -> str:
    """Article number ``i``: newer as ``i`` grows, tagged and naming people and a place."""
    date = dt.date(2019, 1, 1) + dt.timedelta(days=i)
    body = (f"Paragraph one of story {i}{edition}. " + "Words of the report go here. " * (words // 6)
            + f"\n\n## Details\n\nMore about story {i}: a [link](https://example.com/{i}).\n")
    fields = {"tags": f"[{TAGS[i % 3]}, all-stories]", "people": f"[{{name: {PEOPLE[i % 3]}, role: source}}]",
              "places": f"[{PLACES[i % 2]}]", "byline": f"Reporter {i % 5}"}
    return article(f"Story {i}{edition}: the news", date.isoformat(), body, **fields)


def many_articles(count: int, *, start: int = 0, edition: str = "") -> dict[str, str]:
    """``count`` content files, ``content/YYYY/story-N.md``."""
    files = {}
    for i in range(start, start + count):
        year = (dt.date(2019, 1, 1) + dt.timedelta(days=i)).year
        files[f"content/{year}/story-{i}.md"] = generated_article(i, edition=edition)
    return files


def write_articles(site: pathlib.Path, files: dict[str, str]) -> None:
    """Write content files into an existing site folder."""
    for rel, text in files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
