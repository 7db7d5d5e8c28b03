"""The demo: built through the services, every phase present, a sound history, confidentiality
kept, several scripts, and loaded only once from the command line."""

import re
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from assembly.collectives.models import Body, Collective
from assembly.collectives.service import general_assembly
from assembly.core.db import Visibility, utcnow
from assembly.demo import load_demo
from assembly.extensions import db
from assembly.meetings.models import ItemKind, Meeting, MeetingStatus, Role
from assembly.meetings.service import next_meeting
from assembly.people.models import Person
from assembly.people.service import authenticate, find_person, members_of
from assembly.proposals.models import Phase, PositionKind, Proposal, ProposalEvent, Revision
from assembly.proposals.service import check_consistency
from assembly.visibility import ANONYMOUS, can_read_proposal, get_collective, viewer_for

GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
ARABIC = re.compile(r"[\u0600-\u06ff]")
LATIN = re.compile(r"[A-Za-z]")
SLUGS = {"solidarity-clinic", "avli-thessaloniki", "ponte-rosso", "mesogeios-network"}


@pytest.fixture
def demo(app):
    summary = load_demo()
    db.session.commit()
    return summary


@pytest.fixture
def clinic(demo):
    return get_collective("solidarity-clinic")


def proposals_of(body: Body) -> list[Proposal]:
    return list(db.session.scalars(sa.select(Proposal).where(Proposal.body_id == body.id)))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_load_demo_commits_and_names_slugs_people_and_password(demo):
    db.session.remove()  # a fresh session only sees what was committed
    assert set(db.session.scalars(sa.select(Collective.slug))) == SLUGS
    people = db.session.scalars(sa.select(Person)).all()
    assert len(people) >= 14
    assert 'password "assembly-demo"' in demo
    for slug in SLUGS:
        assert slug in demo
    for person in people:
        assert person.display_name in demo
        assert person.email is None
        # Greek and Arabic names too, as printed (SQLite's lower() folds only ASCII).
        assert authenticate(person.display_name, "assembly-demo") == person
    assert authenticate("Nikos Vlachos", "wrong password") is None
    assert find_person("Δήμητρα Σταθοπούλου").language == "el"


def test_clinic_speaks_its_languages_and_meets_every_monday(clinic):
    assert (clinic.languages, clinic.timezone) == ("el en ar fa", "Europe/Athens")
    assert len(members_of(clinic)) == 10
    assert {person.language for person in members_of(clinic)} >= {"el", "ar", "fa", "it", "fr"}
    assembly = general_assembly(clinic)
    upcoming = next_meeting(assembly)
    local = upcoming.starts_at.astimezone(ZoneInfo("Europe/Athens"))
    assert upcoming.starts_at > utcnow()
    assert (local.weekday(), local.hour, local.minute) == (0, 19, 0)
    assert upcoming.duration_minutes == 120
    assert upcoming.place == assembly.default_place != ""


def test_every_phase_occurs_and_every_proposal_agrees_with_its_event_log(demo):
    phases = set(db.session.scalars(sa.select(Proposal.phase)))
    assert phases == {phase.value for phase in Phase}
    found = db.session.scalars(sa.select(Proposal)).all()
    assert len(found) >= 15
    for proposal in found:
        assert check_consistency(proposal) == [], proposal.title


def test_texts_in_greek_latin_and_arabic_scripts(demo):
    texts = list(db.session.scalars(sa.select(Revision.text)))
    for script in (GREEK, LATIN, ARABIC):
        assert any(script.search(text) for text in texts), script.pattern
    titles = db.session.scalars(sa.select(Proposal.title)).all()
    assert any(ARABIC.search(t) and not LATIN.search(t) for t in titles)
    assert any(GREEK.search(t) and not LATIN.search(t) for t in titles)


def test_confidential_group_and_its_proposal_stay_among_its_participants(clinic):
    group = db.session.scalars(sa.select(Body).where(
        Body.collective_id == clinic.id, Body.visibility == Visibility.CONFIDENTIAL)).one()
    assert 2 <= len(group.participants) <= 3
    assert "case discussions" in group.purpose.lower()
    [proposal] = proposals_of(group)
    insider = group.participants[0]
    outsider = next(p for p in members_of(clinic) if p not in group.participants)
    assert not can_read_proposal(ANONYMOUS, proposal)
    assert not can_read_proposal(viewer_for(outsider), proposal)
    assert can_read_proposal(viewer_for(insider), proposal)
    meetings = db.session.scalars(sa.select(Meeting).where(Meeting.body_id == group.id)).all()
    assert meetings and {m.visibility for m in meetings} == {Visibility.CONFIDENTIAL}


