"""Rules of convergence (DESIGN.md §7).

*Co-bringing*: a proposal is brought jointly by several bodies, of its own collective or of
collectives sharing a network with it; the proposal's own body still decides it. Adding and
withdrawing a co-bringing body are steps of the proposal's append-only event log.

*Network agreements*: an agreement in force of a network shows in each member collective, which
records how it takes it up (under discussion, adopted, adapted) in an append-only history of its
own, without copying the text. Everything read goes through ``assembly.visibility``."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager, selectinload

from assembly.collectives.models import Body, Collective, NetworkMembership
from assembly.comments.models import Comment
from assembly.core.db import Visibility, utcnow
from assembly.core.errors import Conflict, Forbidden, Invalid, NotFound
from assembly.extensions import db
from assembly.meetings.models import Meeting
from assembly.networks.models import AdoptionState, NetworkAdoption, ProposalCoBringer
from assembly.people.models import Membership, Person
from assembly.people.service import clean_text, require_member
from assembly.proposals import service as proposals
from assembly.proposals.models import Agreement, AgreementStatus, EventKind, Phase, Proposal
from assembly.visibility import (
    Viewer,
    can_read_body,
    can_read_proposal,
    viewer_for,
    visible_bodies,
    visible_proposals,
)

MAX_NOTE = 20_000
LIST_LIMIT = 200


# --- which collectives converge --------------------------------------------------------------

def network_ids(collective_id: int) -> set[int]:
    """The networks a collective takes part in (for a network: none)."""
    return set(db.session.scalars(sa.select(NetworkMembership.network_id)
                                  .where(NetworkMembership.collective_id == collective_id)))


def related_collective_ids(collective: Collective) -> set[int]:
    """The collective itself, the networks it shares (it is in, or it is), and their members:
    the collectives whose bodies may bring its proposals jointly."""
    networks = {collective.id} if collective.is_network else network_ids(collective.id)
    members = set(db.session.scalars(sa.select(NetworkMembership.collective_id)
                                     .where(NetworkMembership.network_id.in_(networks))))
    return {collective.id} | networks | members


def _every_reader_sees_body(proposal: Proposal, body: Body) -> bool:
    """Co-bringing bodies are named on the proposal and in its history: whoever may read the
    proposal must be able to read the body's name too."""
    opened = proposals.effective_visibility(proposal)
    if body.visibility == Visibility.PUBLIC:
        return True
    if body.visibility == Visibility.CONFIDENTIAL or opened == Visibility.PUBLIC:
        return False
    # Both members-only: readers of the proposal are members of its collective (and, through
    # it, of its networks), who read members-only bodies of that collective and those networks.
    # Members of the bringing bodies read it too, but only while they may read every body it
    # names (assembly.visibility.co_bringing_filter).
    collective = proposal.collective
    return body.collective_id == proposal.collective_id or (
        not collective.is_network and body.collective_id in network_ids(collective.id))


# --- co-bringing ------------------------------------------------------------------------------

def _active(proposal: Proposal, body: Body) -> ProposalCoBringer | None:
    return db.session.scalars(sa.select(ProposalCoBringer).where(
        ProposalCoBringer.proposal_id == proposal.id, ProposalCoBringer.body_id == body.id,
        ProposalCoBringer.withdrawn_at.is_(None))).first()


def _require_open(proposal: Proposal) -> None:
    if Phase(proposal.phase) not in proposals.EDITABLE_PHASES:
        raise Conflict(_l("The bodies bringing a proposal can no longer change in the phase "
                          "“%(phase)s”.", phase=Phase(proposal.phase).label))


def _require_may_speak_for(actor: Person | None, proposal: Proposal, body: Body) -> None:
    """A member of the body's collective who may read both the proposal and the body."""
    require_member(actor, body.collective)
    viewer = viewer_for(actor)
    if not can_read_proposal(viewer, proposal) or not can_read_body(viewer, body):
        raise NotFound(_l("%(what)s not found.", what=_l("Proposal")))


def check_co_bringer(proposal: Proposal, body: Body) -> None:
    """The rules about the body itself, whoever asks."""
    if body.id == proposal.body_id:
        raise Invalid(_l("%(body)s already decides this proposal.", body=body.name),
                      field="body_id")
    if body.collective_id not in related_collective_ids(proposal.collective):
        raise Invalid(_l("Only bodies of %(name)s or of a collective sharing a network with it "
                         "can bring this proposal.", name=proposal.collective.name),
                      field="body_id")
    if proposals.effective_visibility(proposal) == Visibility.CONFIDENTIAL:
        raise Conflict(_l("A confidential proposal is brought by its own body only."))
    if not _every_reader_sees_body(proposal, body):
        raise Invalid(_l("%(body)s is more closed than this proposal: its readers could not "
                         "see who brings it.", body=body.name), field="body_id")


