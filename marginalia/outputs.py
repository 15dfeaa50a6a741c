"""What goes into ``output/``: article pages and every other file, each with its key.

Input: the library, the parsed sources, the templates. Output: rendered page
bytes and :class:`Job` records (listings, search index, feeds, assets) whose
key says whether last build's files are still right. Pure: writes nothing.
"""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import jinja2
from markupsafe import Markup

from .annotation_pages import editor_view, timeline_view, w3c_files
from .annotations.charts import figures_html
from .annotations.export import claim_reviews, corrections, schema_mentions
from .annotations.render import page_notes_html
from .articles import KIND_OF_ENTITY, Rendered, Source
from .background import in_background
from .cache import digest
from .errors import SiteError
from .fingerprint import TemplateKeys, context_key, tool_key
from .library import Library
from .meta import not_found_view, site_files, site_key
from .model import Article, Config, EntityRef
from .templates import runtime_problem, template_problem
from .views import View, article_context, listing_views, root_for
from .workers import PARALLEL_MIN

STATIC_DIRS = (pathlib.Path(__file__).parent / "static", pathlib.Path(__file__).parent / "annotations")
STATIC_SUFFIXES = (".css", ".js", ".svg")


@dataclasses.dataclass
class Job:
    """Files made together from one input, with the key of that input."""

    key: str
    make: Callable[[], Iterable[tuple[str, bytes]]]
    pages_out: dict[str, str]


class Pages:
    """Renders pages and computes their keys for one build."""

    def __init__(self, site: pathlib.Path, config: Config, env: jinja2.Environment, library: Library,
                 templates: TemplateKeys, sources: dict[str, tuple[Source, str]], *, clean: bool = False,
                 jobs: int = 1):
        self.site, self.config, self.env, self.library = site, config, env, library
        self.templates, self.sources, self.clean, self.jobs = templates, sources, clean, jobs
        self.config_key = digest(tool_key(), repr(config))
        self.article_keys = {rel: key for rel, (_s, key) in sources.items()}
        self.keys: dict[str, str] = {}

    def source(self, index: int) -> Source:
        return self.sources[self.library.articles[index].path][0]

    def layout(self, index: int) -> str:
        return f"{dict(self.library.articles[index].extra).get('layout', 'article')}.html"

    def article_key(self, index: int) -> str:
        """The key of an article page: its content, its neighbours' titles, its template."""
        lib = self.library
        around = [f"{lib.urls[i]}|{lib.articles[i].title}" for i in (index - 1, index + 1)
                  if 0 <= i < len(lib.articles)]
        return digest(self.config_key, self.templates[self.layout(index)],
                      self.article_keys[lib.articles[index].path], str(index == 0), *around)

    def article_page(self, index: int, body_html: str) -> bytes:
        """One article page, from its already rendered and sanitized body."""
        context = article_context(self.library, index, body_html)
        context.update(article_extras(self.source(index), self.library.articles[index], self.library.urls[index],
                                      self.config))
        return self.render(View(self.library.urls[index], self.layout(index), context))

    def render(self, view: View) -> bytes:
        """One page through its template, as UTF-8 bytes."""
        try:
            template = self.env.get_template(view.template)
            text = template.render(view.context, site=self.config, root=root_for(view.path),
                                   page_path=view.path)
        except (jinja2.TemplateSyntaxError, jinja2.TemplateNotFound) as exc:
            raise SiteError([template_problem(exc, self.site)]) from exc
        except Exception as exc:  # a layout doing something impossible, e.g. iterating a number
            raise SiteError([runtime_problem(exc, view.template, self.site)]) from exc
        return text.encode("utf-8")

    def view_job(self, view: View) -> Job:
        """A listing page as a job keyed by its template and context."""
        key = digest(self.config_key, self.templates[view.template], view.path,
                     context_key(view.context, self.article_keys))
        return Job(key, lambda: [(view.path, self.render(view))], self.keys)


def article_extras(source: Source, article: Article, url: str, config: Config) -> dict[str, Any]:
    """Annotation pieces of an article page: page notes, figures, corrections, JSON-LD."""
    anns = source.annotations
    return {
        "page_notes": Markup(page_notes_html(anns, motivations=_page_note_kinds(article))),
        "figures": Markup(figures_html(anns.figures)),
        "corrections": [a for a in anns.annotations if a.motivation == "editing" and a.status != "rejected"],
        "stylesheets": ["annotations.css"] if anns.annotations or anns.figures else [],
        "json_ld": news_article_ld(source, article, url, config),
    }


def _page_note_kinds(article: Article) -> tuple[str, ...]:
    """Notes shown before the text: not corrections (they go to the log at the foot), and no
    second content note when the front matter already has one."""
    kinds = ("commenting", "questioning", "assessing", "describing", "highlighting", "classifying")
    return tuple(k for k in kinds if not (k == "classifying" and article.content_note))


