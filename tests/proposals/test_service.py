"""The proposal lifecycle (DESIGN.md §2) through its services: every allowed move, every
forbidden one, and the rules around agreements, postponements, delegation and revisions."""

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

import assembly
from assembly.collectives.models import Body
from assembly.core.db import utcnow
from assembly.core.errors import Conflict, Forbidden, Invalid
from assembly.extensions import db
from assembly.meetings import service as meetings
from assembly.meetings.models import AgendaItem, ItemKind, Meeting, MeetingStatus
from assembly.people.models import Person
from assembly.proposals import service as proposals
from assembly.proposals.models import (
    TRANSITIONS,
    Agreement,
    AgreementStatus,
    EventKind,
    Phase,
    PositionKind,
    Proposal,
    ProposalEvent,
)
from assembly.proposals.service import ACTIONS, ACTIONS_BY_NAME, check_consistency

EDGES = sorted((source, target) for source, targets in TRANSITIONS.items() for target in targets)


def today():
    return utcnow().date()


@dataclass
class World:
    """A clinic with two members, its assembly, a working group, a meeting going on now and the
    next one in a week."""

    make: object
    collective: object
    ana: Person
    bob: Person
    assembly: Body
    group: Body
    live: Meeting
    upcoming: Meeting

    def proposal(self, phase="identified", body=None, **kw) -> Proposal:
        return self.make.proposal(body or self.assembly, self.ana, phase, **kw)

    def live_meeting(self, body: Body) -> Meeting:
        if body.id == self.assembly.id:
            return self.live
        found = db.session.scalars(sa.select(Meeting).where(
            Meeting.body_id == body.id, Meeting.status == MeetingStatus.LIVE)).first()
        return found or self.make.meeting(body, self.ana, days=0, live=True)


@pytest.fixture
def w(make):
    collective = make.collective("Social Clinic of Solidarity")
    ana = make.member(collective, "Ana")
    bob = make.member(collective, "Bob")
    body = make.assembly(collective)
    group = make.working_group(collective, ana, "Pharmacy")
    live = make.meeting(body, ana, days=0, live=True)
    upcoming = make.meeting(body, ana, days=7)
    return World(make, collective, ana, bob, body, group, live, upcoming)


def events(proposal) -> list[ProposalEvent]:
    return list(db.session.scalars(
        sa.select(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id)
        .order_by(ProposalEvent.seq)))


def state(proposal) -> tuple:
    """Everything a refused step must leave as it was."""
    log = [(e.seq, e.kind, e.from_phase, e.to_phase, e.reason, e.actor_id, e.meeting_id, e.at)
           for e in events(proposal)]
    agreements = [(a.id, a.status, a.review_date) for a in db.session.scalars(
        sa.select(Agreement).where(Agreement.proposal_id == proposal.id))]
    items = [(i.id, i.meeting_id, i.outcome, i.removed_at) for i in db.session.scalars(
        sa.select(AgendaItem).where(AgendaItem.proposal_id == proposal.id))]
    return (proposal.phase, proposal.event_count, proposal.revision_number, proposal.review_date,
            proposal.delegated_to_id, proposal.mandate, log, agreements, items)


def open_items(proposal) -> list[AgendaItem]:
    return list(db.session.scalars(
        sa.select(AgendaItem).join(Meeting).where(
            AgendaItem.proposal_id == proposal.id, AgendaItem.outcome.is_(None),
            AgendaItem.removed_at.is_(None), Meeting.status != MeetingStatus.CLOSED)))


# --- one call per action, with arguments that are valid apart from the phase ---------------

def _delegate(w, p, actor, meeting=None, **kw):
    args = dict(working_group=w.group, mandate="Compare the prices of three suppliers.",
                return_date=today() + timedelta(days=21),
                reason="The pharmacy group knows the suppliers.", meeting=meeting)
    proposals.delegate(p, actor, **{**args, **kw})
    return args["reason"], meeting


