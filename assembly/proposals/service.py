"""The proposal lifecycle (DESIGN.md §2). Every change goes through ``_record``, which appends to
the event log and updates the proposal in the same flush, so the current state always agrees
with the log. Views and the live layer call these functions; no rule lives anywhere else."""

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import load_only

from assembly.collectives.models import Body, BodyKind
from assembly.collectives.service import slugify
from assembly.core.db import Visibility, strictest, utcnow
from assembly.core.errors import Conflict, Forbidden, Invalid, NotFound
from assembly.extensions import db
from assembly.meetings import service as meetings
from assembly.meetings.models import AgendaItem, ItemKind, Meeting, MeetingStatus
from assembly.networks.models import ProposalCoBringer
from assembly.people.models import Person
from assembly.people.service import LANGUAGES, clean_text, require_member
from assembly.proposals.models import (
    AGREEMENT_PHASES,
    TRANSITIONS,
    Agreement,
    AgreementPosition,
    AgreementStatus,
    EventKind,
    Phase,
    PositionKind,
    Proposal,
    ProposalEvent,
    Revision,
)
from assembly.visibility import (
    Viewer,
    can_read_proposal,
    co_bringing_rows,
    count,
    viewer_for,
    visible_proposals,
)

MAX_TITLE = 200
MAX_TEXT = 200_000
# Greek, Arabic and Farsi take two bytes a character: the byte bound leaves room for a full text in
# any script while keeping the sent form (x3 when URL-encoded) well under MAX_CONTENT_LENGTH.
MAX_TEXT_BYTES = 400_000
MAX_REASON = 5_000
# Phases that close an agenda item; going on the agenda or under review opens one.
OUTCOME_PHASES = frozenset(Phase) - {Phase.ON_AGENDA, Phase.UNDER_REVIEW, Phase.IDENTIFIED}



# --- reading -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Action:
    """A step a person can take from the proposal page, and the phase it leads to."""

    name: str
    label: object
    sources: frozenset
    target: Phase


ACTIONS = (
    Action("start_drafting", _l("Start drafting"), frozenset({Phase.IDENTIFIED}), Phase.DRAFTING),
    Action("delegate", _l("Delegate to a working group"),
           frozenset({Phase.DRAFTING, Phase.ON_AGENDA, Phase.POSTPONED}), Phase.DELEGATED),
    Action("put_on_agenda", _l("Put on a meeting's agenda"),
           frozenset({Phase.DRAFTING, Phase.DELEGATED, Phase.POSTPONED}), Phase.ON_AGENDA),
    Action("return_from_delegation", _l("Return from the working group"),
           frozenset({Phase.DELEGATED}), Phase.DRAFTING),
    Action("agree", _l("Record the agreement"), frozenset({Phase.ON_AGENDA}), Phase.AGREED),
    Action("postpone", _l("Postpone"), frozenset({Phase.ON_AGENDA}), Phase.POSTPONED),
    Action("back_to_drafting", _l("Back to drafting"),
           frozenset({Phase.ON_AGENDA, Phase.POSTPONED}), Phase.DRAFTING),
    Action("open_review", _l("Open a re-evaluation"), frozenset({Phase.AGREED}),
           Phase.UNDER_REVIEW),
    Action("confirm", _l("Confirm the agreement"), frozenset({Phase.UNDER_REVIEW}), Phase.AGREED),
    Action("amend", _l("Amend: back to drafting"), frozenset({Phase.UNDER_REVIEW}),
           Phase.DRAFTING),
    Action("retire", _l("Retire the agreement"), frozenset({Phase.UNDER_REVIEW}), Phase.RETIRED),
    Action("withdraw", _l("Withdraw"),
           frozenset({Phase.IDENTIFIED, Phase.DRAFTING, Phase.POSTPONED}), Phase.WITHDRAWN),
)
ACTIONS_BY_NAME = {action.name: action for action in ACTIONS}
EDITABLE_PHASES = frozenset(
    {Phase.IDENTIFIED, Phase.DRAFTING, Phase.DELEGATED, Phase.ON_AGENDA, Phase.POSTPONED}
)


