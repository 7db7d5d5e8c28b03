"""Who may read what (DESIGN.md §1), through the one query layer and through the pages.

A clinic has a public assembly, a members-only working group and a confidential case assembly
whose proposals, purpose and meeting carry a canary string. The clinic and a language school
belong to a network. Nothing confidential may reach anyone but the case assembly's participants,
and members-only items of one collective never reach members of another, even in a network."""

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from assembly.collectives.models import Body
from assembly.collectives.service import add_participant, join_network, remove_participant
from assembly.core.errors import NotFound
from assembly.extensions import db
from assembly.meetings.models import Meeting
from assembly.proposals.models import Proposal
from assembly.visibility import (
    ANONYMOUS,
    count,
    get_body,
    get_meeting,
    get_proposal,
    viewer_for,
    visible_bodies,
    visible_meetings,
    visible_proposals,
)

CANARY = "CANARY-CONFIDENTIAL-91b2"


@dataclass
class Town:
    people: dict
    collectives: dict
    bodies: dict
    proposals: dict
    meetings: dict


@pytest.fixture
def town(make):
    clinic = make.collective("Social Clinic")
    school = make.collective("Language School")
    elsewhere = make.collective("Clinic Elsewhere")
    network = make.collective("Solidarity Network", network=True)
    ana = make.member(clinic, "Ana")  # takes part in the case assembly
    bob = make.member(clinic, "Bob")  # member of the clinic, not a participant
    eve = make.member(school, "Eve")  # member of another collective of the network
    dora = make.member(elsewhere, "Dora")  # member of a collective outside the network
    nina = make.member(network, "Nina")  # member of the network itself
    join_network(network, clinic, ana)
    join_network(network, school, eve)
    db.session.commit()

    assembly = make.assembly(clinic)
    finances = make.working_group(clinic, ana, "Finances", visibility="members")
    care = make.working_group(clinic, ana, "Case assembly", visibility="confidential",
                              purpose=f"Psychological support {CANARY}")
    network_assembly = make.assembly(network)
    school_assembly = make.assembly(school)
    bodies = {"clinic": assembly, "finances": finances, "care": care,
              "network": network_assembly, "school": school_assembly,
              "elsewhere": make.assembly(elsewhere)}

    proposals = {
        "public": make.proposal(assembly, ana, "drafting", title="Open on Saturdays"),
        "members": make.proposal(assembly, ana, title="The rent", visibility="members"),
        "in members group": make.proposal(finances, ana, title="The accounts"),
        "secret": make.proposal(care, ana, "drafting", title=f"Support for a family {CANARY}",
                                text=f"What the family told us. {CANARY}",
                                visibility="confidential"),
        # A public proposal is as closed as its confidential body.
        "public in secret": make.proposal(care, ana, "agreed", title=f"Agreed care {CANARY}",
                                          text=f"We agreed. {CANARY}"),
        "network members": make.proposal(network_assembly, ana, title="Shared purchasing",
                                         visibility="members"),
        "school members": make.proposal(school_assembly, eve, title="School rota",
                                        visibility="members"),
    }
    meetings = {
        "public": make.meeting(assembly, ana, days=7),
        "members": make.meeting(assembly, ana, days=8, visibility="members"),
        "finances": make.meeting(finances, ana, days=9),
        "care": make.meeting(care, ana, days=10, title=f"Case meeting {CANARY}"),
        "network members": make.meeting(network_assembly, ana, days=11, visibility="members"),
    }
    collectives = {"clinic": clinic, "school": school, "network": network,
                   "elsewhere": elsewhere}
    people = {"ana": ana, "bob": bob, "eve": eve, "dora": dora, "nina": nina}
    return Town(people, collectives, bodies, proposals, meetings)


PUBLIC_BODIES = {"clinic", "network", "school", "elsewhere"}
CONFIDENTIAL = {"secret", "public in secret"}
EXPECTED = {
    # viewer: (proposals, bodies, meetings) it may read
    "anonymous": ({"public"}, PUBLIC_BODIES, {"public"}),
    "dora": ({"public"}, PUBLIC_BODIES, {"public"}),
    "bob": ({"public", "members", "in members group", "network members"},
            PUBLIC_BODIES | {"finances"},
            {"public", "members", "finances", "network members"}),
    "ana": ({"public", "members", "in members group", "network members"} | CONFIDENTIAL,
            PUBLIC_BODIES | {"finances", "care"},
            {"public", "members", "finances", "network members", "care"}),
    "eve": ({"public", "network members", "school members"}, PUBLIC_BODIES,
            {"public", "network members"}),
    "nina": ({"public", "network members"}, PUBLIC_BODIES, {"public", "network members"}),
}


