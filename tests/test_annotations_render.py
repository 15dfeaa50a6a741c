"""Rendering: marks across inline elements, phrasing-only notes, links, sanitized bodies."""

from __future__ import annotations

import html.parser
import pathlib

import markdown
import pytest

from marginalia.annotations.anchor import AnchorResult
from marginalia.annotations.model import Annotation, AnnotationSet, Entity, Figure, FigureValue, Target
from marginalia.annotations.render import AnnotationExtension, page_notes_html
from marginalia.annotations.sidecar import load_sidecar

DATA = pathlib.Path(__file__).parent / "data" / "annotations"
PHRASING = {"a", "abbr", "b", "br", "cite", "code", "del", "em", "i", "input", "ins", "kbd",
            "label", "mark", "q", "s", "small", "span", "strong", "sub", "sup", "time", "u"}
INTERACTIVE = {"a", "label", "input"}


class NestingChecker(html.parser.HTMLParser):
    """Records every element that is not allowed where it stands."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        phrasing_only = any(t in ("p", "h1", "h2", "h3", "span", "mark", "a", "label", "em")
                            for t in self.stack)
        if phrasing_only and tag not in PHRASING:
            self.bad.append(f"<{tag}> inside {self.stack}")
        if tag in INTERACTIVE and "a" in self.stack:
            self.bad.append(f"<{tag}> inside <a>")
        if tag not in ("input", "br", "img"):
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack}"
        self.stack.pop()


def check_nesting(page: str) -> None:
    """Fail on any invalid nesting."""
    checker = NestingChecker()
    checker.feed(page)
    assert checker.bad == [] and checker.stack == []


def render(source: str, items: list[Annotation] | AnnotationSet, *extensions: str,
           entity_url: object = None) -> tuple[str, AnchorResult]:
    """Render Markdown with annotations; return the HTML and the anchor result."""
    result = AnchorResult("x.annotations.yaml")
    ext = AnnotationExtension(items, entity_url, result)  # type: ignore[arg-type]
    return markdown.Markdown(extensions=[ext, *extensions]).convert(source), result


def comment(exact: str, body: str = "A note.", ident: str = "c1") -> Annotation:
    """A commenting annotation."""
    return Annotation(ident, "commenting", Target(exact), body=body)


def test_mark_and_note_inside_a_paragraph() -> None:
    page, result = render("Police officers serve on the taskforce.", [comment("serve on")])
    assert result.problems == []
    assert ('<mark class="anno anno-commenting" data-note="1" id="anno-c1">serve on</mark>'
            '<input aria-label="Show note 1" class="note-toggle anno-skip" id="note-c1" '
            'type="checkbox" /><label class="note-ref anno-skip" for="note-c1">1</label>'
            '<span class="note note-commenting anno-skip" id="note-c1-text" role="note">') in page
    assert page.endswith("</span> the taskforce.</p>")
    check_nesting(page)


def test_anchoring_across_inline_elements() -> None:
    source = "The *internet* trade in [images](http://x.org/) is **now an** epidemic."
    page, result = render(source, [comment("internet trade in images is now")])
    assert result.anchors[0].method == "exact"
    assert '<em><mark class="anno anno-commenting" data-note="1" id="anno-c1">internet</mark></em>' in page
    assert '<a href="http://x.org/"><mark class="anno anno-commenting">images</mark></a>' in page
    assert "<strong><mark" in page
    # the note follows the <strong>, never inside the link
    assert page.index('class="note-toggle') > page.index("</strong>")
    check_nesting(page)


def test_identifying_links_to_entity_page_but_never_nests_links() -> None:
    ann = Annotation("q", "identifying", Target("Ian Quinn"), entity=Entity("person", "Ian Quinn"))
    url = lambda kind, name: f"../../people/{name.lower().replace(' ', '-')}/index.html"  # noqa: E731
    page, _ = render("Its chairman, Ian Quinn, spoke.", [ann], entity_url=url)
    assert ('<mark class="anno anno-identifying" id="anno-q"><a class="entity-link entity-person" '
            'href="../../people/ian-quinn/index.html">Ian Quinn</a></mark>') in page
    page, _ = render("Its chairman, [Ian Quinn](http://x.org/), spoke.", [ann], entity_url=url)
    assert "people/ian-quinn" not in page
    check_nesting(page)


def test_fact_check_shows_a_verdict_badge() -> None:
    ann = Annotation("f", "assessing", Target("61 units"), claim="The US has 61 ICAC units",
                     verdict="mostly-true", reviewer="A. Editor")
    page, _ = render("The US alone has 61 units.", [ann])
    assert '<span class="verdict verdict-mostly-true">Mostly true</span>' in page
    assert "Claim: The US has 61 ICAC units" in page and "Checked by A. Editor" in page


def test_note_bodies_are_sanitized() -> None:
    body = ('Hello *there* <script>alert(1)</script> [bad](javascript:alert(1)) '
            '![x](data:image/png;base64,AAAA) <div onclick="x()">[ok](https://example.org/)</div>')
    page, _ = render("Some words here.", [comment("words", body)])
    assert "<em>there</em>" in page and "<script" not in page and "javascript:" not in page
    assert "data:" not in page and "onclick" not in page and "<div" not in page
    assert '<a href="https://example.org/" rel="noopener noreferrer nofollow">ok</a>' in page
    check_nesting(page)


def test_raw_html_is_not_annotated_but_entities_are_text() -> None:
    source = "AT&amp;T and <b>bold words</b> appear.\n\n<div>block words</div>"
    page, result = render(source, [comment("AT&T and", ident="a"), comment("bold words", ident="b"),
                                   comment("block words", ident="c")])
    # inline raw tags are stashed one by one, so the words between them are text
    assert [a.method for a in result.anchors] == ["exact", "exact", "orphan"]
    assert '<mark class="anno anno-commenting" data-note="1" id="anno-a">AT&amp;T and</mark>' in page
    assert '<b><mark class="anno anno-commenting" data-note="2" id="anno-b">bold words</mark>' in page
    assert "<div>block words</div>" in page


def test_smarty_text_is_what_is_anchored() -> None:
    page, result = render('He said "it\'s wired up..." then.', [comment("it's wired up...")], "smarty")
    assert result.anchors[0].method == "exact" and result.problems == []
    assert "it&rsquo;s wired up&hellip;</mark>" in page


def test_orphans_are_reported_and_other_marks_still_render() -> None:
    page, result = render("One two three.", [comment("gone words", ident="x"), comment("two", ident="y")])
    assert [p.message for p in result.problems] == ['annotation "gone words" no longer matches the text']
    assert 'id="anno-y"' in page and 'id="anno-x"' not in page


def test_headings_and_lists_keep_valid_nesting() -> None:
    source = "## Operation Predator\n\n- In 2003, 339 arrests\n- To date, more\n"
    ann = Annotation("e", "editing", Target("Operation Predator"), body="Split out.")
    page, result = render(source, [ann, comment("339 arrests", ident="n")], "toc")
    assert result.problems == [] and '<h2 id="operation-predator"><mark' in page
    check_nesting(page)


def test_figure_target_links_to_the_chart() -> None:
    fig = Figure("arrests", "Arrests", "arrests", (FigureValue(2003, 339),), target=Target("339 arrests"))
    page, result = render("In 2003, 339 arrests were made.", AnnotationSet("x", (), (fig,)))
    assert result.get("arrests") is not None
    assert '<a class="figure-ref anno-skip" href="#figure-arrests">chart</a>' in page


def test_seed_renders_every_annotation_with_no_problems() -> None:
    aset, problems = load_sidecar(DATA / "seed.annotations.yaml")
    page, result = render((DATA / "seed.md").read_text(), aset, "smarty", "toc",
                          entity_url=lambda kind, name: f"../{kind}/index.html")
    assert problems == [] and result.problems == []
    targeted = [a for a in aset.annotations if a.target] + list(aset.figures)
    assert len([a for a in result.anchors if a.found]) == len(targeted)
    assert page.count('class="note-toggle') == len({int(n) for n in
                                                   __import__("re").findall(r'data-note="(\d+)"', page)})
    check_nesting(page)


def test_page_notes_put_the_content_note_first() -> None:
    aset, _ = load_sidecar(DATA / "seed.annotations.yaml")
    notes = page_notes_html(aset)
    assert notes.startswith('<aside aria-label="Notes on this article" class="anno-page-notes">')
    assert notes.index("page-note-classifying") < notes.index("page-note-editing")
    assert "child sexual abuse imagery" in notes
    check_nesting(notes.replace("aside", "div"))
    only = page_notes_html(aset, motivations=["classifying"])
    assert "page-note-classifying" in only and "page-note-editing" not in only
    assert page_notes_html(aset, motivations=["assessing"]) == ""


@pytest.mark.parametrize("status, shown", [("suggested", True), ("rejected", False)])
def test_suggested_are_marked_and_rejected_hidden(status: str, shown: bool) -> None:
    ann = Annotation("s", "commenting", Target("words"), body="b", status=status)
    page, _ = render("Some words.", [ann])
    assert ('anno-suggested' in page) is shown and ('id="anno-s"' in page) is shown
