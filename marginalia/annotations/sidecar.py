"""Read an article's annotation sidecar (``slug.annotations.yaml``).

Input: the sidecar's path (or its text). Output: an :class:`AnnotationSet` and
every problem found, each located ``path:line:col`` from PyYAML node marks.
Reads one file; writes nothing. YAML aliases are refused outright, so an alias
bomb cannot expand; only safe scalar types are built.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import pathlib
import re
from collections.abc import Callable
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import Problem
from ..model import SIDECAR_SUFFIX
from ..urls import URL_HINT, url_problem
from ..yamlio import compose
from .model import (
    ENTITY_TYPES,
    MOTIVATIONS,
    STATUSES,
    VERDICTS,
    Annotation,
    AnnotationSet,
    Entity,
    Figure,
    FigureValue,
    Source,
    Target,
)

SUFFIX = SIDECAR_SUFFIX
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
TOP_FIELDS = ("annotations", "figures")
COMMON = ("id", "motivation", "target", "body", "author", "created", "status")
#: Fields each motivation adds to the common ones.
SPECIFIC = {
    "identifying": ("entity",),
    "describing": ("kind", "speaker"),
    "assessing": ("claim", "verdict", "reviewer", "date", "sources"),
    "questioning": ("question",),
    "editing": ("before", "after", "date"),
}
ALL_FIELDS = COMMON + tuple(sorted({f for fs in SPECIFIC.values() for f in fs}))
TARGET_FIELDS = ("exact", "prefix", "suffix", "position")
ENTITY_FIELDS = ("type", "name", "wikidata", "role")
FIGURE_FIELDS = ("id", "title", "label", "unit", "source", "values", "target")
#: Fields each motivation needs: one of each group.
REQUIRED = {
    "identifying": (("entity",),), "assessing": (("claim",), ("verdict",)),
    "questioning": (("question", "body"),), "editing": (("body", "before", "after"),),
    "highlighting": (("target",),), "describing": (("body", "kind"),),
    "commenting": (("body",),), "classifying": (("body",),), "tagging": (("body",),),
    "linking": (("body",),),
}
#: Names people reach for, and the field they mean.
SYNONYMS = {"note": "body", "comment": "body", "text": "body", "quote": "exact",
            "change": "body", "correction": "body", "rating": "verdict"}


def sidecar_path(article: str | pathlib.Path) -> pathlib.Path:
    """``content/2014/slug.md`` -> ``content/2014/slug.annotations.yaml``."""
    p = pathlib.Path(article)
    return p.with_name(p.stem + SUFFIX)


def load_sidecar(path: str | pathlib.Path) -> tuple[AnnotationSet, list[Problem]]:
    """Load and validate one sidecar file; problems are located, never raised."""
    text = pathlib.Path(path).read_text(encoding="utf-8")
    return parse_sidecar(text, str(path))


def parse_sidecar(text: str, path: str) -> tuple[AnnotationSet, list[Problem]]:
    """Validate sidecar text; ``path`` is only used to locate problems."""
    reader = _Reader(path)
    root, problems = compose(text, path)  # libyaml, with aliases and custom tags refused
    if problems:
        return AnnotationSet(path), problems
    if root is None:
        return AnnotationSet(path), []
    fields = reader.fields(root, TOP_FIELDS, "sidecar file")
    annotations = tuple(reader.items(fields.get("annotations"), _annotation))
    figures = tuple(reader.items(fields.get("figures"), _figure))
    reader.check_ids([a.id for a in annotations], fields.get("annotations"))
    reader.check_ids([f.id for f in figures], fields.get("figures"))
    return AnnotationSet(path, annotations, figures), reader.problems


class _Reader:
    """Walks composed YAML nodes, collecting located problems."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self._constructor = yaml.SafeLoader("")

    def add(self, node: Node | None, message: str, hint: str = "") -> None:
        """Record a problem at ``node``."""
        line, col = (node.start_mark.line + 1, node.start_mark.column + 1) if node else (0, 0)
        self.problems.append(Problem(self.path, line, col, message, hint))

    def fields(self, node: Node, allowed: tuple[str, ...], what: str) -> dict[str, Node]:
        """The mapping's fields by name; reports non-mappings and unknown keys."""
        if not isinstance(node, MappingNode):
            self.add(node, f"{what} must be a mapping (key: value lines)")
            return {}
        out: dict[str, Node] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, ScalarNode) else ""
            if name not in allowed:
                self.add(key, f"unknown field '{name}' in {what}", _did_you_mean(name, allowed))
            elif name in out:
                self.add(key, f"field '{name}' given twice in {what}")
            else:
                out[name] = value
        return out

    def value(self, node: Node | None, kind: type | tuple[type, ...], what: str) -> Any:
        """The scalar's value if it has the expected type, else None (reported)."""
        if node is None:
            return None
        if isinstance(node, ScalarNode):
            try:
                value = self._constructor.construct_object(node, deep=True)
            except (yaml.YAMLError, ValueError, OverflowError):  # e.g. a date like 2014-13-45
                if kind is str:
                    return node.value  # text as written (5,000 digits are text too)
                self.add(node, f"{what} must be {_kind_name(kind)}", f"got {node.value!r}")
                return None
            if value is None and node.value in ("", "~", "null"):
                return None
            if kind is str and value is not None:
                return node.value  # text as written, even if YAML reads it as true or 2014
            if isinstance(value, kind) and not isinstance(value, bool) or kind is bool:
                return value
        self.add(node, f"{what} must be {_kind_name(kind)}")
        return None

    def choice(self, node: Node | None, choices: tuple[str, ...], what: str) -> str | None:
        """A string that must be one of ``choices``."""
        value = self.value(node, str, what)
        if value is not None and value not in choices:
            self.add(node, f"unknown {what} '{value}'",
                     _did_you_mean(value, choices) or "one of: " + ", ".join(choices))
            return None
        return value  # type: ignore[no-any-return]

    def items(self, node: Node | None, build: Callable[[_Reader, Node, int], Any]) -> list[Any]:
        """Build each entry of a sequence, skipping (and reporting) broken ones."""
        if node is None:
            return []
        if not isinstance(node, SequenceNode):
            self.add(node, "expected a list (lines starting with '- ')")
            return []
        built = (build(self, item, i + 1) for i, item in enumerate(node.value))
        return [b for b in built if b is not None]

    def check_ids(self, ids: list[str], node: Node | None) -> None:
        """Ids must be unique within their list."""
        seen: set[str] = set()
        for ident in ids:
            if ident in seen:
                self.add(node, f"id '{ident}' is used twice", "give every entry its own id")
            seen.add(ident)


