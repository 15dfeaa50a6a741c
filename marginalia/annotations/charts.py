"""Figures as inline SVG bar charts, with the full data as text.

Input: :class:`Figure` values. Output: deterministic HTML strings (no
JavaScript, no external resources). Touches nothing.

Scale: bars are always linear and start at zero, because a bar's length is
read as its size. When values span orders of magnitude the small bars become
hairlines; every value is also written as text beside its bar, and the caption
says plainly which bars are too short to see and by what factor the largest
exceeds them, instead of switching silently to a log scale.
"""

from __future__ import annotations

import html

from .model import Figure, FigureValue

WIDTH = 560
LABEL_W = 56  # the year column
VALUE_W = 120  # room for the value written after the longest bar
ROW_H = 28
BAR_H = 18
PAD = 8
MIN_BAR = 2.0  # a non-zero value never vanishes entirely
TINY = 0.01  # bars under 1% of the largest are called out in the caption


def format_number(value: float) -> str:
    """``23881197`` -> ``23,881,197``; fractions keep up to two decimals."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _values(figure: Figure) -> list[FigureValue]:
    """Values in year order."""
    return sorted(figure.values, key=lambda v: v.year)


def _unit(figure: Figure, value: float) -> str:
    """A value with its unit, as written in text."""
    return format_number(value) + (f" {figure.unit}" if figure.unit else "")


def data_text(figure: Figure) -> str:
    """The whole series as one sentence."""
    pairs = "; ".join(f"{v.year}: {_unit(figure, v.value)}" for v in _values(figure))
    text = f"{figure.label} by year. {pairs}."
    return text + (f" Source: {figure.source}." if figure.source else "")


def scale_note(figure: Figure) -> str:
    """What a reader should know about the scale, or ``""``."""
    values = _values(figure)
    top = max(v.value for v in values)
    tiny = [v for v in values if 0 < v.value < top * TINY]
    if not tiny:
        return ""
    parts = [f"{v.year} ({format_number(v.value)}, about 1/{round(top / v.value):,} "
             "of the largest)" for v in tiny]
    return ("Bars are drawn to scale from zero, so the bar for "
            + ", ".join(parts) + " is too short to see; its value is written beside it.")


def figure_svg(figure: Figure) -> str:
    """An accessible horizontal bar chart: one bar per year, values written out."""
    values = _values(figure)
    top = max((v.value for v in values), default=0) or 1
    height = PAD * 2 + ROW_H * len(values)
    span = WIDTH - LABEL_W - VALUE_W
    ident = html.escape(figure.id, quote=True)
    rows = [_row(i, v, top, span, figure) for i, v in enumerate(values)]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="anno-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-labelledby="figure-{ident}-title figure-{ident}-desc">'
        f'<title id="figure-{ident}-title">{html.escape(figure.title)}</title>'
        f'<desc id="figure-{ident}-desc">{html.escape(data_text(figure))}</desc>'
        + "".join(rows) + "</svg>")


def _row(i: int, v: FigureValue, top: float, span: float, figure: Figure) -> str:
    """One year's label, bar and value text."""
    y = PAD + i * ROW_H
    width = span * v.value / top
    if 0 < width < MIN_BAR:
        width = MIN_BAR
    mid = y + BAR_H / 2
    return (
        f'<text class="chart-year" x="{LABEL_W - PAD}" y="{mid:.1f}" text-anchor="end" '
        f'dominant-baseline="middle" fill="currentColor">{v.year}</text>'
        f'<rect class="chart-bar" x="{LABEL_W}" y="{y}" width="{width:.1f}" '
        f'height="{BAR_H}" fill="currentColor" fill-opacity="0.6"/>'
        f'<text class="chart-value" x="{LABEL_W + width + PAD:.1f}" y="{mid:.1f}" '
        f'dominant-baseline="middle" fill="currentColor">'
        f'{html.escape(_unit(figure, v.value))}</text>')


def figure_table(figure: Figure) -> str:
    """The series as a two-column table."""
    rows = "".join(f'<tr><th scope="row">{v.year}</th><td>{html.escape(_unit(figure, v.value))}'
                   "</td></tr>" for v in _values(figure))
    return (f'<table class="anno-figure-data"><thead><tr><th scope="col">Year</th>'
            f'<th scope="col">{html.escape(figure.label)}</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def figure_html(figure: Figure) -> str:
    """A ``<figure>``: caption, chart, scale note, source, and the data table."""
    note = scale_note(figure)
    source = f" Source: {html.escape(figure.source)}." if figure.source else ""
    unit = f" ({html.escape(figure.unit)})" if figure.unit else ""
    return (
        f'<figure class="anno-figure" id="figure-{html.escape(figure.id, quote=True)}">'
        f'<figcaption><span class="anno-figure-title">{html.escape(figure.title)}</span> '
        f'<span class="anno-figure-label">{html.escape(figure.label)}{unit}</span></figcaption>'
        + figure_svg(figure)
        + (f'<p class="anno-figure-note">{html.escape(note)}{source}</p>' if note or source else "")
        + f"<details><summary>The data as a table</summary>{figure_table(figure)}</details>"
        + "</figure>")


def figures_html(figures: tuple[Figure, ...] | list[Figure]) -> str:
    """Every figure of an article, in sidecar order."""
    return "\n".join(figure_html(f) for f in figures)
