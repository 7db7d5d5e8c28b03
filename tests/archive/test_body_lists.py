"""A body's page lists a few of its proposals, its agreements and those due, however many there
are, and links to a page that continues the list fifty at a time by keyset (?after=), with
those the body brings jointly, one phase at a time if asked (?phase=agreed: its agreements);
what a reader may not read is never listed, and a made-up address is no page."""

import html
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from assembly.archive import front_door
from assembly.collectives import views as collective_views
from assembly.core.db import utcnow
from assembly.extensions import db
from assembly.networks import service as networks
from assembly.proposals.models import Agreement, Phase, Proposal
from tests.archive.conftest import MEMBERS_CANARY, SECRET_CANARY, assert_no_canary
from tests.conftest import WebClient

NEXT = re.compile(r'rel="next" href="([^"]+)"')
TITLES = re.compile(r'dir="auto">([^<]+)</a>')
MORE = re.compile(r'<a href="([^"]+)">More proposals of ([^<]+)</a>')
EVERY_AGREEMENT = re.compile(r'<a href="([^"]+)">Every agreement of ([^<]+)</a>')


@pytest.fixture
def crowd(archive, make):
    """Twelve more proposals being decided in the clinic's assembly, one withdrawn, four more
    agreements, a members-only one; a confidential one in the case assembly; the network's
    shared purchasing, and a members-only plan of the network, brought jointly by the
    assembly."""
    for n in range(12):
        make.proposal(archive.assembly, archive.ana, "drafting", title=f"Extra {n:02d}")
    make.proposal(archive.assembly, archive.ana, "withdrawn", title="Given up")
    # The archive's meeting of this hour is over: these are agreed at another, live now.
    make.meeting(archive.assembly, archive.ana, days=1, live=True)
    for n in range(4):
        make.proposal(archive.assembly, archive.ana, "agreed", title=f"Agreement {n}")
    make.proposal(archive.assembly, archive.ana, "drafting", visibility="members",
                  title=f"Private {MEMBERS_CANARY}")
    make.proposal(archive.care, archive.ana, "drafting", title=f"Hidden {SECRET_CANARY}")
    plan = make.proposal(make.assembly(archive.network), archive.ana, "drafting",
                         visibility="members", title=f"Network plan {MEMBERS_CANARY}")
    networks.add_co_bringer(archive.proposals["network"], archive.assembly, archive.ana)
    networks.add_co_bringer(plan, archive.assembly, archive.ana)
    db.session.commit()
    return archive


def body_url(archive, body=None, suffix="/"):
    body = body or archive.assembly
    return f"/c/{archive.clinic.slug}/b/{body.slug}{suffix}"


def public_titles(archive, *phases) -> set[str]:
    """Every public proposal the assembly decides in these phases (all but agreed if none)."""
    phases = phases or front_door.NOT_AGREED
    return set(db.session.scalars(sa.select(Proposal.title).where(
        Proposal.body_id == archive.assembly.id, Proposal.visibility == "public",
        Proposal.phase.in_(list(phases)))))


def section(page: str, start: str, end: str) -> str:
    return page.split(f'id="{start}"', 1)[1].split(f'id="{end}"', 1)[0]


def due_section(page: str) -> str:
    return page.split('id="due-heading"', 1)[1].split("</section>", 1)[0]


def walk(web, start: str) -> tuple[list[str], list[str]]:
    """Follow the "changed earlier" links from ``start`` to the end: the titles met, and the
    addresses read."""
    titles, addresses, address = [], [], start
    while address:
        address = html.unescape(address)
        response = web.get(address)
        assert response.status_code == 200, address
        page = response.get_data(as_text=True)
        assert "Traceback" not in page
        assert_no_canary(page, address)
        shown = page.split('class="plain being-decided"', 1)
        titles += TITLES.findall(shown[1].split("</ul>", 1)[0]) if len(shown) > 1 else []
        addresses.append(address)
        found = NEXT.search(page)
        address = found.group(1) if found else None
        assert len(addresses) < 50
    return [html.unescape(t) for t in titles], addresses