def _did_you_mean(name: str, choices: tuple[str, ...]) -> str:
    """A "did you mean" hint, or ``""``."""
    if SYNONYMS.get(name) in choices:
        return f"did you mean '{SYNONYMS[name]}'?"
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def _kind_name(kind: type | tuple[type, ...]) -> str:
    """How a type is named in messages."""
    names = {str: "text", int: "a whole number", float: "a number",
             dt.date: "a date like 2014-06-18", list: "a list"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _ident(r: _Reader, node: Node | None, default: str) -> str:
    """A valid id, or the positional default."""
    ident = r.value(node, str, "id")
    if ident is None:
        return default
    if not ID_RE.match(ident):
        r.add(node, f"id '{ident}' may only hold letters, digits, '-' and '_'")
        return default
    return str(ident)


def _target(r: _Reader, node: Node | None) -> Target | None:
    """A target: a mapping with ``exact``, or a bare string (the exact text)."""
    if node is None:
        return None
    if isinstance(node, ScalarNode):
        exact = r.value(node, str, "target")
        return Target(exact) if exact else None
    f = r.fields(node, TARGET_FIELDS, "target")
    exact = r.value(f.get("exact"), str, "target exact")
    if not exact or not exact.strip():
        r.add(node, "target needs 'exact': the passage's text as it reads")
        return None
    position = r.value(f.get("position"), int, "target position")
    if position is not None and position < 0:
        r.add(f["position"], "target position must be 0 or more")
        position = None
    return Target(exact, r.value(f.get("prefix"), str, "target prefix") or "",
                  r.value(f.get("suffix"), str, "target suffix") or "", position)


def _entity(r: _Reader, node: Node | None) -> Entity | None:
    """An entity mapping: type, name, optional wikidata and role."""
    if node is None:
        return None
    f = r.fields(node, ENTITY_FIELDS, "entity")
    kind = r.choice(f.get("type"), ENTITY_TYPES, "entity type")
    name = r.value(f.get("name"), str, "entity name")
    if kind is None or not name:
        if "type" not in f or "name" not in f:
            r.add(node, "entity needs 'type' (person, organization, place) and 'name'")
        return None
    wikidata = r.value(f.get("wikidata"), str, "entity wikidata")
    if wikidata is not None and not re.fullmatch(r"Q[1-9][0-9]*", wikidata):
        r.add(f["wikidata"], f"wikidata id '{wikidata}' should look like Q42")
        wikidata = None
    return Entity(kind, name, wikidata, r.value(f.get("role"), str, "entity role"))


def _sources(r: _Reader, node: Node | None) -> tuple[Source, ...]:
    """A list of sources: each a URL string or {url, title}."""
    def one(r: _Reader, item: Node, _n: int) -> Source | None:
        if isinstance(item, ScalarNode):
            url = r.value(item, str, "source")
            return Source(url) if url and _linkable(r, item, url) else None
        f = r.fields(item, ("url", "title"), "source")
        url = r.value(f.get("url"), str, "source url")
        if not url:
            r.add(item, "a source needs a 'url'")
            return None
        if not _linkable(r, f["url"], url):
            return None
        return Source(url, r.value(f.get("title"), str, "source title"))
    return tuple(r.items(node, one))


def _linkable(r: _Reader, node: Node, url: str) -> bool:
    """A source URL becomes a link: javascript:, data: and other schemes are refused."""
    problem = url_problem(url)
    if problem:
        r.add(node, f"source url: {problem}", URL_HINT)
    return not problem


def _annotation(r: _Reader, node: Node, n: int) -> Annotation | None:
    """One annotation entry, validated against its motivation's fields."""
    f = r.fields(node, ALL_FIELDS, "annotation")
    motivation = r.choice(f.get("motivation"), MOTIVATIONS, "motivation")
    if motivation is None:
        if "motivation" not in f:
            r.add(node, "annotation needs a 'motivation'", "e.g. motivation: commenting")
        return None
    for name in set(f) - set(COMMON) - set(SPECIFIC.get(motivation, ())):
        owner = [m for m, fs in SPECIFIC.items() if name in fs]
        r.add(f[name], f"field '{name}' does not apply to {motivation} annotations",
              f"'{name}' belongs to {' or '.join(owner)} annotations")
    ann = Annotation(
        id=_ident(r, f.get("id"), f"a{n}"), motivation=motivation,
        target=_target(r, f.get("target")), body=r.value(f.get("body"), str, "body") or "",
        author=r.value(f.get("author"), str, "author"),
        created=r.value(f.get("created"), dt.date, "created"),
        status=r.choice(f.get("status"), STATUSES, "status") or "accepted",
        line=node.start_mark.line + 1, entity=_entity(r, f.get("entity")),
        kind=r.choice(f.get("kind"), ("quote",), "kind"),
        speaker=r.value(f.get("speaker"), str, "speaker"),
        claim=r.value(f.get("claim"), str, "claim"),
        verdict=r.choice(f.get("verdict"), VERDICTS, "verdict"),
        reviewer=r.value(f.get("reviewer"), str, "reviewer"),
        date=r.value(f.get("date"), dt.date, "date"), sources=_sources(r, f.get("sources")),
        question=r.value(f.get("question"), str, "question"),
        before=r.value(f.get("before"), str, "before"), after=r.value(f.get("after"), str, "after"))
    return ann if _complete(r, node, ann, set(f)) else None


def _complete(r: _Reader, node: Node, a: Annotation, given: set[str]) -> bool:
    """Each motivation's required fields are given (and were valid)."""
    ok = True
    for group in REQUIRED.get(a.motivation, ()):
        if not given & set(group):
            r.add(node, f"{a.motivation} annotation '{a.id}' needs "
                  + " or ".join(f"'{name}'" for name in group))
            ok = False
        elif all(getattr(a, name, None) in (None, "") for name in group):
            ok = False  # given but invalid: already reported
    return ok


def _figure(r: _Reader, node: Node, n: int) -> Figure | None:
    """One figure: a labelled series of values by year."""
    f = r.fields(node, FIGURE_FIELDS, "figure")
    title, label = r.value(f.get("title"), str, "title"), r.value(f.get("label"), str, "label")
    values = tuple(r.items(f.get("values"), _figure_value))
    if not title or not label or not values:
        r.add(node, "a figure needs a 'title', a 'label' and at least one entry in 'values'")
        return None
    return Figure(_ident(r, f.get("id"), f"f{n}"), title, label, values,
                  r.value(f.get("unit"), str, "unit"), r.value(f.get("source"), str, "source"),
                  _target(r, f.get("target")), node.start_mark.line + 1)


def _figure_value(r: _Reader, node: Node, _n: int) -> FigureValue | None:
    """One ``{year, value}`` entry."""
    f = r.fields(node, ("year", "value"), "figure value")
    year, value = r.value(f.get("year"), int, "year"), r.value(f.get("value"), (int, float), "value")
    if year is None or value is None:
        if "year" not in f or "value" not in f:
            r.add(node, "each figure value needs a 'year' and a 'value'")
        return None
    if value < 0 or not math.isfinite(value):
        r.add(f["value"], "figure values must be 0 or more" if value < 0 else "figure values must be finite numbers")
        return None
    if not 0 < year < 10_000:
        r.add(f["year"], "a figure's year must be between 1 and 9999")
        return None
    return FigureValue(year, value)
