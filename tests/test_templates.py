"""The Jinja environment's faster output escaping gives the pages stock Jinja gives."""

from __future__ import annotations

import pathlib

import jinja2
import pytest
from markupsafe import Markup, escape

from marginalia.templates import make_env, output_escape


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
