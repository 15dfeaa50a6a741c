"""Per-article work: read and parse each content file, render each article.

Input: content files (and their ``*.annotations.yaml`` sidecars). Output:
:class:`Source` records (the parsed article and its annotations) and
:class:`Rendered` records (page bytes, the text a reader sees, anchored
mentions and quotes, located warnings). Pure per article, so it runs in a
process pool; the parent merges the results in order. Reads content only.
"""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Callable, Iterator, Sequence

from .annotations.anchor import AnchorResult
from .annotations.model import AnnotationSet
from .annotations.render import AnnotationExtension
from .annotations.sidecar import SUFFIX, parse_sidecar
from .cache import encode_record
from .errors import Problem, SiteError
from .library import MAX_CONTENT_BYTES, decode_content, inside_content, read_article
from .markup import Renderer
from .model import Article
from .workers import map_forked

KIND_OF_ENTITY = {"person": "people", "organization": "organizations", "place": "places"}


@dataclasses.dataclass(frozen=True)
class Source:
    """One content file parsed: the article (None on error), its annotations, problems."""

    rel: str
    article: Article | None
    annotations: AnnotationSet
    problems: tuple[Problem, ...]


@dataclasses.dataclass(frozen=True)
class Mention:
    """An anchored passage: an entity named, or a quote and its speaker."""

    kind: str  # "people", "organizations", "places" or "quote"
    name: str  # the entity, or the speaker ("" when unknown)
    passage: str
    anchor: str  # the element id on the article page


@dataclasses.dataclass(frozen=True)
class Rendered:
    """An article page and what the listings and the search index need from it."""

    page: bytes
    text: str
    mentions: tuple[Mention, ...]
    problems: tuple[Problem, ...]


def load_source(site: pathlib.Path, path: pathlib.Path) -> Source:
    """Parse one content file and its sidecar (never raises for bad input)."""
    article, problems = read_article(site, path)
    rel = path.relative_to(site).as_posix()
    side = path.with_name(path.stem + SUFFIX)
    annotations = AnnotationSet(side.relative_to(site).as_posix())
    if side.is_file() and inside_content(site, side):
        problem: Problem | None
        try:
            if side.stat().st_size > MAX_CONTENT_BYTES:
                text, problem = "", Problem(annotations.path, 1, 1, "file is larger than 20 MB", "split it up")
            else:
                text, problem = decode_content(side.read_bytes(), annotations.path)
        except OSError as exc:
            text, problem = "", Problem(annotations.path, 1, 1, f"cannot read sidecar: {exc.strerror}",
                                        "check that the file is readable")
        if problem is not None:
            problems = [*problems, problem]
        else:
            annotations, side_problems = parse_sidecar(text, annotations.path)
            problems = [*problems, *side_problems]
    return Source(rel, article, annotations, tuple(problems))


class ArticleRenderer:
    """Markdown, annotations and the page template for one article at a time."""

    def __init__(self, page: Callable[[int, str], bytes], taxonomies: Sequence[str]):
        self.page, self.taxonomies = page, tuple(taxonomies)
        self.markup = Renderer()
        self.extension = AnnotationExtension()
        self.extension.extendMarkdown(self.markup.md)

    def render(self, index: int, url: str, source: Source) -> Rendered:
        """Render one article; ``url`` is its page's path in output/."""
        assert source.article is not None
        root = "../" * url.count("/")

        def entity_url(kind: str, name: str) -> str | None:
            from .slugs import group_slug

            plural = KIND_OF_ENTITY.get(kind, "")
            return f"{root}{plural}/{group_slug(name)}/index.html" if plural in self.taxonomies else None

        result = AnchorResult(source.annotations.path)
        self.extension.entity_url = entity_url
        self.extension.use(shown(source.annotations), result)
        try:
            html, text = self.markup.render(source.article.body, plain_ok=self.extension.marks_nothing())
            page = self.page(index, html)
        except RecursionError:  # Python-Markdown recurses once per level of nesting
            raise SiteError([Problem(source.rel, source.article.body_line, 1,
                                     "the Markdown nests too deeply to render (hundreds of levels of "
                                     "lists, quotes or emphasis)", "flatten the nesting")]) from None
        return Rendered(page, text, _mentions(result), tuple(result.problems))


def shown(annotations: AnnotationSet) -> AnnotationSet:
    """What readers see: accepted annotations only (suggestions wait on the editors' page)."""
    if all(a.status == "accepted" for a in annotations.annotations):
        return annotations
    return dataclasses.replace(annotations, annotations=tuple(
        a for a in annotations.annotations if a.status == "accepted"))


def _mentions(result: AnchorResult) -> tuple[Mention, ...]:
    """Entity mentions and quotes that found their passage."""
    out: list[Mention] = []
    for anchor in result.anchors:
        item = anchor.item
        if not anchor.found or getattr(item, "status", "accepted") == "rejected":
            continue
        entity = getattr(item, "entity", None)
        if entity is not None and entity.type in KIND_OF_ENTITY:
            out.append(Mention(KIND_OF_ENTITY[entity.type], entity.name, anchor.text, f"anno-{item.id}"))
        elif getattr(item, "kind", None) == "quote":
            out.append(Mention("quote", getattr(item, "speaker", None) or "", anchor.text, f"anno-{item.id}"))
    return tuple(out)


def _render_task(task: tuple[int, str], renderer: ArticleRenderer, sources: Sequence[Source]
                 ) -> tuple[int, Rendered, bytes]:
    """An article rendered, and its cache record (source and rendered parts, page left out) pickled
    here, in the worker, so that the parent does not spend its time on it."""
    index, url = task
    source = sources[index]
    rendered = renderer.render(index, url, source)
    return index, rendered, encode_record((source, dataclasses.replace(rendered, page=b"")))


def render_all(tasks: Sequence[tuple[int, str]], sources: Sequence[Source],
               make_renderer: Callable[[], ArticleRenderer], jobs: int) -> Iterator[tuple[int, Rendered, bytes]]:
    """Render the given (index, url) tasks, in order, across ``jobs`` forked processes (which share
    the renderer and the sources copy-on-write): each result with its cache record, pickled."""
    return map_forked(_render_task, tasks, (make_renderer(), sources), jobs, chunksize=32)
