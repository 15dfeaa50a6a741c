"""The Jinja environment's speed-ups (output escaping, templates kept by name, globals merged once a
page, text and expressions yielded together) give the pages stock Jinja gives."""

from __future__ import annotations

import pathlib

import jinja2
import pytest
from markupsafe import Markup, escape

from marginalia import templates
from marginalia.templates import make_env, output_escape

from conftest import REPO, tree_bytes


class Html:
    def __html__(self) -> str:
        return "<b>safe</b>"


class Plain:
    def __str__(self) -> str:
        return "a < b & \"c\" 'd'"


@pytest.mark.parametrize("value", ["", "plain", "<script>&'\"", Markup("<i>kept</i>"), Html(), Plain(), 3, 2.5,
                                   None, ["<x>"], {"k": "<v>"}, "ünïcödé <\u2028>"])
def test_output_escape_writes_what_markupsafe_escape_writes(value: object) -> None:
    assert output_escape(value) == str(escape(value))
    assert type(output_escape(value)) in (str, Markup)


TEMPLATE = """{% macro m(x) %}<m>{{ x }}</m>{% endmacro %}
{% macro wrap() %}<w>{{ caller() }}</w>{% endmacro %}{% set captured %}<s>{{ v }}</s>{% endset %}
{{ v }} {{ safe }} {{ html }} {{ n }} {{ v|e }} {{ v|safe }} {{ m(v) }} {{ captured }} {{ captured|length }}
{% call wrap() %}{{ v }}{% endcall %}{% autoescape false %}{{ v }}{% endautoescape %}{{ [v, safe]|join(", ") }}
{% for i in items %}{{ loop.index }}={{ i }};{% endfor %}{{ v ~ safe }} {{ undefined_is_empty|default("") }}"""


def test_pages_are_those_stock_jinja_renders(tmp_path: pathlib.Path) -> None:
    env = make_env(tmp_path)
    stock = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                               lstrip_blocks=True, keep_trailing_newline=True)
    context = {"v": "<a href='x'>&amp;</a>", "safe": Markup("<em>ok</em>"), "html": Html(), "n": 7,
               "items": ["<1>", Markup("<2>"), 3]}
    ours = env.from_string(TEMPLATE).render(context)
    assert ours == stock.from_string(TEMPLATE).render(context)
    assert "&lt;a href=&#39;x&#39;&gt;&amp;amp;&lt;/a&gt;" in ours and "<em>ok</em>" in ours


def test_imported_macros_see_the_importing_templates_own_globals(tmp_path: pathlib.Path) -> None:
    # The import's module is made once, but again for a template with globals of its own (Jinja's rule).
    (tmp_path / "layouts").mkdir()
    (tmp_path / "layouts" / "m.html").write_text("{% macro f() %}[{{ extra|default('none') }}]{% endmacro %}")
    env = make_env(tmp_path)
    source = "{% from 'm.html' import f %}{{ f() }}"
    assert env.from_string(source).render() == "[none]"
    assert env.from_string(source, globals={"extra": "own"}).render() == "[own]"
    assert env.from_string(source).render() == "[none]"


