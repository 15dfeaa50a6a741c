"""The "removed-boilerplate" repair: blog and sharing furniture after the article.

Input: the body's lines. Output: the lines without the run of boilerplate
lines at the end ("No comments:", "Post a Comment", "Share this:", …), and
one repair per removed line. Only the end is touched, and only when the run
holds at least one unmistakable line, so an article's own words stay. Pure.
"""

from __future__ import annotations

import re

from .draft import Line, Repair

# Lines no article ends with.
STRONG = tuple(re.compile(p, re.I) for p in (
    r"no comments:?",
    r"\d+ comments?:?",
    r"post a comment",
    r"please leave a comment\b.*",
    r"share this:?",
    r"share this (?:article|story|post):?",
    r"posted by .{1,80} at .{1,40}",
    r"(?:newer post\s*)?(?:older post\s*)?home",
    r"newer post|older post",
    r"subscribe to:\s*post comments \(atom\)",
    r"subscribe to:\s*posts \(atom\)",
    r"email this\s*blogthis!.*",
    r"like this:?",
    r"like\s*loading\.\.\.",
    r"loading\.\.\.",
    r"labels?: .{1,200}",
    r"leave a (?:comment|reply)",
))
# Share-button words: removed only next to a strong line.
WEAK = re.compile(r"(?:twitter|facebook|email|print|reddit|linkedin|whatsapp|tumblr|pinterest|"
                  r"pocket|telegram|more|related|like|share)", re.I)


def strip_boilerplate(lines: list[Line]) -> tuple[list[Line], list[Repair]]:
    """Remove the trailing run of boilerplate lines; return the rest and the repairs."""
    end = len(lines)
    cut = end
    strong_seen = False
    for i in range(end - 1, -1, -1):
        text = lines[i].text.strip()
        if not text:
            continue
        if any(p.fullmatch(text) for p in STRONG):
            strong_seen, cut = True, i
        elif WEAK.fullmatch(text):
            cut = i
        else:
            break
    if not strong_seen:
        return lines, []
    removed = [ln for ln in lines[cut:] if ln.text.strip()]
    repairs = [Repair("removed-boilerplate", ln.number, ln.text, "") for ln in removed]
    kept = lines[:cut]
    while kept and not kept[-1].text.strip():
        kept.pop()
    return kept, repairs