def _viewer(town, who):
    return ANONYMOUS if who == "anonymous" else viewer_for(town.people[who])


def _names(found: dict, ids) -> set:
    return {name for name, thing in found.items() if thing.id in set(ids)}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_lists_and_counts_follow_visibility(town, who):
    viewer = _viewer(town, who)
    proposals, bodies, meetings = EXPECTED[who]
    ids = db.session.scalars(visible_proposals(viewer).with_only_columns(Proposal.id)).all()
    assert _names(town.proposals, ids) == proposals
    assert count(visible_proposals(viewer)) == len(proposals)
    ids = db.session.scalars(visible_bodies(viewer).with_only_columns(Body.id)).all()
    assert _names(town.bodies, ids) == bodies
    assert count(visible_bodies(viewer)) == len(bodies)
    # make.proposal("agreed") holds its agreement at a live meeting of the case assembly.
    ids = db.session.scalars(visible_meetings(viewer).with_only_columns(Meeting.id)).all()
    extra = {"care (live)"} if "care" in meetings else set()
    assert _names(town.meetings, ids) == meetings
    assert count(visible_meetings(viewer)) == len(meetings) + len(extra)
    for select in (visible_proposals(viewer), visible_meetings(viewer)):
        titles = " ".join(str(getattr(x, "title", "")) for x in db.session.scalars(select))
        assert (CANARY in titles) == (who == "ana")


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_single_objects_are_not_found_when_not_visible(town, who):
    viewer = _viewer(town, who)
    proposals, bodies, meetings = EXPECTED[who]
    for name, proposal in town.proposals.items():
        if name in proposals:
            assert get_proposal(viewer, proposal.collective, proposal.id) == proposal
        else:
            with pytest.raises(NotFound):
                get_proposal(viewer, proposal.collective, proposal.id)
    for name, body in town.bodies.items():
        if name in bodies:
            assert get_body(viewer, body.collective, body.slug) == body
        else:
            with pytest.raises(NotFound):
                get_body(viewer, body.collective, body.slug)
    for name, meeting in town.meetings.items():
        if name in meetings:
            assert get_meeting(viewer, meeting.collective, meeting.id) == meeting
        else:
            with pytest.raises(NotFound):
                get_meeting(viewer, meeting.collective, meeting.id)


def test_an_object_is_not_found_through_another_collective(town):
    ana = viewer_for(town.people["ana"])
    secret = town.proposals["secret"]
    with pytest.raises(NotFound):
        get_proposal(ana, town.collectives["school"], secret.id)
    with pytest.raises(NotFound):
        get_meeting(ana, town.collectives["school"], town.meetings["care"].id)


def test_taking_part_opens_and_leaving_closes_the_confidential_space(town):
    ana, bob = town.people["ana"], town.people["bob"]
    care, secret = town.bodies["care"], town.proposals["secret"]
    add_participant(care, ana, bob)
    assert get_proposal(viewer_for(bob), secret.collective, secret.id) == secret
    remove_participant(care, bob, bob)
    with pytest.raises(NotFound):
        get_proposal(viewer_for(bob), secret.collective, secret.id)


def test_nobody_in_particular_is_anonymous():
    assert viewer_for(None) is ANONYMOUS
    assert ANONYMOUS.is_anonymous and ANONYMOUS.collective_ids == frozenset()


# --- through the pages ----------------------------------------------------------------------

def _proposal_url(p: Proposal) -> str:
    return f"/c/{p.collective.slug}/p/{p.id}-{p.slug}"


