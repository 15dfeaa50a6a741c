"""What goes into ``output/``: article pages and every other file, each with its key.

Input: the library, the parsed sources, the templates. Output: rendered page
bytes and :class:`Job` records (listings, search index, feeds, assets) whose
key says whether last build's files are still right. Pure: writes nothing.
"""

from __future__ import annotations

import dataclasses
import functools
import pathlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import jinja2
from markupsafe import Markup

from .annotation_pages import editor_view, timeline_view, w3c_files
from .annotations.charts import figures_html
from .annotations.export import claim_reviews, corrections, schema_mentions
from .annotations.render import page_notes_html
from .articles import Entry
from .cache import digest
from .errors import SiteError
from .fingerprint import Shared, TemplateKeys, context_key, tool_key
from .indexer import Indexer, Revision
from .library import Library
from .meta import modified_times, not_found_view, site_files, site_key, sitemap_pages, sitemaps
from .model import Article, Config, EntityRef
from .templates import runtime_problem, template_problem
from .views import View, article_context, listing_views, root_for

STATIC_DIRS = (pathlib.Path(__file__).parent / "static", pathlib.Path(__file__).parent / "annotations")
STATIC_SUFFIXES = (".css", ".js", ".svg")


@dataclasses.dataclass
class Job:
    """Files made together from one input, with the key of that input."""

    key: str
    make: Callable[[], Iterable[tuple[str, bytes | None]]]  # (None: the file the output holds is right)
    pages_out: dict[str, str]
    view: View | None = None  # a page of one template
    listing: int | None = None  # its place in Pages.listing_views, if it is a listing


class Pages:
    """Renders pages and computes their keys for one build."""

    def __init__(self, site: pathlib.Path, config: Config, env: jinja2.Environment, library: Library,
                 templates: TemplateKeys, entries: dict[str, Entry], *, clean: bool = False, jobs: int = 1):
        self.site, self.config, self.env, self.library = site, config, env, library
        self.templates, self.entries, self.clean, self.jobs = templates, entries, clean, jobs
        self.config_key = config_key(config)
        self.article_keys = {rel: e.key for rel, e in entries.items()}  # everything read from the file
        self.meta_keys = {rel: e.meta_key for rel, e in entries.items()}  # all that a listing can show
        self.keys: dict[str, str] = {}  # every output file's key, as the build makes them
        self.job_keys: dict[str, str] = {}  # the keys of the jobs that depend on every article's content
        self.feed_parts: list[str] = []  # each article's Entry.feed_key, in the library's order
        self.shared: Shared = {}  # keys of the lists that listing contexts share (fingerprint.context_key)
        # Listing pages' keys known without walking their contexts, by path (see view_job).
        self.known_keys: Mapping[str, str] = {}

    @functools.cached_property
    def contents_key(self) -> str:
        """A key of every article's content and address (the search index and the W3C exports
        depend on nothing else)."""
        keys = [self.article_keys[a.path] for a in self.library.articles]
        return contents_key(self.config_key, zip(self.library.urls, keys, strict=True))

    def entry(self, index: int) -> Entry:
        return self.entries[self.library.articles[index].path]

    def layout(self, index: int) -> str:
        return self.layouts[index]

    @functools.cached_property
    def layouts(self) -> list[str]:
        """Each article's template, in the library's order."""
        return [f"{dict(a.extra).get('layout', 'article')}.html" for a in self.library.articles]

    def article_key(self, index: int) -> str:
        """The key of an article page: its content, its neighbours' titles, its template."""
        lib = self.library
        around = [(lib.urls[i], lib.articles[i].title) for i in (index - 1, index + 1) if 0 <= i < len(lib.articles)]
        return page_key(self.config_key, self.templates[self.layout(index)],
                        self.article_keys[lib.articles[index].path], index == 0, around)

    def article_page(self, index: int, body_html: str) -> bytes:
        """One article page, from its already rendered and sanitized body."""
        entry = self.entry(index)
        context = article_context(self.library, index, body_html)
        context.update(article_extras(entry, self.library.articles[index], self.library.urls[index], self.config))
        return self.render(View(self.library.urls[index], self.layout(index), context))

    def render(self, view: View) -> bytes:
        """One page through its template, as UTF-8 bytes."""
        return render_view(self.env, self.config, self.site, view)

    @functools.cached_property
    def listing_views(self) -> list[View]:
        """Every listing page (views.listing_views), in a fixed order: made before the page workers
        are forked, which take a listing by its place here (no listing's articles are pickled)."""
        mentions = {a.path: self.entries[a.path].mentions for a in self.library.articles}
        return list(listing_views(self.library, self.config, mentions))

    def view_job(self, view: View, listing: bool = False) -> Job:
        """A listing page as a job keyed by its template and context (an article counts by what a
        listing can show of it, so editing a body re-renders no listing); a ``listing`` of
        :meth:`listings` by its key in :attr:`known_keys`, if there."""
        key = (listing and self.known_keys.get(view.path)) or digest(
            self.config_key, self.templates[view.template], view.path,
            context_key(view.context, self.meta_keys, self.shared))
        return Job(key, lambda: [(view.path, self.render(view))], self.keys, view)


