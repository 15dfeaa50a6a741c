"""Property-based fuzzing: no exception escapes but the tool's own located errors.

Hypothesis throws arbitrary bytes and markup-heavy text at the importer, the
front-matter parser, the sidecar parser, annotation anchoring and rendering,
and the search tokenizer. The importer may refuse a source (``Rejected``,
which ``build.py import`` reports as ``path:line:col``); everything else must
return located problems or a result. What the importer writes must parse back
without a problem, and its Markdown must render back to the text it meant.
"""

from __future__ import annotations

import codecs
import html.parser
import pathlib
import re
import tempfile

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

from marginalia.annotations.anchor import anchor_all, normalize
from marginalia.annotations.model import Annotation, AnnotationSet, Target
from marginalia.annotations.render import AnnotationExtension
from marginalia.annotations.sidecar import parse_sidecar
from marginalia.errors import SiteError
from marginalia.frontmatter import parse_article
from marginalia.ingest.article import make_draft
from marginalia.ingest.decode import decode
from marginalia.ingest.document import front_matter, render_file
from marginalia.ingest.draft import Rejected, SourceFile
from marginalia.ingest.escape import render_body
from marginalia.library import decode_content
from marginalia.markup import Renderer
from marginalia.search import SearchDoc, build_index
from marginalia.search.tokens import WORD_RE, Stemmer, words
from marginalia.search.tokens import normalize as normalize_words
from marginalia.urls import safe_url

FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# Text that is mostly markup: Markdown, HTML, entities, YAML, templates, odd Unicode and line ends.
PIECES = ["a", "b", "Z", "é", "ß", "日本", "0", "7", " ", " ", "\t", "\n", "\n\n", "\r\n", "\r", "*", "_", "`", "[",
          "]", "(", ")", "!", "<", ">", "&", "#", ";", "|", "\\", "-", "+", "=", ".", ":", "'", '"', "{", "}", "%",
          "~", "^", "\u00a0", "\u2028", "\u2029", "\u200b", "\u202e", "\ufeff", "\x0b", "\x0c", "\x1b", "\x7f",
          "&amp;", "&#x41;", "&#0;", "&lt;", "<script>", "</script>", "<p>", "</p>", "<img src=x onerror=alert(1)>",
          "javascript:", "{{ 7*7 }}", "{% include 'x' %}", "---", "...", "- ", "1. ", "> ", "    ", "## ", "===",
          "title: ", "date: ", "&a ", "*a", "!!python/object ", "\u201c", "\u201d", "\u2019", "Source: https://e.org/x"]
markup_text = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
any_text = st.one_of(markup_text, st.text(max_size=300))
BOMS = [b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE]


def squash(text: str) -> str:
    return " ".join(text.split())


class _Tags(html.parser.HTMLParser):
    """Collects what in a fragment could run code: script-ish elements, on* handlers, unsafe URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed", "style", "base", "meta", "link", "form", "svg", "math"):
            self.bad.append(tag)
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc"):
                self.bad.append(f"{tag} {name}")
            if name in ("href", "src", "action", "formaction") and not safe_url(value or ""):
                self.bad.append(f"{tag} {name}={value}")


def unsafe_markup(fragment: str) -> list[str]:
    parser = _Tags()
    parser.feed(fragment)
    return parser.bad


@st.composite
def raw_bytes(draw: st.DrawFn) -> bytes:
    """A raw source: random bytes, or text in a random encoding with a random byte-order mark."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=400))
    text = draw(any_text)
    encoding = draw(st.sampled_from(["utf-8", "utf-16-le", "utf-16-be", "cp1252", "latin-1"]))
    return draw(st.sampled_from(BOMS)) + text.encode(encoding, "replace")


@FUZZ
@given(raw_bytes())
def test_import_any_bytes(data: bytes) -> None:
    """Decode, parse, write and re-read a source: a located refusal or a file that parses cleanly."""
    try:
        draft = make_draft(SourceFile(pathlib.Path("raw/a.txt")), decode(data), None)
    except Rejected as exc:
        assert exc.line >= 1 and exc.message
        return
    body = render_body(draft.blocks)
    text = render_file(front_matter(draft, {"path": "raw/a.txt", "sha256": "0" * 64}), body)
    article, problems = parse_article(text, "content/a.md", "a")
    assert problems == [] and article is not None
    assert article.title == draft.title.strip()


@FUZZ
@given(st.lists(markup_text.filter(str.strip), min_size=1, max_size=6))
def test_import_then_render_gives_back_the_text(paragraphs: list[str]) -> None:
    """A raw text imported, its Markdown rendered: the reader sees the source's paragraphs."""
    raw = "Headline for the fuzz\n\n" + "\n\n".join(p.replace("\r", "") for p in paragraphs) + "\n"
    try:
        draft = make_draft(SourceFile(pathlib.Path("raw/a.txt")), decode(raw.encode("utf-8")), None)
    except Rejected:
        return
    meant = [squash(line) for block in draft.blocks for line in block.lines]
    html, plain = Renderer().render(render_body(draft.blocks))
    assert squash(plain) == squash(" ".join(meant))
    assert unsafe_markup(html) == []
    assert re.search(r"<(?!/?(p|br|ul|ol|li|h2|em|strong|code|a)\b)[a-z]", html) is None


