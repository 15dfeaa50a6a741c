"""Per-article work: read and parse each content file, render its body, render its page.

Input: content files (and their ``*.annotations.yaml`` sidecars). Output:
:class:`Prepared` records -- an :class:`Entry` (what the archive-wide stages
and the build cache keep: the article without its body, its annotations, the
anchored mentions and quotes, located problems, the text feeds show) with the
body's sanitized HTML and the plain text a reader sees -- and, later, the
article pages themselves, written straight into the build's staging folder by
the process that renders them. Pure per article, so it runs in process pools;
the parent merges the results in order. Reads content only; writes only the
pages it is handed.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import pathlib
import re
import stat
from collections.abc import Container, Sequence

from .annotations.anchor import AnchorResult
from .annotations.model import AnnotationSet
from .annotations.render import AnnotationExtension
from .annotations.sidecar import SUFFIX, parse_sidecar
from .cache import digest, value_bytes
from .errors import Problem, SiteError
from .fingerprint import tool_key
from .library import (
    MAX_CONTENT_BYTES,
    article_url,
    decode_content,
    inside_content,
    read_article,
    read_bytes,
    site_relative,
    stem,
)
from .markup import Renderer
from .model import Article, EntityRef, replaced
from .slugs import group_slug

KIND_OF_ENTITY = {"person": "people", "organization": "organizations", "place": "places"}
SUMMARY_CHARS = 400  # about what a feed shows of an article without a standfirst
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
class Entry:
    """One content file as the archive-wide stages see it: everything but the body, which only its
    own page shows. This is what the build cache keeps per file, so a rebuild that does not render
    the page never reads the file again."""

    rel: str
    article: Article | None  # ``body`` left empty; None when the file could not be read
    annotations: AnnotationSet
    problems: tuple[Problem, ...]  # reading the file (errors stop the build)
    warnings: tuple[Problem, ...] = ()  # rendering it (annotations that lost their passage)
    mentions: tuple[Mention, ...] = ()
    summary: str = ""  # what a feed shows: the standfirst, else the opening paragraphs
    key: str = ""  # of everything read from the file (and of the tool)
    meta_key: str = ""  # of the article without its body: all that a listing can show
    feed_key: str = ""  # of what the feeds show of it: that, its address and the feed's text


@dataclasses.dataclass(frozen=True)
class Prepared:
    """An entry with its body rendered: sanitized HTML for its page, plain text for search."""

    entry: Entry
    html: str
    text: str


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
        raw = read_bytes(side, st.st_size)
    except OSError as exc:
        return None, Problem(rel, 1, 1, f"cannot read sidecar: {exc.strerror}", "check that the file is readable")
    return decode_content(raw, rel)


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


class BodyRenderer:
    """Markdown and annotations for one article body at a time (one per process: building the
    Markdown converter is slow)."""

    def __init__(self, taxonomies: Sequence[str], summaries: bool = True):
        """``summaries``: whether entries need a feed's text (only sites with feeds do)."""
        self.taxonomies, self.summaries = tuple(taxonomies), summaries
        self.extension = AnnotationExtension()
        self.markup = Renderer([self.extension])
        self.plain = Renderer()  # for feed summaries: no annotations anchored there

    def render(self, source: Source, article: Article) -> tuple[str, str, AnchorResult]:
        """(sanitized HTML, plain text, anchoring result) of the article's body."""
        root = "../" * article_url(article).count("/")

        def entity_url(kind: str, name: str) -> str | None:
            plural = KIND_OF_ENTITY.get(kind, "")
            return f"{root}{plural}/{group_slug(name)}/index.html" if plural in self.taxonomies else None

        result = AnchorResult(source.annotations.path)
        self.extension.entity_url = entity_url
        self.extension.use(shown(source.annotations), result)
        try:
            html, text = self.markup.render(article.body, plain_ok=self.extension.marks_nothing())
        except RecursionError:  # Python-Markdown recurses once per level of nesting
            raise SiteError([Problem(source.rel, article.body_line, 1,
                                     "the Markdown nests too deeply to render (hundreds of levels of "
                                     "lists, quotes or emphasis)", "flatten the nesting")]) from None
        return html, text, result

    def summary(self, article: Article) -> str:
        """The text a feed shows: the standfirst, else the plain text of the first paragraphs, cut at
        a word near ``SUMMARY_CHARS``; empty when the site has no feeds."""
        if not self.summaries:
            return ""
        if article.standfirst:
            return article.standfirst
        # A body of plain paragraphs (most imports) was split into them when it was rendered: each
        # one's text is what rendering it alone gives (tests/test_markup_plain.py). Other bodies'
        # blocks are rendered here, one by one, headings left out.
        paragraphs = self.markup.last_paragraphs()
        if paragraphs is None:
            paragraphs = (self.plain.render(block)[1] for block in re.split(r"\n\s*\n", article.body.strip())
                          if not block.lstrip().startswith("#"))
        text = ""
        for paragraph in paragraphs:
            text = (text + " " + paragraph).strip()
            if len(text) >= SUMMARY_CHARS // 2:
                break
        if len(text) <= SUMMARY_CHARS:
            return text
        return text[:SUMMARY_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def read_source(site: pathlib.Path, path: str, rel: str, sidecars: Container[str] | None) -> Source:
    """One content file parsed, with its annotations' entities merged in."""
    source = load_source(site, path, rel, sidecars)
    article = merge_annotation_entities(source)
    if article is not source.article:
        source = dataclasses.replace(source, article=article)
    return source


def prepare(site: pathlib.Path, path: str, rel: str, sidecars: Container[str] | None,
            renderer: BodyRenderer) -> Prepared:
    """One content file read, parsed, keyed and its body rendered (never raises for bad input,
    except a body that nests too deeply to render)."""
    source = read_source(site, path, rel, sidecars)
    article = source.article
    if article is None:
        return Prepared(Entry(rel, None, source.annotations, source.problems, key=source_key(source)), "", "")
    html, text, result = renderer.render(source, article)
    slim = replaced(article, body="")
    fields = value_bytes(slim)  # pickled once, for both keys
    summary, meta_key = renderer.summary(article), digest(fields)
    entry = Entry(rel, slim, source.annotations, source.problems, tuple(result.problems), _mentions(result),
                  summary, source_key(source, fields), meta_key, digest(article_url(slim), meta_key, summary))
    return Prepared(entry, html, text)


def source_key(source: Source, fields: bytes | None = None) -> str:
    """A key of every field of ``source`` (and of the tool): the article's body apart, so that the
    rest of the article is pickled once for this key and the entry's ``meta_key`` (``fields``:
    ``value_bytes`` of the article without its body, when the caller has it)."""
    article = source.article
    if article is None:
        return digest(tool_key(), value_bytes(source))
    if fields is None:
        fields = value_bytes(replaced(article, body=""))
    return digest(tool_key(), value_bytes((source.rel, source.annotations, source.problems)), fields, article.body)


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