def add_co_bringer(proposal: Proposal, body: Body, actor: Person,
                   reason: str = "") -> ProposalCoBringer:
    """``body`` brings the proposal jointly from now on; recorded in the proposal's history."""
    _require_may_speak_for(actor, proposal, body)
    _require_open(proposal)
    check_co_bringer(proposal, body)
    if _active(proposal, body) is not None:
        raise Conflict(_l("%(body)s already brings this proposal.", body=body.name))
    reason = clean_text(reason, max_length=proposals.MAX_REASON, field="reason", required=False)
    co_bringer = ProposalCoBringer(proposal=proposal, body=body, added_by_id=actor.id,
                                   added_at=utcnow())
    db.session.add(co_bringer)
    db.session.flush()
    proposals._record(proposal, EventKind.CO_BRINGER_ADDED, actor=actor, reason=reason,
                      data=_event_data(co_bringer))
    return co_bringer


def withdraw_co_bringer(co_bringer: ProposalCoBringer, actor: Person,
                        reason: str = "") -> ProposalCoBringer:
    """The body no longer brings the proposal. The row stays (soft), and the history says so."""
    proposal, body = co_bringer.proposal, co_bringer.body
    _require_may_speak_for(actor, proposal, body)
    _require_open(proposal)
    if not co_bringer.is_active:
        raise Conflict(_l("%(body)s no longer brings this proposal.", body=body.name))
    reason = clean_text(reason, max_length=proposals.MAX_REASON, field="reason", required=False)
    co_bringer.withdrawn_at, co_bringer.withdrawn_by_id = utcnow(), actor.id
    proposals._record(proposal, EventKind.CO_BRINGER_WITHDRAWN, actor=actor, reason=reason,
                      data=_event_data(co_bringer))
    return co_bringer


def _event_data(co_bringer: ProposalCoBringer) -> dict:
    body = co_bringer.body
    return {"co_bringer": co_bringer.id, "body": body.id, "body_name": body.name,
            "collective": body.collective.name}


def get_co_bringer(proposal: Proposal, co_bringer_id: int) -> ProposalCoBringer:
    found = db.session.scalars(sa.select(ProposalCoBringer).where(
        ProposalCoBringer.id == co_bringer_id,
        ProposalCoBringer.proposal_id == proposal.id)).first()
    if found is None:
        raise NotFound(_l("%(what)s not found.", what=_l("Body")))
    return found


def co_bringers(viewer: Viewer, proposal: Proposal) -> list[ProposalCoBringer]:
    """The bodies bringing the proposal now, those this viewer may read."""
    return list(db.session.scalars(
        sa.select(ProposalCoBringer).join(Body, ProposalCoBringer.body_id == Body.id)
        .where(ProposalCoBringer.proposal_id == proposal.id,
               ProposalCoBringer.withdrawn_at.is_(None),
               Body.id.in_(visible_bodies(viewer).with_only_columns(Body.id)))
        .options(contains_eager(ProposalCoBringer.body).selectinload(Body.collective))
        .order_by(ProposalCoBringer.added_at, ProposalCoBringer.id)))


def candidate_bodies(person: Person | None, proposal: Proposal) -> list[Body]:
    """Bodies this person may add as co-bringers: readable, of a collective they are a member
    of, in the proposal's network, and passing the rules above. Empty when nothing can change."""
    if person is None or Phase(proposal.phase) not in proposals.EDITABLE_PHASES:
        return []
    viewer = viewer_for(person)
    if not can_read_proposal(viewer, proposal):
        return []
    allowed = related_collective_ids(proposal.collective) & set(viewer.collective_ids)
    active = sa.select(ProposalCoBringer.body_id).where(
        ProposalCoBringer.proposal_id == proposal.id, ProposalCoBringer.withdrawn_at.is_(None))
    found = db.session.scalars(
        visible_bodies(viewer).options(selectinload(Body.collective))
        .where(Body.collective_id.in_(allowed), Body.id != proposal.body_id,
               Body.id.not_in(active))
        .order_by(Body.collective_id, Body.name))
    return [body for body in found if _passes(proposal, body)]


