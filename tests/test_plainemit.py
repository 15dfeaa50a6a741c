"""The plain YAML writer gives exactly what PyYAML gives, or leaves the data to PyYAML.

Every front matter the importer writes is compared with ``yaml.dump`` through
the importer's dumper (libyaml's emitter): on the bundled sources, the test
inputs, the whole BBC corpus, and on generated fields full of YAML's traps.
"""

from __future__ import annotations

import datetime as dt
import pathlib
from collections.abc import Callable
from typing import Any

import hypothesis.strategies as st
import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from marginalia.ingest import document, run, run_import
from marginalia.ingest.dates import iso_datetime
from marginalia.ingest.plainemit import PlainEmitter

REPO = pathlib.Path(__file__).resolve().parent.parent
BBC = REPO.parent / "shared" / "corpus" / "bbc"
FUZZ = settings(max_examples=600, deadline=None, database=None, suppress_health_check=list(HealthCheck))
EMITTER = PlainEmitter(document._Dumper.yaml_implicit_resolvers, iso_datetime)


def pyyaml(fields: dict[str, Any]) -> str:
    """What the importer wrote before the plain writer: PyYAML with its dumper."""
    return yaml.dump(fields, Dumper=document._Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=1_000_000)


def same_or_refused(fields: dict[str, Any]) -> bool:
    """Whether the writer takes ``fields``; when it does, that it writes what PyYAML writes."""
    got = EMITTER.dump(fields)
    if got is None:
        return False
    assert got == pyyaml(fields), fields
    return True


