"""iCalendar (RFC 5545) written by hand: TEXT escaping, CRLF line ends and lines folded at 75
octets. Times are written in UTC (``…Z``), so no VTIMEZONE block is needed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

CRLF = "\r\n"
MAX_OCTETS = 75
# RFC 5545 §3.3.11: TEXT may not hold control characters other than tab (newlines are escaped).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Event:
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    url: str = ""
    location: str = ""
    description: str = ""
    cancelled: bool = False
    categories: tuple[str, ...] = ()


def escape_text(value: str) -> str:
    value = CONTROL.sub("", value or "")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into pieces of at most 75 octets, never inside a UTF-8 character;
    each continuation starts with a space, which counts towards its 75."""
    if len(line.encode()) <= MAX_OCTETS:
        return line
    pieces, current, size, limit = [], [], 0, MAX_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, MAX_OCTETS - 1
        current.append(char)
        size += width
    pieces.append("".join(current))
    return (CRLF + " ").join(pieces)


def utc_stamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event_lines(event: Event, stamp: str) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{utc_stamp(event.starts_at)}",
        f"DTEND:{utc_stamp(event.ends_at)}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.categories:
        lines.append("CATEGORIES:" + ",".join(escape_text(c) for c in event.categories))
    if event.url:
        lines.append(f"URL:{event.url}")
    lines += [f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}", "END:VEVENT"]
    return lines


def calendar(name: str, events: Iterable[Event], *, now: datetime, timezone: str = "") -> str:
    """The whole VCALENDAR as one string with CRLF line ends."""
    stamp = utc_stamp(now)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Assembly//Meetings//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{escape_text(name)}"]
    if timezone:
        # Informative only: every time below is in UTC.
        lines.append(f"X-WR-TIMEZONE:{escape_text(timezone)}")
    for event in events:
        lines += _event_lines(event, stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