def _confidential_urls(town) -> list[str]:
    clinic = town.collectives["clinic"].slug
    secret, care_meeting = town.proposals["secret"], town.meetings["care"]
    agreed = town.proposals["public in secret"]
    return [
        _proposal_url(secret),
        f"/c/{clinic}/p/{secret.id}",
        f"/c/{clinic}/p/{secret.id}/revisions/1",
        f"/c/{clinic}/p/{secret.id}/edit",
        _proposal_url(agreed),
        f"/c/{clinic}/b/{town.bodies['care'].slug}/",
        f"/c/{clinic}/b/{town.bodies['care'].slug}/meetings",
        f"/c/{clinic}/m/{care_meeting.id}",
        f"/c/{clinic}/m/{care_meeting.id}/projector",
        f"/c/{clinic}/m/{care_meeting.id}/phone",
        f"/c/{clinic}/m/{care_meeting.id}/console",
        f"/live/{care_meeting.id}",
    ]


def _open_urls(town) -> list[str]:
    clinic, network = town.collectives["clinic"].slug, town.collectives["network"].slug
    return [
        "/", f"/c/{clinic}/", f"/c/{network}/", f"/c/{clinic}/b/assembly/",
        f"/c/{clinic}/b/assembly/meetings", f"/c/{clinic}/m/{town.meetings['public'].id}",
        _proposal_url(town.proposals["public"]),
    ]


def _client(web, town, who):
    client = type(web)(web.client.application.test_client())
    if who != "anonymous":
        client.login(town.people[who])
    return client


@pytest.mark.parametrize("who", ["anonymous", "bob", "eve", "dora"])
def test_pages_never_show_confidential_content_to_others(web, town, who):
    client = _client(web, town, who)
    for url in _open_urls(town):
        response = client.get(url)
        assert response.status_code == 200, url
        assert CANARY not in response.get_data(as_text=True), url
    for url in _confidential_urls(town):
        response = client.get(url)
        assert CANARY not in response.get_data(as_text=True), url
        if who == "anonymous" and response.status_code == 302:
            # Pages for members send a visitor to sign in first, whether the thing exists or
            # not: the answer must look the same as for something that does not exist.
            missing = client.get(url.replace(f"/{town.proposals['secret'].id}", "/999999", 1))
            assert response.location.split("?")[0].endswith("/login"), url
            assert missing.status_code == 302, url
            continue
        assert response.status_code == 404, (url, response.status_code)


def test_members_only_items_show_to_members_only(web, town):
    clinic = f"/c/{town.collectives['clinic'].slug}/"
    network = f"/c/{town.collectives['network'].slug}/"
    rent, shared = town.proposals["members"], town.proposals["network members"]
    assert rent.title not in web.text(clinic)
    assert web.get(_proposal_url(rent)).status_code == 404
    assert web.get(_proposal_url(shared)).status_code == 404

    bob = _client(web, town, "bob")
    assert rent.title in bob.text(clinic)
    assert shared.title in bob.text(network)
    assert bob.get(_proposal_url(rent)).status_code == 200
    assert bob.get(_proposal_url(shared)).status_code == 200
    assert bob.get(_proposal_url(town.proposals["school members"])).status_code == 404

    eve = _client(web, town, "eve")
    assert rent.title not in eve.text(clinic)
    assert eve.get(_proposal_url(rent)).status_code == 404
    assert eve.get(_proposal_url(shared)).status_code == 200


def test_participants_read_the_confidential_space(web, town):
    ana = _client(web, town, "ana")
    secret = town.proposals["secret"]
    for url in (_proposal_url(secret), f"/c/{secret.collective.slug}/p/{secret.id}/revisions/1",
                f"/c/{secret.collective.slug}/b/{town.bodies['care'].slug}/",
                f"/c/{secret.collective.slug}/m/{town.meetings['care'].id}"):
        response = ana.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        assert CANARY in response.get_data(as_text=True), url
    assert secret.title in ana.text(f"/c/{secret.collective.slug}/")


def test_nothing_confidential_is_counted_for_others(web, town):
    """The start page counts open proposals per collective; only the readable ones count."""
    ana = viewer_for(town.people["ana"])
    clinic = town.collectives["clinic"]
    seen = db.session.scalar(sa.select(sa.func.count()).select_from(
        visible_proposals(ana).where(Proposal.collective_id == clinic.id).subquery()))
    assert seen == 5
    assert count(visible_proposals(ANONYMOUS).where(Proposal.collective_id == clinic.id)) == 1
