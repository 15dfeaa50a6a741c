"""Charts: accessible, deterministic SVG with the data as text."""

from __future__ import annotations

import xml.etree.ElementTree as etree

from marginalia.annotations.charts import figure_html, figure_svg, format_number, scale_note
from marginalia.annotations.model import Figure, FigureValue

SVG = "{http://www.w3.org/2000/svg}"
IMAGES = Figure("images", "Images confirmed", "Examples of obscene images found online",
                (FigureValue(2013, 23881197), FigureValue(2002, 45055)), source="NCMEC")


def test_svg_has_role_title_and_desc_with_all_data() -> None:
    svg = etree.fromstring(figure_svg(IMAGES))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "figure-images-title figure-images-desc"
    assert svg.findtext(f"{SVG}title") == "Images confirmed"
    assert svg.findtext(f"{SVG}desc") == ("Examples of obscene images found online by year. "
                                          "2002: 45,055; 2013: 23,881,197. Source: NCMEC.")
    values = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-value"]
    assert values == ["45,055", "23,881,197"]  # years in order, thousands separated


def test_small_values_stay_visible_and_the_scale_is_explained() -> None:
    svg = etree.fromstring(figure_svg(IMAGES))
    widths = [float(r.get("width", "0")) for r in svg.iter(f"{SVG}rect")]
    assert widths[0] == 2.0 and widths[1] > 300
    assert scale_note(IMAGES) == ("Bars are drawn to scale from zero, so the bar for 2002 "
                                  "(45,055, about 1/530 of the largest) is too short to see; "
                                  "its value is written beside it.")


def test_output_is_deterministic_and_script_free() -> None:
    page = figure_html(IMAGES)
    assert page == figure_html(IMAGES)
    assert "<script" not in page and "<table" in page and 'id="figure-images"' in page
    assert "<th scope=\"row\">2002</th><td>45,055</td>" in page


def test_format_number() -> None:
    assert format_number(2099) == "2,099" and format_number(1.5) == "1.5"
    assert format_number(1234567.0) == "1,234,567" and format_number(0.125) == "0.12"


def test_text_is_escaped() -> None:
    fig = Figure("x", "<b>T</b>", "a & b", (FigureValue(2000, 1),), unit="£m")
    page = figure_html(fig)
    assert "&lt;b&gt;T&lt;/b&gt;" in page and "a &amp; b" in page and "1 £m" in page
    assert scale_note(fig) == ""
