"""Keys for incremental builds: what a page was made from, hashed.

A page is re-rendered only when its key changes. Keys cover the tool's own
code, the config, the templates a page uses (with everything they extend or
import) and the page's context, where an article stands for the key of its
content file. Pure: reads only the package's and the site's template files.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import pathlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .cache import digest
from .library import Group
from .model import Article
from .views import Item

if TYPE_CHECKING:
    import jinja2

PACKAGE = pathlib.Path(__file__).parent


@functools.cache
def tool_key() -> str:
    """A key of the engine's own code and assets, so a changed tool never reuses old pages."""
    files = sorted(p for p in PACKAGE.rglob("*") if p.is_file() and p.suffix in (".py", ".html", ".css", ".js",
                                                                                   ".txt", ".json", ".tsv"))
    return digest(*(f"{p.relative_to(PACKAGE)}" for p in files), *(p.read_bytes() for p in files))


class TemplateKeys:
    """The key of each template together with the templates it extends, includes or imports.

    Finding the references parses a template; ``memo`` (a JSON file) keeps each source's
    references by the source's digest, so a build whose layouts did not change parses none."""

    def __init__(self, env: jinja2.Environment, memo: pathlib.Path | None = None):
        self.env, self.memo = env, memo
        self._keys: dict[str, str] = {}
        self._refs: dict[str, list[str]] = {}
        self._dirty = False
        if memo is not None:
            with contextlib.suppress(OSError, ValueError):
                loaded = json.loads(memo.read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    self._refs = {k: v for k, v in loaded.items()
                                  if isinstance(v, list) and all(isinstance(r, str) for r in v)}

    def __getitem__(self, name: str) -> str:
        if name not in self._keys:
            self._keys[name] = digest(*self._sources(name, set()))
        return self._keys[name]

    def save(self) -> None:
        """Write the memo of references, if anything was added to it."""
        if self.memo is None or not self._dirty:
            return
        tmp = self.memo.with_name(f"{self.memo.name}.{os.getpid()}.tmp")
        with contextlib.suppress(OSError):
            tmp.write_text(json.dumps(self._refs, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.memo)

    def _sources(self, name: str, seen: set[str]) -> list[str]:
        import jinja2  # (here: a build that finds nothing changed never needs it, 20 ms to import)

        if name in seen:
            return []
        seen.add(name)
        try:
            source, filename, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            return [name, "<missing>"]
        out = [name, filename or "", source]
        for ref in self._references(source):
            out += self._sources(ref, seen)
        return out

    def _references(self, source: str) -> list[str]:
        """The templates ``source`` names (sorted), from the memo or by parsing it."""
        import jinja2.meta

        key = digest(source)
        if key not in self._refs:
            # (as the environment found them when it compiled the template, if it did: templates.py)
            found = getattr(self.env, "references", {}).get(source)
            if found is None:
                try:
                    found = sorted(r for r in jinja2.meta.find_referenced_templates(self.env.parse(source)) if r)
                except jinja2.TemplateSyntaxError:
                    return []
            self._refs[key] = found
            self._dirty = True
        return self._refs[key]


_FIELDS: dict[type, tuple[str, ...]] = {}  # the field names of each dataclass met so far
SHARED_MIN = 16  # a list this long is keyed once per build, however many pages' contexts hold it
Shared = dict[int, tuple[Any, str]]  # id(list) -> (the list, its key)


def context_key(value: Any, article_keys: Mapping[str, str], shared: Shared | None = None) -> str:
    """A key of a template context; articles count by their content key, not their text.
    ``shared``: the keys of long lists met in earlier contexts of the same build, by identity (every
    page of the home page holds the archive's list of years: walked once, not once a page)."""
    parts: list[str] = []
    _walk(value, article_keys, parts, {} if shared is None else shared)
    # One digest of the parts' repr (unambiguous: quoted and escaped) is much faster than feeding a
    # long listing's hundreds of thousands of parts to the hash one by one.
    return digest(repr(parts))


def _walk(value: Any, keys: Mapping[str, str], out: list[str], shared: Shared) -> None:
    kind = type(value)
    if kind is str:  # the common cases first: listings are long lists of (article, url) items
        out.append("s" + value)
        return
    if kind is Item:
        out.append(f"I{keys.get(value.article.path, value.article.path)}|{value.url}")
        return
    if kind is dict:  # (before the isinstance tests: isinstance of Mapping is slow)
        _walk_mapping(value, keys, out, shared)
        return
    if kind is int or kind is bool:
        out.append(kind.__name__[0] + str(value))
        return
    if kind in _FIELDS:
        out.append(kind.__name__)
        for name in _FIELDS[kind]:
            _walk(getattr(value, name), keys, out, shared)
        return
    if isinstance(value, Article):
        out.append("A" + keys.get(value.path, value.path))
    elif isinstance(value, (str, int, float, bool)) or value is None:
        out.append(type(value).__name__[0] + str(value))
    elif isinstance(value, Mapping):
        _walk_mapping(value, keys, out, shared)
    elif (kind is tuple or kind is list) and len(value) >= SHARED_MIN and type(value[0]) is not Item:
        # A long sequence that may be shared between pages (not a page's own listing): kept with its
        # key, so that its id cannot be taken by another object while the memo lives.
        known = shared.get(id(value))
        if known is None or known[0] is not value:
            inner: list[str] = []
            _walk_items(value, keys, inner, shared)
            known = shared[id(value)] = (value, digest(repr(inner)))
        out.append("L" + known[1])
    elif isinstance(value, (list, tuple)):
        _walk_items(value, keys, out, shared)
    elif isinstance(value, Group):
        out.append(f"G{value.kind}/{value.slug}/{value.name}/{value.roles}/{value.wikidata}/{len(value.members)}")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(value))
        _walk(value, keys, out, shared)
    else:
        out.append(repr(value))


def _walk_mapping(value: Mapping[Any, Any], keys: Mapping[str, str], out: list[str], shared: Shared) -> None:
    out.append("{")
    for k in sorted(value, key=str):
        out.append(str(k))
        _walk(value[k], keys, out, shared)
    out.append("}")


def _walk_items(value: Sequence[Any], keys: Mapping[str, str], out: list[str], shared: Shared) -> None:
    out.append("[")
    if value and type(value[0]) is Item and all(type(item) is Item for item in value):  # a listing
        out.extend([f"I{keys.get(i.article.path, i.article.path)}|{i.url}" for i in value])
    else:
        for item in value:
            _walk(item, keys, out, shared)
    out.append("]")
