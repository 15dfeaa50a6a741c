"""Safe YAML reading that keeps source positions.

Input: YAML text and the path/line it came from. Output: plain Python data
plus a :class:`Located` view that answers "where was this key?". Refuses
anchors and aliases (the billion-laughs construct) and custom tags. Reads no
files itself.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import yaml

from .errors import Problem

_MAX_NODES = 200_000


@dataclasses.dataclass(frozen=True)
class Located:
    """A YAML node with the file it came from, to look up line and column."""

    path: str
    node: yaml.Node | None
    line_offset: int = 0

    def where(self, *keys: str | int) -> tuple[int, int]:
        """1-based (line, col) of the value at ``keys``, or of the nearest parent."""
        node = self.node
        found = node
        for key in keys:
            child = _child(found, key) if found is not None else None
            if child is None:
                break
            found = child
        if found is None:
            return (self.line_offset + 1, 1)
        mark = found.start_mark
        return (mark.line + 1 + self.line_offset, mark.column + 1)

    def key_where(self, key: str) -> tuple[int, int]:
        """1-based (line, col) of a top-level key itself (not its value)."""
        if isinstance(self.node, yaml.MappingNode):
            for k, _v in self.node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == key:
                    return (k.start_mark.line + 1 + self.line_offset, k.start_mark.column + 1)
        return self.where()

    def at(self, *keys: str | int) -> Located:
        """The located view of a nested value."""
        node = self.node
        for key in keys:
            node = _child(node, key) if node is not None else None
        return Located(self.path, node, self.line_offset)


def _child(node: yaml.Node, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]
    return None


_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10x faster


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """SafeLoader that keeps timestamps as strings we parse ourselves."""


# Dates are validated by the stages (with located, helpful errors), so keep them as text.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str, path: str, line_offset: int = 0) -> tuple[Any, Located, list[Problem]]:
    """Parse ``text``; return (data, located view, problems). Never raises."""
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        # Point at where the broken construct starts (an unclosed quote, say), not at the file's end.
        mark = exc.context_mark or exc.problem_mark
        line = (mark.line + 1 + line_offset) if mark else line_offset + 1
        col = (mark.column + 1) if mark else 1
        msg = f"invalid YAML: {exc.problem}" + (f" {exc.context}" if exc.context else "")
        return None, Located(path, None, line_offset), [
            Problem(path, line, col, msg, "check indentation, colons and quotes on this line")]
    except _Refused as exc:
        line, col = exc.line + 1 + line_offset, exc.col + 1
        return None, Located(path, None, line_offset), [Problem(path, line, col, str(exc), exc.hint)]
    if node is None:
        return None, Located(path, None, line_offset), []
    loader = _Loader("")
    try:
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:  # e.g. an unhashable key
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 1 + line_offset) if mark else line_offset + 1
        return None, Located(path, node, line_offset), [
            Problem(path, line, (mark.column + 1) if mark else 1, f"invalid YAML: {exc}", "")]
    finally:
        loader.dispose()
    return data, Located(path, node, line_offset), []


class _Refused(Exception):
    def __init__(self, message: str, hint: str, line: int, col: int):
        super().__init__(message)
        self.hint, self.line, self.col = hint, line, col


def compose(text: str, path: str, line_offset: int = 0) -> tuple[yaml.Node | None, list[Problem]]:
    """Compose ``text`` into nodes (YAML dates resolved as dates), refusing what load_yaml refuses."""
    try:
        return _compose(text, _Base), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.context_mark or exc.problem_mark
        line, col = ((mark.line + 1 + line_offset), mark.column + 1) if mark else (line_offset + 1, 1)
        msg = f"invalid YAML: {exc.problem}" + (f" {exc.context}" if exc.context else "")
        return None, [Problem(path, line, col, msg, "check indentation, colons and quotes on this line")]
    except _Refused as exc:
        return None, [Problem(path, exc.line + 1 + line_offset, exc.col + 1, str(exc), exc.hint)]


def _compose(text: str, loader_class: type = _Loader) -> yaml.Node | None:
    """Compose one document, refusing anchors, aliases, custom tags and huge inputs."""
    docs = 0
    for count, event in enumerate(yaml.parse(text, Loader=loader_class)):
        _check_event(event, count)
        if isinstance(event, yaml.DocumentStartEvent):
            docs += 1
            if docs > 1:
                line, col = _position(event)
                raise _Refused("more than one YAML document", "keep a single document", line, col)
    loader = loader_class(text)
    try:
        return loader.get_single_node()  # type: ignore[no-any-return]
    finally:
        loader.dispose()


def _check_event(event: yaml.Event, count: int) -> None:
    """Refuse the YAML features an archive never needs and an attacker would use."""
    line, col = _position(event)
    if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
        raise _Refused("YAML anchors and aliases are not allowed", "write the value out in full", line, col)
    tag = getattr(event, "tag", None)
    if tag and tag != "!" and not tag.startswith("tag:yaml.org,2002:"):
        raise _Refused(f"YAML tag {tag} is not allowed", "remove the tag", line, col)
    if count > _MAX_NODES:
        raise _Refused("YAML document is too large", "split it up", line, col)


def _position(event: yaml.Event) -> tuple[int, int]:
    """0-based (line, column) where an event starts."""
    mark = event.start_mark
    return (mark.line, mark.column) if mark is not None else (0, 0)
