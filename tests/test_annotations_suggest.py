"""Suggestions: rules and word lists on the seed, and the measured scores on the gold set."""

from __future__ import annotations

import pathlib

import pytest

from marginalia.annotations.score import ROOT, score
from marginalia.annotations.suggest import suggest

DATA = pathlib.Path(__file__).parent / "data" / "annotations"
TITLE = "Anti-paedophile police fight child porn 'epidemic'"


@pytest.fixture(scope="module")
def seed() -> dict[str, list[dict[str, object]]]:
    """Suggestions for the seed article."""
    lines = [line for line in (DATA / "seed.md").read_text().splitlines() if line.strip()]
    return suggest(TITLE, [line.lstrip("#- ") for line in lines])


def test_people_with_roles(seed: dict[str, list[dict[str, object]]]) -> None:
    assert seed["people"] == [
        {"name": "Ian Quinn", "role": "chairman"},
        {"name": "Andrea Grossman", "role": "Lieutenant"},
        {"name": "Mark Luscombe", "role": None},
        {"name": "Chris Naughton", "role": "Detective Superintendent"},
        {"name": "Kevin Laws", "role": "Special Agent"},
    ]


def test_organizations_and_places(seed: dict[str, list[dict[str, object]]]) -> None:
    assert [o["name"] for o in seed["organizations"]] == [
        "Virtual Global Taskforce", "BBC", "Internet Crimes Against Children", "BBC News",
        "Los Angeles Police Department", "National Center for Missing and Exploited Children",
        "Department of Homeland Security", "Homeland Security Investigations",
        "Bournemouth Crown Court", "Dorset Police"]
    assert [p["name"] for p in seed["places"]] == [
        "United States", "Los Angeles", "United Kingdom", "Verwood", "Dorset"]


def test_quotes_and_speakers(seed: dict[str, list[dict[str, object]]]) -> None:
    speakers = {str(q["text"])[:20]: q["speaker"] for q in seed["quotes"]}
    assert len(seed["quotes"]) == 11
    assert speakers["Globally there's not"] == "Ian Quinn"  # "says Mr Quinn"
    assert speakers["Your suspects are ou"] is None  # "she says": her name was dropped
    assert speakers["I start my day at 04"] is None  # runs on from the unnamed speaker
    assert speakers["I've always felt thi"] == "Mark Luscombe"
    assert speakers["I think that shows h"] == "Chris Naughton"
    assert speakers["a drop of sand in th"] == "Kevin Laws"
    assert not any(str(q["text"]).strip('"') in ("epidemic", "explosion") for q in seed["quotes"])


def test_figures(seed: dict[str, list[dict[str, object]]]) -> None:
    assert seed["figures"] == [
        {"value": 45055, "label": "examples of obscene images of children found online", "year": 2002},
        {"value": 23881197, "label": "examples of obscene images of children found online", "year": 2013},
        {"value": 112000000, "label": "files containing images of child sexual abuse", "year": 2014},
        {"value": 339, "label": "arrests", "year": 2003},
        {"value": 2099, "label": "arrests", "year": 2013},
    ]


def test_stub_shape_and_empty_input() -> None:
    assert suggest("", []) == {"people": [], "organizations": [], "places": [], "quotes": [],
                               "figures": []}


def test_deterministic(seed: dict[str, list[dict[str, object]]]) -> None:
    lines = [line for line in (DATA / "seed.md").read_text().splitlines() if line.strip()]
    assert suggest(TITLE, [line.lstrip("#- ") for line in lines]) == seed


def test_patterns_beyond_the_seed() -> None:
    got = suggest("", ["Lawyer Jamie Firestone and David Frost, director general of the "
                       "British Chambers of Commerce, met in Moscow.",
                       '"We will fight them," said Tim Osborne of Menatep Group.',
                       "Shares in delivery firm Exel rose."])
    assert {"name": "David Frost", "role": "director general of the British Chambers of Commerce"} in got["people"]
    assert {"name": "Menatep Group"} in got["organizations"] and {"name": "Exel"} in got["organizations"]
    assert got["quotes"] == [{"text": "We will fight them,", "speaker": "Tim Osborne"}]
    assert got["places"] == [{"name": "Moscow"}]


def test_gold_scores_stay_high() -> None:
    shared = ROOT.parent / "shared"
    if not (shared / "corpus" / "bbc").is_dir():  # a required check: missing data fails, never skips
        pytest.fail(f"BBC corpus not found at {shared / 'corpus' / 'bbc'}: the tests expect shared/ beside the clone")
    tallies, _ = score(DATA / "gold", shared)
    for cat in ("people", "organizations", "places"):
        assert tallies[cat].precision() >= 0.85, cat
    assert tallies["quotes"].recall() >= 0.9 and tallies["people"].recall() >= 0.85
    assert tallies["quotes"].speaker_ok >= 0.9 * tallies["quotes"].speaker_all
