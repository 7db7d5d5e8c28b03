"""Implementation tracking (DESIGN.md §2: who implements, by when).

Who may record what:
- any member of the collective who may read the proposal records *progress* (a note, optionally
  a percentage): anyone can report that the poster is up;
- *completion* (and taking it back) is for the implementers: the participants of the
  implementer body when the agreement names one; when it names none (only names in words, which
  cannot be matched to accounts), any member who may act on the proposal.

Every update is an append-only ``ImplementationUpdate`` and an event on the proposal's log.
An agreement whose deadline has passed without completion is *overdue*: it is listed on its
body's page and goes onto the deciding body's next agenda through ``meetings.carry_over``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager

from assembly.core.db import utcnow
from assembly.core.errors import Conflict, Forbidden, Invalid
from assembly.extensions import db
from assembly.implementation.models import ImplementationUpdate, UpdateKind
from assembly.meetings.models import AgendaItem, ItemKind, Meeting, MeetingStatus
from assembly.people.models import Person
from assembly.people.service import clean_text
from assembly.proposals import service as proposals
from assembly.proposals.models import (
    AGREEMENT_PHASES,
    Agreement,
    AgreementStatus,
    EventKind,
    Phase,
    Proposal,
)
from assembly.visibility import Viewer, viewer_for, visible_proposals

MAX_NOTE = 5_000


# --- reading -------------------------------------------------------------------------------

def completed_agreement_ids() -> sa.Select:
    """Agreements whose latest completion-or-reopening update is a completion."""
    decisive = [UpdateKind.COMPLETED.value, UpdateKind.REOPENED.value]
    latest = (
        sa.select(ImplementationUpdate.agreement_id,
                  sa.func.max(ImplementationUpdate.id).label("last_id"))
        .where(ImplementationUpdate.kind.in_(decisive))
        .group_by(ImplementationUpdate.agreement_id).subquery()
    )
    return (sa.select(latest.c.agreement_id)
            .join(ImplementationUpdate, ImplementationUpdate.id == latest.c.last_id)
            .where(ImplementationUpdate.kind == UpdateKind.COMPLETED))


def overdue_proposal_ids(on: date, phases=(Phase.AGREED,), *, body_id: int | None = None
                         ) -> sa.Select:
    """Proposals (of one body, given ``body_id``) whose agreement in force had to be implemented
    before ``on`` and is not complete. Used by ``meetings.carry_over`` to put them on the next
    agenda, and by body pages (where the body keeps the read to its own agreements: without it
    every agreement of the archive was read, 45 ms at 100,000 proposals)."""
    overdue = sa.select(Agreement.proposal_id) \
        .join(Proposal, Proposal.id == Agreement.proposal_id) \
        .where(Agreement.status == AgreementStatus.IN_FORCE, Agreement.deadline.is_not(None),
               Agreement.deadline < on, Proposal.phase.in_([str(p) for p in phases]),
               Agreement.id.not_in(completed_agreement_ids()))
    # An agreement's body is its proposal's, which never changes; the agreement's own column
    # lets the read start from the body's agreements (its index), not from every agreement.
    return overdue if body_id is None else overdue.where(Agreement.body_id == body_id)


def local_today(timezone: str, now=None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(timezone)).date()


def overdue_for_body(viewer: Viewer, body, now=None) -> list[tuple[Proposal, Agreement]]:
    """Agreements of this body (in force, agreed or under review) whose implementation is
    overdue, oldest deadline first, among the proposals this viewer may read."""
    today = local_today(body.collective.timezone, now)
    overdue = overdue_proposal_ids(today, phases=tuple(AGREEMENT_PHASES), body_id=body.id)
    rows = db.session.execute(
        visible_proposals(viewer).add_columns(Agreement)
        .join(Agreement, sa.and_(Agreement.proposal_id == Proposal.id,
                                 Agreement.status == AgreementStatus.IN_FORCE))
        .options(contains_eager(Proposal.body))
        .where(Proposal.body_id == body.id, Proposal.id.in_(overdue))
        .order_by(Agreement.deadline, Proposal.id)
    ).all()
    return [(proposal, agreement) for proposal, agreement in rows]


def history(agreement: Agreement) -> list[ImplementationUpdate]:
    return list(db.session.scalars(
        sa.select(ImplementationUpdate).where(ImplementationUpdate.agreement_id == agreement.id)
        .order_by(ImplementationUpdate.id)
    ))


@dataclass
class Progress:
    """Where the implementation of one agreement stands."""

    agreement: Agreement
    updates: list[ImplementationUpdate] = field(default_factory=list)
    completed: ImplementationUpdate | None = None
    percent: int | None = None
    overdue: bool = False

    @property
    def started(self) -> bool:
        return bool(self.updates)


def progress_of(agreement: Agreement, now=None) -> Progress:
    updates = history(agreement)
    completed = None
    for update in updates:
        if update.kind == UpdateKind.COMPLETED:
            completed = update
        elif update.kind == UpdateKind.REOPENED:
            completed = None
    percent = next((u.percent for u in reversed(updates) if u.percent is not None), None)
    today = local_today(agreement.proposal.collective.timezone, now)
    overdue = (agreement.in_force and completed is None and agreement.deadline is not None
               and agreement.deadline < today)
    return Progress(agreement, updates, completed, 100 if completed else percent, overdue)


def describe_update(status: str | None, who: str, percent: int | None = None) -> str:
    """One update in words, for the proposal's history and the digest."""
    if status == UpdateKind.COMPLETED:
        return _("%(who)s marked its implementation complete.", who=who)
    if status == UpdateKind.REOPENED:
        return _("%(who)s said its implementation is not complete after all.", who=who)
    if percent is not None:
        return _("%(who)s recorded progress on its implementation (%(n)d%%).", who=who,
                 n=percent)
    return _("%(who)s recorded progress on its implementation.", who=who)


