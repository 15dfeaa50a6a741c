"""Per-article work: read and parse each content file, render each article.

Input: content files (and their ``*.annotations.yaml`` sidecars). Output:
:class:`Source` records (the parsed article and its annotations) and
:class:`Rendered` records (page bytes, the text a reader sees, anchored
mentions and quotes, located warnings). Pure per article, so it runs in a
process pool; the parent merges the results in order. Reads content only.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import pathlib
import stat
from collections.abc import Callable, Container, Iterator, Sequence

from .annotations.anchor import AnchorResult
from .annotations.model import AnnotationSet
from .annotations.render import AnnotationExtension
from .annotations.sidecar import SUFFIX, parse_sidecar
from .cache import encode_record
from .errors import Problem, SiteError
from .library import MAX_CONTENT_BYTES, decode_content, inside_content, read_article, read_bytes, site_relative, stem
from .markup import Renderer
from .model import Article
from .workers import map_forked

KIND_OF_ENTITY = {"person": "people", "organization": "organizations", "place": "places"}
_NOT_THERE = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)  # no sidecar, as Path.is_file says


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


def load_source(site: pathlib.Path, path: pathlib.Path | str, rel: str | None = None,
                sidecars: Container[str] | None = None) -> Source:
    """Parse one content file and its sidecar (never raises for bad input). A caller that has them
    passes ``rel``, the file's path relative to the site, and ``sidecars``, the full paths of the
    sidecars in content/ (:func:`~marginalia.library.content_files`), so that no sidecar is
    looked for on disk that is not there."""
    name = os.fspath(path)
    rel = site_relative(site, name) if rel is None else rel
    article, problems = read_article(site, name, rel)
    side_name = stem(name) + SUFFIX
    side = os.path.join(os.path.dirname(name), side_name)
    annotations = AnnotationSet(rel[:rel.rfind("/") + 1] + side_name)
    if sidecars is not None and side not in sidecars:
        return Source(rel, article, annotations, tuple(problems))
    text, problem = _read_sidecar(site, side, annotations.path)
    if problem is not None:
        problems = [*problems, problem]
    elif text is not None:
        annotations, side_problems = parse_sidecar(text, annotations.path)
        problems = [*problems, *side_problems]
    return Source(rel, article, annotations, tuple(problems))


def _read_sidecar(site: pathlib.Path, side: str, rel: str) -> tuple[str | None, Problem | None]:
    """A sidecar's text, or a problem; no text when there is no sidecar, or it is no regular file
    or a link out of content/ (neither is read)."""
    try:
        st = os.stat(side)
    except (OSError, ValueError) as exc:
        if isinstance(exc, ValueError) or exc.errno in _NOT_THERE:
            return None, None
        return None, Problem(rel, 1, 1, f"cannot read sidecar: {exc.strerror}", "check that the file is readable")
    if not stat.S_ISREG(st.st_mode) or not inside_content(site, side):
        return None, None
    if st.st_size > MAX_CONTENT_BYTES:
        return None, Problem(rel, 1, 1, "file is larger than 20 MB", "split it up")
    try:
        raw = read_bytes(side)
    except OSError as exc:
        return None, Problem(rel, 1, 1, f"cannot read sidecar: {exc.strerror}", "check that the file is readable")
    return decode_content(raw, rel)


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
