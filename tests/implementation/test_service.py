"""Implementation tracking: who may record what, the append-only record and the proposal's log,
and overdue implementation reaching the deciding body's next agenda and its page."""

from datetime import timedelta

import pytest

from assembly.collectives.service import add_participant
from assembly.core.db import utcnow
from assembly.core.errors import Conflict, Forbidden, Invalid
from assembly.extensions import db
from assembly.implementation import service as implementation
from assembly.meetings.models import ItemKind
from assembly.meetings.service import agenda, carry_over
from assembly.proposals.models import EventKind
from assembly.proposals.service import check_consistency
from assembly.visibility import viewer_for

from .conftest import CANARY, agree


def test_any_member_records_progress_and_it_is_an_event(make, clinic):
    proposal = agree(make, clinic.assembly, clinic.ana, implementer_body=clinic.pharmacy)
    update = implementation.record_progress(proposal, clinic.bob, "Shelves *ordered*.", 40)
    db.session.commit()
    assert (update.kind, update.percent, update.author_id) == ("progress", 40, clinic.bob.id)
    last = proposal.events[-1]
    assert last.kind == EventKind.IMPLEMENTATION
    assert last.data["update"] == update.id and last.reason == "Shelves *ordered*."
    assert check_consistency(proposal) == []
    progress = implementation.progress_of(proposal.agreement)
    assert progress.percent == 40 and progress.completed is None and progress.started


def test_only_implementers_mark_completion(make, clinic):
    proposal = agree(make, clinic.assembly, clinic.ana, implementer_body=clinic.pharmacy)
    with pytest.raises(Forbidden):
        implementation.mark_complete(proposal, clinic.bob, "Done, I think.")
    db.session.rollback()
    implementation.mark_complete(proposal, clinic.ana, "The corner is open.")
    db.session.commit()
    progress = implementation.progress_of(proposal.agreement)
    assert progress.completed is not None and progress.percent == 100
    with pytest.raises(Conflict):
        implementation.mark_complete(proposal, clinic.ana)
    with pytest.raises(Conflict):  # progress on a finished task: reopen it first
        implementation.record_progress(proposal, clinic.bob, "More shelves.")
    # Joining the group makes Bob one of the implementers.
    add_participant(clinic.pharmacy, clinic.ana, clinic.bob)
    implementation.reopen(proposal, clinic.bob, "The fridge is still missing.")
    db.session.commit()
    assert implementation.progress_of(proposal.agreement).completed is None
    kinds = [u.kind for u in implementation.history(proposal.agreement)]
    assert kinds == ["completed", "reopened"]


def test_without_an_implementer_body_any_member_completes(make, clinic):
    proposal = agree(make, clinic.assembly, clinic.ana)
    implementation.mark_complete(proposal, clinic.bob)
    assert implementation.progress_of(proposal.agreement).completed.author_id == clinic.bob.id


def test_outsiders_record_nothing(make, clinic):
    proposal = agree(make, clinic.assembly, clinic.ana)
    for step in (lambda: implementation.record_progress(proposal, clinic.dora, "Hi"),
                 lambda: implementation.mark_complete(proposal, clinic.dora)):
        with pytest.raises(Forbidden):
            step()
    assert implementation.history(proposal.agreement) == []


@pytest.mark.parametrize(("note", "percent", "field"), [
    ("", None, "note"),
    ("x" * (implementation.MAX_NOTE + 1), None, "note"),
    ("Fine", 101, "percent"),
    ("Fine", -1, "percent"),
])
def test_bad_input_is_refused(make, clinic, note, percent, field):
    proposal = agree(make, clinic.assembly, clinic.ana)
    with pytest.raises(Invalid) as refused:
        implementation.record_progress(proposal, clinic.ana, note, percent)
    assert refused.value.field == field


def test_no_implementation_without_an_agreement_in_force(make, clinic):
    proposal = make.proposal(clinic.assembly, clinic.ana, "drafting")
    with pytest.raises(Conflict):
        implementation.record_progress(proposal, clinic.ana, "Early work")


def test_updates_are_append_only(make, clinic):
    proposal = agree(make, clinic.assembly, clinic.ana)
    update = implementation.record_progress(proposal, clinic.ana, "Started")
    db.session.commit()
    update.note = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def _implementation_items(meeting):
    return [i for i in agenda(meeting) if i.kind == ItemKind.IMPLEMENTATION]


def test_overdue_implementation_goes_on_the_next_agenda(make, clinic):
    overdue = agree(make, clinic.assembly, clinic.ana, implementer_body=clinic.pharmacy,
                    deadline_days=2, title="Pharmacy corner")
    not_yet = agree(make, clinic.assembly, clinic.ana, deadline_days=30, title="Later")
    no_deadline = agree(make, clinic.assembly, clinic.ana, deadline_days=None, title="Whenever")
    # The next meeting is in a week: by then the first deadline has passed.
    meeting = make.meeting(clinic.assembly, clinic.ana, days=7)
    items = _implementation_items(meeting)
    assert [i.proposal_id for i in items] == [overdue.id]
    assert str(items[0].kind_enum.label) == "Implementation overdue"
    assert not_yet.id not in {i.proposal_id for i in agenda(meeting)}
    assert no_deadline.id not in {i.proposal_id for i in agenda(meeting)}
    carry_over(meeting)  # idempotent
    assert len(_implementation_items(meeting)) == 1
    # Completion takes it off the waiting agenda, and it does not come back.
    implementation.mark_complete(overdue, clinic.ana, "Opened on Monday.")
    db.session.commit()
    assert _implementation_items(meeting) == []
    carry_over(meeting)
    assert _implementation_items(meeting) == []


def test_completed_implementation_never_reaches_the_agenda(make, clinic):
    proposal = agree(make, clinic.assembly, clinic.ana, deadline_days=1)
    implementation.mark_complete(proposal, clinic.ana)
    db.session.commit()
    meeting = make.meeting(clinic.assembly, clinic.ana, days=7)
    assert _implementation_items(meeting) == []


def test_overdue_list_of_a_body_follows_visibility(make, clinic):
    care = make.working_group(clinic.collective, clinic.ana, "Case group",
                              visibility="confidential")
    secret = agree(make, care, clinic.ana, deadline_days=1, title=f"Care plan {CANARY}")
    public = agree(make, clinic.assembly, clinic.ana, deadline_days=1, title="Open corner")
    later = utcnow() + timedelta(days=5)
    ana, bob = viewer_for(clinic.ana), viewer_for(clinic.bob)
    assert [p.id for p, _a in implementation.overdue_for_body(ana, care, later)] == [secret.id]
    assert implementation.overdue_for_body(bob, care, later) == []
    assert [p.id for p, _a in implementation.overdue_for_body(bob, clinic.assembly, later)] == [
        public.id]
    # Not overdue yet today.
    assert implementation.overdue_for_body(bob, clinic.assembly) == []
