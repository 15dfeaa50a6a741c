"""Body lines to blocks: paragraphs, lists and split sub-headings, with repairs.

Input: the body's raw lines (numbered) and the layout: "paragraphs" (blank
lines between paragraphs, as in the BBC and Wikinews files) or "lines" (one
paragraph a line, hard-wrapped in places, as in the seed). Output: blocks,
the repairs made ("joined-wrap", "inserted-space", "bullet-list",
"split-subheading") and warnings. Pure.
"""

from __future__ import annotations

import re

from .draft import Block, Line, Note, Repair
from .headings import find_run_in
from .spacing import insert_spaces

_BULLET = re.compile(r"^\s*[-•]\s+(?=\S)")
_CLAUSE_END = ".!?:;…"
_CLOSERS = "\"'”’)]"  # may follow a clause's last stop: quotes and brackets


def is_bullet(text: str) -> bool:
    """True for a line that starts with "- " (or "• ")."""
    return bool(_BULLET.match(text))


def build_blocks(lines: list[Line], layout: str) -> tuple[list[Block], list[Repair], list[Note]]:
    """Turn body lines into blocks for ``layout`` ("paragraphs" or "lines")."""
    repairs: list[Repair] = []
    notes: list[Note] = []
    spaced = []
    for line in lines:
        text, fixed, doubts = insert_spaces(line.text.strip(), line.number)
        spaced.append(line if text is line.text else Line(line.number, text))  # most: as they were
        repairs.extend(fixed)
        notes.extend(doubts)
    groups = _paragraph_groups(spaced)
    if layout == "lines":  # blank lines carry no meaning here: every line is a paragraph
        groups = [[line for group in groups for line in group]] if groups else []
    blocks: list[Block] = []
    for group in groups:
        segments = _segments(group)
        if len(segments) > 1 or (layout == "lines" and segments and segments[0][0] == "list"):
            repairs.extend(_list_repairs(segments, lines))
        for kind, seg in segments:
            made, seg_repairs, seg_notes = _segment_blocks(kind, seg, layout)
            blocks.extend(made)
            repairs.extend(seg_repairs)
            notes.extend(seg_notes)
    return _merge_lists(blocks), sorted(repairs, key=lambda r: r.line), notes


def _merge_lists(blocks: list[Block]) -> list[Block]:
    """Adjacent lists as one tight list: Markdown would join them anyway, loosely."""
    out: list[Block] = []
    for block in blocks:
        if out and block.kind == "list" and out[-1].kind == "list":
            out[-1] = Block("list", out[-1].lines + block.lines, out[-1].line)
        else:
            out.append(block)
    return out


def _paragraph_groups(lines: list[Line]) -> list[list[Line]]:
    """Runs of non-blank lines."""
    groups: list[list[Line]] = [[]]
    for line in lines:
        if line.text:
            groups[-1].append(line)
        elif groups[-1]:
            groups.append([])
    return [g for g in groups if g]


def _segments(group: list[Line]) -> list[tuple[str, list[Line]]]:
    """Split a run of lines into alternating "text" and "list" segments."""
    segments: list[tuple[str, list[Line]]] = []
    for line in group:
        kind = "list" if is_bullet(line.text) else "text"
        if segments and segments[-1][0] == kind:
            segments[-1][1].append(line)
        else:
            segments.append((kind, [line]))
    return segments


def _list_repairs(segments: list[tuple[str, list[Line]]], raw: list[Line]) -> list[Repair]:
    """One "bullet-list" repair per list that needed blank lines around it."""
    by_number = {ln.number: ln.text for ln in raw}
    out = []
    for kind, seg in segments:
        if kind == "list":
            before = "\n".join(by_number[ln.number] for ln in seg)
            after = "\n".join("- " + _BULLET.sub("", ln.text) for ln in seg)
            out.append(Repair("bullet-list", seg[0].number, before, f"\n{after}\n"))
    return out


def _segment_blocks(kind: str, seg: list[Line], layout: str
                    ) -> tuple[list[Block], list[Repair], list[Note]]:
    """Blocks for one segment: a list, or text paragraphs (joining wrapped lines)."""
    if kind == "list":
        items = tuple(_BULLET.sub("", ln.text) for ln in seg)
        return [Block("list", items, seg[0].number)], [], _list_notes(seg)
    joined, repairs = _join_wraps(seg)
    if layout == "paragraphs":
        return [Block("paragraph", tuple(ln.text for ln in joined), joined[0].number)], repairs, []
    blocks: list[Block] = []
    notes: list[Note] = []
    for line in joined:
        made, repair, note = _paragraph_or_heading(line)
        blocks.extend(made)
        repairs.extend(repair)
        notes.extend(note)
    return blocks, repairs, notes


def _join_wraps(seg: list[Line]) -> tuple[list[Line], list[Repair]]:
    """Join a line that stops mid-clause with a next line that starts lowercase."""
    out: list[Line] = []
    parts: list[Line] = []
    repairs: list[Repair] = []
    for line in seg + [Line(0, "")]:
        if parts and line.text[:1].islower() and not _ends_clause(parts[-1].text):
            parts.append(line)
            continue
        if len(parts) == 1:  # nearly every line: nothing to join
            out.append(parts[0])
        elif parts:
            text = " ".join(p.text for p in parts)
            out.append(Line(parts[0].number, text))
            repairs.append(Repair("joined-wrap", parts[0].number, "\n".join(p.text for p in parts), text))
        parts = [line]
    return out, repairs


def _ends_clause(text: str) -> bool:
    """True when ``text`` ends with a stop (``. ! ? : ; …``), perhaps followed by closing quotes and
    brackets. (From the end: a regex ending in ``$`` would be tried at every character.)"""
    last = text.rstrip(_CLOSERS)[-1:]
    return last != "" and last in _CLAUSE_END


def _paragraph_or_heading(line: Line) -> tuple[list[Block], list[Repair], list[Note]]:
    """A one-line paragraph, split into heading + paragraph when it starts with a run-in heading."""
    para = [Block("paragraph", (line.text,), line.number)]
    run_in = find_run_in(line.text)
    if run_in is None:
        return para, [], []
    if not run_in.confident:
        note = Note(line.number, f"possible run-in sub-heading '{run_in.heading}' not split",
                    f"if it is a heading, put '## {run_in.heading}' on a line of its own")
        return para, [], [note]
    after = f"## {run_in.heading}\n\n{run_in.rest}"
    return ([Block("heading", (run_in.heading,), line.number),
             Block("paragraph", (run_in.rest,), line.number)],
            [Repair("split-subheading", line.number, line.text, after)], [])


def _list_notes(seg: list[Line]) -> list[Note]:
    """Warn where one run of bullets changes style, as two adjacent lists would."""
    first = [_BULLET.sub("", ln.text)[:1] for ln in seg]
    for i in range(1, len(seg)):
        if first[i].isupper() != first[i - 1].isupper():
            return [Note(seg[i].number,
                         f"bullets at lines {seg[0].number}-{seg[-1].number} may be two lists "
                         f"(style changes at line {seg[i].number}); kept as one",
                         "Markdown joins adjacent lists; put a sentence between them to separate")]
    return []
