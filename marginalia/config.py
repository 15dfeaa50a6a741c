"""Read and validate ``config.yaml``.

Input: the site folder. Output: a :class:`~marginalia.model.Config`. Every
problem (unknown key with a "did you mean", wrong type, bad time zone) is
collected and raised together as one :class:`SiteError`.
"""

from __future__ import annotations

import difflib
import pathlib
import re
import zoneinfo
from typing import Any

from .errors import Problem, Problems, SiteError
from .model import ENTITY_KINDS, Config
from .yamlio import Located, load_yaml

CONFIG_FILE = "config.yaml"
TAXONOMIES = ("tags",) + ENTITY_KINDS

# key -> (expected type(s), description used in error messages)
_SCHEMA: dict[str, tuple[type | tuple[type, ...], str]] = {
    "title": (str, "a string"),
    "description": (str, "a string"),
    "base_url": (str, "a URL like https://example.org/archive/"),
    "language": (str, "a language code like en or en-GB"),
    "timezone": (str, "an IANA time zone like Europe/London"),
    "per_page": (int, "a whole number like 20"),
    "taxonomies": (list, "a list such as [tags, people, organizations, places]"),
    "author": (str, "a string"),
    "copyright": (str, "a string"),
    "credits": (dict, "a mapping of source name to credit text, e.g. {Wikinews: \"…\"}"),
}


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """A hint naming the closest valid choice, or listing them all."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "valid keys: " + ", ".join(sorted(choices))


def load_config(site: pathlib.Path, *, base_url: str | None = None) -> Config:
    """Read ``site/config.yaml`` (defaults when absent) and validate it."""
    path = site / CONFIG_FILE
    rel = CONFIG_FILE
    if not path.exists():
        raise SiteError([Problem(rel, 0, 0, f"no config.yaml in {site}",
                                 f"run 'python build.py init {site}' or pass --site DIR")])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = "it is not UTF-8" if isinstance(exc, UnicodeDecodeError) else exc.strerror
        raise SiteError([Problem(rel, 1, 1, f"cannot read config.yaml: {reason}",
                                 "save it as a UTF-8 text file")]) from None
    data, located, problems = load_yaml(text, rel)
    found = Problems()
    found.extend(problems)
    found.raise_if_any()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        found.add(rel, 1, 1, "config.yaml must be a mapping of keys to values",
                  "write it as 'title: My archive' lines")
        found.raise_if_any()
    values = _validate(data, located, found)
    if base_url is not None:
        values["base_url"] = base_url
    found.raise_if_any()
    return Config(**values)


def _validate(data: dict[str, Any], located: Located, found: Problems) -> dict[str, Any]:
    """Check every key against the schema; return the values for :class:`Config`."""
    values: dict[str, Any] = {}
    for key, value in data.items():
        line, col = located.key_where(str(key))
        if key not in _SCHEMA:
            found.add(CONFIG_FILE, line, col, f"unknown key '{key}'", did_you_mean(str(key), list(_SCHEMA)))
            continue
        kind, description = _SCHEMA[key]
        vline, vcol = located.where(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            found.add(CONFIG_FILE, vline, vcol, f"'{key}' must be {description}",
                      f"got {type(value).__name__} {value!r}")
            continue
        values[key] = value
    _check_values(values, located, found)
    if "credits" in values:
        values["credits"] = tuple(sorted((str(k), str(v)) for k, v in values["credits"].items()))
    if "taxonomies" in values:
        values["taxonomies"] = tuple(values["taxonomies"])
    if "base_url" in values and values["base_url"] and not values["base_url"].endswith("/"):
        values["base_url"] += "/"
    return values


def _check_values(values: dict[str, Any], located: Located, found: Problems) -> None:
    """Checks beyond the type: time zone, page size, taxonomy names, URL scheme."""
    if "timezone" in values:
        try:
            zoneinfo.ZoneInfo(values["timezone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            line, col = located.where("timezone")
            found.add(CONFIG_FILE, line, col, f"unknown time zone '{values['timezone']}'",
                      "use an IANA name such as Europe/London or America/New_York")
    if "per_page" in values and not 1 <= values["per_page"] <= 1000:
        line, col = located.where("per_page")
        found.add(CONFIG_FILE, line, col, "'per_page' must be between 1 and 1000", "")
    for i, name in enumerate(values.get("taxonomies", ())):
        if name not in TAXONOMIES:
            line, col = located.where("taxonomies", i)
            found.add(CONFIG_FILE, line, col, f"unknown taxonomy '{name}'", did_you_mean(str(name), TAXONOMIES))
    url = values.get("base_url", "")
    if url and not url.startswith(("http://", "https://")):
        line, col = located.where("base_url")
        found.add(CONFIG_FILE, line, col, "'base_url' must start with http:// or https://",
                  "for example https://example.org/archive/")
    elif url and re.search(r"[\x00-\x20\x7f\"'<>\\^`{|}]", url):
        line, col = located.where("base_url")
        found.add(CONFIG_FILE, line, col, "'base_url' holds a character a URL cannot (a space, quote, < or > …)",
                  "percent-encode it, e.g. %20 for a space")

