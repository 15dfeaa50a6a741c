"""Sidecar loading: the seed's sidecar loads, and mistakes are located with hints."""

from __future__ import annotations

import datetime as dt
import pathlib

from marginalia.annotations.sidecar import load_sidecar, parse_sidecar, sidecar_path

DATA = pathlib.Path(__file__).parent / "data" / "annotations"


def messages(text: str) -> list[str]:
    """Every problem of a sidecar text, formatted."""
    return [p.format() for p in parse_sidecar(text, "a.annotations.yaml")[1]]


def test_sidecar_path_sits_beside_the_article() -> None:
    assert sidecar_path("content/2014/slug.md") == pathlib.Path("content/2014/slug.annotations.yaml")


def test_seed_sidecar_loads_without_problems() -> None:
    aset, problems = load_sidecar(DATA / "seed.annotations.yaml")
    assert problems == []
    assert len(aset.annotations) == 39 and len(aset.figures) == 2
    quinn = aset.by_id("ian-quinn")
    assert quinn is not None and quinn.entity is not None
    assert quinn.entity.role == "chairman, Virtual Global Taskforce"
    assert quinn.target is not None and quinn.target.prefix == "Its chairman, "
    unnamed = aset.by_id("q-unnamed-1")
    assert unnamed is not None and unnamed.kind == "quote" and unnamed.speaker is None
    assert aset.by_id("content-note").created == dt.date(2024, 5, 1)  # type: ignore[union-attr]
    assert [v.value for v in aset.figures[0].values] == [45055, 23881197]


def test_defaults_ids_status_and_line() -> None:
    aset, problems = parse_sidecar(
        "annotations:\n  - motivation: highlighting\n    target: some words\n", "x.yaml")
    assert problems == []
    (ann,) = aset.annotations
    assert (ann.id, ann.status, ann.line, ann.target.exact) == ("a1", "accepted", 2, "some words")  # type: ignore[union-attr]


def test_unknown_field_is_located_with_a_hint() -> None:
    text = "annotations:\n  - motivation: commenting\n    note: hello\n    target: x\n"
    assert messages(text) == [
        "a.annotations.yaml:3:5: unknown field 'note' in annotation\n  hint: did you mean 'body'?",
        "a.annotations.yaml:2:5: commenting annotation 'a1' needs 'body'",
    ]


def test_unknown_motivation_suggests_the_nearest() -> None:
    text = "annotations:\n  - motivation: comenting\n    body: x\n"
    assert messages(text) == ["a.annotations.yaml:2:17: unknown motivation 'comenting'\n"
                              "  hint: did you mean 'commenting'?"]


def test_wrong_types_and_values_are_located() -> None:
    text = ("annotations:\n"
            "  - motivation: assessing\n"
            "    target: {exact: x, position: many}\n"
            "    claim: c\n"
            "    verdict: sorta\n"
            "    created: June 2014\n")
    got = messages(text)
    assert "a.annotations.yaml:3:34: target position must be a whole number" in got
    assert any(m.startswith("a.annotations.yaml:5:14: unknown verdict 'sorta'") for m in got)
    assert "a.annotations.yaml:6:14: created must be a date like 2014-06-18" in got
    assert len(got) == 3  # no follow-on "needs a verdict" for the invalid one


def test_field_of_another_motivation_is_refused() -> None:
    text = "annotations:\n  - motivation: commenting\n    body: b\n    verdict: 'false'\n"
    assert messages(text) == [
        "a.annotations.yaml:4:14: field 'verdict' does not apply to commenting annotations\n"
        "  hint: 'verdict' belongs to assessing annotations"]


def test_aliases_are_refused() -> None:
    text = "annotations:\n  - &a {motivation: commenting, body: x}\n  - *a\n"
    got = messages(text)
    assert got == ["a.annotations.yaml:2:5: YAML anchors and aliases are not allowed\n"
                   "  hint: write the value out in full"]


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
    aset, problems = parse_sidecar("\n".join(lines), "bomb.yaml")
    assert aset.annotations == () and "aliases" in problems[0].message


def test_duplicate_ids_and_bad_ids() -> None:
    text = ("annotations:\n  - {id: x, motivation: highlighting, target: a}\n"
            "  - {id: x, motivation: highlighting, target: b}\n"
            "  - {id: 'no spaces', motivation: highlighting, target: c}\n")
    got = messages(text)
    assert "a.annotations.yaml:2:3: id 'x' is used twice\n  hint: give every entry its own id" in got
    assert "a.annotations.yaml:4:10: id 'no spaces' may only hold letters, digits, '-' and '_'" in got


def test_figure_needs_values() -> None:
    text = "figures:\n  - {title: T, label: L, values: [{year: 2002}]}\n"
    got = messages(text)
    assert "a.annotations.yaml:2:35: each figure value needs a 'year' and a 'value'" in got


def test_empty_sidecar_is_fine() -> None:
    assert parse_sidecar("", "x.yaml")[1] == []
    assert messages("[1, 2]") == ["a.annotations.yaml:1:1: sidecar file must be a mapping (key: value lines)"]


def test_every_yaml_example_in_the_docs_loads() -> None:
    import re

    docs = (pathlib.Path(__file__).parents[1] / "docs" / "annotations.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", docs, re.S)
    assert len(blocks) >= 8
    for block in blocks:
        if block.startswith("- "):
            block = "annotations:\n" + "".join("  " + line + "\n" for line in block.splitlines())
        elif block.startswith("target:"):
            block = "annotations:\n  - motivation: highlighting\n" + "".join(
                "    " + line + "\n" for line in block.splitlines())
        aset, problems = parse_sidecar(block, "docs.yaml")
        assert problems == [], block
        assert aset.annotations or aset.figures


def test_yaml_booleans_stay_text_where_text_is_wanted() -> None:
    text = "annotations:\n  - {motivation: assessing, target: x, claim: c, verdict: true}\n"
    aset, problems = parse_sidecar(text, "x.yaml")
    assert problems == [] and aset.annotations[0].verdict == "true"
