"""Small builders and page readers shared by the meeting tests."""

import re
from datetime import datetime, timedelta

from assembly.core.db import utcnow
from assembly.extensions import db


def set_rhythm(body, by, weekday=0, time="19:00", every_weeks=1, minutes=120, place=""):
    from assembly.collectives.service import set_rhythm as set_body_rhythm

    set_body_rhythm(body, by, weekday, time, every_weeks, minutes, place)
    db.session.commit()
    return body


def local_start(days=7, hour=19):
    """A naive local wall-clock time some days ahead, at a round hour."""
    moment = utcnow() + timedelta(days=days)
    return datetime(moment.year, moment.month, moment.day, hour, 0)


def meeting_at(body, by, start: datetime, **kw):
    from assembly.meetings.service import create_meeting

    meeting = create_meeting(body, by, local_start=start, **kw)
    db.session.commit()
    return meeting


def free_point(meeting, by, title, minutes=10, note=""):
    from assembly.meetings.service import add_free_point

    item = add_free_point(meeting, by, title, minutes, note)
    db.session.commit()
    return item


def titles_in_order(page: str, titles: list[str]) -> list[str]:
    """The given titles sorted by where they first appear in the page."""
    found = {title: page.find(title) for title in titles}
    assert all(index >= 0 for index in found.values()), found
    return sorted(titles, key=found.get)


def flashes(web) -> list[str]:
    with web.client.session_transaction() as session:
        return [message for _category, message in session.get("_flashes", [])]


def field_value(page: str, name: str) -> str | None:
    match = re.search(r'<input[^>]*name="' + re.escape(name) + r'"[^>]*>', page)
    if match is None:
        return None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


class QueryCounter:
    """Counts the SQL statements sent while it is active (``with QueryCounter() as count``)."""

    def __init__(self):
        self.statements: list[str] = []

    def _seen(self, conn, cursor, statement, *args):
        self.statements.append(statement)

    def __enter__(self):
        import sqlalchemy as sa

        sa.event.listen(db.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        import sqlalchemy as sa

        sa.event.remove(db.engine, "before_cursor_execute", self._seen)

    def __len__(self) -> int:
        return len(self.statements)
