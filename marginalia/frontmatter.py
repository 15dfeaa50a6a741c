"""Split a content file into YAML front matter and Markdown, and validate it.

Input: a content file's text and its path relative to the site. Output: an
:class:`~marginalia.model.Article`, or located problems ("expected a date like
2014-06-18"). Reads no files; the library stage hands the text in.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

from .config import did_you_mean
from .errors import Problem
from .model import ENTITY_KINDS, Article, EntityRef, License, Source
from .paths import path_problem
from .slugs import WINDOWS_RESERVED
from .urls import URL_HINT, url_problem
from .yamlio import Located, load_yaml

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
RESERVED_SLUGS = frozenset({"index", "page", "assets", "search", "tags", "archive", "credits",
                            "timeline", "editor", "undated"} | set(ENTITY_KINDS) | WINDOWS_RESERVED)
_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

FIELDS = ("title", "slug", "date", "updated", "byline", "standfirst", "tags", "people",
          "organizations", "places", "content_note", "license", "source", "import", "draft", "layout")


def split(text: str, path: str) -> tuple[str, str, int, list[Problem]]:
    """Return (yaml text, markdown body, body's first line, problems)."""
    text = text.lstrip("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return "", text, 1, [Problem(path, 1, 1, "missing front matter",
                                     "start the file with a line '---', then 'title: …', then '---'")]
    for i in range(1, len(lines)):
        if _FENCE.match(lines[i]):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2, []
    return "", "", 1, [Problem(path, 1, 1, "front matter is not closed",
                               "add a line '---' after the last front-matter field")]


def parse_article(text: str, path: str, stem: str) -> tuple[Article | None, list[Problem]]:
    """Parse a whole content file into an :class:`Article` (None when it has errors)."""
    if "\r" in text:  # (looked for first: the two replacements copy the whole text, ~2 µs)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    head, body, body_line, problems = split(text, path)
    if problems:
        return None, problems
    data, located, problems = load_yaml(head, path, line_offset=1)
    if problems:
        return None, problems
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        return None, [Problem(path, 2, 1, f"front matter must be a mapping of fields, not {kind}",
                              "write fields as 'title: My headline', one per line")]
    checker = _Checker(path, data, located)
    article = checker.article(body, body_line, stem)
    return (None if checker.problems else article), checker.problems


