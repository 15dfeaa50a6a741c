"""The Jinja environment: the site's ``layouts/`` over the package defaults.

Input: the site folder. Output: a configured :class:`jinja2.Environment` and
``render(name, context) -> bytes``. Autoescaping is on everywhere; article
HTML reaches templates already sanitized, wrapped in ``Markup``. Template
errors become located problems. Reads templates only.
"""

from __future__ import annotations

import contextlib
import json
import pathlib
from collections import ChainMap
from typing import Any

import jinja2
import jinja2.bccache
import jinja2.compiler
import jinja2.meta
import jinja2.nodes
import jinja2.runtime
import markupsafe
from markupsafe import Markup

try:
    from markupsafe import _escape_inner  # the C escaper behind markupsafe.escape
except ImportError:  # pragma: no cover - another MarkupSafe
    def _escape_inner(s: str, /) -> str:
        return str(markupsafe.escape(s))

from .dates import human_date, human_datetime, month_name, utc_offset
from .errors import Problem, SiteError

PACKAGE_LAYOUTS = pathlib.Path(__file__).parent / "layouts"
#: Every page's Content-Security-Policy (a <meta> in base.html): scripts, styles and images
#: only from the site's own files, never inline. "file:" because Chromium's 'self' does not
#: match file:// URLs; "data:" images for CSS; the service worker and manifest over HTTP.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self' file:; style-src 'self' file:; img-src 'self' file: data:; "
    "font-src 'self' file:; connect-src 'self' file:; manifest-src 'self'; worker-src 'self'; "
    "media-src 'none'; object-src 'none'; frame-src 'none'; base-uri 'self' file:; form-action 'self' file:")


_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))  # (made once, not per call)


def json_script(value: Any) -> Markup:
    """JSON safe inside a <script> element: '<', '>', '&' and line separators escaped."""
    text = _JSON.encode(value)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return Markup(text)


def output_escape(value: Any, /) -> str:
    """What ``{{ value }}`` writes into an autoescaped page: markupsafe.escape's text, as a plain
    ``str``. Jinja's compiled templates call ``escape`` for every expression they output, and only
    join the results; markupsafe.escape wraps each in a new ``Markup`` (a Python-level ``__new__``):
    334 ns a call against 44 ns for this one (timeit), ~876,000 calls in a 10,000-article build."""
    if type(value) is str:
        return _escape_inner(value)  # type: ignore[no-any-return]
    if hasattr(value, "__html__"):
        return value.__html__()  # type: ignore[no-any-return]
    return _escape_inner(str(value))  # type: ignore[no-any-return]


class _Template(jinja2.Template):
    """A template whose output expressions are escaped by :func:`output_escape`. The name
    ``escape`` in a compiled template's namespace is used only around output expressions (Jinja's
    ``CodeGenerator._output_child_pre``; filters such as ``|e`` are looked up elsewhere), whose
    values are joined into text, so a plain string there gives the same page."""

    @classmethod
    def _from_namespace(cls, environment: jinja2.Environment, namespace: Any, globals: Any) -> Any:
        namespace["escape"] = output_escape
        return super()._from_namespace(environment, namespace, globals)

    def _get_default_module(self, ctx: Any = None) -> Any:
        """The module ``{% import %}`` and ``{% from %}`` give: Jinja's, whose test for globals
        this template lacks walks a ``ChainMap`` in Python (4.4 us a page, measured); the same
        test here on the maps' keys at once."""
        if ctx is not None and isinstance(self.globals, ChainMap) and not self.environment.is_async \
                and not ctx.globals_keys.difference(*self.globals.maps):
            ctx = None  # nothing missing: the module made once (Jinja's path without a context)
        return super()._get_default_module(ctx)

    def new_context(self, vars: dict[str, Any] | None = None, shared: bool = False,
                    locals: Any = None) -> jinja2.runtime.Context:
        """Jinja's context, given the globals as one dict: Jinja copies them into every page's
        context from a ``ChainMap``, whose keys and values it walks in Python (about 7 us of an
        article page's 60, measured); the same values, merged in C."""
        merged = self.globals
        if isinstance(merged, ChainMap):
            layers, merged = merged.maps, {}
            for layer in reversed(layers):
                merged.update(layer)
        return jinja2.runtime.new_context(self.environment, self.name, self.blocks, vars, shared, merged, locals)