def _put_on_agenda(w, p, actor):
    meeting = w.live_meeting(p.body)
    proposals.put_on_agenda(p, actor, meeting, reason="Ready to decide.")
    return "Ready to decide.", meeting


def _agree(w, p, actor):
    meeting = w.live_meeting(p.body)
    proposals.record_agreement(p, actor, meeting=meeting, review_date=today() + timedelta(days=90),
                               present=[w.ana, w.bob], reason="Consensus after two rounds.")
    return "Consensus after two rounds.", meeting


def _postpone(w, p, actor):
    meeting = w.live_meeting(p.body)
    proposals.postpone(p, actor, "We need the costs first.", meeting=meeting)
    return "We need the costs first.", meeting


def _back_to_drafting(w, p, actor):
    meeting = w.live_meeting(p.body)
    proposals.back_to_drafting(p, actor, "The text needs a second part.", meeting)
    return "The text needs a second part.", meeting


def _confirm(w, p, actor):
    meeting = w.live_meeting(p.body)
    proposals.confirm_agreement(p, actor, next_review_date=today() + timedelta(days=365),
                                reason="It works well.", process_note="Ask the cleaners too.",
                                meeting=meeting)
    return "It works well.", meeting


def _retire(w, p, actor):
    meeting = w.live_meeting(p.body)
    proposals.retire_agreement(p, actor, reason="The pharmacy closed.", meeting=meeting)
    return "The pharmacy closed.", meeting


def _simple(function, reason):
    def call(w, p, actor):
        getattr(proposals, function)(p, actor, reason)
        return reason, None
    return call


def _amend(w, p, actor):
    proposals.amend_agreement(p, actor, reason="Opening hours changed.")
    return "Opening hours changed.", None


CALLS = {
    "start_drafting": _simple("start_drafting", "Someone wrote a first text."),
    "withdraw": _simple("withdraw", "Another clinic already does this."),
    "delegate": lambda w, p, actor: _delegate(w, p, actor, meeting=w.live_meeting(p.body)),
    "put_on_agenda": _put_on_agenda,
    "return_from_delegation": _simple("return_from_delegation", "Prices compared, see text."),
    "agree": _agree,
    "postpone": _postpone,
    "back_to_drafting": _back_to_drafting,
    "open_review": _simple("open_review", "The supplier changed."),
    "confirm": _confirm,
    "amend": _amend,
    "retire": _retire,
}


# --- the table itself ------------------------------------------------------------------------

def test_actions_cover_exactly_the_edges_of_the_lifecycle():
    action_edges = [(source, a.target) for a in ACTIONS for source in a.sources]
    assert sorted(action_edges) == EDGES  # no action outside the table, no edge without one
    assert len(set(action_edges)) == len(action_edges)  # and each edge has exactly one action
    assert set(CALLS) == set(ACTIONS_BY_NAME)
    assert all(a.target != Phase.IDENTIFIED for a in ACTIONS)  # nothing leads back to the start


@pytest.mark.parametrize("source,target", EDGES, ids=[f"{s}->{t}" for s, t in EDGES])
def test_allowed_transition_is_recorded(w, source, target):
    (action,) = [a for a in ACTIONS if source in a.sources and a.target == target]
    p = w.proposal(source)
    before = [(e.seq, e.kind, e.to_phase, e.reason, e.at) for e in events(p)]
    start = utcnow()
    reason, meeting = CALLS[action.name](w, p, w.bob)  # any member may act, not only the author
    db.session.commit()

    assert p.phase == target
    log = events(p)
    assert [(e.seq, e.kind, e.to_phase, e.reason, e.at) for e in log[:-1]] == before
    last = log[-1]
    assert (last.kind, last.from_phase, last.to_phase) == (EventKind.TRANSITION, source, target)
    assert last.actor_id == w.bob.id
    assert start <= last.at <= utcnow()
    assert last.reason == reason
    assert last.meeting_id == (meeting.id if meeting else None)
    assert check_consistency(p) == []


