"""One template context per page.

Input: the :class:`~marginalia.library.Library` and config. Output:
``View(path, template, context)`` records for every listing page (home,
archives, tags, entities, credits) and the article pages' contexts. Pure:
nothing here renders or writes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .dates import month_name
from .library import Group, Library
from .model import ENTITY_KINDS, ENTITY_LABELS, Article, Config
from .slugs import group_slug

if TYPE_CHECKING:
    from .articles import Mention

KIND_TITLES = {"tags": "Topics", "people": "People", "organizations": "Organisations", "places": "Places"}
KIND_NOUNS = {"tags": "topics", "people": "people", "organizations": "organisations", "places": "places"}


@dataclasses.dataclass(frozen=True)
class View:
    """A page to render: where it goes, which template, with what."""

    path: str
    template: str
    context: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Item:
    """An article as a listing shows it."""

    article: Article
    url: str


def root_for(path: str) -> str:
    """The relative prefix from ``path`` back to the output root."""
    return "../" * path.count("/")


def items_of(library: Library) -> list[Item]:
    """Every article's listing item, in the library's order (made once: the listings of a large
    archive hold each article three or four times)."""
    return list(map(Item, library.articles, library.urls))


Mentions = Mapping[str, Sequence["Mention"]]


def listing_views(library: Library, config: Config, mentions: Mentions | None = None) -> Iterator[View]:
    """Every page except the articles themselves."""
    mentions = mentions or {}
    items = items_of(library)
    yield from home_views(library, config, items)
    yield from group_views(library, mentions, items)
    yield View("archive/index.html", "archive.html", {
        "years": library.groups["years"], "months": library.groups["months"],
        "undated": sum(1 for a in library.articles if a.date is None)})
    undated = [i for i, a in enumerate(library.articles) if a.date is None]
    if undated:
        yield View("undated/index.html", "list.html", {
            "heading": "Undated articles", "group": None, "children": [], "passages": [], "quotes": [],
            "parent": {"url": "archive/index.html", "title": "Archive"},
            "items": [items[i] for i in undated]})
    yield View("credits/index.html", "credits.html", {"sources": credit_sources(library, config)})


def home_views(library: Library, config: Config, items: list[Item]) -> Iterator[View]:
    """The paginated home page, newest first."""
    total = len(library.articles)
    count = max(1, -(-total // config.per_page))
    for number in range(1, count + 1):
        start = (number - 1) * config.per_page
        path = "index.html" if number == 1 else f"page/{number}/index.html"
        newer = None if number == 1 else ("index.html" if number == 2 else f"page/{number - 1}/index.html")
        older = f"page/{number + 1}/index.html" if number < count else None
        yield View(path, "index.html", {
            "items": items[start:start + config.per_page], "total": total, "years": library.groups["years"],
            "pager": {"number": number, "count": count, "newer": newer, "older": older}})


def group_views(library: Library, mentions: Mentions, items: list[Item]) -> Iterator[View]:
    """A page per tag, entity, year and month, and an index page per taxonomy."""
    passages = passages_by_entity(library, mentions, items)
    for kind, groups in library.groups.items():
        if kind in KIND_TITLES:
            yield View(f"{kind}/index.html", "terms.html", {
                "heading": KIND_TITLES[kind], "noun": KIND_NOUNS[kind], "terms": groups, "kind": kind})
        for group in groups:
            context = group_context(library, group, items)
            context["passages"] = passages.get((group.kind, group.slug), [])
            context["quotes"] = passages.get(("quote", group.slug), []) if group.kind == "people" else []
            yield View(group.url, "list.html", context)


def passages_by_entity(library: Library, mentions: Mentions, items: list[Item]
                       ) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(kind, entity slug) -> the anchored passages naming it; ("quote", slug) -> a person's quotes."""
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for index, article in enumerate(library.articles):
        for m in mentions.get(article.path, ()):
            if m.kind == "quote" and not m.name:
                continue
            out.setdefault((m.kind, group_slug(m.name)), []).append({
                "item": items[index], "passage": m.passage,
                "url": f"{library.urls[index]}#{m.anchor}"})
    return out