class _Environment(jinja2.Environment):
    """Jinja's environment, with each template loaded once kept by its name: a page looks up
    its template, the one that template extends and the one it imports macros from, and Jinja's
    cache takes a lock and reorders its queue at each lookup (about 5 us a page, measured). With
    ``auto_reload`` off (as here) Jinja never loads a template again either."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.loaded: dict[str, jinja2.Template] = {}
        # The templates each source parsed here names, found before the compiler folds its constants:
        # for the template keys (fingerprint.TemplateKeys), which would parse it again (20 ms a cold build).
        self.references: dict[str, list[str]] = {}

    def _parse(self, source: str, name: str | None, filename: str | None) -> jinja2.nodes.Template:
        node = super()._parse(source, name, filename)
        self.references[source] = sorted(r for r in jinja2.meta.find_referenced_templates(node) if r)
        return node

    def _load_template(self, name: str, globals: Any) -> jinja2.Template:
        if globals or self.auto_reload:
            return super()._load_template(name, globals)
        found = self.loaded.get(name)
        if found is None:
            found = self.loaded[name] = super()._load_template(name, globals)
        return found


_JOINED = "\x00joined"  # a stand-in frame buffer (see _Generator)


class _Generator(jinja2.compiler.CodeGenerator):
    """Jinja's code generator, except that template text and ``{{ expressions }}`` between two
    statements are yielded as one string (joined in order), not piece by piece: each piece a block
    yields passes up through every template the page extends, one ``yield from`` at a time (an
    article page yielded 145 pieces, now 45: about 3 us of its 60, measured). Where Jinja would
    append the pieces to a buffer it does so as before."""

    def visit_Output(self, node: jinja2.nodes.Output, frame: Any) -> None:
        if frame.buffer is not None or len(node.nodes) < 2:
            super().visit_Output(node, frame)
            return
        frame.buffer = _JOINED  # Jinja then writes "BUFFER.append(piece,)" or "BUFFER.extend((pieces,))"
        try:
            super().visit_Output(node, frame)
        finally:
            frame.buffer = None

    def writeline(self, x: str, node: jinja2.nodes.Node | None = None, extra: int = 0) -> None:
        if x.startswith(_JOINED):  # ... which here become "yield str(piece,)" and "yield ''.join((pieces,))"
            x = "yield ''.join((" if x.endswith(".extend((") else "yield str("
        super().writeline(x, node, extra)


def make_env(site: pathlib.Path, compiled: pathlib.Path | None = None) -> jinja2.Environment:
    """An environment loading ``site/layouts`` first, then the defaults; ``compiled``, a folder
    where compiled templates are kept between builds (by their source's checksum)."""
    cache = None
    if compiled is not None:
        with contextlib.suppress(OSError):
            compiled.mkdir(parents=True, exist_ok=True)
            cache = _Compiled(str(compiled))
    env = _Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(site / "layouts")),
                                    jinja2.FileSystemLoader(str(PACKAGE_LAYOUTS))]),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True, auto_reload=False, bytecode_cache=cache)
    env.template_class = _Template
    env.code_generator_class = _Generator
    env.globals["csp"] = CONTENT_SECURITY_POLICY
    env.filters.update(human_date=human_date, human_datetime=human_datetime, month_name=month_name,
                       json_script=json_script, utc_offset=utc_offset)
    return env


class _Compiled(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept on disk; one that cannot be written (a read-only site) is not kept."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)

    def get_source_checksum(self, source: str) -> str:
        """The source's checksum and the tool's: code compiled by another version (of _Generator,
        say) is compiled again."""
        from .fingerprint import tool_key  # (it imports the modules that render pages)

        return super().get_source_checksum(f"{tool_key()}\n{source}")


def template_problem(exc: jinja2.TemplateError, site: pathlib.Path) -> Problem:
    """A located problem for a template error."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        name = exc.filename or exc.name or "layouts"
        with contextlib.suppress(ValueError):
            name = pathlib.Path(name).resolve().relative_to(site.resolve()).as_posix()
        return Problem(name, exc.lineno or 0, 0, f"template error: {exc.message}",
                       "check the Jinja syntax on this line")
    if isinstance(exc, jinja2.TemplateNotFound):
        return Problem("layouts", 0, 0, f"template not found: {exc.name}",
                       "add it to layouts/ or remove the reference")
    return Problem("layouts", 0, 0, f"template error: {exc}", "check your layouts/ overrides")


def load_templates(env: jinja2.Environment, names: list[str], site: pathlib.Path) -> None:
    """Compile the templates the build needs now, so syntax errors stop it early."""
    problems = []
    for name in names:
        try:
            env.get_template(name)
        except jinja2.TemplateError as exc:
            problems.append(template_problem(exc, site))
    if problems:
        raise SiteError(problems)


def runtime_problem(exc: Exception, template: str, site: pathlib.Path) -> Problem:
    """A located problem for an error raised while a template ran."""
    line, name = 0, template
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".html"):
            line, name = tb.tb_lineno, filename
        tb = tb.tb_next
    try:
        name = pathlib.Path(name).resolve().relative_to(site.resolve()).as_posix()
    except ValueError:
        name = f"layouts/{pathlib.Path(name).name}" if line else name
    return Problem(name, line, 0, f"template failed: {type(exc).__name__}: {exc}",
                   "check the variables this line uses (see docs/layouts.md)")
