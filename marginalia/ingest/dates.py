"""Date lines in raw articles: "18 June 2014" and "Last updated at 11:59 ET".

Input: one raw line. Output: a date, or an aware date-time for the time and
zone on an "updated" line (zones through :mod:`zoneinfo`, so summer time is
right). Formats dates for attributions with our own code, not the locale. Pure.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from .draft import Rejected

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
_LONG = re.compile(r"^(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,? )?(\d{1,2}) ("
                   + "|".join(MONTHS) + r"),? (\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_UPDATED = re.compile(r"^(?:Last )?updated(?: at)? (\d{1,2}):(\d{2}) ([A-Z]{2,5})$", re.I)
ZONES = {
    "ET": "America/New_York", "EST": "America/New_York", "EDT": "America/New_York",
    "CT": "America/Chicago", "MT": "America/Denver", "PT": "America/Los_Angeles",
    "GMT": "Etc/GMT", "UTC": "UTC", "BST": "Europe/London", "UK": "Europe/London",
    "CET": "Europe/Paris", "CEST": "Europe/Paris",
}


def parse_date_line(text: str, line: int) -> dt.date | None:
    """The date on a "18 June 2014" or "2014-06-18" line; None if the line is not a date."""
    text = text.strip()
    long_form = _LONG.match(text)
    iso = _ISO.match(text)
    if long_form:
        day, month, year = int(long_form[1]), MONTHS.index(long_form[2]) + 1, int(long_form[3])
    elif iso:
        year, month, day = int(iso[1]), int(iso[2]), int(iso[3])
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise Rejected(line, 1, f"'{text}' is not a real date",
                       "expected a date like 18 June 2014") from None


def parse_updated_line(text: str, line: int, day: dt.date | None) -> dt.datetime | None:
    """The date-time on a "Last updated at 11:59 ET" line (None if the line is not one)."""
    match = _UPDATED.match(text.strip())
    if not match:
        return None
    hour, minute, zone = int(match[1]), int(match[2]), match[3].upper()
    if zone not in ZONES:
        raise Rejected(line, match.start(3) + 1, f"unknown time zone '{zone}'",
                       "known zones: " + ", ".join(sorted(ZONES)))
    if not (hour < 24 and minute < 60):
        raise Rejected(line, match.start(1) + 1, f"'{match[1]}:{match[2]}' is not a time",
                       "expected a time like 11:59")
    if day is None:
        return None
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(ZONES[zone]))


def is_updated_line(text: str) -> bool:
    """True for a "Last updated at HH:MM ZONE" line."""
    return bool(_UPDATED.match(text.strip()))


def long_date(day: dt.date) -> str:
    """"4 January 2019": day without a leading zero, English month name."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def iso_datetime(moment: dt.datetime) -> str:
    """ISO 8601 with seconds and the UTC offset, e.g. 2014-06-18T11:59:00-04:00."""
    return moment.isoformat(timespec="seconds")