def test_the_body_page_shows_a_few_and_links_to_every_other(crowd, web, monkeypatch):
    # The body page's list is as long as the front door's (and its other lists).
    monkeypatch.setattr(front_door, "FRONT_DOOR_SIZE", 5)
    monkeypatch.setattr(collective_views, "LIST_LIMIT", 5)
    monkeypatch.setattr(front_door, "PAGE_SIZE", 3)
    page = web.text(body_url(crowd))
    assert_no_canary(page, "body page")
    shown = [html.unescape(t) for t in TITLES.findall(
        section(page, "proposals-heading", "agreements-heading"))]
    assert len(shown) == 5
    more = MORE.search(page)
    assert more, "no link to the rest"
    assert more.group(2) == crowd.assembly.name
    assert more.group(1).startswith(body_url(crowd, suffix="/proposals?after="))
    rest, addresses = walk(web, more.group(1))
    everything = shown + rest
    # Each once; every one but the agreements, the withdrawn and joint ones included.
    assert len(everything) == len(set(everything))
    expected = public_titles(crowd) | {"Shared purchasing"}
    assert set(everything) == expected
    assert {"Given up", "Night shifts", "Shared purchasing"} <= expected
    assert len(addresses) == -(-(len(expected) - 5) // 3)  # three a page, no empty last page


def test_the_pages_list_the_body_s_proposals_changed_last_first(crowd, web, monkeypatch):
    monkeypatch.setattr(front_door, "PAGE_SIZE", 4)
    titles, addresses = walk(web, body_url(crowd, suffix="/proposals"))
    assert len(titles) == len(set(titles))
    assert set(titles) == public_titles(crowd) | {"Shared purchasing"}
    rows = db.session.scalars(
        sa.select(Proposal).where(Proposal.title.in_(titles))
        .order_by(Proposal.updated_at.desc(), Proposal.id.desc())).all()
    assert titles == [p.title for p in rows]
    # the second page says where it came from; the first does not go back
    assert "Back to those changed last" in web.text(addresses[1])
    assert "Back to those changed last" not in web.text(addresses[0])


def test_the_agreements_are_listed_by_phase(crowd, web, monkeypatch):
    monkeypatch.setattr(front_door, "PAGE_SIZE", 2)
    titles, addresses = walk(web, body_url(crowd, suffix="/proposals?phase=agreed"))
    assert len(titles) == len(set(titles))
    assert set(titles) == public_titles(crowd, Phase.AGREED) == {
        "Free dental care", "Agreement 0", "Agreement 1", "Agreement 2", "Agreement 3"}
    assert all("phase=agreed" in address for address in addresses)
    # one other phase, for a member too
    web.login(crowd.bob)
    page = web.text(body_url(crowd, suffix="/proposals?phase=withdrawn"))
    shown = TITLES.findall(page.split('class="plain being-decided"', 1)[1].split("</ul>", 1)[0])
    assert shown == ["Given up"]


def _due(proposals, days_ago: int):
    """Make agreements due for re-evaluation, the first the longest due."""
    for n, proposal in enumerate(proposals):
        when = utcnow().date() - timedelta(days=days_ago - n)
        db.session.execute(sa.update(Proposal).where(Proposal.id == proposal.id)
                           .values(review_date=when))
        db.session.execute(sa.update(Agreement).where(Agreement.proposal_id == proposal.id)
                           .values(review_date=when))
    db.session.commit()


def _agreed(*titles):
    return [db.session.scalars(sa.select(Proposal).where(Proposal.title == title)).one()
            for title in titles]


def test_the_agreements_table_is_bounded_and_links_to_every_agreement(crowd, web, monkeypatch):
    page = web.text(body_url(crowd))
    table = section(page, "agreements-heading", "due-heading")
    in_force = TITLES.findall(table)
    assert len(in_force) == 6  # the five agreed and the one being re-evaluated
    assert EVERY_AGREEMENT.search(page) is None
    monkeypatch.setattr(collective_views, "LIST_LIMIT", 2)
    page = web.text(body_url(crowd))
    assert_no_canary(page, "body page")
    table = section(page, "agreements-heading", "due-heading")
    assert len(TITLES.findall(table)) == 2
    every = EVERY_AGREEMENT.search(table)
    assert every, "no link to every agreement"
    assert html.unescape(every.group(1)) == body_url(crowd, suffix="/proposals?phase=agreed")
    assert every.group(2) == crowd.assembly.name
    # and so is the list of those due for re-evaluation, the longest due first
    assert "No agreement is due for re-evaluation." in due_section(page)
    _due(_agreed("Free dental care", "Agreement 0", "Agreement 1"), days_ago=30)
    due = due_section(web.text(body_url(crowd)))
    assert TITLES.findall(due) == ["Free dental care", "Agreement 0"]
    assert "More are due" in due
    assert html.unescape(EVERY_AGREEMENT.search(due).group(1)) == body_url(
        crowd, suffix="/proposals?phase=agreed")


def test_a_hidden_due_agreement_does_not_hide_that_more_are_due(crowd, web, monkeypatch):
    _due(_agreed(f"The rent {MEMBERS_CANARY}", "Free dental care", "Agreement 0",
                 "Agreement 1"), days_ago=30)
    monkeypatch.setattr(collective_views, "LIST_LIMIT", 2)
    page = web.text(body_url(crowd))
    assert_no_canary(page, "body page")
    due = due_section(page)
    assert TITLES.findall(due)[:2] == ["Free dental care", "Agreement 0"]
    assert "More are due" in due


def test_an_unknown_phase_or_a_made_up_page_is_not_found(crowd, web):
    for query in ("phase=xyz", "phase=AGREED", "phase=agreed%00", "after=x", "after=-1",
                  "after=1-", "after=99999999999999999999-1", "after=999999999999999999-1",
                  "after=1-1-1", "after=%00", "phase=agreed&after=nonsense"):
        response = web.get(body_url(crowd, suffix=f"/proposals?{query}"))
        assert response.status_code == 404, query
        text = response.get_data(as_text=True)
        assert "Traceback" not in text, query
    # an empty phase is every one but the agreements; a page after the last is empty
    assert web.get(body_url(crowd, suffix="/proposals?phase=")).status_code == 200
    last = web.get(body_url(crowd, suffix="/proposals?after=1-1"))
    assert last.status_code == 200 and "No more proposals." in last.get_data(as_text=True)


def test_a_closed_body_s_proposals_page_is_for_those_who_may_read_it(crowd, app, web,
                                                                     monkeypatch):
    care = body_url(crowd, crowd.care, "/proposals")
    finances = body_url(crowd, crowd.finances, "/proposals")
    for address in (care, f"{care}?phase=agreed", finances, f"{finances}?phase=agreed"):
        response = web.get(address)
        assert response.status_code == 404, address
        assert_no_canary(response.get_data(as_text=True), address)
    member = WebClient(app.test_client())
    member.login(crowd.bob)  # a member, not a participant of the case assembly
    assert member.get(care).status_code == 404
    assert f"Accounts {MEMBERS_CANARY}" in member.text(f"{finances}?phase=agreed")
    # a member finds the members-only ones with the others, each once, none confidential
    monkeypatch.setattr(front_door, "PAGE_SIZE", 5)
    titles, address = [], body_url(crowd, suffix="/proposals")
    while address:
        page = member.text(html.unescape(address))
        assert SECRET_CANARY not in page
        titles += TITLES.findall(page.split('class="plain being-decided"', 1)[1]
                                 .split("</ul>", 1)[0])
        found = NEXT.search(page)
        address = found.group(1) if found else None
    assert f"Private {MEMBERS_CANARY}" in titles and f"Network plan {MEMBERS_CANARY}" in titles
    assert len(titles) == len(set(titles))
    assert set(titles) == public_titles(crowd) | {"Shared purchasing", f"Private {MEMBERS_CANARY}",
                                                  f"Network plan {MEMBERS_CANARY}"}
    participant = WebClient(app.test_client())
    participant.login(crowd.ana)
    assert f"Hidden {SECRET_CANARY}" in participant.text(care)
    assert f"A family {SECRET_CANARY}" in participant.text(f"{care}?phase=agreed")
    # what the case assembly decides is never listed with the general assembly's
    assert SECRET_CANARY not in participant.text(body_url(crowd, suffix="/proposals"))
