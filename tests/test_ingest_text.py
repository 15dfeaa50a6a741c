"""The importer's text repairs and Markdown escaping, one piece at a time."""

from __future__ import annotations

import html.parser
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marginalia.frontmatter import RESERVED_SLUGS, SLUG_RE
from marginalia.ingest import blocks as ingest_blocks
from marginalia.ingest import spacing
from marginalia.ingest.blocks import build_blocks
from marginalia.ingest.boilerplate import strip_boilerplate
from marginalia.ingest.decode import decode
from marginalia.ingest.draft import Block, Line, Rejected
from marginalia.ingest.escape import render_body
from marginalia.ingest.headings import find_run_in
from marginalia.ingest.slug import slugify, unique_slug
from marginalia.ingest.spacing import insert_spaces
from marginalia.markup import Renderer

RENDERER = Renderer()


class _Blocks(html.parser.HTMLParser):
    """Text of each block element (p, li, h1-h6) in rendered HTML."""

    BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "td", "th"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        loose_item = tag == "p" and self.tags[-1:] == ["li"] and self.blocks[-1:] == [""]
        self.tags.append(tag)
        if tag in self.BLOCKS and not loose_item:
            self.blocks.append("")

    def handle_data(self, data: str) -> None:
        if self.blocks:
            self.blocks[-1] += data


def rendered_blocks(body: str) -> tuple[list[str], list[str]]:
    """(block texts, whitespace-normalised; every tag seen) for a Markdown body."""
    parser = _Blocks()
    parser.feed(RENDERER.render(body)[0])
    return [" ".join(b.split()) for b in parser.blocks], parser.tags


@pytest.mark.parametrize(("title", "slug"), [
    ("Anti-paedophile police fight child porn 'epidemic'",
     "anti-paedophile-police-fight-child-porn-epidemic"),
    ("Gdańsk mayor Paweł Adamowicz dies after stabbing", "gdansk-mayor-pawel-adamowicz-dies-after-stabbing"),
    ("Vázquez: Straße & Søren", "vazquez-strasse-and-soren"),
    ("Index", "index-article"), ("tags", "tags-article"), ("..", "article"), ("", "article"),
    ("£1m", "1m"), ("日本語", "article"),
    ("A very long headline that keeps going well past the sixty character limit here",
     "a-very-long-headline-that-keeps-going-well-past-the-sixty"),
])
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


@settings(database=None)
@given(st.text(max_size=200))
def test_slugs_are_always_safe(title: str) -> None:
    slug = slugify(title)
    assert SLUG_RE.match(slug) and slug not in RESERVED_SLUGS and len(slug) <= 60


def test_unique_slugs_count_up() -> None:
    taken = {"police-raid"}
    assert [unique_slug("Police raid", taken) for _ in range(3)] == [
        "police-raid-2", "police-raid-3", "police-raid-4"]


@pytest.mark.parametrize(("text", "fixed"), [
    ("the Virtual Global Taskforce.Its chairman", "the Virtual Global Taskforce. Its chairman"),
    ("the U.S. and the U.K.", None), ("e.g.The", None), ("up 1.5%", None),
    ("see bbc.co.uk or news.bbc.co.uk/1/hi/uk.stm", None), ("Amazon.Com", None),
    ("mail jo.Smith@example.org", None), ("http://example.org/A.Page", None),
    ("Halo.Bungie.Org", None), ("One.Tel", None), ("said.He", "said. He"),
])
def test_inserted_space(text: str, fixed: str | None) -> None:
    out, repairs, _notes = insert_spaces(text, 7)
    assert out == (fixed or text)
    assert all(r.kind == "inserted-space" and r.line == 7 for r in repairs)


@settings(max_examples=500, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from(list("aZz.Tq/@: 1-")), max_size=24))
def test_the_quick_look_for_a_stop_before_a_capital_misses_no_repair(text: str) -> None:
    # insert_spaces looks for "word.Word" only in lines where a "." precedes a capital.
    if spacing._JOIN.search(text):
        assert spacing._STOP_CAPITAL.search(text)


_ENDS_CLAUSE = re.compile(r"[.!?:;…][\"'”’)\]]*$")  # what blocks._ends_clause replaced


@settings(max_examples=500, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from(list(".!?:;…\"'”’)]a ([")), max_size=8))
def test_the_end_of_clause_test_matches_its_regex(text: str) -> None:
    assert ingest_blocks._ends_clause(text) == bool(_ENDS_CLAUSE.search(text))


def test_short_pairs_are_warned_not_fixed() -> None:
    _out, _repairs, notes = insert_spaces("shares in One.Tel fell", 3)
    assert [n.text() for n in notes] == ["line 3: possible missing space in 'One.Tel' not inserted"]


