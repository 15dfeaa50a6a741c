"""Find people, organisations and places in an article's text by rules.

Input: the article's text. Output: :class:`Mention` spans (people with roles
and gender when the text tells them), in text order. Rules, in the order they
claim text: organisations (acronyms with their expansion, capitalised names
ending in a word like Department or Court, "<place> police", a hand list),
then people (a title or a job word before a name, "its chairman, <name>",
"called <name>", a known first name before a surname), then places (the
gazetteer, and "of Verwood, Dorset"), and last the repeat mentions
("Mr Quinn", "Quinn", an acronym alone) that later rules resolve. Touches nothing.
"""

from __future__ import annotations

import dataclasses
import re

from . import gazetteer as gz

CAPW = r"(?>[A-Z]{2,}(?![a-z])|[A-Z][a-z]*(?:[A-Z][a-z]+)?(?:['’-][A-Z][a-z]+)*)(?!-[a-z])"
CONNECT = {"of", "for", "and", "on", "the", "&", "de", "against"}
COMMON = {"Election", "Elections", "Secretary", "Minister", "State", "Government", "Affairs",
          "Street", "Road", "Day", "Year", "Cup", "Championship", "Awards", "Prize", "Act",
          "Bill", "Budget", "Report", "Review", "Show", "Festival", "Week", "News",
          "Online", "Television", "Radio", "Agent", "Officers", "General", "Hotel", "Cathedral",
          "Church", "Stadium", "Airport", "Station", "Park", "Square", "Bridge", "Hall"}
MONTH_SURNAMES = {"May", "March", "June", "April", "August"}
_SEQ = re.compile(rf"{CAPW}(?:[ \t]+(?:(?:of|for|and|on|the|&)[ \t]+)*{CAPW})*")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’]*")
_ROLES = "|".join(sorted(map(re.escape, gz.ROLE_WORDS), key=len, reverse=True))
_TITLES = "|".join(sorted(map(re.escape, gz.TITLES), key=len, reverse=True))
_TITLE_RE = re.compile(rf"\b({_TITLES})\.?[ \t]+({CAPW}(?:[ \t]+{CAPW}){{0,2}})")
_ROLE_RE = re.compile(rf"(?<![-\w])({_ROLES})s?[ \t]+({CAPW}[ \t]+{CAPW})\b")
_FIRM_RE = re.compile(rf"(?<![-\w])(?:firm|company|giant|rival|brokers?|bank|retailer|airline|"
                      rf"carrier|maker|chain|insurer|operator|group)[ \t]+({CAPW}(?:[ \t]+(?:&[ \t]+)?{CAPW}){{0,3}})")
_APPOS_RE = re.compile(rf"\b(?:[Ii]ts|[Tt]he|[Hh]is|[Hh]er|[Tt]heir)[ \t]+((?:[a-z]+[ \t]+)?(?:{_ROLES}))"
                       rf"[ \t]*,[ \t]*({CAPW}[ \t]+{CAPW})")
_CALLED_RE = re.compile(rf"\b(?:called|named)[ \t]+({CAPW}[ \t]+{CAPW})\b")
_AFTER_ROLE = re.compile(rf",[ \t]+(?:the[ \t]+)?((?:[a-z-]+[ \t]+)?(?:{_ROLES})(?:[ \t]+(?:of|for|at)[ \t]+"
                         r"(?:the[ \t]+)?[A-Z][\w']*(?:[ \t]+(?:of|and|for)?[ \t]*[A-Z][\w']*)*)?)[ \t]*[,.]")
_ACRONYM = re.compile(r"\(([A-Z]{2,7})\)")
_PLACE_ORG = re.compile(r"\b([A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)?)[ \t]+(police|council|county council|constabulary)\b")
_OF_PLACE = re.compile(rf"\b(?:of|in|from|near)[ \t]+({CAPW}(?:[ \t]+{CAPW})?),[ \t]+({CAPW}(?:[ \t]+{CAPW})?)")


