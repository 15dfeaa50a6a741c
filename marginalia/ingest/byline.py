"""Bylines from a standfirst: "By Jane Smith" or "Angus Crawford joins US police …".

Input: a standfirst. Output: (name, confident). "By <Name>" and "<Name> reports"
are bylines; "<Name> joins/visits/meets …" usually names the reporter but can
name the story's subject, so it is only a suggestion. Pure.
"""

from __future__ import annotations

import re

_NAME = r"((?:[A-Z][a-z'’-]+|[A-Z]\.) (?:[A-Z][a-z'’-]+ ){0,2}[A-Z][a-z'’-]+)"
_BY = re.compile(r"^By " + _NAME + r"\b")
_REPORTS = re.compile(r"^" + _NAME + r",? reports\b")
_VERB = re.compile(r"^" + _NAME + r" (?:joins|visits|meets|travels|goes|spends|follows|"
                   r"investigates|examines|explores|looks|hears|asks|speaks|talks|finds|"
                   r"explains|considers|returns|reports from)\b")


def infer_byline(standfirst: str) -> tuple[str, bool] | None:
    """The reporter's name in ``standfirst`` and whether it is certain."""
    for pattern, confident in ((_BY, True), (_REPORTS, True), (_VERB, False)):
        match = pattern.match(standfirst.strip())
        if match:
            return match[1], confident
    return None
