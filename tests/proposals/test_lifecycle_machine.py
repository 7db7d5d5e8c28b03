"""Random walks through the lifecycle: any service step, allowed from the current phase or not,
and after each one the proposal still agrees with its append-only log."""

from datetime import timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from assembly.core.db import utcnow
from assembly.core.errors import Conflict, Invalid
from assembly.extensions import db
from assembly.meetings.models import AgendaItem, Meeting, MeetingStatus
from assembly.proposals import service as proposals
from assembly.proposals.models import AGREEMENT_PHASES, Agreement, Phase, ProposalEvent
from assembly.proposals.service import ACTIONS_BY_NAME, EDITABLE_PHASES, check_consistency

REASONS = ["", "Because the night shift asked for it."]
# Steps whose reason is required (open_review only when early: review dates here are ahead).
NEEDS_REASON = {"withdraw", "postpone", "retire", "amend", "return_from_delegation", "open_review"}


def _call(name, m, reason):
    """One service step with arguments that are valid apart from phase and reason."""
    p, actor, today = m.proposal, m.actor, utcnow().date()
    if name == "start_drafting":
        return proposals.start_drafting(p, actor, reason)
    if name == "withdraw":
        return proposals.withdraw(p, actor, reason)
    if name == "delegate":
        return proposals.delegate(p, actor, working_group=m.group, mandate="Find the costs.",
                                  return_date=today + timedelta(days=14), reason=reason,
                                  meeting=m.live)
    if name == "return_from_delegation":
        return proposals.return_from_delegation(p, actor, reason)
    if name == "put_on_agenda":
        return proposals.put_on_agenda(p, actor, m.live, reason=reason)
    if name == "agree":
        return proposals.record_agreement(p, actor, meeting=m.live, reason=reason,
                                          review_date=today + timedelta(days=180),
                                          present=[actor], agreed_revision=p.revision_number)
    if name == "postpone":
        return proposals.postpone(p, actor, reason, meeting=m.live,
                                  blocks=[{"name": "Eleni", "reason": "Too costly."}])
    if name == "back_to_drafting":
        return proposals.back_to_drafting(p, actor, reason, m.live)
    if name == "open_review":
        return proposals.open_review(p, actor, reason)
    if name == "confirm":
        return proposals.confirm_agreement(p, actor, reason=reason,
                                           next_review_date=today + timedelta(days=90))
    if name == "amend":
        return proposals.amend_agreement(p, actor, reason=reason)
    if name == "retire":
        return proposals.retire_agreement(p, actor, reason=reason, meeting=m.live)
    raise AssertionError(name)


def test_random_walks_keep_the_proposal_consistent_with_its_log(app, make):
    steps = {"total": 0, "applied": 0, "refused": 0}

    class Lifecycle(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            collective = make.collective()
            author = make.member(collective)
            self.actor = make.member(collective)
            body = make.assembly(collective)
            self.group = make.working_group(collective, author)
            self.live = make.meeting(body, author, days=0, live=True)
            self.upcoming = make.meeting(body, author, days=7)
            self.proposal = make.proposal(body, author)
            self.log = self._log()

        def _log(self):
            return [(e.seq, e.kind, e.from_phase, e.to_phase, e.reason) for e in db.session.scalars(
                sa.select(ProposalEvent).where(ProposalEvent.proposal_id == self.proposal.id)
                .order_by(ProposalEvent.seq))]

        def _state(self):
            p = self.proposal
            agreements = [(a.id, a.status) for a in db.session.scalars(
                sa.select(Agreement).where(Agreement.proposal_id == p.id))]
            return (p.phase, p.event_count, p.revision_number, p.review_date, p.delegated_to_id,
                    self._log(), agreements)

        def _attempt(self, allowed: bool, step):
            steps["total"] += 1
            before = self._state()
            try:
                step()
            except (Conflict, Invalid):
                assert not allowed, f"refused although allowed from {before[0]}"
                assert self._state() == before, "a refused step changed the proposal"
                db.session.rollback()
                steps["refused"] += 1
                return False
            assert allowed, f"allowed from {before[0]} although the lifecycle forbids it"
            db.session.commit()
            steps["applied"] += 1
            return True

        @rule(name=st.sampled_from(sorted(ACTIONS_BY_NAME)), reason=st.sampled_from(REASONS))
        def act(self, name, reason):
            action = ACTIONS_BY_NAME[name]
            phase = Phase(self.proposal.phase)
            allowed = phase in action.sources and (bool(reason) or name not in NEEDS_REASON)
            if self._attempt(allowed, lambda: _call(name, self, reason)):
                assert self.proposal.phase == action.target

        @rule(stale=st.booleans())
        def revise(self, stale):
            p = self.proposal
            base = p.revision_number - 1 if stale else p.revision_number
            allowed = not stale and Phase(p.phase) in EDITABLE_PHASES
            text = f"Version {p.event_count} of the text."
            self._attempt(allowed, lambda: proposals.revise(p, self.actor, text,
                                                            base_revision=base))

        @invariant()
        def consistent_with_the_log(self):
            assert check_consistency(self.proposal) == []

        @invariant()
        def log_only_grows(self):
            log = self._log()
            assert log[:len(self.log)] == self.log, "an earlier event changed"
            assert len(log) >= len(self.log)
            self.log = log

        @invariant()
        def agreement_in_force_iff_agreed(self):
            p = self.proposal
            in_force = [a for a in p.agreements if a.in_force]
            assert len(in_force) == (1 if Phase(p.phase) in AGREEMENT_PHASES else 0)

        @invariant()
        def postponed_waits_once_on_the_next_meeting(self):
            if self.proposal.phase != Phase.POSTPONED:
                return
            waiting = db.session.scalars(sa.select(AgendaItem.meeting_id).join(Meeting).where(
                AgendaItem.proposal_id == self.proposal.id, AgendaItem.outcome.is_(None),
                AgendaItem.removed_at.is_(None), Meeting.status != MeetingStatus.CLOSED)).all()
            assert waiting == [self.upcoming.id]

        def teardown(self):
            db.session.rollback()

    run_state_machine_as_test(Lifecycle, settings=settings(
        max_examples=25, stateful_step_count=20, deadline=None, database=None,
        suppress_health_check=list(HealthCheck)))
    print(f"lifecycle machine: {steps}")
    assert steps["applied"] > 0 and steps["refused"] > 0