def config_key(config: Config) -> str:
    """The key of the tool's code and the config, which every page depends on."""
    return digest(tool_key(), repr(config))


def page_key(config_key: str, template_key: str, content_key: str, first: bool,
             around: Iterable[tuple[str, str]]) -> str:
    """The key of an article page: the config, its template, its content, whether it is the newest,
    and its neighbours' (url, title)."""
    return digest(config_key, template_key, content_key, str(first), *(f"{url}|{title}" for url, title in around))


def editor_key(config_key: str, template_key: str, contents: str) -> str:
    """The key of the editors' page: its template and every article's content and address (what
    it shows, warnings and suggestions, follows from those)."""
    return digest("editor", config_key, template_key, contents)


def contents_key(config_key: str, pairs: Iterable[tuple[str, str]]) -> str:
    """A key of every article's (url, content key), in the library's order."""
    return digest(config_key, *(f"{url}|{key}" for url, key in pairs))


def render_view(env: jinja2.Environment, config: Config, site: pathlib.Path, view: View) -> bytes:
    """One page through its template, as UTF-8 bytes."""
    try:
        template = env.get_template(view.template)
        text = template.render(view.context, site=config, root=root_for(view.path), page_path=view.path)
    except (jinja2.TemplateSyntaxError, jinja2.TemplateNotFound) as exc:
        raise SiteError([template_problem(exc, site)]) from exc
    except Exception as exc:  # a layout doing something impossible, e.g. iterating a number
        raise SiteError([runtime_problem(exc, view.template, site)]) from exc
    return text.encode("utf-8")


def article_extras(entry: Entry, article: Article, url: str, config: Config) -> dict[str, Any]:
    """Annotation pieces of an article page: page notes, figures, corrections, JSON-LD."""
    anns = entry.annotations
    return {
        "page_notes": Markup(page_notes_html(anns, motivations=_page_note_kinds(article))),
        "figures": Markup(figures_html(anns.figures)),
        "corrections": [a for a in anns.annotations if a.motivation == "editing" and a.status != "rejected"],
        "stylesheets": ["annotations.css"] if anns.annotations or anns.figures else [],
        "json_ld": news_article_ld(entry, article, url, config),
    }


def _page_note_kinds(article: Article) -> tuple[str, ...]:
    """Notes shown before the text: not corrections (they go to the log at the foot), and no
    second content note when the front matter already has one."""
    kinds = ("commenting", "questioning", "assessing", "describing", "highlighting", "classifying")
    return tuple(k for k in kinds if not (k == "classifying" and article.content_note))


def news_article_ld(entry: Entry, article: Article, url: str, config: Config) -> dict[str, Any]:
    """schema.org NewsArticle with mentions, isBasedOn, correction and ClaimReview."""
    anns = [a for a in entry.annotations.annotations if a.status == "accepted"]
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