def available_actions(proposal: Proposal) -> list[Action]:
    phase = Phase(proposal.phase)
    return [action for action in ACTIONS if phase in action.sources]


def effective_visibility(proposal: Proposal) -> Visibility:
    return strictest(proposal.visibility, proposal.body.visibility)


def check_consistency(proposal: Proposal) -> list[str]:
    """Compare the proposal with its event log; returns what disagrees (empty when sound)."""
    events = db.session.scalars(
        sa.select(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id)
        .order_by(ProposalEvent.seq)
    ).all()
    problems = []
    if [e.seq for e in events] != list(range(1, len(events) + 1)):
        problems.append("event sequence has gaps")
    if proposal.event_count != len(events):
        problems.append("event count differs from log")
    phases = [e.to_phase for e in events if e.to_phase]
    if not phases or phases[-1] != proposal.phase:
        problems.append("phase differs from the last transition in the log")
    for before, after in zip(phases, phases[1:], strict=False):
        if Phase(after) not in TRANSITIONS[Phase(before)]:
            problems.append(f"log holds a forbidden transition {before}->{after}")
    revised = sum(1 for e in events if e.kind == EventKind.REVISED)
    if proposal.revision_number != revised or len(proposal.revisions) != revised:
        problems.append("revisions differ from log")
    in_force = [a for a in proposal.agreements if a.in_force]
    if (len(in_force) == 1) != (Phase(proposal.phase) in AGREEMENT_PHASES) or len(in_force) > 1:
        problems.append("agreement in force does not match phase")
    if in_force and proposal.review_date != in_force[0].review_date:
        problems.append("review date differs from agreement")
    return problems


# --- recording -----------------------------------------------------------------------------

def require_can_act(actor: Person | None, proposal: Proposal) -> None:
    """Deciding: the lifecycle steps belong to the members of the proposal's own collective
    (only the participants, for a confidential one)."""
    require_member(actor, proposal.collective)
    if not can_read_proposal(viewer_for(actor), proposal):
        raise Forbidden(_l("Only participants of this confidential space can do this."))


def require_can_take_part(actor: Person | None, proposal: Proposal) -> None:
    """Drafting and discussion (comments, replies, revisions of the text): whoever may decide,
    and also the members of a collective whose body brings the proposal jointly now (only its
    participants, for a confidential body; DESIGN.md §7). Deciding stays ``require_can_act``."""
    viewer = viewer_for(actor)
    if viewer.is_anonymous or viewer.is_member_of(proposal.collective_id):
        require_can_act(actor, proposal)
        return
    brings = co_bringing_rows(viewer).where(ProposalCoBringer.proposal_id == proposal.id)
    if count(brings) and can_read_proposal(viewer, proposal):
        return
    withdrawn = db.session.scalars(
        co_bringing_rows(viewer, active=False)
        .where(ProposalCoBringer.proposal_id == proposal.id)
        .order_by(ProposalCoBringer.withdrawn_at.desc())).first()
    if withdrawn is not None:
        body = withdrawn.body
        raise Forbidden(_l("%(body)s (%(collective)s) no longer brings this proposal, so its "
                           "members no longer take part in drafting and discussing it.",
                           body=body.name, collective=body.collective.name))
    require_can_act(actor, proposal)


def may_take_part(actor: Person | None, proposal: Proposal) -> bool:
    """For pages: whether to offer the comment forms and the text editor."""
    try:
        require_can_take_part(actor, proposal)
    except Forbidden:
        return False
    return True


def _reason(reason: str | None, *, required: bool = False, field: str = "reason") -> str:
    return clean_text(reason, max_length=MAX_REASON, field=field, required=required)


