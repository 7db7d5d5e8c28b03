"""Atom feeds and iCalendar feeds: well-formed, public items only for every reader (they are
open data), iCalendar lines folded at 75 octets with CRLF ends."""

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import pytest

from assembly.archive import ical
from tests.archive.conftest import assert_no_canary

ATOM = "{http://www.w3.org/2005/Atom}"
READERS = ["anonymous", "eve", "bob", "ana"]


def _as(web, archive, who):
    if who != "anonymous":
        web.login(getattr(archive, who))
    return web


def _atom(response) -> ET.Element:
    assert response.status_code == 200
    assert response.content_type.startswith("application/atom+xml")
    return ET.fromstring(response.get_data())


def test_collective_feed_tells_what_changed(archive, web):
    feed = _atom(web.get(f"/c/{archive.clinic.slug}/feed.atom"))
    assert feed.tag == f"{ATOM}feed"
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert "Free dental care: Agreed" in titles
    assert "New proposal: Open on Saturdays" in titles
    assert any(t.startswith("Minutes: ") for t in titles)
    ids = [e.findtext(f"{ATOM}id") for e in feed.iter(f"{ATOM}entry")]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("who", READERS)
def test_feeds_hold_public_items_only_for_every_reader(archive, web, who):
    """Even a member, or a participant of the case assembly, gets the open feed."""
    _as(web, archive, who)
    slug = archive.clinic.slug
    for url in (f"/c/{slug}/feed.atom", f"/c/{slug}/b/{archive.assembly.slug}/feed.atom",
                f"/c/{slug}/meetings.ics", f"/c/{slug}/b/{archive.assembly.slug}/meetings.ics"):
        response = web.get(url)
        assert response.status_code == 200, url
        assert_no_canary(response.get_data(as_text=True), f"{url} for {who}")


@pytest.mark.parametrize("who", ["anonymous", "bob"])
def test_closed_bodies_and_proposals_have_no_feed(archive, web, who):
    _as(web, archive, who)
    slug = archive.clinic.slug
    for url in (f"/c/{slug}/b/{archive.finances.slug}/feed.atom",
                f"/c/{slug}/b/{archive.care.slug}/feed.atom",
                f"/c/{slug}/b/{archive.care.slug}/meetings.ics",
                f"/c/{slug}/p/{archive.proposals['members'].id}/feed.atom",
                f"/c/{slug}/p/{archive.proposals['secret'].id}/feed.atom"):
        assert web.get(url).status_code == 404, url


def test_proposal_feed_is_its_history(archive, web):
    proposal = archive.proposals["under_review"]
    feed = _atom(web.get(f"/c/{archive.clinic.slug}/p/{proposal.id}/feed.atom"))
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert titles[0] == "Night shifts: Under review"  # newest first
    assert titles[-1] == "New proposal: Night shifts"
    link = feed.find(f"{ATOM}entry/{ATOM}link").get("href")
    assert link.endswith(f"/p/{proposal.id}-{proposal.slug}")


def _lines(body: bytes) -> list[bytes]:
    assert body.endswith(b"\r\n")
    lines = body.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    return lines


def _unfold(lines: list[bytes]) -> list[str]:
    return "\r\n".join(line.decode() for line in lines).replace("\r\n ", "").split("\r\n")


def test_calendar_of_a_collective(archive, web):
    response = web.get(f"/c/{archive.clinic.slug}/meetings.ics")
    assert response.content_type == "text/calendar; charset=utf-8"
    lines = _lines(response.get_data())
    assert all(len(line) <= 75 for line in lines)
    text = _unfold(lines)
    assert text[0] == "BEGIN:VCALENDAR" and text[-1] == "END:VCALENDAR"
    assert "LOCATION:Clinic hall\\, 2nd floor" in text
    next_meeting = archive.meetings["next"]
    start = next_meeting.starts_at.astimezone(UTC).strftime("DTSTART:%Y%m%dT%H%M%SZ")
    assert start in text
    assert text.count("BEGIN:VEVENT") == text.count("END:VEVENT") >= 2
    assert any(line.startswith(f"UID:meeting-{next_meeting.id}@") for line in text)