@dataclasses.dataclass(frozen=True)
class Mention:
    """A named thing at ``text[start:end]``; ``name`` is its canonical name."""

    start: int
    end: int
    kind: str  # person | organization | place
    name: str
    role: str | None = None
    gender: str = "u"  # m | f | u


class _Found:
    """Mentions claimed so far; a span is claimed once (organisations may overlap)."""

    def __init__(self) -> None:
        self.items: list[Mention] = []

    def free(self, start: int, end: int, kind: str = "") -> bool:
        """True when no earlier mention (of another kind, for organisations) overlaps."""
        return not any(m.start < end and start < m.end and not (kind == m.kind == "organization")
                       for m in self.items)

    def add(self, mention: Mention) -> None:
        """Claim a span if it is free."""
        if mention.name and self.free(mention.start, mention.end, mention.kind):
            self.items.append(mention)

    def names(self, kind: str) -> list[str]:
        """Canonical names of one kind, in the order found."""
        return [m.name for m in self.items if m.kind == kind]


def find_mentions(text: str) -> list[Mention]:
    """Every mention the rules find, in text order."""
    found = _Found()
    for rule in (_acronyms, _org_sequences, _place_orgs, _known_orgs, _firms, _titled_people,
                 _role_people, _first_name_people, _known_places, _of_places,
                 _surnames, _acronym_repeats):
        rule(text, found)
    _resolve_surnames(found)
    return sorted(found.items, key=lambda m: (m.start, m.end))


def _resolve_surnames(found: _Found) -> None:
    """Give a person named by surname alone the full name found anywhere in the text."""
    for i, m in enumerate(found.items):
        if m.kind == "person" and " " not in m.name:
            full = _full_name(found, m.name)
            if full:
                found.items[i] = dataclasses.replace(m, name=full)


def _title_case(words: list[str]) -> str:
    """Words joined, each capitalised except connectors."""
    return " ".join(w if w.lower() in CONNECT else w[:1].upper() + w[1:] for w in words)


def _acronyms(text: str, found: _Found) -> None:
    """"Internet Crimes Against Children (ICAC)": the words whose initials spell it."""
    for m in _ACRONYM.finditer(text):
        acr = m.group(1)
        before = list(re.finditer(r"[A-Za-z][\w'’-]*", text[max(0, m.start() - 160):m.start()]))
        offset = max(0, m.start() - 160)
        for n in range(len(acr), min(len(before), len(acr) + 4) + 1):
            words = before[-n:]
            every = [w.group() for w in words]
            significant = [w for w in every if w.lower() not in CONNECT]
            initials = {"".join(w[0] for w in significant).upper(), "".join(w[0] for w in every)}
            if every[0][0].isupper() and every[0].lower() not in CONNECT and acr in initials:
                name = _title_case([w.group() for w in words])
                found.add(Mention(offset + words[0].start(), m.end(), "organization", name))
                break


def _org_sequences(text: str, found: _Found) -> None:
    """Capitalised names holding a word like Department, Court or Taskforce."""
    heads = set(gz.ORG_HEADS)
    for m in _SEQ.finditer(text):
        for start, words in (piece for run in _runs(m) for piece in _split_lists(*run)):
            while words and (words[0] in ("US", "UK", "The") or words[0].lower() in CONNECT):
                start += len(words[0]) + 1
                words = words[1:]
            while words and words[-1].lower() in CONNECT:
                words = words[:-1]
            if len(words) >= 2 and heads & set(words):
                name = " ".join(words)
                found.add(Mention(start, start + len(name), "organization", name))


def _split_lists(start: int, words: list[str]) -> list[tuple[int, list[str]]]:
    """"Royal Society and the Sea Fish Industry Authority" is two names; so is
    "Tim Osborne of Menatep Group" (a person of an organisation)."""
    if len(words) > 3 and words[2] == "of" and words[0] in gz.first_names():
        return _split_lists(start + len(" ".join(words[:3])) + 1, words[3:])
    for i in range(1, len(words) - 2):
        if words[i] == "and" and words[i + 1] == "the":
            rest = start + len(" ".join(words[:i + 2])) + 1
            return [(start, words[:i])] + _split_lists(rest, words[i + 2:])
    return [(start, words)]