@pytest.mark.parametrize("phase", list(Phase))
def test_forbidden_transitions_are_refused_and_change_nothing(w, phase):
    p = w.proposal(phase)
    refused = [a for a in ACTIONS if phase not in a.sources]
    assert len(refused) == len(ACTIONS) - sum(phase in a.sources for a in ACTIONS)
    wrong = []
    for action in refused:
        before = state(p)
        try:
            CALLS[action.name](w, p, w.bob)
        except Conflict:
            pass
        except Exception as error:  # noqa: BLE001 (collect every wrong answer, not just the first)
            wrong.append(f"{action.name}: raised {error!r}")
        else:
            wrong.append(f"{action.name}: allowed from {phase}")
        if state(p) != before:
            wrong.append(f"{action.name}: changed the proposal although refused")
        db.session.rollback()
    assert not wrong, "\n".join(wrong)
    assert p.phase == phase
    assert check_consistency(p) == []


# --- reasons --------------------------------------------------------------------------------

REASON_REQUIRED = {
    "withdraw": ("drafting", lambda w, p, reason: proposals.withdraw(p, w.bob, reason)),
    "postpone": ("on_agenda", lambda w, p, reason: proposals.postpone(
        p, w.bob, reason, meeting=w.live)),
    "retire": ("under_review", lambda w, p, reason: proposals.retire_agreement(
        p, w.bob, reason=reason)),
    "amend": ("under_review", lambda w, p, reason: proposals.amend_agreement(
        p, w.bob, reason=reason)),
    "early review": ("agreed", lambda w, p, reason: proposals.open_review(p, w.bob, reason)),
    "return_from_delegation": ("delegated", lambda w, p, reason:
                               proposals.return_from_delegation(p, w.bob, reason)),
}


@pytest.mark.parametrize("step", sorted(REASON_REQUIRED))
@pytest.mark.parametrize("reason", ["", "   \n "])
def test_reason_is_required(w, step, reason):
    phase, call = REASON_REQUIRED[step]
    p = w.proposal(phase)
    before = state(p)
    with pytest.raises(Invalid) as refused:
        call(w, p, reason)
    assert refused.value.field == "reason"
    assert state(p) == before


def test_review_on_its_date_needs_no_reason(w):
    p = w.proposal("agreed")
    with freeze_time(p.review_date):
        event = proposals.open_review(p, w.bob)
    assert p.phase == Phase.UNDER_REVIEW
    assert event.data["early"] is False and event.reason == ""
    assert check_consistency(p) == []


# --- agreements -----------------------------------------------------------------------------

def test_agreement_pins_the_revision_and_records_who_was_there(w):
    p = w.proposal("on_agenda")
    proposals.revise(p, w.bob, "Buy insulin from the cooperative.", base_revision=1)
    agreement = proposals.record_agreement(
        p, w.bob, meeting=w.live, review_date=today() + timedelta(days=90),
        implementers="Pharmacy group", implementer_body=w.group,
        deadline=today() + timedelta(days=30), agreed_revision=2, guests_present=3,
        present=[w.ana, w.bob],
        positions=[
            {"kind": "stand_aside", "name": "Chris", "reason": "I will be away all summer."},
            {"kind": "reservation", "name": "Ana", "reason": "Costs may rise.",
             "person_id": w.ana.id},
        ])
    db.session.commit()

    assert p.phase == Phase.AGREED and p.agreement == agreement
    assert agreement.revision.number == 2
    assert agreement.revision.text == "Buy insulin from the cooperative."
    assert (agreement.meeting_id, agreement.body_id, agreement.recorded_by_id) == (
        w.live.id, w.assembly.id, w.bob.id)
    assert agreement.review_date == p.review_date == today() + timedelta(days=90)
    assert agreement.deadline == today() + timedelta(days=30)
    assert (agreement.implementers, agreement.implementer_body_id) == ("Pharmacy group",
                                                                      w.group.id)
    assert agreement.guests_present == 3
    assert [person.display_name for person in agreement.present] == ["Ana", "Bob"]
    assert [(x.kind, x.name, x.reason, x.person_id, x.resolved_at_meeting_id)
            for x in agreement.positions] == [
        (PositionKind.STAND_ASIDE, "Chris", "I will be away all summer.", None, None),
        (PositionKind.RESERVATION, "Ana", "Costs may rise.", w.ana.id, None),
    ]
    assert events(p)[-1].data["revision"] == 2
    assert [i.outcome for i in db.session.scalars(
        sa.select(AgendaItem).where(AgendaItem.proposal_id == p.id))] == [Phase.AGREED]
    assert check_consistency(p) == []