def _passes(proposal: Proposal, body: Body) -> bool:
    try:
        check_co_bringer(proposal, body)
    except (Invalid, Conflict):
        return False
    return True


def require_may_co_bring(person: Person | None, proposal: Proposal) -> None:
    """Only members of a collective converging on the proposal may bring it jointly."""
    viewer = viewer_for(person)
    if viewer.is_anonymous or not related_collective_ids(proposal.collective) & set(
            viewer.collective_ids):
        raise Forbidden(_l("Only members of a collective in the same network can bring this "
                           "proposal jointly."))


def co_brought_ids(*, body_id: int | None = None, collective_id: int | None = None) -> sa.Select:
    """Ids of the proposals that a body (or the bodies of a collective) bring jointly now, to
    add to its lists, which still select through ``visible_proposals``. Never correlated with
    the body of the enclosing query (that is the deciding body)."""
    select = sa.select(ProposalCoBringer.proposal_id).where(
        ProposalCoBringer.withdrawn_at.is_(None))
    if body_id is not None:
        select = select.where(ProposalCoBringer.body_id == body_id)
    if collective_id is not None:
        bringing = sa.select(Body.id).where(Body.collective_id == collective_id).correlate(None)
        select = select.where(ProposalCoBringer.body_id.in_(bringing))
    return select.correlate(None)


def comment_origins(proposal: Proposal) -> dict[int, list[str]]:
    """For a proposal that collectives converge on (co-brought, or of a network): the
    collectives each commenter comes from, among those taking part. Empty otherwise."""
    bringing = set(db.session.scalars(
        sa.select(Body.collective_id).join(ProposalCoBringer, ProposalCoBringer.body_id == Body.id)
        .where(ProposalCoBringer.proposal_id == proposal.id)))
    collective = proposal.collective
    if not bringing and not collective.is_network:
        return {}
    taking_part = bringing | {collective.id}
    if collective.is_network:
        taking_part |= related_collective_ids(collective)
    rows = db.session.execute(
        sa.select(Comment.author_id, Collective.name).distinct()
        .join(Membership, Membership.person_id == Comment.author_id)
        .join(Collective, Collective.id == Membership.collective_id)
        .where(Comment.proposal_id == proposal.id, Collective.id.in_(taking_part))
        .order_by(Collective.name))
    found: dict[int, list[str]] = {}
    for author_id, name in rows:
        found.setdefault(author_id, []).append(name)
    return found


# --- network agreements -----------------------------------------------------------------------

@dataclass(frozen=True)
class NetworkAgreement:
    """A network's agreement in force, as one member collective sees it."""

    proposal: Proposal
    agreement: Agreement
    adoption: NetworkAdoption | None  # the collective's current step, if any

    @property
    def network(self) -> Collective:
        return self.proposal.collective


def _network_agreements(viewer: Viewer, collective: Collective) -> sa.Select:
    networks = sa.select(NetworkMembership.network_id).where(
        NetworkMembership.collective_id == collective.id)
    return (visible_proposals(viewer).add_columns(Agreement)
            .join(Agreement, Agreement.proposal_id == Proposal.id)
            .options(contains_eager(Proposal.body), selectinload(Proposal.collective))
            .where(Agreement.status == AgreementStatus.IN_FORCE,
                   Proposal.collective_id.in_(networks)))


def current_adoptions(collective: Collective, agreement_ids) -> dict[int, NetworkAdoption]:
    ids = list(agreement_ids)
    if not ids:
        return {}
    latest = (sa.select(sa.func.max(NetworkAdoption.id))
              .where(NetworkAdoption.collective_id == collective.id,
                     NetworkAdoption.agreement_id.in_(ids))
              .group_by(NetworkAdoption.agreement_id))
    return {a.agreement_id: a for a in db.session.scalars(
        sa.select(NetworkAdoption).where(NetworkAdoption.id.in_(latest)))}


def network_agreements(viewer: Viewer, collective: Collective,
                       limit: int = LIST_LIMIT) -> list[NetworkAgreement]:
    """Agreements in force of the networks ``collective`` is in, that this viewer may read,
    newest first, each with the collective's current adoption step."""
    if collective.is_network:
        return []
    rows = db.session.execute(_network_agreements(viewer, collective)
                              .order_by(Agreement.agreed_at.desc(), Agreement.id.desc())
                              .limit(limit)).all()
    adoptions = current_adoptions(collective, (a.id for _p, a in rows))
    return [NetworkAgreement(p, a, adoptions.get(a.id)) for p, a in rows]