def is_implementer(person: Person | None, agreement: Agreement) -> bool:
    """The implementers are the participants of the named implementer body."""
    return (person is not None and agreement.implementer_body_id is not None
            and agreement.implementer_body_id in viewer_for(person).participant_body_ids)


def may_record_progress(person: Person | None, proposal: Proposal) -> bool:
    try:
        proposals.require_can_act(person, proposal)
    except Forbidden:
        return False
    return True


def may_complete(person: Person | None, agreement: Agreement) -> bool:
    if not may_record_progress(person, agreement.proposal):
        return False
    return agreement.implementer_body_id is None or is_implementer(person, agreement)


# --- recording -----------------------------------------------------------------------------

def _agreement_in_force(proposal: Proposal) -> Agreement:
    agreement = proposal.agreement
    if agreement is None or Phase(proposal.phase) not in AGREEMENT_PHASES:
        raise Conflict(_l("There is no agreement in force to implement."))
    return agreement


def _percent(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise Invalid(_l("Give a percentage between 0 and 100, or leave it empty."),
                      field="percent")
    return value


def _note(note: str | None, *, required: bool) -> str:
    return clean_text(note, max_length=MAX_NOTE, field="note", required=required)


def _append(proposal: Proposal, agreement: Agreement, actor: Person, kind: UpdateKind,
            note: str, percent: int | None) -> ImplementationUpdate:
    update = ImplementationUpdate(agreement_id=agreement.id, proposal_id=proposal.id,
                                  author_id=actor.id, kind=kind, note=note, percent=percent,
                                  at=utcnow())
    db.session.add(update)
    db.session.flush()
    # Every change to a proposal is an event on its log (the note is its reason).
    proposals._record(proposal, EventKind.IMPLEMENTATION, actor=actor, reason=note,
                      data={"agreement": agreement.id, "update": update.id, "status": str(kind),
                            "percent": percent})
    return update


def record_progress(proposal: Proposal, actor: Person, note: str,
                    percent: int | None = None) -> ImplementationUpdate:
    """Any member who may act on the proposal reports progress: a note, perhaps a percentage."""
    proposals.require_can_act(actor, proposal)
    agreement = _agreement_in_force(proposal)
    note, percent = _note(note, required=True), _percent(percent)
    if progress_of(agreement).completed is not None:
        raise Conflict(_l("The implementation is marked complete. If it is not, say so first."))
    return _append(proposal, agreement, actor, UpdateKind.PROGRESS, note, percent)


def _require_implementer(actor: Person, agreement: Agreement) -> None:
    proposals.require_can_act(actor, agreement.proposal)
    if not may_complete(actor, agreement):
        raise Forbidden(_l("Only participants of %(body)s, who implement this agreement, can "
                           "mark it complete.", body=agreement.implementer_body.name))


def mark_complete(proposal: Proposal, actor: Person, note: str = "") -> ImplementationUpdate:
    agreement = _agreement_in_force(proposal)
    _require_implementer(actor, agreement)
    note = _note(note, required=False)
    if progress_of(agreement).completed is not None:
        raise Conflict(_l("The implementation is already marked complete."))
    update = _append(proposal, agreement, actor, UpdateKind.COMPLETED, note, 100)
    _drop_waiting_items(proposal, actor)
    return update


def reopen(proposal: Proposal, actor: Person, note: str) -> ImplementationUpdate:
    """Completion was recorded too soon: the implementers take it back, saying why."""
    agreement = _agreement_in_force(proposal)
    _require_implementer(actor, agreement)
    note = _note(note, required=True)
    if progress_of(agreement).completed is None:
        raise Conflict(_l("The implementation is not marked complete."))
    return _append(proposal, agreement, actor, UpdateKind.REOPENED, note, None)


def record(proposal: Proposal, actor: Person, kind: str, note: str = "",
           percent: int | None = None) -> ImplementationUpdate:
    """One entry point for the form: the kind of update chosen by the person."""
    if kind == UpdateKind.PROGRESS:
        return record_progress(proposal, actor, note, percent)
    if kind == UpdateKind.COMPLETED:
        return mark_complete(proposal, actor, note)
    if kind == UpdateKind.REOPENED:
        return reopen(proposal, actor, note)
    raise Invalid(_l("Choose what to record."), field="kind")


def _drop_waiting_items(proposal: Proposal, actor: Person) -> None:
    """Completed: an "implementation overdue" item waiting on a meeting still to come is taken
    off that agenda (softly, recorded as removed)."""
    items = db.session.scalars(
        sa.select(AgendaItem).join(Meeting).where(
            AgendaItem.proposal_id == proposal.id, AgendaItem.kind == ItemKind.IMPLEMENTATION,
            AgendaItem.removed_at.is_(None), AgendaItem.outcome.is_(None),
            Meeting.status == MeetingStatus.SCHEDULED)
    )
    now = utcnow()
    for item in items:
        item.removed_at, item.removed_by_id = now, actor.id
    db.session.flush()
