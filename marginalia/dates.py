"""Dates in human form, by our own code so output never depends on the locale."""

from __future__ import annotations

import datetime as dt

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def human_date(value: dt.date | None) -> str:
    """``2014-06-18`` -> ``18 June 2014`` (our own code: no locale dependence)."""
    if value is None:
        return "Undated"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def human_datetime(value: dt.datetime | None) -> str:
    """``2014-06-18T11:59-04:00`` -> ``18 June 2014, 11:59 (UTC−04:00)``."""
    if value is None:
        return ""
    return f"{human_date(value.date())}, {value:%H:%M} ({utc_offset(value)})"


def utc_offset(value: dt.datetime) -> str:
    """The offset as ``UTC−04:00`` (a true minus sign), ``UTC`` for zero."""
    delta = value.utcoffset() or dt.timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "\u2212"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def month_name(key: str) -> str:
    """``2014/06`` -> ``June 2014``."""
    year, month = key.split("/")
    return f"{MONTHS[int(month) - 1]} {year}"