def _runs(m: re.Match[str]) -> list[tuple[int, list[str]]]:
    """Split a capitalised run at words that cannot be inside a name."""
    runs: list[tuple[int, list[str]]] = []
    words: list[str] = []
    start = m.start()
    for w in re.finditer(r"\S+", m.group()):
        if w.group() in gz.NOT_NAME and w.group() not in ("The",) or w.group() == "The" and words:
            if words:
                runs.append((start, words))
            words, start = [], m.start() + w.end() + 1
            continue
        if not words:
            start = m.start() + w.start()
        words.append(w.group())
    if words:
        runs.append((start, words))
    return runs


def _place_orgs(text: str, found: _Found) -> None:
    """"Dorset police" -> Dorset Police."""
    for m in _PLACE_ORG.finditer(text):
        if m.group(1) in gz.places():
            name = f"{m.group(1)} {m.group(2).title()}"
            found.add(Mention(m.start(), m.end(), "organization", name))


def _known_orgs(text: str, found: _Found) -> None:
    """Organisations from the hand list, with aliases folded to one name."""
    for start, end, name in _lookup(text, gz.organizations()):
        existing = [n for n in found.names("organization") if n.endswith(" " + name)]
        found.add(Mention(start, end, "organization", existing[0] if existing else name))


def _firms(text: str, found: _Found) -> None:
    """"delivery firm Exel", "rival Google", "brokers ING": a name after a business noun."""
    for m in _FIRM_RE.finditer(text):
        words = m.group(1).split()
        while words and words[-1] in gz.NOT_NAME:
            words = words[:-1]
        inside = not found.free(m.start(1), m.start(1) + 1, "person")
        if words and not inside and words[0] not in gz.NOT_NAME and " ".join(words) not in gz.places():
            name = " ".join(words)
            found.add(Mention(m.start(1), m.start(1) + len(name), "organization",
                              gz.organizations().get(name, name)))


def _lookup(text: str, table: dict[str, str]) -> list[tuple[int, int, str]]:
    """Longest matches of up to four capitalised tokens against a name table."""
    tokens = list(_TOKEN.finditer(text))
    firsts = _first_words(table)
    out = []
    i = 0
    while i < len(tokens):
        hit = None
        word = tokens[i].group()
        if word[0].isupper() and (word in firsts or word.removesuffix("'s").removesuffix("’s") in firsts):
            for j in range(min(len(tokens), i + 4) - 1, i - 1, -1):
                end = tokens[j].end()
                key = text[tokens[i].start():end]
                if key.endswith(("'s", "’s")):
                    key, end = key[:-2], end - 2
                key = " ".join(key.split())
                if key in table and _spaced(text, tokens[i].start(), end):
                    hit = (tokens[i].start(), end, table[key], j)
                    break
        if hit:
            out.append(hit[:3])
            i = hit[3] + 1
        else:
            i += 1
    return out


_FIRSTS: dict[int, tuple[dict[str, str], frozenset[str]]] = {}


def _first_words(table: dict[str, str]) -> frozenset[str]:
    """The first word of every name in ``table`` (a cheap pre-check before building keys)."""
    cached = _FIRSTS.get(id(table))
    if cached is None or cached[0] is not table:
        cached = (table, frozenset(k.split()[0] for k in table if k))
        _FIRSTS[id(table)] = cached
    return cached[1]


def _spaced(text: str, start: int, end: int) -> bool:
    """True when the span is not glued to a hyphenated or dotted word."""
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return before != "-" and (after != "-" or text[end + 1:end + 6] == "based")


def _person(found: _Found, start: int, name: str, role: str | None, title: str = "") -> None:
    """Add a person named ``name`` at ``start`` (trimmed of non-name words)."""
    words = name.split()
    while len(words) > 1 and words[-1] in MONTH_SURNAMES and words[-2] in gz.first_names():
        break
    else:
        words = _trim(words)
    if not words or words[0] in gz.NOT_NAME or words[0] in COMMON or words[0] in gz.ORG_HEADS:
        return
    if len(words) == 1 and (words[0] in gz.places() or (words[0] in gz.first_names() and not title)):
        return
    name = " ".join(words)
    gender = gz.GENDER_TITLES.get(title) or gz.first_names().get(words[0], "u")
    if len(words) == 1:
        name = _full_name(found, words[0]) or name
    found.add(Mention(start, start + len(" ".join(words)), "person", name, role, gender))