def test_members_only_proposal_is_read_by_members_of_the_clinic_only(clinic):
    [proposal] = db.session.scalars(sa.select(Proposal).where(
        Proposal.visibility == Visibility.MEMBERS)).all()
    assert proposal.collective_id == clinic.id
    from_the_centre = find_person("Mehmet Yıldız")
    assert not can_read_proposal(ANONYMOUS, proposal)
    assert not can_read_proposal(viewer_for(from_the_centre), proposal)
    assert can_read_proposal(viewer_for(find_person("Nikos Vlachos")), proposal)


def test_network_gathers_three_collectives(demo):
    network = get_collective("mesogeios-network")
    assert network.is_network
    from assembly.collectives.service import network_members

    members = {c.slug: c.languages for c in network_members(network)}
    assert members == {"solidarity-clinic": "el en ar fa", "avli-thessaloniki": "el en tr",
                       "ponte-rosso": "it en"}
    assert proposals_of(general_assembly(network))
    assert next_meeting(general_assembly(network)) is not None


def test_two_past_assemblies_were_held_with_roles_and_outcomes(clinic):
    closed = db.session.scalars(sa.select(Meeting).where(
        Meeting.body_id == general_assembly(clinic).id, Meeting.status == MeetingStatus.CLOSED,
    ).order_by(Meeting.starts_at)).all()
    assert len(closed) == 2
    for meeting in closed:
        assert meeting.starts_at < utcnow() and meeting.closed_at is not None
        roles = {(r.role, r.language) for r in meeting.roles}
        assert {(Role.FACILITATOR, ""), (Role.NOTE_TAKER, ""), (Role.TIME_KEEPER, ""),
                (Role.INTERPRETER, "ar")} <= roles
        decided = [item for item in meeting.items if item.proposal_id is not None]
        assert decided and all(item.outcome for item in decided)
    outcomes = {item.outcome for meeting in closed for item in meeting.items}
    assert {"agreed", "postponed", "delegated", "retired"} <= outcomes


def by_title(start: str) -> Proposal:
    return db.session.scalars(sa.select(Proposal).where(Proposal.title.startswith(start))).one()


def events(proposal: Proposal) -> list[ProposalEvent]:
    return db.session.scalars(sa.select(ProposalEvent).where(
        ProposalEvent.proposal_id == proposal.id).order_by(ProposalEvent.seq)).all()


def test_agreements_keep_stand_asides_reservations_resolved_blocks_and_reviews(demo):
    proposal = by_title("Walk-in hours")
    assert proposal.phase == Phase.AGREED and proposal.revision_number >= 3
    assert all(r.summary for r in proposal.revisions)
    moves = [e.to_phase for e in events(proposal) if e.to_phase]
    assert moves.index("postponed") < moves.index("agreed")
    kinds = [p.kind for p in proposal.agreement.positions]
    assert kinds.count(PositionKind.STAND_ASIDE) == 1
    assert kinds.count(PositionKind.RESERVATION) == 2
    [block] = [p for p in proposal.agreement.positions if p.kind == PositionKind.BLOCK]
    assert block.reason and block.resolved_at_meeting_id is not None
    assert proposal.agreement.meeting_id != block.resolved_at_meeting_id
    assert proposal.agreement.revision.number == proposal.revision_number
    # and a re-evaluation, confirmed at a meeting, with what to do differently next time
    confirmations = [e for e in db.session.scalars(sa.select(ProposalEvent).where(
        ProposalEvent.from_phase == Phase.UNDER_REVIEW, ProposalEvent.to_phase == Phase.AGREED))]
    assert confirmations and confirmations[0].data["process_note"]
    assert confirmations[0].meeting_id is not None


def test_delegated_and_postponed_proposals_wait_where_they_should(clinic):
    [proposal] = db.session.scalars(sa.select(Proposal).where(
        Proposal.phase == Phase.DELEGATED)).all()
    assert proposal.delegated_to.slug == "pharmacy"
    assert proposal.mandate and proposal.return_date > utcnow().date()
    assert proposal.return_body_id == general_assembly(clinic).id
    # the blocked proposal waits, with its reasons, on the next assembly's agenda
    [proposal] = db.session.scalars(sa.select(Proposal).where(
        Proposal.phase == Phase.POSTPONED)).all()
    assert proposal.phase_reason
    blocks = events(proposal)[-1].data["blocks"]
    assert len(blocks) >= 1 and all(b["reason"] for b in blocks)
    agenda = next_meeting(general_assembly(clinic)).items
    assert (ItemKind.CARRIED_OVER, proposal.id) in {(i.kind, i.proposal_id) for i in agenda}


def test_cli_loads_the_demo_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["assembly", "demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "assembly-demo" in first.output
    loaded = (count(Collective), count(Proposal), count(Meeting))
    assert loaded[0] == 4
    second = runner.invoke(args=["assembly", "demo", "--if-empty"])
    assert second.exit_code == 0, second.output
    assert "no demo loaded" in second.output
    assert "assembly-demo" not in second.output
    assert (count(Collective), count(Proposal), count(Meeting)) == loaded