def imported_fields(paths: list[pathlib.Path], site: pathlib.Path,
                    monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The front-matter fields of every file an import of ``paths`` writes."""
    seen: list[dict[str, Any]] = []
    render = document.render_file

    def recording(fields: dict[str, Any], body: str) -> str:
        seen.append(fields)
        return render(fields, body)

    monkeypatch.setattr(run, "render_file", recording)
    (site / "content").mkdir(exist_ok=True)
    report = run_import(paths, site=site)
    assert len(seen) == len(report.written) > 0
    return seen


def test_bundled_sources_and_test_inputs(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [REPO / "sources" / "seed", REPO / "sources" / "wikinews", REPO / "tests" / "data" / "ingest"]
    fields = imported_fields(paths, tmp_path, monkeypatch)
    assert len(fields) > 290
    assert all(same_or_refused(f) for f in fields)  # the writer leaves nothing the importer writes


@pytest.mark.slow
def test_imported_bbc_corpus(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not (BBC / "business" / "001.txt").is_file():
        pytest.fail(f"BBC corpus not found at {BBC}: the tests expect shared/ beside the clone")
    fields = imported_fields([BBC], tmp_path, monkeypatch)
    assert len(fields) == 1781
    assert all(same_or_refused(f) for f in fields)
    assert any(f["import"].get("encoding") for f in fields)  # the cp1252 file
    assert any(f["import"]["repairs"] for f in fields) and any(f["import"]["warnings"] for f in fields)


# Strings that YAML reads as something else, or where libyaml changes its quoting.
TRAPS = ["", " ", "yes", "No", "on", "OFF", "y", "n", "true", "~", "null", "Null", "0", "-0", "+1", "007",
         "0x1F", "0o17", "0b101", "1_000", "1e3", "1.5", "-.5", ".inf", ".NaN", "1:20", "190:20:30",
         "2014-06-18", "2014-06-18T11:59:00-04:00", "2014-6-8 1:02:03", "=", "<<", "<", "a: b", "a:b", "a:",
         "a :", ":", ": a", ":a", "?", "? a", "?a", "-", "- a", "-a", "--", "---", "--- a", "...", "... a",
         "a #b", "a#b", "#a", "a\t#b", "x,y", "[a]", "]a", "{a}", "}a", ",a", "@a", "`a", "%a", "!a", "&a",
         "*a", "|a", ">a", "'a'", "it's", '"a"', 'say "x"', "back\\slash", "a\nb", "a\n", "\nb", "a\n\nb",
         " a", "a ", "a  b", "\ta", "a\t", "a\tb", "\xa0a", "a\xa0", "a\xa0b", "\u3000a", "\u2003", "a\u2028b",
         "a\u2029", "a\x85b", "a\rb", "\x00", "\x07", "\x1b", "\x7f", "\x9f", "\ufeffa", "a\ufeff", "\ufffe",
         "\uffff", "\ufffd", "\ue000", "\ud7ff", "é", "日本語", "😀", "a😀b", "\U0010fffd", "Ünïcödé: x",
         "http://example.org/a?b=c#d", "C++", "AT&T", "M*A*S*H", "Yahoo!", "50%", "x|y", "x > y",
         "line 4: standfirst may name the reporter 'Angus Crawford'; byline not set"]
KEYS = ["title", "date", "tags", "source", "import", "kind", "line", "before", "after", "a", "_k", "A1"]
ODD_KEYS = ["yes", "null", "n", "1", "a b", "a-b", "x.y", "é", "k" * 70, ""]
TEXT = st.one_of(st.sampled_from(TRAPS), st.text(max_size=10),
                 st.lists(st.sampled_from(TRAPS), min_size=2, max_size=3).map("".join),
                 st.text(st.sampled_from("ab Z09:-#'\"\\\n\t?,[]{}&*!|>%@`.~=<_\xa0\u2028😀é"), max_size=10))
DATES = st.dates(min_value=dt.date(1, 1, 1))
# Any zone, so offsets with seconds too (local mean time before 1900): those are left to PyYAML.
MOMENTS = st.datetimes(min_value=dt.datetime(1, 1, 2), timezones=st.timezones()).map(
    lambda m: m.replace(microsecond=0))
ZONES = st.integers(-14 * 60, 14 * 60).map(lambda minutes: dt.timezone(dt.timedelta(minutes=minutes)))
MOMENTS_IN_MINUTES = st.datetimes(min_value=dt.datetime(1, 1, 2), timezones=ZONES).map(
    lambda m: m.replace(microsecond=0))
SCALARS = st.one_of(TEXT, TEXT, TEXT, st.integers(-10**20, 10**20), DATES, MOMENTS)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.sampled_from(ODD_KEYS)), children, max_size=3)),
    max_leaves=10)


@FUZZ
@given(st.dictionaries(st.one_of(st.sampled_from(KEYS), st.sampled_from(KEYS), st.sampled_from(ODD_KEYS)),
                       VALUES, min_size=1, max_size=5))
def test_generated_fields(fields: dict[str, Any]) -> None:
    same_or_refused(fields)


@FUZZ
@given(st.lists(TEXT, min_size=1, max_size=4), st.lists(st.tuples(TEXT, st.integers(0, 10**6), TEXT), max_size=3),
       st.one_of(st.none(), DATES), st.one_of(st.none(), MOMENTS_IN_MINUTES))
def test_fields_shaped_like_the_importers(texts: list[str], repairs: list[tuple[str, int, str]],
                                          date: dt.date | None, updated: dt.datetime | None) -> None:
    """Every text the importer can produce is written here, not left to PyYAML."""
    fields: dict[str, Any] = {"title": texts[0]}
    fields.update((k, v) for k, v in (("date", date), ("updated", updated)) if v)
    fields["tags"] = texts[1:]
    fields["source"] = {"path": texts[-1], "sha256": "0" * 64}
    fields["import"] = {"digest": "", "repairs": [{"kind": "joined-wrap", "line": line, "before": before,
                                                   "after": after} for before, line, after in repairs],
                        "warnings": texts}
    strings = texts + [t for before, _line, after in repairs for t in (before, after)]
    wide_break = any("\u2028" in t or "\u2029" in t for t in strings)  # may be left to PyYAML
    assert same_or_refused(fields) or wide_break


def test_the_importers_file_is_the_same(tmp_path: pathlib.Path) -> None:
    fields = {"title": "Yes", "date": dt.date(2014, 6, 18), "tags": ["a: b", "#1"],
              "source": {"path": "raw/x.txt", "sha256": "ab" * 32},
              "import": {"digest": "", "repairs": [], "warnings": ["line 2: 'x'"]}}
    text = document.render_file(fields, "Body.\n")
    blank = f"---\n{pyyaml(fields)}---\n\nBody.\n"
    assert text == blank.replace(document.BLANK_DIGEST, f"  digest: {document.digest_of(blank)}")
    assert text.startswith("---\ntitle: 'Yes'\ndate: 2014-06-18\ntags:\n- 'a: b'\n- '#1'\nsource:\n")


class _Str(str):
    """A string subclass: PyYAML's representer does not know it as text."""


@pytest.mark.parametrize("make", [
    lambda: {"title": "a\ud800b"},  # a lone surrogate: PyYAML refuses to write it
    lambda: {"title": "a\u2028b"},  # a line break to libyaml, outside double quotes
    lambda: {"title": "x " * 30_000},  # long enough for libyaml to fold
    lambda: {"title": True}, lambda: {"title": None}, lambda: {"title": 1.5}, lambda: {"title": ("a",)},
    lambda: {"title": _Str("a")}, lambda: {"yes": "a"}, lambda: {"a b": "x"}, lambda: {1: "x"},
    lambda: {"tags": [["a"]]}, lambda: {"tags": [{}]}, lambda: {"tags": [[]]}, lambda: {},
    lambda: (lambda shared: {"a": shared, "b": shared})(["x"]),  # PyYAML: an anchor and an alias
    lambda: (lambda day: {"a": day, "b": day})(dt.date(2014, 6, 18)),
])
def test_what_is_left_to_pyyaml(make: Callable[[], dict[Any, Any]]) -> None:
    fields = make()
    assert EMITTER.dump(fields) is None
    try:
        want = pyyaml(fields)
    except (yaml.YAMLError, UnicodeError) as exc:  # a surrogate, a str subclass: PyYAML refuses them
        with pytest.raises(type(exc)):
            document.dump_yaml(fields)
    else:
        assert document.dump_yaml(fields) == want  # the importer's fallback