def _record(
    proposal: Proposal,
    kind: EventKind,
    *,
    actor: Person | None,
    to_phase: Phase | None = None,
    reason: str = "",
    meeting: Meeting | None = None,
    data: dict | None = None,
) -> ProposalEvent:
    proposal.event_count += 1
    # The time is set before the event is added: a query below may flush it, and a flushed
    # event must never change again (the append-only guard refuses it).
    now = utcnow()
    event = ProposalEvent(
        proposal=proposal, seq=proposal.event_count, kind=kind,
        from_phase=proposal.phase if to_phase and kind != EventKind.CREATED else None,
        to_phase=to_phase, actor_id=getattr(actor, "id", None), reason=reason,
        meeting_id=getattr(meeting, "id", None), data=data or {}, at=now,
    )
    db.session.add(event)
    if to_phase is not None:
        proposal.phase = to_phase
        proposal.phase_reason = reason
        if to_phase in OUTCOME_PHASES:
            meetings.settle_items(proposal.id, to_phase, meeting)
    proposal.updated_at = now
    db.session.flush()
    return event


def _check_meeting(proposal: Proposal, meeting: Meeting | None, *, deciding: bool = False):
    if meeting is None:
        if deciding:
            raise Invalid(_l("Say at which meeting this was decided."), field="meeting_id")
        return
    if meeting.collective_id != proposal.collective_id:
        raise Invalid(_l("That meeting belongs to another collective."), field="meeting_id")
    if deciding:
        if meeting.body_id != proposal.body_id:
            raise Invalid(
                _l("Only a meeting of %(body)s can decide this proposal.", body=proposal.body.name),
                field="meeting_id",
            )
        if meeting.status == MeetingStatus.SCHEDULED:
            raise Conflict(_l("That meeting has not started yet."))


def _transition(
    proposal: Proposal,
    target: Phase,
    *,
    actor: Person | None,
    reason: str = "",
    meeting: Meeting | None = None,
    data: dict | None = None,
    action: str | None = None,
) -> ProposalEvent:
    """``action`` names the step taken: several steps lead to the same phase (drafting, agreed)
    but each only from its own phases, e.g. confirming needs an agreement under review."""
    require_can_act(actor, proposal)
    current = Phase(proposal.phase)
    if target not in TRANSITIONS[current]:
        raise Conflict(
            _l("A proposal in the phase “%(current)s” cannot move to “%(target)s”.",
               current=current.label, target=target.label),
            allowed=sorted(TRANSITIONS[current]),
        )
    if action is not None and current not in ACTIONS_BY_NAME[action].sources:
        raise Conflict(
            _l("“%(action)s” is not possible in the phase “%(current)s”.",
               action=ACTIONS_BY_NAME[action].label, current=current.label),
            allowed=sorted(TRANSITIONS[current]),
        )
    _check_meeting(proposal, meeting)
    return _record(
        proposal, EventKind.TRANSITION, actor=actor, to_phase=target, reason=reason,
        meeting=meeting, data=data,
    )


def _date(value: date | None, field: str, *, required: bool = True,
          not_before: date | None = None) -> date | None:
    if value is None:
        if required:
            raise Invalid(_l("Give a date."), field=field)
        return None
    if not isinstance(value, date):
        raise Invalid(_l("This is not a date."), field=field)
    if not_before is not None and value < not_before:
        raise Invalid(_l("The date cannot be in the past."), field=field)
    return value


# --- creating and editing ------------------------------------------------------------------