class _Checker:
    """Validates front-matter fields one by one, collecting every problem."""

    def __init__(self, path: str, data: dict[str, Any], located: Located):
        self.path, self.data, self.located = path, data, located
        self.problems: list[Problem] = []

    def fail(self, keys: tuple[str | int, ...], message: str, hint: str = "") -> None:
        line, col = self.located.where(*keys)
        self.problems.append(Problem(self.path, line, col, message, hint))

    def article(self, body: str, body_line: int, stem: str) -> Article:
        """Build the article, recording a problem for each bad field."""
        for key in self.data:
            if key not in FIELDS:
                line, col = self.located.key_where(str(key))
                self.problems.append(Problem(self.path, line, col, f"unknown front-matter field '{key}'",
                                             did_you_mean(str(key), FIELDS)))
        title = self.text("title", required=True)
        return Article(
            path=self.path, slug=self.slug(stem), title=title, body=body, body_line=body_line,
            date=self.date("date"), updated=self.datetime("updated"), byline=self.text("byline"),
            standfirst=self.text("standfirst"), tags=self.names("tags"), entities=self.entities(),
            content_note=self.text("content_note"), license=self.license(), source=self.source(),
            draft=self.flag("draft"), extra=self.extra())

    def text(self, key: str, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problems.append(Problem(self.path, 2, 1, f"missing '{key}'",
                                             f"add a line '{key}: …' to the front matter"))
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = self.raw((key,), value)
        if not isinstance(value, str):
            self.fail((key,), f"'{key}' must be text, not a {type(value).__name__}",
                      f"write it as {key}: \"…\"")
            return ""
        if required and not value.strip():
            self.fail((key,), f"'{key}' is empty", f"give the article a {key}")
        return value.strip()

    def raw(self, keys: tuple[str | int, ...], value: Any) -> str:
        """A scalar as written in the file: "1.10" stays "1.10", "0x1F" stays "0x1F"."""
        if isinstance(value, str):
            return value  # a string is its node's value: no need to look the node up
        node = self.located.at(*keys).node
        return node.value if isinstance(node, yaml.ScalarNode) else str(value)

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.fail((key,), f"'{key}' must be true or false", f"got {value!r}")
            return False
        return value

    def slug(self, stem: str) -> str:
        value = self.data.get("slug", stem)
        keys: tuple[str, ...] = ("slug",) if "slug" in self.data else ()
        if not isinstance(value, str) or not SLUG_RE.match(value) or value in RESERVED_SLUGS:
            where = "'slug'" if keys else "the file name"
            self.fail(keys, f"{where} {value!r} is not a safe URL slug",
                      "use lowercase letters, digits and hyphens (e.g. police-raid-2014), "
                      "not a reserved name like 'index' or 'tags'")
            return "invalid"
        return value

    def date(self, key: str) -> dt.date | None:
        value = self.data.get(key)
        if value is None:
            return None
        text = str(value).strip() if not isinstance(value, bool) else ""
        if _DATE.match(text[:10]):
            try:
                return dt.date.fromisoformat(text[:10])
            except ValueError:
                pass
        self.fail((key,), f"'{key}' is not a date: {value!r}", "expected a date like 2014-06-18")
        return None

    def datetime(self, key: str) -> dt.datetime | None:
        value = self.data.get(key)
        if value is None:
            return None
        try:
            parsed = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            self.fail((key,), f"'{key}' is not a date-time: {value!r}",
                      "expected a date-time with its offset like 2014-06-18T11:59:00-04:00")
            return None
        if parsed.tzinfo is None:
            self.fail((key,), f"'{key}' has no time-zone offset",
                      f"write it with its offset, e.g. {parsed.isoformat()}+00:00")
            return None
        return parsed

    def names(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail((key,), f"'{key}' must be a list", f"write it as {key}: [police, courts]")
            return ()
        out: list[str] = []
        for i, item in enumerate(value):
            if isinstance(item, (str, int, float)) and not isinstance(item, bool) and str(item).strip():
                out.append(self.raw((key, i), item).strip())
            else:
                self.fail((key, i), f"item {i + 1} of '{key}' must be a non-empty name", f"got {item!r}")
        return tuple(dict.fromkeys(out))

    def entities(self) -> tuple[EntityRef, ...]:
        out: list[EntityRef] = []
        for kind in ENTITY_KINDS:
            value = self.data.get(kind)
            if value is None:
                continue
            if not isinstance(value, list):
                self.fail((kind,), f"'{kind}' must be a list", f"write it as {kind}: [\"Name\", …]")
                continue
            for i, item in enumerate(value):
                ref = self.entity(kind, i, item)
                if ref and all(ref.name != o.name or ref.kind != o.kind for o in out):
                    out.append(ref)
        return tuple(out)

    def entity(self, kind: str, i: int, item: Any) -> EntityRef | None:
        if isinstance(item, str) and item.strip():
            return EntityRef(kind, item.strip())
        if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].strip():
            extra = set(item) - {"name", "role", "wikidata"}
            if extra:
                self.fail((kind, i), f"unknown field '{sorted(extra)[0]}' in {kind} item {i + 1}",
                          "an entity takes name, role and wikidata")
            wikidata = str(item.get("wikidata") or "")
            if wikidata and not re.fullmatch(r"Q\d+", wikidata):
                self.fail((kind, i, "wikidata"), f"'{wikidata}' is not a Wikidata id",
                          "expected an id like Q42")
            return EntityRef(kind, item["name"].strip(), str(item.get("role") or ""), wikidata)
        self.fail((kind, i), f"item {i + 1} of '{kind}' must be a name or a mapping with 'name'",
                  f"got {item!r}")
        return None

    def mapping(self, key: str, allowed: tuple[str, ...]) -> dict[str, str] | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail((key,), f"'{key}' must be a mapping", f"fields: {', '.join(allowed)}")
            return None
        out: dict[str, str] = {}
        for k, v in value.items():
            if k not in allowed:
                self.fail((key, k), f"unknown field '{k}' in '{key}'", did_you_mean(str(k), allowed))
            elif not isinstance(v, (str, int, float)) or isinstance(v, bool):
                self.fail((key, k), f"'{key}.{k}' must be text", f"got {v!r}")
            elif k == "url" and url_problem(str(v)):
                self.fail((key, k), f"'{key}.url': {url_problem(str(v))}", URL_HINT)
            else:
                out[k] = self.raw((key, k), v)
        return out

    def license(self) -> License | None:
        if isinstance(self.data.get("license"), str):
            return License(name=self.data["license"])
        value = self.mapping("license", ("name", "url", "attribution"))
        if value is None:
            return None
        if "name" not in value:
            self.fail(("license",), "'license' needs a 'name'", "e.g. name: CC BY 2.5")
        return License(value.get("name", ""), value.get("url", ""), value.get("attribution", ""))

    def source(self) -> Source | None:
        value = self.mapping("source", ("path", "sha256", "name", "url"))
        if value and value.get("path") and path_problem(value["path"]):
            self.fail(("source", "path"), f"'source.path': {path_problem(value['path'])}",
                      "give the raw file's path relative to the site, e.g. sources/wire/story.txt")
        return None if value is None else Source(**value)

    def import_log(self) -> dict[str, Any]:
        """The importer's log, its lists checked: pages list the repairs, the editors' page the warnings."""
        log = self.data.get("import")
        if log is None:
            return {}
        if not isinstance(log, dict):
            self.fail(("import",), "'import' must be a mapping", "it is written by 'build.py import'")
            return {}
        hint = "it is written by 'build.py import'; re-import the article or remove the field"
        for key, shape in (("repairs", dict), ("warnings", (str, int, float))):
            items = log.get(key)
            if items is None:
                continue
            if not isinstance(items, list) or not all(isinstance(i, shape) and not isinstance(i, bool)
                                                      for i in items):
                what = "a list of {kind, line, before, after}" if key == "repairs" else "a list of texts"
                self.fail(("import", key), f"'import.{key}' must be {what}", hint)
                log = {k: v for k, v in log.items() if k != key}
        return log

    def extra(self) -> tuple[tuple[str, Any], ...]:
        log = self.import_log()
        layout = self.data.get("layout")
        if layout is not None and (not isinstance(layout, str) or not re.fullmatch(r"[a-z0-9_-]{1,40}", layout)):
            self.fail(("layout",), f"layout {layout!r} is not a template name",
                      "use a name like 'article' that matches layouts/<name>.html")
            layout = None
        return (("import", log or {}), ("layout", layout or "article"))
