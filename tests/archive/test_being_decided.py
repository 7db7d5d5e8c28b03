"""The front door lists a few proposals being decided, however many there are, and links to a
page that continues the list fifty at a time by keyset (?after=), down to the last one, without
JavaScript; what a reader may not read is never listed, and a made-up address is no page."""

import re

import pytest
import sqlalchemy as sa

from assembly.archive import front_door
from assembly.extensions import db
from assembly.networks import service as networks
from assembly.proposals.models import Proposal
from tests.archive.conftest import SECRET_CANARY, assert_no_canary

NEXT = re.compile(r'rel="next" href="([^"]+)"')
MORE = re.compile(r'href="([^"]+/being-decided[^"]*)">More proposals being decided')
TITLES = re.compile(r'dir="auto">(Extra \d+|[^<]+)</a>')


@pytest.fixture
def many(archive, make):
    """Twelve more proposals being decided in the clinic's assembly, one confidential one in
    the case assembly, and the network's shared purchasing brought by the clinic's assembly."""
    extra = [make.proposal(archive.assembly, archive.ana, "drafting", title=f"Extra {n}")
             for n in range(12)]
    make.proposal(archive.care, archive.ana, "drafting", title=f"Hidden {SECRET_CANARY}")
    networks.add_co_bringer(archive.proposals["network"], archive.assembly, archive.ana)
    db.session.commit()
    return extra


def _being_decided_titles(archive) -> list[str]:
    """Every public proposal the clinic's front door may list, changed last first."""
    rows = db.session.scalars(
        sa.select(Proposal).where(Proposal.phase.in_(front_door.BEING_DECIDED),
                                  Proposal.visibility == "public",
                                  Proposal.body_id.in_([archive.assembly.id]))
        .order_by(Proposal.updated_at.desc(), Proposal.id.desc())).all()
    return [p.title for p in rows]


def _walk(web, start: str) -> list[str]:
    """Follow the "changed earlier" links from ``start`` to the end; the titles met."""
    titles, url, pages = [], start, 0
    while url:
        page = web.text(url.replace("&amp;", "&"))
        assert_no_canary(page, url)
        shown = page.split('class="plain being-decided"', 1)
        titles += TITLES.findall(shown[1].split("</ul>", 1)[0]) if len(shown) > 1 else []
        found = NEXT.search(page)
        url = found.group(1) if found else None
        pages += 1
        assert pages < 50
    return titles


def test_the_front_door_shows_a_few_and_links_to_the_rest(archive, many, web, monkeypatch):
    monkeypatch.setattr(front_door, "FRONT_DOOR_SIZE", 5)
    monkeypatch.setattr(front_door, "PAGE_SIZE", 3)
    front = web.text(f"/c/{archive.clinic.slug}/")
    assert_no_canary(front, "front door")
    section = front.split('id="decided-heading"', 1)[1].split('id="agreements-heading"', 1)[0]
    shown = [title for title in _being_decided_titles(archive) + ["Shared purchasing"]
             if f">{title}</a>" in section]
    assert len(shown) == 5
    more = MORE.search(front)
    assert more, "no link to the rest"
    rest = _walk(web, more.group(1))
    everything = shown + rest
    # Each proposal once, the whole list, the joint one included, nothing closed.
    assert len(everything) == len(set(everything))
    assert set(everything) == set(_being_decided_titles(archive)) | {"Shared purchasing"}
    assert not any(SECRET_CANARY in title for title in everything)


def test_the_pages_are_in_order_of_last_change(archive, many, web, monkeypatch):
    monkeypatch.setattr(front_door, "PAGE_SIZE", 4)
    titles = _walk(web, f"/c/{archive.clinic.slug}/being-decided")
    assert [t for t in titles if t != "Shared purchasing"] == _being_decided_titles(archive)


def test_proposals_changed_at_the_same_instant_are_each_listed_once(archive, many, web,
                                                                    monkeypatch):
    """The keyset is (last change, id): ties of time are broken by id, none lost or repeated."""
    same = many[0].updated_at
    db.session.execute(sa.update(Proposal).where(Proposal.id.in_([p.id for p in many]))
                       .values(updated_at=same))
    db.session.commit()
    monkeypatch.setattr(front_door, "PAGE_SIZE", 1)
    titles = _walk(web, f"/c/{archive.clinic.slug}/being-decided")
    assert sorted(t for t in titles if t.startswith("Extra")) == sorted(p.title for p in many)
    assert len(titles) == len(set(titles))


def test_a_participant_finds_the_confidential_one_listed(archive, many, web):
    web.login(archive.ana)
    page = web.text(f"/c/{archive.clinic.slug}/being-decided")
    assert f"Hidden {SECRET_CANARY}" in page


@pytest.mark.parametrize("after", ["x", "-1", "1-", "99999999999999999999-1",
                                   "999999999999999999-1", "1-1-1", "%00"])
def test_a_made_up_page_is_not_found(archive, web, after):
    response = web.get(f"/c/{archive.clinic.slug}/being-decided?after={after}")
    assert response.status_code == 404


def test_a_page_after_the_last_one_is_empty_not_an_error(archive, web):
    response = web.get(f"/c/{archive.clinic.slug}/being-decided?after=1-1")
    assert response.status_code == 200
    assert "Nothing more is being decided." in response.get_data(as_text=True)