@pytest.mark.parametrize(("line", "heading", "confident"), [
    ("Operation Predator The US Department of Homeland Security launched more.",
     "Operation Predator", True),
    ("British arrest The cooperation between the US and UK has led to arrests.",
     "British arrest", True),
    ("Undercover agent Homeland Security regularly deploys undercover officers online.",
     "Undercover agent", True),
    ("Special Agent Kevin Laws has been doing the job for a decade.", None, False),
    ("In them Luscombe tells officers that he thought he might be watched.", None, False),
    ("Earlier this year a British man called Mark Luscombe was jailed.", None, False),
    ("Lt Andrea Grossman, from the Los Angeles Police Department, told us.", None, False),
    ("Detective Superintendent Chris Naughton from Dorset police believes it.", None, False),
    ("They taught their UK counterparts advanced techniques.", None, False),
    ("Big freeze The", "Big freeze", False),
])
def test_run_in_headings(line: str, heading: str | None, confident: bool) -> None:
    found = find_run_in(line)
    assert (found.heading if found else None) == heading
    if found:
        assert found.confident is confident


def test_unsure_heading_is_a_warning() -> None:
    blocks, repairs, notes = build_blocks([Line(9, "Big freeze The")], "lines")
    assert [b.kind for b in blocks] == ["paragraph"] and repairs == []
    assert notes[0].text() == "line 9: possible run-in sub-heading 'Big freeze' not split"


def test_boilerplate_only_at_the_end() -> None:
    lines = [Line(1, "Share this: it matters."), Line(2, "Last paragraph."), Line(3, ""),
             Line(4, "Share this:"), Line(5, "Twitter"), Line(6, "Facebook"),
             Line(7, "Posted by Jo Bloggs at 10:31"), Line(8, "Newer Post Older Post Home"),
             Line(9, "Subscribe to: Post Comments (Atom)")]
    kept, repairs = strip_boilerplate(lines)
    assert [ln.number for ln in kept] == [1, 2]
    assert [r.line for r in repairs] == [4, 5, 6, 7, 8, 9]
    assert strip_boilerplate([Line(1, "Text."), Line(2, "Twitter")])[0][-1].text == "Twitter"


def test_decode_falls_back_to_cp1252_with_a_located_warning() -> None:
    decoded = decode(b"Headline\n\nIt cost \xa35m.\n")
    assert decoded.text == "Headline\n\nIt cost £5m.\n" and decoded.encoding == "cp1252"
    assert decoded.notes[0].text() == "line 3: not valid UTF-8 (byte 0xA3 at column 9); decoded as cp1252"
    assert decode("\ufeffTitle\r\n\r\nText\r\n".encode()).text == "Title\n\nText\n"
    with pytest.raises(Rejected, match="binary"):
        decode(b"abc\x00")


@pytest.mark.parametrize("text", [
    "1. Unofficial results", "2) second", "# not a heading", "## nor this", "> not a quote",
    "+ not a list", "- not a list", "* not a list", "---", "===", "***", "___",
    "a *b* c _d_ e `f` g", "[TOC]", "[x](http://e.org) ![i](j.png) [r][1]", "[1]: http://e.org",
    "<b>bold</b> <script>alert(1)</script> <!-- c -->", "AT&amp;T &copy; &#169; & &x",
    "&#1 &#x41 &#169 &copy 2014 &#",
    "a | b | c", "back\\slash \\* \\", "<http://example.org>", "    four spaces",
])
def test_markup_characters_render_as_text(text: str) -> None:
    body = render_body([Block("paragraph", (text,), 1)])
    blocks, tags = rendered_blocks(body)
    assert blocks == [" ".join(text.split())]
    assert set(tags) == {"p"}


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("ab1 .#*_-+=>`[]()!<&;|\\:\"'")),
                        min_size=1, max_size=30).filter(str.strip), min_size=1, max_size=3))
def test_any_text_renders_back_to_itself(lines: list[str]) -> None:
    body = render_body([Block("paragraph", tuple(lines), 1)])
    blocks, tags = rendered_blocks(body)
    assert blocks == [" ".join(" ".join(lines).split())]
    assert set(tags) <= {"p", "br"}


def test_lists_and_headings_render() -> None:
    body = render_body([Block("heading", ("Operation #1 *now*",), 1),
                        Block("list", ("1. first", "# second"), 2),
                        Block("paragraph", ("after",), 3)])
    blocks, tags = rendered_blocks(body)
    assert blocks == ["Operation #1 *now*", "1. first", "# second", "after"]
    assert tags == ["h2", "ul", "li", "li", "p"]
    assert re.search(r"^- 1\\\. first$", body, re.M)