def _record(w, p, **kw):
    args = dict(meeting=w.live, review_date=today() + timedelta(days=90))
    return proposals.record_agreement(p, w.bob, **{**args, **kw})


@pytest.mark.parametrize("case,error,field", [
    ("block", Conflict, None),
    ("block without reason", Conflict, None),
    ("scheduled meeting", Conflict, None),
    ("meeting of another body", Invalid, "meeting_id"),
    ("meeting of another collective", Invalid, "meeting_id"),
    ("no meeting", Invalid, "meeting_id"),
    ("review date in the past", Invalid, "review_date"),
    ("no review date", Invalid, "review_date"),
    ("deadline in the past", Invalid, "deadline"),
    ("stale revision", Conflict, None),
    ("position of unknown kind", Invalid, "positions"),
    ("negative guests", Invalid, "guests_present"),
])
def test_agreement_is_refused(w, case, error, field):
    p = w.proposal("on_agenda")
    other = w.make.collective()
    kw = {
        "block": {"positions": [{"kind": "block", "name": "Eleni", "reason": "Too costly."}]},
        "block without reason": {"positions": [{"kind": "block", "name": "Eleni"}]},
        "scheduled meeting": {"meeting": w.upcoming},
        "meeting of another body": {"meeting": w.live_meeting(w.group)},
        "meeting of another collective": {"meeting": w.make.meeting(
            w.make.assembly(other), w.make.member(other), days=0, live=True)},
        "no meeting": {"meeting": None},
        "review date in the past": {"review_date": today() - timedelta(days=1)},
        "no review date": {"review_date": None},
        "deadline in the past": {"deadline": today() - timedelta(days=1)},
        "stale revision": {"agreed_revision": 0},
        "position of unknown kind": {"positions": [{"kind": "veto", "name": "X"}]},
        "negative guests": {"guests_present": -1},
    }[case]
    before = state(p)
    with pytest.raises(error) as refused:
        _record(w, p, **kw)
    if field:
        assert refused.value.field == field
    assert state(p) == before
    assert p.agreement is None


def test_nothing_to_agree_without_a_text(w):
    p = w.proposal("on_agenda", text="")
    with pytest.raises(Conflict):
        _record(w, p)
    assert p.phase == Phase.ON_AGENDA


def test_blocks_raised_when_postponed_appear_as_resolved_in_the_agreement(w):
    p = w.proposal("on_agenda")
    blocks = [{"name": "Eleni", "reason": "We cannot pay for this."},
              {"name": "Omar", "reason": "Nobody asked the night shift.",
               "person_id": w.ana.id}]
    proposals.postpone(p, w.bob, "Two blocks.", meeting=w.live, blocks=blocks)
    meetings.close_meeting(w.live, w.ana)
    proposals.begin_meeting(w.upcoming, w.ana)  # the carried-over item comes back on the agenda
    db.session.commit()
    assert p.phase == Phase.ON_AGENDA
    assert events(p)[-1].meeting_id == w.upcoming.id

    agreement = _record(w, p, meeting=w.upcoming)
    assert [(x.kind, x.name, x.reason, x.person_id, x.resolved_at_meeting_id)
            for x in agreement.positions] == [
        (PositionKind.BLOCK, "Eleni", "We cannot pay for this.", None, w.live.id),
        (PositionKind.BLOCK, "Omar", "Nobody asked the night shift.", w.ana.id, w.live.id),
    ]
    assert check_consistency(p) == []

    # Once resolved in an agreement, those blocks do not follow the next agreement.
    proposals.open_review(p, w.bob, "Prices went up.")
    proposals.amend_agreement(p, w.bob, reason="New prices.")
    proposals.put_on_agenda(p, w.bob, w.upcoming)
    second = _record(w, p, meeting=w.upcoming)
    assert second.positions == []
    assert check_consistency(p) == []