def news_article_ld(source: Source, article: Article, url: str, config: Config) -> dict[str, Any]:
    """schema.org NewsArticle with mentions, isBasedOn, correction and ClaimReview."""
    anns = [a for a in source.annotations.annotations if a.status == "accepted"]
    absolute = (config.base_url + url) if config.base_url else url
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": article.title,
                            "url": absolute, "inLanguage": config.language}
    if article.date:
        data["datePublished"] = article.date.isoformat()
    if article.updated:
        data["dateModified"] = article.updated.isoformat()
    if article.byline:
        data["author"] = {"@type": "Person", "name": article.byline}
    if article.standfirst:
        data["description"] = article.standfirst
    if article.tags:
        data["keywords"] = list(article.tags)
    mentions = schema_mentions(anns) or [_entity_ld(e) for e in article.entities]
    if mentions:
        data["mentions"] = mentions
    if article.source and (article.source.url or article.source.name):
        data["isBasedOn"] = {"@type": "CreativeWork", "name": article.source.name or article.title,
                             **({"url": article.source.url} if article.source.url else {})}
    if article.license and article.license.url:
        data["license"] = article.license.url
    if fixes := corrections(anns):
        data["correction"] = fixes
    reviews = claim_reviews(absolute, anns)
    return {"@context": "https://schema.org", "@graph": [data, *reviews]} if reviews else data


def _entity_ld(e: EntityRef) -> dict[str, Any]:
    kind = {"people": "Person", "organizations": "Organization", "places": "Place"}[e.kind]
    out: dict[str, Any] = {"@type": kind, "name": e.name}
    if e.wikidata:
        out["sameAs"] = f"https://www.wikidata.org/wiki/{e.wikidata}"
    return out


def merge_annotation_entities(source: Source) -> Article | None:
    """The article with the entities its accepted identifying annotations name added."""
    article = source.article
    if article is None:
        return None
    extra: list[EntityRef] = []
    have = {(e.kind, e.name) for e in article.entities}
    for ann in source.annotations.annotations:
        entity = ann.entity
        if entity is None or ann.status != "accepted" or entity.type not in KIND_OF_ENTITY:
            continue
        ref = EntityRef(KIND_OF_ENTITY[entity.type], entity.name, entity.role or "", entity.wikidata or "")
        if (ref.kind, ref.name) not in have:
            have.add((ref.kind, ref.name))
            extra.append(ref)
    notes = [a.body for a in source.annotations.annotations
             if a.motivation == "classifying" and a.status == "accepted" and a.target is None and a.body]
    if notes and not article.content_note:
        article = dataclasses.replace(article, content_note=" ".join(notes))
    return dataclasses.replace(article, entities=article.entities + tuple(extra)) if extra else article


def site_jobs(pages: Pages, rendered: Sequence[Rendered],
              reusable: Callable[[str], bool] = lambda key: False) -> Iterator[Job]:
    """Every file besides the article pages, as keyed jobs, in a fixed order. The search index,
    the longest of them, is made in a forked process while the listings render, unless
    ``reusable`` says last build's files for its key are still there."""
    from .search import SearchCache, build_index
    from .search_docs import search_docs, stemmer_language

    library, config = pages.library, pages.config
    docs = search_docs(library, [r.text for r in rendered])
    docs_key = digest(pages.config_key, *(f"{d.url}|{pages.article_keys[a.path]}"
                                          for d, a in zip(docs, library.articles, strict=True)))
    search_key = digest("search", docs_key)
    # The scan memo only saves rescanning unchanged articles; a clean build ignores it.
    scan_cache = SearchCache(pages.site / ".marginalia-cache" / "search-scan.pickle", read=not pages.clean)
    index_jobs = None if pages.jobs > 1 else 1  # None: as many as pay off for this many articles
    search_files = in_background(lambda: sorted(build_index(
        docs, language=stemmer_language(config.language), cache=scan_cache, jobs=index_jobs).items()),
        worth_it=pages.jobs > 1 and len(docs) >= PARALLEL_MIN and not reusable(search_key))
    mentions = {library.articles[i].path: r.mentions for i, r in enumerate(rendered)}
    for view in listing_views(library, config, mentions):
        yield pages.view_job(view)
    yield pages.view_job(View("search/index.html", "search.html", {}))
    sets = [pages.source(i).annotations for i in range(len(library.articles))]
    yield pages.view_job(timeline_view(library, sets))
    yield pages.view_job(editor_view(library, sets, rendered))
    pairs = zip(library.articles, library.urls, strict=True)
    notes_key = digest(pages.config_key, *(f"{u}|{pages.article_keys[a.path]}" for a, u in pairs))
    yield Job(digest("w3c", notes_key), lambda: list(w3c_files(library, sets, config)), pages.keys)
    yield Job(search_key, search_files, pages.keys)
    yield Job(digest("feeds", docs_key), lambda: _feeds(library, config), pages.keys)
    yield Job(digest("assets", tool_key()), _assets, pages.keys)
    yield pages.view_job(not_found_view(config))
    # Last: sitemap, offline manifest and service worker describe every file made before them.
    keys = dict(pages.keys)
    yield Job(digest("site", site_key(keys)), lambda: list(site_files(keys, library, config)), pages.keys)


def _feeds(library: Library, config: Config) -> Iterable[tuple[str, bytes]]:
    from .feeds import build_feeds

    return list(build_feeds(library, config))


def _assets() -> Iterator[tuple[str, bytes]]:
    """The package's CSS and scripts, copied into ``assets/``."""
    for folder in STATIC_DIRS:
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix in STATIC_SUFFIXES and not path.name.startswith(".") \
                    and path.name != "sw.js":  # the service worker goes to the root (meta.py)
                yield f"assets/{path.name}", path.read_bytes()