@FUZZ
@given(any_text)
def test_front_matter_parser_never_raises(text: str) -> None:
    for candidate in (text, "---\n" + text + "\n---\nbody", "---\ntitle: x\n" + text + "\n---\n"):
        article, problems = parse_article(candidate, "content/x.md", "x")
        assert (article is None) == bool(problems)
        assert all(p.path == "content/x.md" and p.line >= 0 for p in problems)


@FUZZ
@given(st.binary(max_size=300))
def test_content_bytes_decode_or_are_refused(data: bytes) -> None:
    text, problem = decode_content(data, "content/x.md")
    if problem is None:
        parse_article(text, "content/x.md", "x")
    else:
        assert problem.path == "content/x.md" and problem.line >= 1


@FUZZ
@given(any_text)
def test_sidecar_parser_never_raises(text: str) -> None:
    for candidate in (text, "annotations:\n- motivation: commenting\n  body: " + text,
                      "annotations:\n- " + text, "figures:\n- " + text):
        annotations, problems = parse_sidecar(candidate, "content/x.annotations.yaml")
        assert all(p.path == "content/x.annotations.yaml" for p in problems)


@FUZZ
@given(any_text, st.lists(st.tuples(any_text, any_text, any_text, st.none() | st.integers(-5, 10**9)), max_size=4))
def test_anchoring_never_raises_and_finds_only_real_passages(body: str, targets: list[tuple[str, str, str,
                                                                                               int | None]]) -> None:
    text, _where = normalize(body)
    items = [Annotation(f"a{i}", "commenting", Target(exact, prefix, suffix, pos), body="n")
             for i, (exact, prefix, suffix, pos) in enumerate(targets)]
    result = anchor_all(text, items, "content/x.annotations.yaml")
    for anchor in result.anchors:
        if anchor.found:
            assert anchor.start is not None and anchor.end is not None
            assert 0 <= anchor.start <= anchor.end <= len(text)


@FUZZ
@given(markup_text, st.lists(markup_text, max_size=4), any_text)
def test_rendering_with_annotations_never_raises(body: str, quotes: list[str], note: str) -> None:
    """Anchored notes on hostile Markdown: safe HTML or a located error, never a traceback."""
    renderer = Renderer()
    extension = AnnotationExtension()
    extension.extendMarkdown(renderer.md)
    anns = [Annotation(f"a{i}", "commenting", Target(q) if q.strip() else None, body=note or "n")
            for i, q in enumerate(quotes)]
    extension.use(AnnotationSet("content/x.annotations.yaml", tuple(anns)))
    try:
        html, _text = renderer.render(body)
    except RecursionError:  # the build reports this as a located error (tests/hostile/cases.py)
        return
    assert unsafe_markup(html) == []


@FUZZ
@given(any_text)
def test_search_tokenizer(text: str) -> None:
    stemmer = Stemmer("english")
    found = words(text)
    for word in found:
        assert word and WORD_RE.fullmatch(word)
        assert stemmer.stem(word)
    assert words(normalize_words(text)) == found


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(any_text, any_text, st.lists(any_text, max_size=3)), min_size=1, max_size=5))
def test_search_index_of_hostile_documents(docs: list[tuple[str, str, list[str]]]) -> None:
    built = build_index([SearchDoc(f"2020/01/a{i}/index.html", title, "2020-01-02", None, text, tags=tuple(tags))
                         for i, (title, text, tags) in enumerate(docs)])
    for path, data in built.items():
        assert path.startswith("search/idx/") and path.endswith(".js")
        script = data.decode("utf-8")
        assert "<" not in script and "\u2028" not in script and "\u2029" not in script


def test_site_error_is_the_only_error_type() -> None:
    """The tool's user-facing exception carries located problems (what the fuzzers allow)."""
    assert issubclass(Rejected, Exception) and issubclass(SiteError, Exception)


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_text, markup_text, any_text)
def test_whole_build_gives_a_site_or_located_errors(front: str, body: str, sidecar: str) -> None:
    """Random front matter, body and sidecar through the real pipeline: output, or SiteError only."""
    from marginalia.pipeline import build

    with tempfile.TemporaryDirectory() as tmp:
        site = pathlib.Path(tmp)
        (site / "content").mkdir()
        (site / "config.yaml").write_text("title: Fuzz\n", encoding="utf-8")
        (site / "content/x.md").write_text(f"---\ntitle: x\n{front}\n---\n{body}\n", encoding="utf-8")
        (site / "content/x.annotations.yaml").write_text(sidecar, encoding="utf-8")
        try:
            build(site, jobs=1)
        except SiteError as exc:
            assert exc.problems and all(p.path for p in exc.problems)
            assert not (site / "output").exists()
        else:
            page = next((site / "output").glob("*/x.html"), None) or next(
                (site / "output").glob("*/*/x.html"))
            assert unsafe_markup(page.read_text(encoding="utf-8").split('<div class="article__body">')[1]
                                 .split("</div>")[0]) == []
