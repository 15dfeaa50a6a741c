"""The build, stage by stage: config -> library -> pages -> search -> writer.

Input: a site folder. Output: ``output/`` replaced atomically by the new
site, or a :class:`~marginalia.errors.SiteError` with every problem found and
the previous ``output/`` untouched.
"""

from __future__ import annotations

import dataclasses
import pathlib
import time
from collections.abc import Iterator

import jinja2

from .config import load_config
from .errors import Problem, SiteError
from .library import Library, load_library
from .markup import Renderer
from .model import Config
from .templates import load_templates, make_env, runtime_problem, template_problem
from .views import View, article_context, listing_views, root_for
from .writer import WriteStats, check_output, write_site

STATIC_DIR = pathlib.Path(__file__).parent / "static"


@dataclasses.dataclass
class BuildReport:
    """What a build did, for the summary line and for tests."""

    output: pathlib.Path
    articles: int = 0
    stats: WriteStats = dataclasses.field(default_factory=WriteStats)
    warnings: list[Problem] = dataclasses.field(default_factory=list)
    timings: dict[str, float] = dataclasses.field(default_factory=dict)


def build(site: pathlib.Path, *, output: pathlib.Path | None = None, base_url: str | None = None,
          strict: bool = False) -> BuildReport:
    """Build ``site`` into ``output`` (default ``site/output``)."""
    site = site.resolve()
    output = (output or site / "output").absolute()
    report = BuildReport(output)
    clock = _Clock(report)
    config = load_config(site, base_url=base_url)
    check_output(output, site)
    library = load_library(site, config)
    clock.lap("load")
    env = make_env(site)
    load_templates(env, _templates_needed(library), site)
    report.articles = len(library.articles)
    files = _generate(site, config, library, env, report, clock)
    report.stats = write_site(files, output)
    clock.lap("write")
    if strict and report.warnings:
        raise SiteError([dataclasses.replace(w, severity="error") for w in report.warnings])
    return report


def _templates_needed(library: Library) -> list[str]:
    layouts = {dict(a.extra).get("layout", "article") for a in library.articles}
    return sorted({"index.html", "list.html", "terms.html", "archive.html", "credits.html"}
                  | {f"{name}.html" for name in layouts})


def _generate(site: pathlib.Path, config: Config, library: Library, env: jinja2.Environment,
              report: BuildReport, clock: _Clock) -> Iterator[tuple[str, bytes]]:
    """Every output file in a fixed order, rendered one at a time (bounded memory)."""
    yield from _articles(site, config, library, env)
    clock.lap("articles")
    for view in listing_views(library, config):
        yield view.path, _render(env, view, config, site)
    clock.lap("listings")
    yield from _assets()


def _articles(site: pathlib.Path, config: Config, library: Library,
              env: jinja2.Environment) -> Iterator[tuple[str, bytes]]:
    """Render each article's Markdown and page."""
    renderer = Renderer()
    for index, article in enumerate(library.articles):
        html, _text = renderer.render(article.body)
        context = article_context(library, index, html)
        layout = dict(article.extra).get("layout", "article")
        view = View(library.urls[index], f"{layout}.html", context)
        yield view.path, _render(env, view, config, site)


def _render(env: jinja2.Environment, view: View, config: Config, site: pathlib.Path) -> bytes:
    """One page through its template, as UTF-8 bytes."""
    try:
        template = env.get_template(view.template)
        text = template.render(view.context, site=config, root=root_for(view.path), page_path=view.path)
    except (jinja2.TemplateSyntaxError, jinja2.TemplateNotFound) as exc:
        raise SiteError([template_problem(exc, site)]) from exc
    except Exception as exc:  # a layout doing something impossible, e.g. iterating a number
        raise SiteError([runtime_problem(exc, view.template, site)]) from exc
    return text.encode("utf-8")


def _assets() -> Iterator[tuple[str, bytes]]:
    """The package's CSS and scripts, copied into ``assets/``."""
    for path in sorted(STATIC_DIR.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            yield f"assets/{path.name}", path.read_bytes()


class _Clock:
    """Records the time each stage took into the report."""

    def __init__(self, report: BuildReport):
        self.report, self.last = report, time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.report.timings[stage] = self.report.timings.get(stage, 0.0) + now - self.last
        self.last = now