def get_network_agreement(viewer: Viewer, collective: Collective,
                          agreement_id: int) -> NetworkAgreement:
    """One of them; unknown, not readable or not of this collective's networks look the same."""
    row = db.session.execute(_network_agreements(viewer, collective)
                             .where(Agreement.id == agreement_id)).first()
    if row is None or collective.is_network:
        raise NotFound(_l("%(what)s not found.", what=_l("Agreement")))
    proposal, agreement = row
    return NetworkAgreement(proposal, agreement,
                            current_adoptions(collective, [agreement.id]).get(agreement.id))


def adoption_history(collective: Collective, agreement: Agreement) -> list[NetworkAdoption]:
    return list(db.session.scalars(
        sa.select(NetworkAdoption).options(selectinload(NetworkAdoption.by),
                                           selectinload(NetworkAdoption.meeting),
                                           selectinload(NetworkAdoption.local_proposal))
        .where(NetworkAdoption.collective_id == collective.id,
               NetworkAdoption.agreement_id == agreement.id)
        .order_by(NetworkAdoption.id.desc())))


def _check_meeting(collective: Collective, meeting: Meeting | None) -> None:
    if meeting is not None and meeting.collective_id != collective.id:
        raise Invalid(_l("Choose a meeting of %(name)s.", name=collective.name),
                      field="meeting_id")


def _check_local_proposal(collective: Collective, proposal: Proposal | None) -> None:
    if proposal is not None and proposal.collective_id != collective.id:
        raise Invalid(_l("Choose a proposal of %(name)s.", name=collective.name),
                      field="local_proposal_id")


def record_adoption(collective: Collective, agreement_id: int, actor: Person, state: str, *,
                    note: str = "", meeting: Meeting | None = None,
                    local_proposal: Proposal | None = None) -> NetworkAdoption:
    """A member of ``collective`` records how it takes up a network agreement. Each step is a
    new row; nothing earlier changes."""
    require_member(actor, collective)
    if collective.is_network:
        raise Conflict(_l("A network records its own agreements, not adoptions."))
    found = get_network_agreement(viewer_for(actor), collective, agreement_id)
    if state not in set(AdoptionState):
        raise Invalid(_l("Choose how the collective takes it up."), field="state")
    note = clean_text(note, max_length=MAX_NOTE, field="note",
                      required=state == AdoptionState.ADAPTED)
    _check_meeting(collective, meeting)
    _check_local_proposal(collective, local_proposal)
    current = found.adoption
    if current is not None and (current.state, current.note, current.meeting_id,
                                current.local_proposal_id) == (
            state, note, getattr(meeting, "id", None), getattr(local_proposal, "id", None)):
        raise Invalid(_l("Nothing changed since the last step."), field="state")
    adoption = NetworkAdoption(
        agreement_id=found.agreement.id, collective_id=collective.id, state=str(state),
        note=note, by_id=actor.id, meeting_id=getattr(meeting, "id", None),
        local_proposal_id=getattr(local_proposal, "id", None), decided_at=utcnow())
    db.session.add(adoption)
    db.session.flush()
    return adoption


def adoptions_by_member(viewer: Viewer,
                        proposal: Proposal) -> list[tuple[Collective, NetworkAdoption | None]]:
    """For a network's agreement in force: each member collective with its current step (on the
    original agreement's page). Empty for other proposals or when the viewer may not read it."""
    if not proposal.collective.is_network:
        return []  # asked before its agreements are read: most proposals are not a network's
    agreement = proposal.agreement
    if agreement is None:
        return []
    if not can_read_proposal(viewer, proposal):
        return []
    members = db.session.scalars(
        sa.select(Collective).join(NetworkMembership,
                                   NetworkMembership.collective_id == Collective.id)
        .where(NetworkMembership.network_id == proposal.collective_id).order_by(Collective.name))
    latest = (sa.select(sa.func.max(NetworkAdoption.id))
              .where(NetworkAdoption.agreement_id == agreement.id)
              .group_by(NetworkAdoption.collective_id))
    steps = {a.collective_id: a for a in db.session.scalars(
        sa.select(NetworkAdoption).where(NetworkAdoption.id.in_(latest)))}
    return [(c, steps.get(c.id)) for c in members]


def require_can_record(actor: Person | None, collective: Collective) -> None:
    """For the page: only members record how their collective takes it up."""
    if actor is None:
        raise Forbidden(_l("Only members of %(name)s can do this.", name=collective.name))
    require_member(actor, collective)
