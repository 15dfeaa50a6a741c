"""The plain YAML reader gives exactly what PyYAML gives, or leaves the text to PyYAML.

Every text the reader accepts is compared with ``load_with_pyyaml`` (libyaml
and the loader's constructors): the same types, values and key order, no
problem reported, and the same positions from the located view. Checked on
the bundled content, on imports of the Wikinews and seed sources and of the
whole BBC corpus, and on generated documents full of YAML's traps.
"""

from __future__ import annotations

import dataclasses
import pathlib
from typing import Any

import hypothesis.strategies as st
import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from marginalia import frontmatter
from marginalia.frontmatter import parse_article, split
from marginalia.ingest import document, run_import
from marginalia.yamlio import _PLAIN, load_with_pyyaml, load_yaml

REPO = pathlib.Path(__file__).resolve().parent.parent
BBC = REPO.parent / "shared" / "corpus" / "bbc"
FUZZ = settings(max_examples=600, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def same(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down (True == 1 and 1 == 1.0 are not enough), and the
    same key order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def key_paths(data: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every path of keys and indexes into ``data``."""
    out = [prefix]
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        out += key_paths(value, (*prefix, key))
    return out


def check(text: str) -> bool:
    """Whether the reader takes ``text``; when it does, that it reads it as PyYAML does."""
    got = _PLAIN.read(text)
    if got is None:
        return False
    want, want_located, problems = load_with_pyyaml(text, "x.yaml", 1)
    assert problems == [], (text, problems)
    assert same(got, want), (text, got, want)
    data, located, problems = load_yaml(text, "x.yaml", 1)
    assert data is got or same(data, got)
    assert problems == []
    for keys in key_paths(got)[:50]:
        assert located.where(*keys) == want_located.where(*keys), (text, keys)
    for key in list(got)[:20] if isinstance(got, dict) else ():
        assert located.key_where(key) == want_located.key_where(key)
    return True


def front_matters(folder: pathlib.Path) -> list[str]:
    """The front matter of every content file under ``folder``."""
    heads = []
    for path in sorted(folder.rglob("*.md")):
        head, _body, _line, problems = split(path.read_text(encoding="utf-8"), str(path))
        assert not problems, path
        heads.append(head)
    return heads


def test_bundled_content_config_and_sidecars() -> None:
    heads = front_matters(REPO / "content")
    assert len(heads) > 200
    taken = sum(check(head) for head in heads)
    assert taken >= 0.95 * len(heads)
    sidecars = sorted((REPO / "content").rglob("*.annotations.yaml"))
    assert sidecars
    for path in [*sidecars, REPO / "config.yaml"]:
        check(path.read_text(encoding="utf-8"))


def test_imported_wikinews_and_seed(tmp_path: pathlib.Path) -> None:
    (tmp_path / "content").mkdir()
    report = run_import([REPO / "sources" / "wikinews", REPO / "sources" / "seed"], site=tmp_path)
    assert report.written
    heads = front_matters(tmp_path / "content")
    assert len(heads) == len(report.written)
    assert all(check(head) for head in heads)  # the importer writes nothing the reader leaves


@pytest.mark.slow
def test_imported_bbc_corpus(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """All 1,781 BBC articles as imported: the same front matter data, and the same articles and
    problems from the whole front-matter stage, with the reader and without it."""
    if not (BBC / "business" / "001.txt").is_file():
        pytest.fail(f"BBC corpus not found at {BBC}: the tests expect shared/ beside the clone")
    (tmp_path / "content").mkdir()
    report = run_import([BBC], site=tmp_path)
    paths = sorted((tmp_path / "content").rglob("*.md"))
    assert len(paths) == len(report.written) == 1781
    texts = [(p.read_text(encoding="utf-8"), p.relative_to(tmp_path).as_posix(), p.stem) for p in paths]
    assert all(check(split(text, rel)[0]) for text, rel, _stem in texts)
    fast = [parse_article(*t) for t in texts]
    monkeypatch.setattr(frontmatter, "load_yaml", load_with_pyyaml)
    assert fast == [parse_article(*t) for t in texts]


TRICKY = ["yes", "No", "NO", "on", "Off", "y", "n", "true", "False", "~", "null", "Null", "nULL", "0", "-0", "+1",
          "007", "012", "0x1F", "0o17", "0b101", "1_000", "1e3", "1.5", "-.5", "1.", "6.8523015e+5", "1:20", "-1:20",
          ".inf", "-.Inf", ".nan", "2014-06-18", "2014-06-18T11:59:00Z", "12345678901234567890", "'quoted'",
          "'it''s'", "''", '""', '"dq \\" x"', '"tab\\tand\\u00e9\\x41\\U0001F600"', '"bad \\q"', '"\\ud800"',
          '"\\/ \\N \\_ \\L"', "a: b", "a:b", "a:", "a #b", "a#b", "#x", "- x", "-x", "-", "--", "---", "...",
          "[x]", "[x, 'y', \"z\"]", "[]", "[ ]", "[a,]", "[a, [b]]", "[yes, 1, ~]", "[1.5]", "{}", "{ }", "{x}",
          "{a: b}", "@x", "`x", "%x", "|", ">", "|-", "&a", "*a", "!t", "!!str x", "? x", ": x", ",x", "]x", "}x",
          "=", "<<", "<", "a=b", "Ünïcödé", "日本語", "emoji 😀", "nbsp\u00a0", "\u00a0lead", "soft\u00adhyphen",
          "zero\u200bwidth", "ls\u2028x", "nel\u0085x", "bom\ufeffx", "del\x7fx", "bell\x07", "tab\tx", "cr\rx",
          "", " ", "trailing   ", "a  b", "http://example.org/a?b=c#d", "C++", "AT&T", "M*A*S*H", "Yahoo!",
          "50%", "x|y", "x > y", "'unclosed", '"unclosed', "'a' 'b'", "'a' # c", "'a'#c", "x # c # d", "é: x"]
ODD_KEYS = ["1", "yes", "on", "null", "~", "a b", "'q'", '"q"', "<<", "=", "-k", "é", "k" * 130, "1.5", "0x1"]
KEYS = ["title", "date", "tags", "source", "path", "a", "_k", "x.y", "a-b", "A1", "N", "y", "nul", "k" * 128]
ANY_KEY = st.one_of(st.sampled_from(KEYS), st.sampled_from(KEYS), st.sampled_from(KEYS), st.sampled_from(ODD_KEYS))


WORDS = st.text(st.sampled_from("abcXYZ019 .,'-é"), min_size=1, max_size=12)


@st.composite
def documents(draw: st.DrawFn, depth: int = 0) -> list[str]:
    """Lines of a block mapping or sequence, some valid YAML, some not, many of them tricky."""
    scalar = st.one_of(st.sampled_from(TRICKY), st.text(max_size=12), *[WORDS] * 6)
    sequence = depth < 3 and draw(st.booleans()) if depth else False
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        step = draw(st.sampled_from([1, 2, 2, 2, 4]))
        lead = draw(st.sampled_from(["- ", "-  ", "-"])) if sequence else f"{draw(ANY_KEY)}:"
        kind = draw(st.sampled_from(["scalar", "scalar", "nested", "empty", "comment"])) if depth < 3 else "scalar"
        if kind == "nested":
            inner = draw(documents(depth + 1))
            same_line = sequence and draw(st.booleans()) and not inner[0].startswith("-")
            if same_line:  # "- key: value", the rest of the mapping at the key's column
                lines.append(f"{lead.rstrip()} {inner[0]}")
                lines += [" " * (len(lead.rstrip()) + 1) + line for line in inner[1:]]
            else:
                lines.append(lead.rstrip())
                lines += [" " * (0 if inner[0].startswith("-") and draw(st.booleans()) else step) + line
                          for line in inner]
        elif kind == "empty":
            lines.append(lead.rstrip() + draw(st.sampled_from(["", " ", "  # note"])))
        elif kind == "comment":
            lines.append(draw(st.sampled_from(["# a comment", "  #", "", "   "])))
        else:
            lines.append(f"{lead.rstrip()} {draw(scalar)}{draw(st.sampled_from(['', '', ' ', '  # c']))}")
    return lines


@FUZZ
@given(documents(), st.data())
def test_generated_documents(lines: list[str], data: st.DataObject) -> None:
    if data.draw(st.integers(0, 3)) == 0:  # now and then, shift one line to break the indentation
        i = data.draw(st.integers(0, len(lines) - 1))
        lines[i] = " " * data.draw(st.integers(1, 3)) + lines[i]
    check("\n".join(lines) + data.draw(st.sampled_from(["", "\n", "\n\n", "\n# end\n"])))


json_like = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.sampled_from(TRICKY), st.text(),
              WORDS, WORDS),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.one_of(ANY_KEY, ANY_KEY, st.text(max_size=8)), children,
                                               max_size=4)),
    max_leaves=12)


@FUZZ
@given(st.dictionaries(ANY_KEY, json_like, min_size=1, max_size=6), st.sampled_from([False, False, None]),
       st.sampled_from([2, 4]), st.booleans(), st.booleans())
def test_documents_as_pyyaml_writes_them(data: dict[str, Any], flow: bool | None, indent: int, unicode: bool,
                                         importer: bool) -> None:
    """What the importer's dumper (and others' tools) write: the reader must read it back exactly."""
    dumper = document._Dumper if importer else yaml.SafeDumper
    check(yaml.dump(data, Dumper=dumper, default_flow_style=flow, indent=indent, allow_unicode=unicode,
                    sort_keys=False, width=10**6))


@pytest.mark.parametrize("value", TRICKY)
def test_tricky_scalars_in_every_position(value: str) -> None:
    for text in (f"k: {value}", f"k:  {value}  ", f"- {value}", f"k:\n- {value}", f"k:\n  - {value}\n  - x",
                 f"k: [{value}]", f"k: [a, {value}]", f"- k: {value}\n  j: x", f"k:\n  j: {value}",
                 f"{value}: x", f"- {value}: x", f"k: '{value}'", f'k: "{value}"'):
        check(text)


EXPECTED: list[tuple[str, Any]] = [
    ("title: Budget row\ndate: 2014-06-18\ndraft: yes\ncount: 12\nnote: ~", {
        "title": "Budget row", "date": "2014-06-18", "draft": True, "count": 12, "note": None}),
    ("import:\n  repairs:\n  - kind: inserted-space\n    line: 13\n  warnings: []\ntags: [a, 'b c']", {
        "import": {"repairs": [{"kind": "inserted-space", "line": 13}], "warnings": []}, "tags": ["a", "b c"]}),
    ("a:\n  b:\n    - x\n    -\n    - - y\n", None),  # "- - y" is left to PyYAML
    ("title: '2004: the year'\nbyline: \"A \\\"quoted\\\" name\"", {
        "title": "2004: the year", "byline": 'A "quoted" name'}),
    ("title: x  # a comment\n# a line of comment\n\nother: y", {"title": "x", "other": "y"}),
    ("title: 1.5", None), ("title: 0x1F", None), ("title: 1_000", None), ("title: 1:20", None),
    ("title: |\n  block", None), ("title: &a x", None), ("title: !tag x", None), ("title: a\n  continued", None),
    ("title: x\ntitle: y", None), ("yes: x", None), ("title:\tx", None), ("title: x\r\n", None),
    ("---\ntitle: x", None), ("title: {a: b}", None), ("title: [a, [b]]", None),
    ("- a:\n  - x\n  b: y\n-\n  c: 1\n-\n- d", [{"a": ["x"], "b": "y"}, {"c": 1}, None, "d"]),
    ("a:\n    # note\n  b: 1\n  c:\n  d: [ x y , 'z' ]  # c", {"a": {"b": 1, "c": None, "d": ["x y", "z"]}}),
    ("a:\n  - x\n  b: y", None), ("a:\n    b: 1\n  c: 2", None), ("- a: 1\n - b", None), ("  a: 1\nb: 2", None),
    ("a: x\n\n\n", {"a": "x"}), ("# only a comment", None), ("", None), ("just text", None),
    ("".join(f"{' ' * i}k{i}:\n" for i in range(22)), None),  # deeper than the reader goes
]


@pytest.mark.parametrize(("text", "expected"), EXPECTED)
def test_what_is_taken_and_what_is_left(text: str, expected: Any) -> None:
    assert same(_PLAIN.read(text), expected)
    if expected is not None:
        check(text)


def test_located_problems_are_unchanged() -> None:
    """A field the checker refuses is still pointed at, line and column, from the plain reader's data."""
    text = "---\ntitle: Fine\ndate: someday\ntags:\n  - a\n  - {}\nsource:\n  path: /etc/passwd\n---\nBody\n"
    assert _PLAIN.read(split(text, "a.md")[0]) is not None
    article, problems = parse_article(text, "content/a.md", "a")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(frontmatter, "load_yaml", load_with_pyyaml)
        assert (article, problems) == parse_article(text, "content/a.md", "a")
    assert article is None
    assert [(p.line, p.col) for p in problems] == [(3, 7), (6, 5), (8, 9)]
    assert [dataclasses.astuple(p)[3] for p in problems][0] == "'date' is not a date: 'someday'"


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_windows_and_old_mac_line_ends_read_as_unix_ones(newline: str) -> None:
    text = "---\ntitle: Fine\ndate: 2014-06-05\ntags:\n  - a\n---\nFirst paragraph.\n\nSecond, 'quoted'.\n"
    expected = parse_article(text, "content/a.md", "a")
    assert expected[0] is not None and expected[0].body == "First paragraph.\n\nSecond, 'quoted'.\n"
    assert parse_article(text.replace("\n", newline), "content/a.md", "a") == expected