def test_calendar_marks_cancelled_meetings(archive, web):
    from assembly.meetings.service import cancel_meeting

    cancel_meeting(archive.meetings["next"], archive.ana)
    from assembly.extensions import db
    db.session.commit()
    text = _unfold(_lines(web.get(f"/c/{archive.clinic.slug}/meetings.ics").get_data()))
    assert "STATUS:CANCELLED" in text


def test_ical_escapes_and_folds_on_character_boundaries():
    summary = "Συνέλευση; με, \\ κι \"άλλα\"\nδεύτερη γραμμή " + "ά" * 60
    event = ical.Event(uid="m-1@x", starts_at=datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
                       ends_at=datetime(2026, 3, 29, 2, 30, tzinfo=UTC), summary=summary)
    body = ical.calendar("Clinic", [event], now=datetime(2026, 3, 1, tzinfo=UTC)).encode()
    lines = _lines(body)
    assert all(len(line) <= 75 for line in lines)
    assert any(len(line) > 70 for line in lines)  # long lines really are folded, not cut short
    text = _unfold(lines)  # each piece decodes: no UTF-8 character was split
    expected = ("SUMMARY:Συνέλευση\\; με\\, \\\\ κι \"άλλα\"\\nδεύτερη γραμμή " + "ά" * 60)
    assert expected in text
    assert "DTSTART:20260329T003000Z" in text and "DTEND:20260329T023000Z" in text


def test_ical_drops_control_characters():
    assert ical.escape_text("a\x00b\x1bc\td") == "abc\td"


def test_fold_keeps_short_lines_and_ascii_at_75():
    assert ical.fold("X" * 75) == "X" * 75
    folded = ical.fold("X" * 200).split("\r\n")
    assert [len(p) for p in folded] == [75, 75, 52]  # 75 + 74 + 51 characters
    assert all(p.startswith(" ") for p in folded[1:])


def test_calendar_reaches_back_only_a_few_months(archive, web, make):
    old = make.meeting(archive.assembly, archive.ana, days=-200, title="Long ago")
    assert old.starts_at < datetime.now(UTC) - timedelta(days=90)
    text = web.get(f"/c/{archive.clinic.slug}/meetings.ics").get_data(as_text=True)
    assert "Long ago" not in text


# --- read back by the parsers feed readers and calendar programs use -----------------------

def test_feedparser_reads_the_collective_feed(archive, web):
    import feedparser

    slug = archive.clinic.slug
    parsed = feedparser.parse(web.get(f"/c/{slug}/feed.atom").get_data())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    titles = [entry.title for entry in parsed.entries]
    assert "Free dental care: Agreed" in titles
    assert all(entry.link.startswith("http") and entry.id for entry in parsed.entries)
    assert all(entry.updated_parsed is not None for entry in parsed.entries)
    assert parsed.feed.links[0].href.endswith(f"/c/{slug}/feed.atom")


def test_icalendar_reads_the_meetings(archive, web):
    from icalendar import Calendar

    calendar = Calendar.from_ical(web.get(f"/c/{archive.clinic.slug}/meetings.ics").get_data())
    events = calendar.walk("VEVENT")
    assert len(events) >= 2
    by_uid = {str(event["UID"]): event for event in events}
    next_meeting = archive.meetings["next"]
    [uid] = [uid for uid in by_uid if uid.startswith(f"meeting-{next_meeting.id}@")]
    event = by_uid[uid]
    assert event.decoded("DTSTART") == next_meeting.starts_at.astimezone(UTC)
    assert str(event["LOCATION"]) == "Clinic hall, 2nd floor"  # the escaped comma comes back
    assert event.decoded("DTEND") > event.decoded("DTSTART")
