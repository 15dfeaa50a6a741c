"""Markdown to safe HTML.

Input: an article's Markdown body. Output: HTML that is safe to publish and
the plain text a reader sees (for search and anchoring). Raw HTML in the
Markdown is sanitized with ``nh3``; links with ``javascript:`` or ``data:``
URLs are neutralised; remote images become links, so a page never loads
anything from outside ``output/``. Pure: reads and writes nothing.
"""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence

import markdown
import markdown.extensions
import nh3
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from .urls import safe_url

# What raw HTML inside Markdown may keep: text-level formatting and simple blocks.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "dd", "del", "dfn", "div", "dl", "dt",
    "em", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "mark", "ol", "p", "pre",
    "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "time", "tr", "u", "ul",
}
ALLOWED_ATTRS = {"a": {"href", "title"}, "abbr": {"title"}, "time": {"datetime"},
                 "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"}}
_LONE_TAG = re.compile(r"^<(/?)([A-Za-z][A-Za-z0-9]*)\b[^<>]*>$")
INLINE_TAGS = {"em", "strong", "b", "i", "sub", "sup", "small", "abbr", "q", "cite", "code",
               "mark", "s", "u", "del", "ins", "kbd", "span", "br"}
_STASH = re.compile("\x02wzxhzdk:(\\d+)\x03")
_AMP_ENTITY = re.compile("\x02amp\x03(#\\d+;|#x[0-9a-fA-F]+;|\\w+;)?")
_ESCAPED = re.compile("\x02(\\d+)\x03")  # a backslash-escaped character, stored as its code point
BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "td", "th", "dt", "dd"}



def clean_html(html: str) -> str:
    """Sanitize an HTML fragment with the allow-list above."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRS,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


class _SanitizeStash(Postprocessor):
    """Clean every raw-HTML fragment before Python-Markdown puts it back."""

    def run(self, text: str) -> str:
        stash = self.md.htmlStash
        for i, block in enumerate(stash.rawHtmlBlocks):
            stash.rawHtmlBlocks[i] = _clean_fragment(str(block))
        return text


def _clean_fragment(block: str) -> str:
    """A lone inline tag keeps its name without attributes; anything else goes through nh3."""
    lone = _LONE_TAG.match(block.strip())
    if lone:
        slash, tag = lone.group(1), lone.group(2).lower()
        return f"<{slash}{tag}>" if tag in INLINE_TAGS else ""
    return clean_html(block)


class _SafeLinks(Treeprocessor):
    """Refuse unsafe link targets and turn remote images into plain links."""

    def run(self, root: ET.Element) -> None:
        for parent in root.iter():
            for i, el in enumerate(list(parent)):
                if el.tag == "a" and not safe_url(el.get("href", "")):
                    el.set("href", "#")
                    el.set("data-refused-url", "")
                elif el.tag == "img":
                    parent[i] = _image_as_link(el)


def _image_as_link(img: ET.Element) -> ET.Element:
    link = ET.Element("a")
    src = img.get("src", "")
    link.set("href", src if safe_url(src) else "#")
    link.text = "[image: " + (img.get("alt") or src) + "]"
    link.tail = img.tail
    return link


# Characters that can start one of Python-Markdown's inline patterns (escapes, code, emphasis,
# links, images, raw HTML, entities); a hard line break needs two spaces before a newline.
_INLINE_TRIGGERS = re.compile(r"[\\`*_\[\]!<&]|  \n")


class _SkipPlainText(Treeprocessor):
    """Mark text with no inline syntax as atomic, so the slow inline pass skips it.

    Most news prose has no Markdown syntax at all; this halves the Markdown time
    without changing a byte of the output.
    """

    def run(self, root: ET.Element) -> None:
        for el in root.iter():
            if el.text and not isinstance(el.text, AtomicString) and not _INLINE_TRIGGERS.search(el.text):
                el.text = AtomicString(el.text)


class _CaptureText(Treeprocessor):
    """Captures the text a reader sees, before annotations add their notes."""

    text: str = ""

    def run(self, root: ET.Element) -> None:
        self.text = plain_text(root, self.md.htmlStash.rawHtmlBlocks)


def plain_text(root: ET.Element, stash: Sequence[object] = ()) -> str:
    """The element tree's text, one line per block; entities resolved, raw HTML dropped."""
    parts: list[str] = []

    def walk(el: ET.Element) -> None:
        if el.tag in BLOCKS and parts and not parts[-1].endswith("\n"):
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if el.tag in BLOCKS:
            parts.append("\n")

    walk(root)
    text = _STASH.sub(lambda m: _stashed_text(m, stash), "".join(parts))
    text = _AMP_ENTITY.sub(lambda m: html.unescape("&" + (m.group(1) or "")), text)
    text = _ESCAPED.sub(lambda m: chr(int(m.group(1))), text)
    return _tidy_text(text)


