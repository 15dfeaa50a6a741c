"""Plain text to Markdown that renders back to exactly that text.

Input: blocks of plain text. Output: the Markdown body. Every character that
Python-Markdown (with the build's sane_lists, tables and toc extensions) could
read as markup is escaped: emphasis, code, links, raw HTML, entities, tables,
and line starts that open headings, quotes, lists or rules. Pure.
"""

from __future__ import annotations

import re

from .draft import Block

_INLINE = re.compile(r"([\\`*_\[\]|])")
_ANY_INLINE = re.compile(r"[\\`*_\[\]|&<]")  # what escape_inline changes, found in one pass
# An "&" that would start a character reference: a named one ends in ";", but Python-Markdown (like
# browsers) also takes "&#1" or "&#x41" without one.
_ENTITY = re.compile(r"&(?=#|[A-Za-z0-9]+;)")
_ORDERED = re.compile(r"^(\d+)([.)])(?=\s|$)")
_RULE = re.compile(r"^[-=]+$")
_HARD_BREAK = "  \n"


def escape_inline(text: str) -> str:
    """Escape characters that are markup anywhere in a line."""
    if not _ANY_INLINE.search(text):
        return text  # most lines: nothing to escape
    text = _ENTITY.sub("&amp;", text)
    text = text.replace("<", "&lt;")
    return _INLINE.sub(r"\\\1", text)


def escape_line(text: str) -> str:
    """Escape a whole line: inline markup, then what is markup at a line's start."""
    text = escape_inline(text.strip())
    if _RULE.match(text) and text[0] == "=":
        return "&#61;" + text[1:]  # "=" has no backslash escape; a line of them underlines a heading
    if text.startswith(("#", ">", "+", "-")):
        return "\\" + text
    return _ORDERED.sub(r"\1\\\2", text)


def render_block(block: Block) -> str:
    """One block as Markdown."""
    if block.kind == "heading":
        return "## " + escape_inline(block.lines[0]).replace("#", "\\#")
    if block.kind == "list":
        return "\n".join("- " + escape_line(item) for item in block.lines)
    return _HARD_BREAK.join(escape_line(line) for line in block.lines)


def render_body(blocks: list[Block] | tuple[Block, ...]) -> str:
    """All blocks, separated by blank lines, ending with a newline."""
    return "\n\n".join(render_block(b) for b in blocks) + "\n"


def plain_paragraphs(blocks: list[Block] | tuple[Block, ...]) -> list[str]:
    """The text of paragraphs and list items, for suggestions (headings left out)."""
    out: list[str] = []
    for block in blocks:
        if block.kind == "list":
            out.extend(block.lines)
        elif block.kind == "paragraph":
            out.append("\n".join(block.lines))
    return out