def search_job(pages: Pages, indexer: Indexer | Revision, reusable: Callable[[str], bool] = lambda key: False,
               since: str | None = None) -> Job:
    """The search index as a job, asked of ``indexer`` now (it builds in its own process while the
    pages render), unless ``reusable`` says last build's files for its key are still there
    (``since``: the key of the index the output holds, when its files that stay the same may come as
    None)."""
    key = pages.job_keys["search"] = digest("search", pages.contents_key)
    if reusable(key):
        indexer.cancel()
        return Job(key, list, pages.keys)  # never made: last build's files are kept
    return Job(key, indexer.files(token=key, since=since), pages.keys)


def editor_job_key(pages: Pages) -> str:
    """The key of the editors' page (see :func:`editor_key`)."""
    return editor_key(pages.config_key, pages.templates["editor.html"], pages.contents_key)


def editor_files(pages: Pages) -> list[tuple[str, bytes | None]]:
    """The editors' page."""
    library = pages.library
    entries = [pages.entry(i) for i in range(len(library.articles))]
    view = editor_view(library, [e.annotations for e in entries], [e.warnings for e in entries])
    return [(view.path, pages.render(view))]


def site_jobs(pages: Pages, search: Job, editor: Callable[[], list[tuple[str, bytes | None]]] | None = None
              ) -> Iterator[Job]:
    """Every file besides the article pages, as keyed jobs, in a fixed order (``editor``: the
    editors' page's files, when made already or elsewhere)."""
    library, config = pages.library, pages.config
    entries = [pages.entry(i) for i in range(len(library.articles))]
    for place, view in enumerate(pages.listing_views):
        job = pages.view_job(view, listing=True)
        job.listing = place
        yield job
    yield pages.view_job(View("search/index.html", "search.html", {}))
    sets = [e.annotations for e in entries]
    yield pages.view_job(timeline_view(library, sets))
    pages.job_keys["w3c"] = digest("w3c", pages.contents_key)
    yield Job(pages.job_keys["w3c"], lambda: list(w3c_files(library, sets, config)), pages.keys)
    summaries = [e.summary for e in entries]
    pages.feed_parts = [e.feed_key for e in entries]
    pages.job_keys["feeds"] = digest("feeds", pages.config_key, *pages.feed_parts)
    yield Job(pages.job_keys["feeds"], lambda: _feeds(library, config, summaries), pages.keys)
    yield Job(digest("assets", tool_key()), _assets, pages.keys)
    yield pages.view_job(not_found_view(config))
    # The two jobs that may be made in other processes come after those made here, so that they
    # have the most time before they are waited for: the search index (its own process) and the
    # editors' page, an entry per article with a warning (every article, in some imports; made
    # in a process of its own in a rebuild written in place), keyed by every article's content,
    # not by walking that long context.
    yield search
    key = pages.job_keys["editor"] = editor_job_key(pages)
    yield Job(key, editor or (lambda: editor_files(pages)), pages.keys)
    # Last: the sitemap lists every page made before it, with the articles' dates (keyed by those
    # alone, so a new headline or text leaves it as it was); then the offline manifest and the
    # service worker describe every file made before them.
    modified = modified_times(library, config)
    listed = sitemap_pages(pages.keys) if config.base_url else []
    yield Job(digest("sitemap", pages.config_key, site_key({page: modified.get(page, "") for page in listed})),
              lambda: list(sitemaps(listed, modified, config)) if config.base_url else [], pages.keys)
    keys = dict(pages.keys)
    whole = site_key(keys)
    pages.job_keys["site"] = digest("site", whole)
    yield Job(pages.job_keys["site"], lambda: list(site_files(keys, whole, config)), pages.keys)


def _feeds(library: Library, config: Config, summaries: Sequence[str]) -> Iterable[tuple[str, bytes]]:
    from .feeds import build_feeds

    return list(build_feeds(library, config, summaries))


def _assets() -> Iterator[tuple[str, bytes]]:
    """The package's CSS and scripts, copied into ``assets/``."""
    for folder in STATIC_DIRS:
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix in STATIC_SUFFIXES and not path.name.startswith(".") \
                    and path.name != "sw.js":  # the service worker goes to the root (meta.py)
                yield f"assets/{path.name}", path.read_bytes()