def _trim(words: list[str]) -> list[str]:
    """Drop trailing words that cannot end a name."""
    while words and (words[-1] in gz.NOT_NAME or words[-1] in COMMON
                     or words[-1] in gz.ORG_HEADS or words[-1] in gz.places()):
        words = words[:-1]
    return words


def _full_name(found: _Found, surname: str) -> str | None:
    """The full name of a person already found with this surname."""
    return next((n for n in found.names("person") if n.split()[-1] == surname and " " in n), None)


def _titled_people(text: str, found: _Found) -> None:
    """"Det Supt Chris Naughton", "Mr Quinn", "Special Agent Kevin Laws"."""
    for m in _TITLE_RE.finditer(text):
        _person(found, m.start(2), m.group(2), gz.TITLES[m.group(1)], m.group(1))


def _role_people(text: str, found: _Found) -> None:
    """"lawyer Jamie Firestone", "Its chairman, Ian Quinn", "called Mark Luscombe"."""
    for m in _APPOS_RE.finditer(text):
        _person(found, m.start(2), m.group(2), m.group(1))
    for m in _ROLE_RE.finditer(text):
        _person(found, m.start(2), m.group(2), m.group(1))
    for m in _CALLED_RE.finditer(text):
        _person(found, m.start(1), m.group(1), None)


def _first_name_people(text: str, found: _Found) -> None:
    """A known first name followed by a capitalised surname."""
    firsts = gz.first_names()
    tokens = list(re.finditer(CAPW, text))
    for a, b in zip(tokens, tokens[1:], strict=False):
        if a.group() in firsts and text[a.end():b.start()] == " " and len(b.group()) > 1:
            role = _role_after(text, a.start() + len(a.group()) + 1 + len(b.group()))
            _person(found, a.start(), f"{a.group()} {b.group()}", role)
    for i, m in enumerate(found.items):
        if m.kind == "person" and m.role is None:
            role = _role_after(text, m.end)
            if role:
                found.items[i] = dataclasses.replace(m, role=role)


def _role_after(text: str, end: int) -> str | None:
    """"…, director general of the British Chambers of Commerce," -> that role."""
    m = _AFTER_ROLE.match(text, end)
    return m.group(1) if m else None


def _known_places(text: str, found: _Found) -> None:
    """Places from the gazetteer (aliases such as LA fold to Los Angeles)."""
    for start, end, name in _lookup(text, gz.places()):
        found.add(Mention(start, end, "place", name))


def _of_places(text: str, found: _Found) -> None:
    """"of Verwood, Dorset": a town before a known county, state or country."""
    for m in _OF_PLACE.finditer(text):
        if m.group(2) in gz.places() and m.group(1) not in gz.NOT_NAME:
            found.add(Mention(m.start(1), m.end(1), "place", m.group(1)))


def _surnames(text: str, found: _Found) -> None:
    """Later mentions of a person by surname alone ("Luscombe", "Mr Quinn")."""
    people = {m.name.split()[-1]: m for m in found.items if m.kind == "person" and " " in m.name}
    for surname, person in people.items():
        for m in re.finditer(rf"\b{re.escape(surname)}\b", text):
            found.add(dataclasses.replace(person, start=m.start(), end=m.end(), role=None))


def _acronym_repeats(text: str, found: _Found) -> None:
    """Later mentions of an organisation by its acronym alone."""
    for m in _ACRONYM.finditer(text):
        owner = next((o for o in found.items if o.kind == "organization" and o.end == m.end()), None)
        if owner is None:
            continue
        for again in re.finditer(rf"\b{m.group(1)}\b", text):
            if again.start() != m.start() + 1:
                found.add(dataclasses.replace(owner, start=again.start(), end=again.end()))
