"""Anchoring: exact first, context to choose, fuzzy when the text changed, orphans kept."""

from __future__ import annotations

import hypothesis.strategies as st
from hypothesis import given, settings

from marginalia.annotations.anchor import anchor_all, anchor_target, edit_distance, normalize
from marginalia.annotations.model import Annotation, Target

TEXT = normalize(
    "The internet trade in images is now an epidemic, according to the head of the "
    "initiative.\n\nPolice officers from around the world serve on the taskforce. "
    "Its chairman, Ian Quinn, tells the BBC there has been an explosion in cases.\n\n"
    "BBC News joined a recent operation in Los Angeles.")[0]


def note(exact: str, line: int = 7, **target: object) -> Annotation:
    """A highlighting annotation on ``exact``."""
    return Annotation("a1", "highlighting", Target(exact, **target), line=line)  # type: ignore[arg-type]


def test_normalize_collapses_space_and_keeps_blocks() -> None:
    text, where = normalize("  one\n two\n\n\u201cthree\u201d\u2026 ")
    assert text == 'one two\n"three"...'
    assert len(where) == len(text) and where[0] == 2 and where[-1] == where[-2] == where[-3]


def test_exact_match() -> None:
    span = anchor_target(TEXT, Target("Ian Quinn"))
    assert span.method == "exact" and TEXT[span.start:span.end] == "Ian Quinn"


def test_moved_passage_still_anchors_exactly() -> None:
    moved = "BBC News joined a recent operation in Los Angeles.\n" + TEXT.split("\nBBC News")[0]
    span = anchor_target(moved, Target("Its chairman, Ian Quinn", position=180))
    assert span.method == "exact" and moved[span.start:span.end] == "Its chairman, Ian Quinn"


def test_slightly_changed_passage_anchors_fuzzily() -> None:
    changed = TEXT.replace("there has been an explosion", "there had been an explosion")
    span = anchor_target(changed, Target("tells the BBC there has been an explosion in cases"))
    assert span.method == "fuzzy"
    assert changed[span.start:span.end] == "tells the BBC there had been an explosion in cases"


def test_fuzzy_prefers_context() -> None:
    text = "the red cat sat on a mat. the red cat sat on a hat."
    span = anchor_target(text, Target("the red cat sat on a bat", suffix=""))
    assert span.method == "fuzzy" and span.start == 0
    span = anchor_target(text, Target("the red cat sat on a bat", prefix="mat. "))
    assert span.start == 26


def test_deleted_passage_is_an_orphan_with_a_located_warning() -> None:
    result = anchor_all(TEXT, [note("Special Agent Kevin Laws has made 60 arrests", line=12)],
                        "content/2014/slug.annotations.yaml")
    (anchor,) = result.anchors
    assert not anchor.found and anchor.method == "orphan" and result.orphans == [anchor]
    (problem,) = result.problems
    assert problem.severity == "warning"
    assert problem.format() == (
        'content/2014/slug.annotations.yaml:12: warning: annotation "Special Agent Kevin '
        'Laws has made 60 arrests" no longer matches the text\n'
        "  hint: change 'exact' to the passage as it now reads, or remove it")


def test_ambiguous_quote_asks_for_context() -> None:
    result = anchor_all(TEXT, [note("BBC", line=3)], "x.annotations.yaml")
    assert result.anchors[0].method == "ambiguous"
    assert result.problems[0].message == (
        'annotation "BBC" matches 2 places; add prefix or suffix to choose one')


def test_prefix_suffix_or_position_choose_one_match() -> None:
    by_suffix = anchor_target(TEXT, Target("BBC", suffix=" News"))
    by_prefix = anchor_target(TEXT, Target("BBC", prefix="tells the "))
    by_position = anchor_target(TEXT, Target("BBC", position=len(TEXT)))
    assert by_suffix.method == by_prefix.method == "context"
    assert TEXT[by_suffix.start:].startswith("BBC News")
    assert TEXT[by_prefix.start - 10:by_prefix.start] == "tells the "  # type: ignore[operator]
    assert by_position.start == by_suffix.start


def test_quotes_never_span_blocks() -> None:
    span = anchor_target(TEXT, Target("the initiative. Police officers"))
    assert span.method == "orphan"


def test_curly_quotes_and_whitespace_fold() -> None:
    text = normalize("He said \u201cthree to five\ntimes\u201d.")[0]
    assert anchor_target(text, Target('"three to  five times"')).method == "exact"


def test_edit_distance() -> None:
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3 and edit_distance("same", "same") == 0


def test_unchanged_text_is_fast() -> None:
    big = normalize(" ".join(f"word{i} appears here." for i in range(20000)))[0]
    targets = [note(f"word{i} appears") for i in range(0, 20000, 997)]
    result = anchor_all(big, targets)
    assert all(a.method == "exact" for a in result.anchors) and not result.problems


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.text(max_size=60), st.text(max_size=20), st.text(max_size=20),
       st.one_of(st.none(), st.integers(min_value=0, max_value=10_000)))
def test_anchoring_never_raises(raw: str, exact: str, prefix: str, suffix: str,
                                position: int | None) -> None:
    text, where = normalize(raw)
    assert len(where) == len(text)
    result = anchor_all(text, [note(exact or "x", prefix=prefix, suffix=suffix, position=position)])
    for anchor in result.anchors:
        if anchor.found:
            assert 0 <= anchor.start <= anchor.end <= len(text)  # type: ignore[operator]
            assert "\n" not in text[anchor.start:anchor.end]
        else:
            assert len(result.problems) == 1


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdefgh ", min_size=20, max_size=200), st.data())
def test_any_substring_is_found_where_it_is(text: str, data: st.DataObject) -> None:
    text = " ".join(text.split())
    if len(text) < 8:
        return
    start = data.draw(st.integers(0, len(text) - 8))
    end = data.draw(st.integers(start + 8, len(text)))
    quote = text[start:end].strip()
    span = anchor_target(text, Target(quote, prefix=text[max(0, start - 30):start],
                                      suffix=text[end:end + 30], position=start))
    assert span.start is not None and text[span.start:span.end] == quote