def group_context(library: Library, group: Group, items: list[Item]) -> dict[str, Any]:
    """The context of one group's listing page."""
    children: list[dict[str, Any]] = []
    if group.kind == "years":
        parent = {"url": "archive/index.html", "title": "Archive"}
        heading = group.name
        children = [{"url": m.url, "label": month_name(m.name), "count": len(m.members)}
                    for m in library.groups["months"] if m.slug.startswith(group.slug + "/")]
    elif group.kind == "months":
        year = group.slug.split("/")[0]
        parent = {"url": f"{year}/index.html", "title": year}
        heading = month_name(group.name)
    else:
        parent = {"url": f"{group.kind}/index.html", "title": KIND_TITLES[group.kind]}
        label = ENTITY_LABELS.get(group.kind, "Topic")
        heading = f"{group.name}" if group.kind != "tags" else f"Topic: {group.name}"
        if group.kind in ENTITY_KINDS:
            heading = f"{group.name} ({label.lower()})"
    return {"heading": heading, "group": group, "parent": parent, "children": children,
            "items": [items[i] for i in group.members], "passages": [], "quotes": []}


def credit_sources(library: Library, config: Config) -> list[dict[str, Any]]:
    """Per source name: article count, licences, and the configured notice."""
    notices = dict(config.credits)
    by_name: dict[str, dict[str, Any]] = {}
    for a in library.articles:
        name = (a.source.name if a.source and a.source.name else "") or "Other sources"
        entry = by_name.setdefault(name, {"name": name, "count": 0, "licenses": {}, "notice": notices.get(name, "")})
        entry["count"] += 1
        if a.license:
            entry["licenses"][(a.license.name, a.license.url)] = a.license
    out = []
    for name in sorted(by_name, key=lambda n: (-by_name[n]["count"], n)):
        entry = by_name[name]
        entry["licenses"] = [entry["licenses"][k] for k in sorted(entry["licenses"])]
        out.append(entry)
    return out


def article_context(library: Library, index: int, body_html: str) -> dict[str, Any]:
    """The context of one article page (body already rendered and sanitized)."""
    newer = index - 1 if index > 0 else None
    older = index + 1 if index + 1 < len(library.articles) else None
    return page_context(library.articles[index], body_html, _link(library, newer), _link(library, older),
                        library.group_url)


def page_context(article: Article, body_html: str, newer: dict[str, str] | None, older: dict[str, str] | None,
                 group_url: Callable[[str, str], str | None]) -> dict[str, Any]:
    """An article page's context from what it shows of the rest of the archive: its neighbours'
    links and its tags' and entities' group pages (``group_url(kind, name)``)."""
    entities = []
    for kind in ENTITY_KINDS:
        refs = article.entities_of(kind)
        if refs:
            entities.append({"label": KIND_TITLES[kind], "entries": [
                {"name": r.name, "role": r.role, "url": group_url(kind, r.name)} for r in refs]})
    extra = dict(article.extra)
    return {
        "article": article, "body": Markup(body_html), "entities": entities,
        "tags": [{"name": t, "url": group_url("tags", t) or ""} for t in article.tags],
        "repairs": list(extra.get("import", {}).get("repairs", []) or []),
        "newer": newer, "older": older,
        "stylesheets": [], "json_ld": None,
    }


def own_group_url(taxonomies: Container[str]) -> Callable[[str, str], str | None]:
    """``Library.group_url`` for the names of an article in the library, without the library: every
    name an article carries has its group, at a path made from its slug, in each listed taxonomy."""
    def group_url(kind: str, name: str) -> str | None:
        return f"{kind}/{group_slug(name)}/index.html" if kind in taxonomies else None
    return group_url


def _link(library: Library, index: int | None) -> dict[str, str] | None:
    if index is None:
        return None
    return {"url": library.urls[index], "title": library.articles[index].title}
