"""The collective page is the front door for an incomer: what is being decided now, the next
meetings with place and local time, recent agreements, how to take part; light and script-free.
Every page of the archive names its canonical address and its feeds."""

import re
from datetime import timedelta

import pytest
from freezegun import freeze_time

from assembly.core.db import utcnow
from tests.archive.conftest import assert_no_canary

LINK = re.compile(r"<link [^>]*>")


def _links(page: str, rel: str) -> list[str]:
    return [tag for tag in LINK.findall(page) if f'rel="{rel}"' in tag]


@pytest.fixture
def front(archive, web):
    return web.text(f"/c/{archive.clinic.slug}/")


def test_front_door_shows_what_is_being_decided(archive, front):
    for phase in ("Drafting", "On the agenda", "Postponed", "Under review"):
        assert phase in front
    for title in ("Open on Saturdays", "Buy a fridge", "Move the pharmacy", "Night shifts"):
        assert title in front
    assert "Free dental care" in front  # a recent agreement
    assert "Clinic hall, 2nd floor" in front  # the next meeting's place
    assert "Europe/Athens" in front


def test_front_door_says_how_to_take_part(archive, front):
    assert "come to the assembly" in front
    assert "without an account" in front
    assert "Next assembly:" in front


def test_next_assembly_in_the_collectives_time_zone(make, web):
    with freeze_time("2026-01-05 08:00:00"):  # a Monday in winter: Athens is UTC+2
        clinic = make.collective("Winter Clinic", timezone="Europe/Athens")
        ana = make.member(clinic, "Ana")
        make.meeting(make.assembly(clinic), ana, days=7, place="Hall")
        page = web.text(f"/c/{clinic.slug}/")
    # make.meeting starts at 10:00 local (08:00 UTC rounded to the hour, in Athens).
    assert re.search(r"Next assembly:.*10:00", page, re.S)


def test_front_door_is_light_and_needs_no_script(archive, front):
    assert "<script" not in front
    assert len(front.encode()) < 60_000


@pytest.mark.parametrize("who", ["anonymous", "eve"])
def test_front_door_leaks_nothing_closed(archive, web, who):
    if who == "eve":
        web.login(archive.eve)  # a member of another collective
    page = web.text(f"/c/{archive.clinic.slug}/")
    assert "Open on Saturdays" in page
    assert_no_canary(page, f"the front door for {who}")


def test_network_front_door_lists_its_items_and_members(archive, web):
    page = web.text(f"/c/{archive.network.slug}/")
    assert "Shared purchasing" in page
    assert "Social Clinic" in page  # a member collective
    assert_no_canary(page, "the network's front door")


def test_collective_page_links_its_feeds(archive, front):
    slug = archive.clinic.slug
    assert _links(front, "canonical") == [f'<link rel="canonical" href="http://localhost/c/{slug}/">']
    alternates = " ".join(_links(front, "alternate"))
    assert f'href="http://localhost/c/{slug}/feed.atom" type="application/atom+xml"' in alternates
    assert f'href="http://localhost/c/{slug}/meetings.ics" type="text/calendar"' in alternates
    assert f'href="/c/{slug}/open-data"' in front


def test_body_page_canonical_feeds_and_agreements(archive, web):
    slug, body = archive.clinic.slug, archive.assembly.slug
    page = web.text(f"/c/{slug}/b/{body}/")
    assert len(_links(page, "canonical")) == 1
    assert f"/c/{slug}/b/{body}/" in _links(page, "canonical")[0]
    assert any("application/atom+xml" in tag for tag in _links(page, "alternate"))
    assert "Agreements in force" in page and "Free dental care" in page
    assert "Due for re-evaluation" in page


def test_body_page_lists_agreements_due_for_review(archive, web):
    with freeze_time(utcnow() + timedelta(days=200)):  # make.proposal reviews after 180 days
        page = web.text(f"/c/{archive.clinic.slug}/b/{archive.assembly.slug}/")
    due = page.split('id="due-heading"', 1)[1]
    assert "Free dental care" in due


def test_closed_body_page_offers_no_feed(archive, web):
    web.login(archive.bob)
    page = web.text(f"/c/{archive.clinic.slug}/b/{archive.finances.slug}/")
    assert len(_links(page, "canonical")) == 1
    assert _links(page, "alternate") == []  # its feeds do not exist for feed readers


def test_proposal_permalink_canonical_and_feed(archive, web):
    proposal = archive.proposals["agreed"]
    slug = archive.clinic.slug
    canonical = f"/c/{slug}/p/{proposal.id}-{proposal.slug}"
    for other in (f"/c/{slug}/p/{proposal.id}", f"/c/{slug}/p/{proposal.id}-old-title"):
        response = web.get(other)
        assert response.status_code == 301
        assert response.headers["Location"].endswith(canonical)
    page = web.text(canonical)
    assert _links(page, "canonical") == [f'<link rel="canonical" href="http://localhost{canonical}">']
    feed = [tag for tag in _links(page, "alternate") if "atom" in tag]
    assert f'href="http://localhost/c/{slug}/p/{proposal.id}/feed.atom"' in feed[0]


def test_meeting_page_canonical_and_calendar(archive, web):
    meeting = archive.meetings["next"]
    page = web.text(f"/c/{archive.clinic.slug}/m/{meeting.id}")
    assert _links(page, "canonical") == [
        f'<link rel="canonical" href="http://localhost/c/{archive.clinic.slug}/m/{meeting.id}">']
    assert any("text/calendar" in tag for tag in _links(page, "alternate"))


def test_pages_print_without_navigation_or_forms(archive, web, app):
    page = web.text(f"/c/{archive.clinic.slug}/")
    assert re.search(r'<link rel="stylesheet" href="/static/css/print.css" media="print">', page)
    css = web.get("/static/css/print.css").get_data(as_text=True)
    hidden = css.split("{", 1)[0]
    for selector in (".site-header", ".site-footer", "nav", "form", "button", ".actions"):
        assert selector in hidden
