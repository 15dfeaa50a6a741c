"""The word lists suggestions rely on, read once from the package's data files.

Input: ``marginalia/annotations/data/*.txt`` (see its README for sources).
Output: lookup tables. Reads package data only.
"""

from __future__ import annotations

import functools
import pathlib

DATA = pathlib.Path(__file__).with_name("data")

#: Titles before a name, and the role they give (None: an honorific only).
TITLES = {
    "Mr": None, "Mrs": None, "Ms": None, "Miss": None, "Dr": "Dr", "Sir": None,
    "Lord": "Lord", "Lady": "Lady", "Dame": None, "Prof": "Professor",
    "Professor": "Professor", "President": "President", "Prime Minister": "Prime Minister",
    "Chancellor": "Chancellor", "Senator": "Senator", "Sen": "Senator", "Governor": "Governor",
    "Mayor": "Mayor", "Judge": "Judge", "Justice": "Justice", "Special Agent": "Special Agent",
    "Agent": "Agent", "Det Supt": "Detective Superintendent",
    "Detective Superintendent": "Detective Superintendent",
    "Det Ch Supt": "Detective Chief Superintendent", "Ch Supt": "Chief Superintendent",
    "Det Insp": "Detective Inspector", "Detective Inspector": "Detective Inspector",
    "Det Ch Insp": "Detective Chief Inspector", "Det Sgt": "Detective Sergeant",
    "Detective Sergeant": "Detective Sergeant", "Det Con": "Detective Constable",
    "Chief Constable": "Chief Constable", "Supt": "Superintendent", "Insp": "Inspector",
    "Sgt": "Sergeant", "Sergeant": "Sergeant", "Lt": "Lieutenant", "Lieutenant": "Lieutenant",
    "Capt": "Captain", "Captain": "Captain", "Col": "Colonel", "Colonel": "Colonel",
    "Gen": "General", "General": "General", "Commander": "Commander", "Cmdr": "Commander",
    "Officer": "Officer", "PC": "Police Constable", "Rev": "Reverend",
    "Father": "Father", "Bishop": "Bishop", "Archbishop": "Archbishop", "Pope": "Pope",
    "Queen": "Queen", "King": "King", "Prince": "Prince", "Princess": "Princess",
}
#: Honorifics that tell a person's gender.
GENDER_TITLES = {"Mr": "m", "Sir": "m", "Lord": "m", "King": "m", "Prince": "m", "Father": "m",
                 "Mrs": "f", "Ms": "f", "Miss": "f", "Lady": "f", "Dame": "f", "Queen": "f",
                 "Princess": "f"}
#: Job words that make an appositive or a preceding phrase a role.
ROLE_WORDS = (
    "chairman", "chairwoman", "chair", "chief executive", "chief", "boss", "director general",
    "managing director", "director", "president", "vice president", "spokesman",
    "spokeswoman", "spokesperson", "secretary", "minister", "chancellor", "leader", "head",
    "founder", "analyst", "economist", "lawyer", "solicitor", "barrister", "judge",
    "coach", "manager", "captain", "striker", "midfielder", "defender", "goalkeeper",
    "singer", "actor", "actress", "producer", "writer", "author", "editor",
    "correspondent", "reporter", "officer", "agent", "detective", "professor",
    "governor", "mayor", "senator", "MP", "MEP", "ambassador", "commissioner",
    "official", "executive", "partner", "owner", "presenter", "star", "champion",
    "player", "winner", "designer", "researcher", "scientist", "expert", "consultant",
)
#: Words that end (or head) an organisation's name.
ORG_HEADS = (
    "Department", "Police", "Court", "Agency", "Centre", "Center", "Taskforce", "Council",
    "Ministry", "University", "Party", "Commission", "Committee", "Bank", "Service",
    "Services", "Office", "Association", "Institute", "Foundation", "Union", "Authority",
    "Board", "Group", "Corporation", "Company", "Trust", "Federation", "League", "Club",
    "Organisation", "Organization", "Society", "Network", "College", "School", "Hospital",
    "Parliament", "Assembly", "Senate", "Congress", "Bureau", "Inc", "Ltd", "plc", "Corp",
    "Airlines", "Airways", "Motors", "Industries", "Holdings", "Fund", "Forum", "Alliance",
    "Coalition", "Chambers", "Exchange", "Institution", "Academy", "Constabulary",
    "Investigations", "Agencies", "Administration", "Directorate", "Force", "Unit",
    "Records", "Studios", "Pictures", "Entertainment", "Games", "Communications",
    "Telecom", "Systems", "Technologies", "Labs", "Enterprises", "Partners", "Embassy",
    "Consulate",
)
#: Capitalised words that never start or make up a name.
NOT_NAME = {
    "The", "A", "An", "This", "That", "These", "Those", "It", "Its", "He", "She", "They",
    "We", "I", "You", "His", "Her", "Their", "Our", "In", "On", "At", "For", "From", "But",
    "And", "Or", "If", "When", "While", "After", "Before", "As", "By", "With", "To", "Of",
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday",
    "Friday", "Saturday", "Sunday", "Christmas", "Easter", "Internet", "Web", "Operation",
    "Mr", "Mrs", "Ms", "Dr", "Earlier", "Later", "Last", "Next", "Globally",
}


def _read(name: str) -> list[str]:
    """Non-comment lines of a data file."""
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def _table(name: str) -> dict[str, str]:
    """``name`` -> canonical name (itself unless an alias line says otherwise)."""
    out: dict[str, str] = {}
    for line in _read(name):
        alias, _, canonical = line.partition("\t")
        out[alias] = canonical or alias
    return out


@functools.cache
def places() -> dict[str, str]:
    """Place name or alias -> canonical place name."""
    return _table("places.txt")


@functools.cache
def organizations() -> dict[str, str]:
    """Organisation name or alias -> canonical name."""
    return _table("organizations.txt")


@functools.cache
def first_names() -> dict[str, str]:
    """First name -> ``m``, ``f`` or ``u`` (unknown)."""
    return _table("first_names.txt")