def create_proposal(
    body: Body,
    author: Person,
    title: str,
    text: str = "",
    *,
    visibility: str = Visibility.PUBLIC,
    reason: str = "",
    language: str | None = None,
) -> Proposal:
    """A proposal starts as ``identified``: a named need, perhaps only a title and a few lines,
    in the ``language`` its author writes (by default the collective's first)."""
    require_member(author, body.collective)
    if body.visibility == Visibility.CONFIDENTIAL and not can_read_body_as(author, body):
        raise Forbidden(_l("Only participants of this confidential space can do this."))
    title = clean_text(title, max_length=MAX_TITLE, field="title")
    check_text_size(text)
    text = clean_text(text, max_length=MAX_TEXT, field="text", required=False)
    if visibility not in set(Visibility):
        raise Invalid(_l("Unknown visibility."), field="visibility")
    if visibility == Visibility.CONFIDENTIAL and not can_read_body_as(author, body):
        # Confidential means "only the body's named participants": the author must be one.
        raise Invalid(_l("Only participants of a working group can bring a confidential "
                         "proposal to it."), field="visibility")
    if language is not None and language not in LANGUAGES:
        raise Invalid(_l("Choose a language from the list."), field="language")
    proposal = Proposal(
        collective_id=body.collective_id, body=body, title=title, slug=slugify(title, 80),
        visibility=visibility, created_by_id=author.id, language=language,
    )
    db.session.add(proposal)
    db.session.flush()
    _record(proposal, EventKind.CREATED, actor=author, to_phase=Phase.IDENTIFIED,
            reason=_reason(reason))
    if text:
        revise(proposal, author, text, summary=str(_l("First text")), base_revision=0)
    return proposal