def _stashed_text(match: re.Match[str], stash: Sequence[object]) -> str:
    """What a reader sees of a stashed fragment: an entity's character, nothing of raw HTML."""
    index = int(match.group(1))
    return _fragment_text(str(stash[index]) if index < len(stash) else "")


def _fragment_text(block: str) -> str:
    return "" if "<" in block else html.unescape(block)  # entities are stashed; raw HTML is not text


def _tidy_text(text: str) -> str:
    """One line per block: a block whose text is only spaces (an entity's) leaves no line."""
    return re.sub(r"\n\s*\n+", "\n", text).strip()


# A body made only of plain paragraphs -- lines that start with a letter, digit, quote or other
# character no Markdown block starts with, hold no character an inline pattern, raw HTML or a
# table needs, and end without a space (a hard break) -- comes out of Python-Markdown as one <p>
# per paragraph holding its lines as written, but for the few inline forms that need no parsing:
# backslash escapes, entities, a bare "&" and ">". Most imported news text is like that, so such
# bodies skip Python-Markdown (13x faster); tests/test_markup_plain.py checks the bytes are the
# same on every bundled and BBC article and on generated text.
#
# md.ESCAPED_CHARS with the "|" the tables extension adds: "\\" before one of these is that
# character; before anything else (or at a line's end) the backslash stays as written.
ESCAPABLE = frozenset("\\`*_{}[]()>#+-.!|")
_ESC = "[" + re.escape("".join(sorted(ESCAPABLE))) + "]"
_ENTITY = r"&(?:#[0-9]+;|#x[0-9a-fA-F]+;|[a-zA-Z0-9]+;)"  # markdown.inlinepatterns.ENTITY_RE
# A bare "&" is written "&amp;", unless the serializer (which sees the text with escapes undone)
# reads it as an entity -- "&#X1F;", or "&\\#35;" once it is "&#35;" -- or Python-Markdown's HTML
# parser completes it ("&#163 " becomes "&#163; "). So every "&#" or "&\\#" that _ENTITY does not
# take goes to Markdown; an "&" before a name and ";" is always an _ENTITY.
_BARE_AMP = r"&(?!\\?#)"
# A line may start with a backslash: blocks are found before escapes are undone, so "1\\." or
# "\\-" at a line's start is a paragraph's text.
_PLAIN_LINE = re.compile(
    r"(?=[A-Za-z0-9\"'($%\u00a1-\u2027\u202a-\ufefe\uff00-\uffff\\&!.,:;?/@)])"
    r"(?:[^\\`*_\[\]<&|\x00-\x1f\x7f\x85\u2028\u2029]++"
    rf"|\\{_ESC}|\\(?!{_ESC})|{_ENTITY}|{_BARE_AMP})*+(?<! )")
# A line that may start an ordered list item (a number, "." or ")", then white space or the line's
# end): such a body goes to Python-Markdown. Matched on lines starting with a digit only: searched
# for through the whole body with re.M, it took 8 µs of an article's 130 µs read.
_ORDERED_ITEM = re.compile(r"\d+[.)](?:\s|$)")
# An escape, an entity or a bare "&" (the name is optional), a ">". Each branch starts with one
# character, which lets the regex engine skip ahead to the next candidate (3x quicker).
_MARKUP = re.compile(rf"\\({_ESC})|{_ENTITY}?|>")
_SERIALIZED = {"&": "&amp;", ">": "&gt;"}
_PLACEHOLDER_MARK = re.compile("[\x02\x03]")  # what Python-Markdown's placeholders are made of


def plain_paragraphs(body: str) -> tuple[str, str] | None:
    """(HTML, text) of a body of plain paragraphs, exactly as Python-Markdown renders it here;
    None when the body holds anything else."""
    parts = _plain_parts(body)
    return None if parts is None else _joined(parts)


def _joined(parts: tuple[list[str], list[str]]) -> tuple[str, str]:
    """The body's (HTML, text) from its paragraphs' (:func:`_plain_parts`)."""
    return "\n".join(parts[0]), _tidy_text("\n".join(parts[1]))


def _plain_parts(body: str) -> tuple[list[str], list[str]] | None:
    """Each paragraph's HTML and text, for :func:`plain_paragraphs` (its text is that of the
    paragraph rendered alone, once tidied); None when the body holds anything else."""
    paragraphs = _plain_blocks(body)
    if paragraphs is None:
        return None
    html_out: list[str] = []
    text_out: list[str] = []
    for paragraph in paragraphs:
        marked = "\\" in paragraph or "&" in paragraph or ">" in paragraph  # far quicker than a regex
        rendered = _inline(paragraph) if marked else (paragraph, paragraph)
        if rendered is None:
            return None
        html_out.append(f"<p>{rendered[0]}</p>")
        text_out.append(rendered[1])
    return html_out, text_out


