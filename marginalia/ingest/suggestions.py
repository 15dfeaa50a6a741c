"""The importer's suggested annotations, written as a sidecar for a person to confirm.

Input: what :func:`marginalia.annotations.suggest.suggest` proposed for one
article. Output: the text of ``<slug>.annotations.yaml`` with every
annotation ``status: suggested``. Suggested annotations are not shown to
readers; the editors' page (``output/editor/``) counts them until a person sets
``status: accepted`` (or ``rejected``). Figures, which need a series of values,
are written as comments to turn into ``figures:`` by hand. Pure.
"""

from __future__ import annotations

import json
from typing import Any

from ..slugs import slugify

HEADER = ("# Suggested by 'build.py import' from the raw text. Check each one: set status to\n"
          "# 'accepted' to publish it, or 'rejected' to hide it. This file is never overwritten.\n")
TYPES = {"people": "person", "organizations": "organization", "places": "place"}


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def sidecar_text(suggestions: dict[str, Any]) -> str | None:
    """The sidecar for these suggestions, or None when there is nothing to suggest."""
    lines: list[str] = []
    seen: set[str] = set()
    for kind, entity_type in TYPES.items():
        for item in suggestions.get(kind, []):
            name = str(item.get("name", "")).strip()
            ident = _ident(f"{entity_type}-{slugify(name, 40)}", seen)
            if not name or not ident:
                continue
            role = f", role: {_q(item['role'])}" if item.get("role") else ""
            lines += [f"  - id: {ident}", "    motivation: identifying", "    status: suggested",
                      f"    target: {{exact: {_q(name)}}}",
                      f"    entity: {{type: {entity_type}, name: {_q(name)}{role}}}"]
    for n, quote in enumerate(suggestions.get("quotes", []), 1):
        text = str(quote.get("text", "")).strip()
        if not text:
            continue
        speaker = _q(quote["speaker"]) if quote.get("speaker") else "null"
        lines += [f"  - id: {_ident(f'quote-{n}', seen)}", "    motivation: describing", "    kind: quote",
                  "    status: suggested", f"    target: {{exact: {_q(text)}}}", f"    speaker: {speaker}"]
    figures = [f"#   {f.get('year')}: {f.get('value')} — {f.get('label')}" for f in suggestions.get("figures", [])]
    if not lines and not figures:
        return None
    text = HEADER + ("annotations:\n" + "\n".join(lines) + "\n" if lines else "")
    if figures:
        text += "# Figures found in the text (year: value — what it counts):\n" + "\n".join(figures) + "\n"
    return text


def _ident(base: str, seen: set[str]) -> str:
    """A unique annotation id from ``base`` (ids are letters, digits, '-' and '_')."""
    base = base.strip("-")[:60] or "s"
    ident, n = base, 2
    while ident in seen:
        ident, n = f"{base}-{n}", n + 1
    seen.add(ident)
    return ident
