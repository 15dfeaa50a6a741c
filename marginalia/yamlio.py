"""Safe YAML reading that keeps source positions.

Input: YAML text and the path/line it came from. Output: plain Python data
plus a :class:`Located` view that answers "where was this key?". Refuses
anchors and aliases (the billion-laughs construct) and custom tags. Reads no
files itself.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from .errors import Problem
from .plainyaml import PlainReader

_MAX_NODES = 200_000
MAX_DEPTH = 50
# Plain data only: no !!binary, !!set, !!python/… (a constructor error or worse).
_CORE_TAGS = frozenset("tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "seq", "map",
                                                              "timestamp"))


class Located:
    """A YAML node with the file it came from, to look up line and column. Made from the text
    alone (``text=``), it composes the nodes only when a position is first asked for."""

    def __init__(self, path: str, node: yaml.Node | None, line_offset: int = 0, *, text: str | None = None):
        self.path, self._node, self.line_offset, self._text = path, node, line_offset, text

    @property
    def node(self) -> yaml.Node | None:
        if self._text is not None:
            self._node = _compose_located(self._text, self.path, self.line_offset, _Loader)[0]
            self._text = None
        return self._node

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

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [k.value for k, _v in node.value if isinstance(k, yaml.ScalarNode)]
        if len(set(keys)) != len(keys):  # only on the fast path: the slow one refuses them first
            raise _Refused("duplicate key", "", 0, 0)
        return super().construct_mapping(node, deep)  # type: ignore[no-any-return]


def _int_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int | str:
    """An integer, or the digits as written when Python refuses to convert that many."""
    try:
        return yaml.SafeLoader.construct_yaml_int(loader, node)  # type: ignore[no-any-return]
    except ValueError:
        return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:int", _int_or_text)

# Dates are validated by the stages (with located, helpful errors), so keep them as text.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# Plain front matter (nearly all of it) is read in Python, without building PyYAML's events and nodes.
_PLAIN = PlainReader(_Loader.yaml_implicit_resolvers)

# Text without these cannot hold an anchor, alias or tag, nor nest deeper than it has them.
_RISKY = re.compile(r"[&*!]")
_NESTING = re.compile(r"[-?:](?=[ \t\r\n]|$)|[\[{]", re.M)
_FAST_MAX = 64 * 1024


def load_yaml(text: str, path: str, line_offset: int = 0) -> tuple[Any, Located, list[Problem]]:
    """Parse ``text``; return (data, located view, problems). Never raises."""
    if len(text) < _FAST_MAX:
        data = _PLAIN.read(text)
        if data is not None:  # the nodes are composed only if a problem needs a position
            return data, Located(path, None, line_offset, text=text), []
    return load_with_pyyaml(text, path, line_offset)


def load_with_pyyaml(text: str, path: str, line_offset: int = 0) -> tuple[Any, Located, list[Problem]]:
    """:func:`load_yaml` without the plain reader: what it must agree with."""
    if len(text) < _FAST_MAX and not _RISKY.search(text) and len(_NESTING.findall(text)) <= MAX_DEPTH:
        # Simple YAML: one pass through libyaml; the nodes are composed again only if a problem
        # needs a position. Anything odd takes the careful path below.
        fast = _Loader(text)
        try:
            return fast.get_single_data(), Located(path, None, line_offset, text=text), []
        except Exception:  # noqa: BLE001 - the careful path reports it, located
            pass
        finally:
            fast.dispose()
    node, problems = _compose_located(text, path, line_offset, _Loader)
    if node is not None and not problems:
        problems = _duplicate_keys(node, path, line_offset)
    if problems or node is None:
        return None, Located(path, None, line_offset), problems
    loader = _Loader("")
    try:
        data = loader.construct_document(node)
    except (yaml.YAMLError, ValueError, OverflowError, RecursionError) as exc:  # e.g. an unhashable key
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
    return _compose_located(text, path, line_offset, _Base)


def _compose_located(text: str, path: str, line_offset: int, loader_class: type
                     ) -> tuple[yaml.Node | None, list[Problem]]:
    """:func:`_compose` with every failure turned into one located problem."""
    hint = "check indentation, colons and quotes on this line"
    try:
        return _compose(text, loader_class), []
    except yaml.MarkedYAMLError as exc:
        # Point at where the broken construct starts (an unclosed quote, say), not at the file's end.
        mark = exc.context_mark or exc.problem_mark
        line, col = ((mark.line + 1 + line_offset), mark.column + 1) if mark else (line_offset + 1, 1)
        msg = f"invalid YAML: {exc.problem}" + (f" {exc.context}" if exc.context else "")
        return None, [Problem(path, line, col, msg, hint)]
    except _Refused as exc:
        return None, [Problem(path, exc.line + 1 + line_offset, exc.col + 1, str(exc), exc.hint)]
    except yaml.reader.ReaderError as exc:  # a control character such as NUL
        before = text[:max(0, exc.position)]
        line, col = before.count("\n") + 1 + line_offset, len(before) - before.rfind("\n")
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return None, [Problem(path, line, col, f"invalid YAML: control character U+{code:04X} is not allowed",
                              "remove control characters (NUL, escape …) from the text")]
    except (yaml.YAMLError, RecursionError) as exc:
        return None, [Problem(path, line_offset + 1, 1, f"invalid YAML: {exc}", hint)]


def _compose(text: str, loader_class: type = _Loader) -> yaml.Node | None:
    """Compose one document, refusing anchors, aliases, custom tags, deep nesting and huge inputs."""
    docs = depth = 0
    for count, event in enumerate(yaml.parse(text, Loader=loader_class)):
        _check_event(event, count)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line, col = _position(event)
                raise _Refused(f"YAML nested more than {MAX_DEPTH} levels deep",
                               "front matter and annotations need only a few levels", line, col)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
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
    if tag and tag != "!" and tag not in _CORE_TAGS:
        shown = tag.replace("tag:yaml.org,2002:", "!!")
        raise _Refused(f"YAML tag {shown} is not allowed", "remove the tag; write plain text, numbers and lists",
                       line, col)
    if count > _MAX_NODES:
        raise _Refused("YAML document is too large", "split it up", line, col)


def _duplicate_keys(root: yaml.Node, path: str, line_offset: int) -> list[Problem]:
    """A key given twice in one mapping would silently drop the first value: refuse it."""
    problems: list[Problem] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        mark = key.start_mark
                        problems.append(Problem(path, mark.line + 1 + line_offset, mark.column + 1,
                                                f"'{key.value}' is given twice", "keep one of the two values"))
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return problems


def _position(event: yaml.Event) -> tuple[int, int]:
    """0-based (line, column) where an event starts."""
    mark = event.start_mark
    return (mark.line, mark.column) if mark is not None else (0, 0)