def _plain_blocks(body: str) -> list[str] | None:
    """The body's paragraphs, or None unless every line is a plain one."""
    paragraphs: list[str] = []
    lines: list[str] = []
    for line in body.split("\n"):
        if not line:
            if lines:
                paragraphs.append("\n".join(lines))
                lines = []
        elif line[0].isdigit() and _ORDERED_ITEM.match(line):
            return None
        elif _PLAIN_LINE.fullmatch(line) and not line[0].isspace() and not line[-1].isspace():
            lines.append(line)
        else:
            return None
    if lines:
        paragraphs.append("\n".join(lines))
    return paragraphs


def _inline(paragraph: str) -> tuple[str, str] | None:
    """(HTML, text) of a plain paragraph's escapes, entities, "&" and ">"; None for an entity
    the fast path cannot vouch for."""
    html_out: list[str] = []
    text_out: list[str] = []
    end = 0
    for m in _MARKUP.finditer(paragraph):
        html_out.append(paragraph[end:m.start()])
        text_out.append(paragraph[end:m.start()])
        end = m.end()
        token = m.group(1) or m.group()
        if len(token) > 1:
            if (entity := _entity(token)) is None:
                return None
            html_out.append(entity[0])
            text_out.append(entity[1])
        else:
            html_out.append(_SERIALIZED.get(token, token))
            text_out.append(token)
    html_out.append(paragraph[end:])
    text_out.append(paragraph[end:])
    return "".join(html_out), "".join(text_out)


@functools.lru_cache(maxsize=1024)
def _entity(entity: str) -> tuple[str, str] | None:
    """(HTML, text) of an entity: Python-Markdown stashes it as raw HTML, so it is sanitized
    like any fragment -- once when the toc extension runs the postprocessors in the tree stage,
    before the text is captured, and once more at the end. None when the result could be read
    as markup again (a tag, or Python-Markdown's own placeholder characters)."""
    once = _clean_fragment(entity)
    twice = _clean_fragment(once)
    text = _fragment_text(once)
    if "<" in once + twice or _PLACEHOLDER_MARK.search(once + twice + text):
        return None
    return twice, text


class Renderer:
    """One reusable Markdown converter (building one per article is slow). Python-Markdown itself is
    set up only when a body needs it: most imported bodies are plain paragraphs."""

    def __init__(self, extensions: Sequence[markdown.extensions.Extension] = ()) -> None:
        """``extensions``: more Python-Markdown extensions, set up with the converter."""
        self.extensions = tuple(extensions)
        self._md: markdown.Markdown | None = None
        self.capture: _CaptureText | None = None
        self._paragraph_texts: list[str] | None = None  # the last body's, if it took the plain path

    @property
    def md(self) -> markdown.Markdown:
        """The Python-Markdown converter, made on first use (~40 ms: it loads its extensions)."""
        if self._md is None:
            md = markdown.Markdown(extensions=["sane_lists", "tables", "toc"],
                                   extension_configs={"toc": {"permalink": False}}, output_format="html")
            md.postprocessors.register(_SanitizeStash(md), "sanitize_stash", 40)
            md.treeprocessors.register(_SkipPlainText(md), "skip_plain_text", 25)
            md.treeprocessors.register(_SafeLinks(md), "safe_links", 3)
            # After inline patterns (20) and heading ids (5); annotations anchor at 4 on the same text.
            self.capture = _CaptureText(md)
            md.treeprocessors.register(self.capture, "capture_text", 4.5)
            for extension in self.extensions:
                extension.extendMarkdown(md)
            self._md = md
        return self._md

    def last_paragraphs(self) -> Iterator[str] | None:
        """The plain text of each paragraph of the last body rendered, as rendering that paragraph
        alone would give it, when that body took the plain path (else None)."""
        texts = self._paragraph_texts
        return None if texts is None else (_tidy_text(text) for text in texts)

    def render(self, body: str, plain_ok: bool = True) -> tuple[str, str]:
        """Return (safe HTML, plain text) for a Markdown body. ``plain_ok=False`` sends even plain
        paragraphs through Python-Markdown (when an extension has work to do on them)."""
        self._paragraph_texts = None
        if plain_ok and (parts := _plain_parts(body)) is not None:
            self._paragraph_texts = parts[1]
            return _joined(parts)
        md = self.md
        assert self.capture is not None
        md.reset()
        self.capture.text = ""  # an empty body never reaches the tree processors
        html = md.convert(body)
        return html, self.capture.text