def test_a_block_needs_its_reason_when_postponing(w):
    p = w.proposal("on_agenda")
    before = state(p)
    with pytest.raises(Invalid) as refused:
        proposals.postpone(p, w.bob, "Blocked.", meeting=w.live, blocks=[{"name": "Eleni"}])
    assert refused.value.field == "positions"
    assert state(p) == before


# --- postponing carries over ----------------------------------------------------------------

def test_postponed_proposal_goes_on_the_next_meeting_exactly_once(w):
    p = w.proposal("on_agenda")
    event = proposals.postpone(p, w.bob, "We need the costs first.", meeting=w.live)
    db.session.commit()

    (carried,) = open_items(p)
    assert carried.meeting_id == w.upcoming.id
    assert carried.kind == ItemKind.CARRIED_OVER
    assert carried.note == "We need the costs first."
    assert event.meeting_id == w.live.id
    decided = db.session.scalars(sa.select(AgendaItem).where(
        AgendaItem.proposal_id == p.id, AgendaItem.meeting_id == w.live.id)).one()
    assert decided.outcome == Phase.POSTPONED

    # Planning again, or another meeting later on, does not add it a second time.
    meetings.carry_over(w.upcoming)
    later = w.make.meeting(w.assembly, w.ana, days=14)
    meetings.carry_over(later)
    assert [i.id for i in open_items(p)] == [carried.id]


def test_postponed_outside_a_meeting_stays_once_on_the_next_meeting(w):
    p = w.proposal("drafting")
    proposals.put_on_agenda(p, w.bob, w.upcoming)
    proposals.postpone(p, w.bob, "We need the costs first.")
    db.session.commit()
    (waiting,) = open_items(p)
    assert waiting.meeting_id == w.upcoming.id
    assert check_consistency(p) == []


def test_postponed_proposal_waits_for_the_next_meeting_to_be_planned(w):
    p = w.proposal("on_agenda", body=w.group)
    proposals.postpone(p, w.bob, "Ask the doctors.", meeting=w.live_meeting(w.group))
    assert open_items(p) == []
    later = w.make.meeting(w.group, w.ana, days=10)
    (carried,) = open_items(p)
    assert carried.meeting_id == later.id and carried.kind == ItemKind.CARRIED_OVER


# --- delegation -----------------------------------------------------------------------------

def test_delegation_stores_the_mandate_and_returning_clears_it(w):
    p = w.proposal("drafting")
    elsewhere = w.make.working_group(w.collective, w.ana, "Coordination")
    _delegate(w, p, w.bob, return_body=elsewhere)
    db.session.commit()
    assert p.phase == Phase.DELEGATED
    assert (p.delegated_to_id, p.mandate, p.return_date, p.return_body_id) == (
        w.group.id, "Compare the prices of three suppliers.", today() + timedelta(days=21),
        elsewhere.id)
    assert events(p)[-1].data == {
        "working_group": w.group.id, "mandate": "Compare the prices of three suppliers.",
        "return_date": (today() + timedelta(days=21)).isoformat(), "return_body": elsewhere.id}

    event = proposals.return_from_delegation(p, w.ana, "Three offers are in the text now.")
    db.session.commit()
    assert p.phase == Phase.DRAFTING
    assert event.reason == "Three offers are in the text now."
    assert (p.delegated_to_id, p.mandate, p.return_date, p.return_body_id) == (None,) * 4
    assert check_consistency(p) == []