def text_size_error(text: str | None) -> str | None:
    """Why a proposal text is too large to keep, in words; None when it fits."""
    text = text or ""
    if len(text) > MAX_TEXT:
        return str(_l("This text is too long: %(size)d characters, the limit is %(n)d. Shorten it "
                      "or move annexes to a separate document.", size=len(text), n=MAX_TEXT))
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        return str(_l("This text is too large: %(size)d kB, the limit is %(n)d kB. Shorten it or "
                      "move annexes to a separate document.",
                      size=len(text.encode("utf-8")) // 1000, n=MAX_TEXT_BYTES // 1000))
    return None


def check_text_size(text: str | None) -> None:
    if (message := text_size_error(text)) is not None:
        raise Invalid(message, field="text")


def can_read_body_as(person: Person, body: Body) -> bool:
    return body.id in viewer_for(person).participant_body_ids


def revise(
    proposal: Proposal, author: Person, text: str, *, summary: str = "", base_revision: int
) -> Revision:
    """Save a new revision. ``base_revision`` is the number the author started from: if someone
    saved in between, the save is refused rather than overwriting their work. Members of a body
    bringing it jointly revise it too."""
    require_can_take_part(author, proposal)
    if Phase(proposal.phase) not in EDITABLE_PHASES:
        raise Conflict(_l("The text can no longer be edited in the phase “%(phase)s”.",
                          phase=Phase(proposal.phase).label))
    if base_revision != proposal.revision_number:
        raise Conflict(
            _l("Someone saved a newer version while you were editing. Your text is kept below; "
               "compare it with the current version and save again."),
            current_revision=proposal.revision_number,
        )
    check_text_size(text)
    text = clean_text(text, max_length=MAX_TEXT, field="text")
    summary = clean_text(summary, max_length=200, field="summary", required=False)
    current = proposal.current_revision
    if current is not None and current.text == text:
        raise Invalid(_l("Nothing changed in the text."), field="text")
    proposal.revision_number += 1
    revision = Revision(proposal=proposal, number=proposal.revision_number, text=text,
                        summary=summary, author_id=author.id)
    db.session.add(revision)
    _record(proposal, EventKind.REVISED, actor=author, reason=summary,
            data={"revision": revision.number})
    return revision


def revisions_of(proposal: Proposal, *, latest: int | None = None) -> list[Revision]:
    """A proposal's revisions, the newest first (``latest`` of them), without their texts: what
    a list of revisions shows."""
    select = (sa.select(Revision).where(Revision.proposal_id == proposal.id)
              .options(load_only(Revision.number, Revision.created_at, Revision.summary,
                                 Revision.author_id))
              .order_by(Revision.number.desc()))
    if latest is not None:
        select = select.limit(latest)
    return list(db.session.scalars(select))


def get_revision(proposal: Proposal, number: int) -> Revision:
    """A revision of this proposal only: numbers of other proposals are not reachable."""
    found = db.session.scalars(sa.select(Revision).where(
        Revision.proposal_id == proposal.id, Revision.number == number)).first()
    if found is None:
        raise NotFound(_l("This proposal has no revision %(n)d.", n=number))
    return found


def restore_revision(proposal: Proposal, actor: Person, number: int, *,
                     base_revision: int) -> Revision:
    """Bring back the text of an earlier revision as a new revision: history is never rewritten,
    and the same phase and concurrency rules as any edit apply."""
    old = get_revision(proposal, number)
    return revise(proposal, actor, old.text, base_revision=base_revision,
                  summary=str(_l("Restored revision %(n)d", n=number)))


# --- transitions ---------------------------------------------------------------------------

def start_drafting(proposal: Proposal, actor: Person, reason: str = "") -> ProposalEvent:
    return _transition(proposal, Phase.DRAFTING, actor=actor, reason=_reason(reason),
                       action="start_drafting")


def withdraw(proposal: Proposal, actor: Person, reason: str,
             meeting: Meeting | None = None) -> ProposalEvent:
    return _transition(proposal, Phase.WITHDRAWN, actor=actor,
                       reason=_reason(reason, required=True), meeting=meeting)


def delegate(
    proposal: Proposal,
    actor: Person,
    *,
    working_group: Body,
    mandate: str,
    return_date: date,
    return_body: Body | None = None,
    reason: str = "",
    meeting: Meeting | None = None,
) -> ProposalEvent:
    """Hand the proposal to a working group with a mandate, a return date and the body it
    returns to."""
    return_body = return_body or proposal.body
    for body, field in ((working_group, "working_group_id"), (return_body, "return_body_id")):
        if body is None or body.collective_id != proposal.collective_id:
            raise Invalid(_l("Choose a body of this collective."), field=field)
    if working_group.kind != BodyKind.WORKING_GROUP:
        raise Invalid(_l("A proposal can only be delegated to a working group."),
                      field="working_group_id")
    mandate = clean_text(mandate, max_length=MAX_TEXT, field="mandate")
    return_date = _date(return_date, "return_date", not_before=utcnow().date())
    event = _transition(
        proposal, Phase.DELEGATED, actor=actor, reason=_reason(reason), meeting=meeting,
        data={"working_group": working_group.id, "mandate": mandate,
              "return_date": return_date.isoformat(), "return_body": return_body.id},
    )
    proposal.delegated_to_id, proposal.mandate = working_group.id, mandate
    proposal.return_date, proposal.return_body_id = return_date, return_body.id
    return event


def _clear_delegation(proposal: Proposal) -> None:
    proposal.delegated_to_id = proposal.mandate = None
    proposal.return_date = proposal.return_body_id = None


def return_from_delegation(proposal: Proposal, actor: Person, note: str) -> ProposalEvent:
    """The working group hands its work back to drafting, with a note of what it did."""
    event = _transition(proposal, Phase.DRAFTING, actor=actor,
                        reason=_reason(note, required=True, field="reason"),
                        action="return_from_delegation")
    _clear_delegation(proposal)
    return event


def return_onto_next_agenda(proposal: Proposal, actor: Person, note: str) -> AgendaItem:
    """The working group hands its work back onto the next agenda of the body it returns to,
    with a note of what it did. Only the deciding body's meetings can take it up."""
    require_can_act(actor, proposal)
    if Phase(proposal.phase) != Phase.DELEGATED:
        raise Conflict(_l("Only a delegated proposal can be returned by its working group."))
    note = _reason(note, required=True)
    returns_to = proposal.return_body or proposal.body
    if returns_to.id != proposal.body_id:
        raise Conflict(_l("This proposal returns to %(returns)s, but only %(body)s can decide it. "
                          "Return it to drafting instead and bring it to %(returns)s from there.",
                          returns=returns_to.name, body=proposal.body.name))
    meeting = meetings.next_meeting(returns_to)
    if meeting is None:
        raise Conflict(_l("%(body)s has no upcoming meeting. Plan one first, or return the "
                          "proposal to drafting.", body=returns_to.name))
    return put_on_agenda(proposal, actor, meeting, reason=note)


@dataclass(frozen=True)
class Mandate:
    """A proposal delegated to a working group, with the days left until its return date."""

    proposal: Proposal
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def mandates(delegated: list[Proposal], timezone: str, now=None) -> list[Mandate]:
    """Overdue mandates first (the longest overdue at the top), then by return date. Days are
    counted in the collective's own time zone."""
    today = (now or utcnow()).astimezone(ZoneInfo(timezone)).date()
    found = [Mandate(p, (p.return_date - today).days) for p in delegated if p.return_date]
    return sorted(found, key=lambda m: (not m.overdue, m.days_left, m.proposal.id))


def put_on_agenda(
    proposal: Proposal,
    actor: Person,
    meeting: Meeting | None = None,
    *,
    reason: str = "",
    time_box_minutes: int = 15,
) -> AgendaItem:
    """Schedule the proposal on a meeting of its deciding body (by default the next one)."""
    meeting = meeting or meetings.next_meeting(proposal.body)
    if meeting is None:
        raise Conflict(_l("%(body)s has no upcoming meeting. Plan one first.",
                          body=proposal.body.name))
    if meeting.body_id != proposal.body_id:
        raise Invalid(_l("Only a meeting of %(body)s can decide this proposal.",
                         body=proposal.body.name), field="meeting_id")
    if meeting.status == MeetingStatus.CLOSED or meeting.cancelled_at is not None:
        raise Conflict(_l("That meeting is over or cancelled."))
    came_from = Phase(proposal.phase)
    _transition(proposal, Phase.ON_AGENDA, actor=actor, reason=_reason(reason),
                meeting=meeting, data={"meeting": meeting.id})
    if came_from == Phase.DELEGATED:
        _clear_delegation(proposal)
    item = meetings.open_item(proposal.id, meeting)
    if item is None:
        kind = ItemKind.CARRIED_OVER if came_from == Phase.POSTPONED else ItemKind.PROPOSAL
        item = meetings.add_item(meeting, kind=kind, actor=actor, proposal=proposal,
                                 time_box_minutes=time_box_minutes)
    return item


def back_to_drafting(proposal: Proposal, actor: Person, reason: str = "",
                     meeting: Meeting | None = None) -> ProposalEvent:
    return _transition(proposal, Phase.DRAFTING, actor=actor, reason=_reason(reason),
                       meeting=meeting, action="back_to_drafting")


def _positions(raw: list[dict], *, allow_block: bool) -> list[dict]:
    cleaned = []
    for position in raw:
        kind = position.get("kind")
        if kind not in set(PositionKind):
            raise Invalid(_l("Unknown kind of position."), field="positions")
        if kind == PositionKind.BLOCK and not allow_block:
            raise Conflict(_l("A block means there is no consensus: postpone the proposal, "
                              "delegate it, or take it back to drafting."))
        name = clean_text(position.get("name"), max_length=80, field="positions")
        reason = clean_text(position.get("reason"), max_length=MAX_REASON, field="positions",
                            required=kind == PositionKind.BLOCK)
        cleaned.append({"kind": str(kind), "name": name, "reason": reason,
                        "person_id": position.get("person_id")})
    return cleaned


def postpone(
    proposal: Proposal,
    actor: Person,
    reason: str,
    *,
    meeting: Meeting | None = None,
    blocks: list[dict] = (),
) -> ProposalEvent:
    """Disagreement persisted: the proposal goes onto the next meeting of its body, carrying
    the reasons and any blocks (each with its reason)."""
    blocks = _positions([dict(b, kind=PositionKind.BLOCK) for b in blocks], allow_block=True)
    event = _transition(proposal, Phase.POSTPONED, actor=actor,
                        reason=_reason(reason, required=True), meeting=meeting,
                        data={"blocks": blocks})
    meetings.carry_to_next_meeting(proposal)
    return event


def _resolved_blocks(proposal: Proposal) -> list[tuple[dict, int | None]]:
    """Blocks raised since the last agreement, each with the meeting where it was raised."""
    since = max((a.agreed_at for a in proposal.agreements), default=None)
    events = db.session.scalars(
        sa.select(ProposalEvent).where(
            ProposalEvent.proposal_id == proposal.id, ProposalEvent.to_phase == Phase.POSTPONED
        ).order_by(ProposalEvent.seq)
    )
    return [(block, event.meeting_id) for event in events
            if since is None or event.at > since for block in event.data.get("blocks", [])]


def record_agreement(
    proposal: Proposal,
    actor: Person,
    *,
    meeting: Meeting,
    review_date: date,
    implementers: str = "",
    implementer_body: Body | None = None,
    deadline: date | None = None,
    positions: list[dict] = (),
    present: list[Person] = (),
    guests_present: int = 0,
    agreed_revision: int | None = None,
    reason: str = "",
) -> Agreement:
    """Consensus reached at a meeting of the deciding body. The exact revision is pinned."""
    _check_meeting(proposal, meeting, deciding=True)
    revision = proposal.current_revision
    if revision is None:
        raise Conflict(_l("There is no text to agree on yet. Write the proposal first."))
    if agreed_revision is not None and agreed_revision != revision.number:
        raise Conflict(_l("The text changed since it was read to the meeting. Read the current "
                          "version before recording the agreement."))
    today = utcnow().date()
    review_date = _date(review_date, "review_date", not_before=today)
    deadline = _date(deadline, "deadline", required=False, not_before=today)
    if implementer_body is not None and implementer_body.collective_id != proposal.collective_id:
        raise Invalid(_l("Choose a body of this collective."), field="implementer_body_id")
    if not 0 <= guests_present <= 10_000:
        raise Invalid(_l("Give the number of guests present."), field="guests_present")
    cleaned = _positions(list(positions), allow_block=False)
    resolved = _resolved_blocks(proposal)
    _transition(proposal, Phase.AGREED, actor=actor, reason=_reason(reason), meeting=meeting,
                data={"revision": revision.number, "review_date": review_date.isoformat()},
                action="agree")
    agreement = Agreement(
        proposal=proposal, revision=revision, body_id=proposal.body_id, meeting_id=meeting.id,
        recorded_by_id=actor.id,
        implementers=clean_text(implementers, max_length=2000, field="implementers",
                                required=False),
        implementer_body_id=getattr(implementer_body, "id", None), deadline=deadline,
        review_date=review_date, guests_present=guests_present, present=list(present),
    )
    db.session.add(agreement)
    for position in cleaned:
        agreement.positions.append(AgreementPosition(
            name=position["name"], kind=position["kind"], reason=position["reason"],
            person_id=position["person_id"]))
    for block, raised_at in resolved:
        agreement.positions.append(AgreementPosition(
            name=block["name"], kind=PositionKind.BLOCK, reason=block["reason"],
            person_id=block.get("person_id"), resolved_at_meeting_id=raised_at))
    proposal.review_date = review_date
    db.session.flush()
    return agreement


def open_review(proposal: Proposal, actor: Person, reason: str = "",
                meeting: Meeting | None = None) -> ProposalEvent:
    """Re-evaluation opens when its date has come, or earlier when any member asks (with a
    reason)."""
    early = proposal.review_date is not None and proposal.review_date > utcnow().date()
    return _transition(proposal, Phase.UNDER_REVIEW, actor=actor,
                       reason=_reason(reason, required=early), meeting=meeting,
                       data={"early": early})


def _end_review(proposal: Proposal, actor: Person, target: Phase, *, reason: str,
                process_note: str, meeting: Meeting | None, data: dict | None = None,
                reason_required: bool = False) -> ProposalEvent:
    note = clean_text(process_note, max_length=MAX_REASON, field="process_note", required=False)
    return _transition(proposal, target, actor=actor,
                       reason=_reason(reason, required=reason_required), meeting=meeting,
                       data={**(data or {}), "process_note": note},
                       action=REVIEW_OUTCOMES[target])


# A review ends in one of three ways; each needs the agreement to be under review.
REVIEW_OUTCOMES = {Phase.AGREED: "confirm", Phase.DRAFTING: "amend", Phase.RETIRED: "retire"}


def confirm_agreement(proposal: Proposal, actor: Person, *, next_review_date: date,
                      reason: str = "", process_note: str = "",
                      meeting: Meeting | None = None) -> ProposalEvent:
    next_review_date = _date(next_review_date, "next_review_date",
                             not_before=utcnow().date())
    event = _end_review(proposal, actor, Phase.AGREED, reason=reason, process_note=process_note,
                        meeting=meeting, data={"review_date": next_review_date.isoformat()})
    proposal.agreement.review_date = proposal.review_date = next_review_date
    return event


def _end_agreement(proposal: Proposal, status: AgreementStatus) -> None:
    agreement = proposal.agreement
    agreement.status, agreement.ended_at = status, utcnow()
    proposal.review_date = None


def amend_agreement(proposal: Proposal, actor: Person, *, reason: str, process_note: str = "",
                    meeting: Meeting | None = None) -> ProposalEvent:
    """The agreement goes back to drafting; once agreed again a new agreement is recorded."""
    agreement = proposal.agreement
    event = _end_review(proposal, actor, Phase.DRAFTING, reason=reason,
                        process_note=process_note, meeting=meeting, reason_required=True,
                        data={"agreement": getattr(agreement, "id", None)})
    _end_agreement(proposal, AgreementStatus.AMENDED)
    return event


def retire_agreement(proposal: Proposal, actor: Person, *, reason: str, process_note: str = "",
                     meeting: Meeting | None = None) -> ProposalEvent:
    event = _end_review(proposal, actor, Phase.RETIRED, reason=reason,
                        process_note=process_note, meeting=meeting, reason_required=True)
    _end_agreement(proposal, AgreementStatus.RETIRED)
    return event


def take_up_agenda(meeting: Meeting, actor: Person) -> None:
    """When a meeting starts, carried-over proposals come back on the agenda and due
    re-evaluations open."""
    for item in meeting.items:
        proposal = item.proposal
        if proposal is None or item.outcome is not None:
            continue
        if proposal.phase == Phase.POSTPONED:
            _transition(proposal, Phase.ON_AGENDA, actor=actor, meeting=meeting,
                        reason=proposal.phase_reason, data={"meeting": meeting.id,
                                                           "carried_over": True})
        elif proposal.phase == Phase.AGREED and item.kind == ItemKind.REVIEW:
            _transition(proposal, Phase.UNDER_REVIEW, actor=actor, meeting=meeting,
                        reason=str(_l("The re-evaluation date has come.")))


def begin_meeting(meeting: Meeting, actor: Person) -> Meeting:
    meetings.start_meeting(meeting, actor)
    take_up_agenda(meeting, actor)
    return meeting


def due_for_review(viewer: Viewer, body: Body, on: date | None = None, *,
                   limit: int | None = None) -> list[Proposal]:
    """Agreements of this body whose re-evaluation date has come, the longest due first, among
    those this viewer may read (selected before the limit: a closed one never takes a place)."""
    on = on or utcnow().date()
    return list(db.session.scalars(
        visible_proposals(viewer)
        .where(Proposal.body_id == body.id, Proposal.phase == Phase.AGREED,
               Proposal.review_date <= on)
        .order_by(Proposal.review_date, Proposal.id).limit(limit)
    ))