def stock_env(site: pathlib.Path, compiled: pathlib.Path | None = None) -> jinja2.Environment:
    """Jinja's own environment with the same loader, options, filters and globals as make_env's."""
    ours = make_env(site)
    env = jinja2.Environment(loader=ours.loader, autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.globals.update(ours.globals)
    env.filters.update(ours.filters)
    return env


LAYOUTS = {
    "base.html": """<t>{% block title %}Base{% endblock %}</t>{{ g }} {{ page }}
{% block body %}<b>{{ page|upper }}</b> {{ self.title() }}{% endblock %}
{% include "part.html" %}{% block tail scoped %}{% for x in items %}[{{ x }}]{% endfor %}{% endblock %}""",
    "part.html": "<p>{{ page }} {{ g }} {% for x in items %}{{ loop.index }}{{ x }}{% if not loop.last %}, {% endif %}"
                 "{% endfor %}</p>",
    "macros.html": "{% macro item(x) %}<i>{{ x }}</i> {{ caller() if caller else '' }}{% endmacro %}",
    "page.html": """{% extends "base.html" %}{% from "macros.html" import item %}
{% block title %}{{ super() }} &gt; {{ page }}{% endblock %}
{% block body %}{{ super() }}
{% for node in tree recursive %}<{{ node.name }}>{{ loop(node.kids) }}</{{ node.name }}>{% endfor %}
{% filter upper %}{{ page }} and {{ g }}{% endfilter %}{% call item(page) %}{{ page }}<c>{% endcall %}
{% set captured %}{{ page }}|{{ items|join(",") }}{% endset %}{{ captured }} {{ captured|length }}
{{ page if flag else "" }}{{ "x" ~ page }}
{% for x in items %}{% if x is string %}{{ x }}{% else %}{{ x + 1 }}{% endif %}{% else %}none{% endfor %}
{% endblock %}""",
}


def test_extends_blocks_loops_and_macros_render_as_with_stock_jinja(tmp_path: pathlib.Path) -> None:
    (tmp_path / "layouts").mkdir()
    for name, text in LAYOUTS.items():
        (tmp_path / "layouts" / name).write_text(text)
    context = {"page": "<p&'>", "g": Markup("<g/>"), "items": ["<a>", 2, Markup("<m>")], "flag": True,
               "tree": [{"name": "a", "kids": [{"name": "b", "kids": []}]}, {"name": "c", "kids": []}]}
    ours, stock = make_env(tmp_path, tmp_path / "compiled"), stock_env(tmp_path)
    expected = stock.get_template("page.html").render(context)
    assert "&lt;p&amp;&#39;&gt;" in expected and "<a><b></b></a>" in expected
    for _ in range(2):  # compiled, then from the compiled templates kept on disk
        assert ours.get_template("page.html").render(context) == expected
        ours = make_env(tmp_path, tmp_path / "compiled")
    assert any((tmp_path / "compiled").iterdir())
    assert ours.get_template("page.html", globals={"g": "own"}).render(context) == \
        stock.get_template("page.html", globals={"g": "own"}).render(context)


def test_the_bundled_archive_is_what_stock_jinja_renders(demo_output: pathlib.Path, tmp_path: pathlib.Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from marginalia.pipeline import build

    monkeypatch.setattr(templates, "make_env", stock_env)
    out = tmp_path / "output"
    build(REPO, output=out, clean=True)
    assert tree_bytes(out) == tree_bytes(demo_output)


def test_template_keys_are_the_same_whether_the_templates_were_compiled_first(tmp_path: pathlib.Path) -> None:
    """A template's key covers the templates it names; those found when the environment compiled it
    (a build compiles its templates first, before its constant expressions are folded) are those
    a parse of its source finds: every package template's key is the same either way, and a site
    template that includes another by a joined name counts as naming none, as a parse finds."""
    from marginalia.fingerprint import TemplateKeys
    from marginalia.templates import PACKAGE_LAYOUTS, load_templates, make_env

    (tmp_path / "layouts").mkdir()
    (tmp_path / "layouts" / "joined.html").write_text('{% include "4" ~ "04.html" %}{% include "search.html" %}')
    names = sorted(p.name for p in PACKAGE_LAYOUTS.glob("*.html")) + ["joined.html"]
    compiled = make_env(tmp_path)
    load_templates(compiled, names, tmp_path)
    assert len(compiled.references) == len(names)  # type: ignore[attr-defined]
    assert compiled.references[(tmp_path / "layouts" / "joined.html").read_text()] == ["search.html"]  # type: ignore[attr-defined]
    first, parsed = TemplateKeys(compiled), TemplateKeys(make_env(tmp_path))
    assert [first[n] for n in names] == [parsed[n] for n in names]