def test_delegation_returns_to_the_deciding_body_by_default(w):
    p = w.proposal("drafting")
    _delegate(w, p, w.bob)
    assert p.return_body_id == w.assembly.id


def test_going_on_the_agenda_from_delegation_clears_it(w):
    p = w.proposal("delegated")
    assert p.delegated_to_id is not None
    proposals.put_on_agenda(p, w.bob, w.live)
    assert p.phase == Phase.ON_AGENDA
    assert (p.delegated_to_id, p.mandate, p.return_date, p.return_body_id) == (None,) * 4


@pytest.mark.parametrize("case,field", [
    ("general assembly", "working_group_id"),
    ("working group of another collective", "working_group_id"),
    ("return body of another collective", "return_body_id"),
    ("return date in the past", "return_date"),
    ("no mandate", "mandate"),
])
def test_delegation_is_refused(w, case, field):
    p = w.proposal("drafting")
    other = w.make.collective()
    outsider = w.make.member(other)
    kw = {
        "general assembly": {"working_group": w.assembly},
        "working group of another collective": {
            "working_group": w.make.working_group(other, outsider)},
        "return body of another collective": {"return_body": w.make.assembly(other)},
        "return date in the past": {"return_date": today() - timedelta(days=1)},
        "no mandate": {"mandate": "  "},
    }[case]
    before = state(p)
    with pytest.raises(Invalid) as refused:
        _delegate(w, p, w.bob, **kw)
    assert refused.value.field == field
    assert state(p) == before


# --- revisions ------------------------------------------------------------------------------

def test_a_stale_revision_is_refused_and_nothing_is_saved(w):
    p = w.proposal("drafting")
    proposals.revise(p, w.ana, "Ana's second version.", base_revision=1)
    db.session.commit()
    before = state(p)
    with pytest.raises(Conflict) as refused:
        proposals.revise(p, w.bob, "Bob's version from the first one.", base_revision=1)
    assert refused.value.details["current_revision"] == 2
    assert state(p) == before
    assert [r.text for r in p.revisions] == ["A first text.", "Ana's second version."]
    db.session.rollback()
    assert [r.number for r in p.revisions] == [1, 2]


def test_revising_records_an_event(w):
    p = w.proposal("drafting")
    revision = proposals.revise(p, w.bob, "Better.", summary="Shorter", base_revision=1)
    assert revision.number == 2 and p.current_revision == revision
    last = events(p)[-1]
    assert (last.kind, last.actor_id, last.reason, last.data) == (
        EventKind.REVISED, w.bob.id, "Shorter", {"revision": 2})
    with pytest.raises(Invalid):
        proposals.revise(p, w.bob, "Better.", base_revision=2)  # nothing changed
    assert check_consistency(p) == []


@pytest.mark.parametrize("phase", ["agreed", "under_review", "withdrawn", "retired"])
def test_the_text_is_not_editable_once_agreed_or_ended(w, phase):
    p = w.proposal(phase)
    before = state(p)
    with pytest.raises(Conflict):
        proposals.revise(p, w.bob, "A change.", base_revision=p.revision_number)
    assert state(p) == before


def test_the_agreed_revision_stays_pinned_after_amending(w):
    p = w.proposal("under_review")
    first = p.agreement
    proposals.amend_agreement(p, w.bob, reason="Opening hours changed.",
                              process_note="We should have asked the volunteers.")
    proposals.revise(p, w.bob, "Open on Saturdays too.", base_revision=1)
    db.session.commit()

    assert p.agreement is None
    assert first.status == AgreementStatus.AMENDED and first.ended_at is not None
    assert (first.revision.number, first.revision.text) == (1, "A first text.")
    assert events(p)[-1].kind == EventKind.REVISED
    assert events(p)[-2].data == {"agreement": first.id,
                                  "process_note": "We should have asked the volunteers."}

    proposals.put_on_agenda(p, w.bob, w.live)
    second = _record(w, p)
    assert second.revision.number == 2
    assert first.revision.number == 1 and first.status == AgreementStatus.AMENDED
    assert p.agreement == second
    assert check_consistency(p) == []


def test_confirming_sets_the_next_review_date(w):
    p = w.proposal("under_review")
    _confirm(w, p, w.bob)
    assert p.phase == Phase.AGREED
    assert p.review_date == p.agreement.review_date == today() + timedelta(days=365)
    proposals.open_review(p, w.bob, "Again.")
    before = state(p)
    with pytest.raises(Invalid) as refused:
        proposals.confirm_agreement(p, w.bob, next_review_date=today() - timedelta(days=1))
    assert refused.value.field == "next_review_date"
    assert state(p) == before
    assert check_consistency(p) == []


# --- who may act ----------------------------------------------------------------------------

SOURCE = {a.name: sorted(a.sources)[0] for a in ACTIONS}


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("who", ["member of another collective", "person without collective"])
def test_non_members_cannot_act(w, name, who):
    p = w.proposal(SOURCE[name])
    outsider = (w.make.member(w.make.collective()) if who.startswith("member")
                else w.make.person())
    before = state(p)
    with pytest.raises(Forbidden):
        CALLS[name](w, p, outsider)
    assert state(p) == before
    with pytest.raises(Forbidden):
        proposals.revise(p, outsider, "Mine now.", base_revision=p.revision_number)
    with pytest.raises(Forbidden):
        proposals.create_proposal(w.assembly, outsider, "From outside")


@pytest.mark.parametrize("name", sorted(CALLS))
def test_members_outside_a_confidential_group_cannot_act(w, name):
    care = w.make.working_group(w.collective, w.ana, "Case assembly", visibility="confidential")
    p = w.proposal(SOURCE[name], body=care)
    before = state(p)
    with pytest.raises(Forbidden):
        CALLS[name](w, p, w.bob)
    assert state(p) == before
    with pytest.raises(Forbidden):
        proposals.revise(p, w.bob, "Seen it.", base_revision=p.revision_number)
    with pytest.raises(Forbidden):
        proposals.create_proposal(care, w.bob, "A case")


def test_a_participant_of_a_confidential_group_can_act(w):
    care = w.make.working_group(w.collective, w.ana, "Case assembly", visibility="confidential")
    p = w.proposal("drafting", body=care)
    proposals.revise(p, w.ana, "Support for the family.", base_revision=1)
    _put_on_agenda(w, p, w.ana)
    _agree(w, p, w.ana)
    assert p.phase == Phase.AGREED
    assert check_consistency(p) == []


def test_a_confidential_proposal_needs_a_body_its_author_takes_part_in(w):
    with pytest.raises(Invalid) as refused:
        proposals.create_proposal(w.assembly, w.ana, "Someone's case", visibility="confidential")
    assert refused.value.field == "visibility"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Proposal)) == 0


# --- the event log is append-only -----------------------------------------------------------

def test_changing_an_event_is_refused(w):
    p = w.proposal("drafting")
    event = events(p)[-1]
    event.reason = "Nobody wanted this anyway."
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert events(p)[-1].reason == ""


def test_deleting_an_event_is_refused(w):
    p = w.proposal("drafting")
    db.session.delete(events(p)[0])
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert len(events(p)) == p.event_count == 3  # created, first text, drafting


def test_no_code_deletes_or_updates_events():
    package = Path(assembly.__file__).parent
    bulk = re.compile(r"(delete|update)\(\s*ProposalEvent"
                      r"|query\(\s*ProposalEvent.*\.(delete|update)")
    offenders = [str(path.relative_to(package)) for path in package.rglob("*.py")
                 if bulk.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
    assert not hasattr(proposals, "delete_event")
    assert [name for name in dir(proposals) if "delete" in name.lower()] == []
