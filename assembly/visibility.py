"""The one query layer that decides who may read what. Every list, page, count and export
selects through these functions; nothing else filters on ``visibility``.

Rules (DESIGN.md §1): ``public`` is readable by anyone; ``members`` by members of the collective
(for a network, members of its member collectives); ``confidential`` only by the named
participants of the body. A proposal or meeting is as closed as the stricter of itself and its
body. A proposal brought jointly (DESIGN.md §7) is also read by those who take part in a bringing
body (``co_bringing_filter``), never when it is confidential and never by anyone without an
account."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import set_committed_value

from assembly.collectives.models import Body, BodyParticipant, Collective, NetworkMembership
from assembly.core.db import Visibility
from assembly.core.errors import NotFound
from assembly.extensions import db
from assembly.meetings.models import Meeting
from assembly.networks.models import ProposalCoBringer
from assembly.people.models import Membership, Person
from assembly.proposals.models import Proposal

PUBLIC = Visibility.PUBLIC.value
CONFIDENTIAL = Visibility.CONFIDENTIAL.value


@dataclass(frozen=True)
class Viewer:
    person_id: int | None = None
    # Collectives whose members-only content this person reads: their own and their networks.
    collective_ids: frozenset[int] = frozenset()
    participant_body_ids: frozenset[int] = frozenset()

    @property
    def is_anonymous(self) -> bool:
        return self.person_id is None

    def is_member_of(self, collective_id: int) -> bool:
        return collective_id in self.collective_ids


ANONYMOUS = Viewer()


def viewer_for(person: Person | None) -> Viewer:
    if person is None or not getattr(person, "id", None):
        return ANONYMOUS
    own = set(
        db.session.scalars(
            sa.select(Membership.collective_id).where(Membership.person_id == person.id)
        )
    )
    networks = set(
        db.session.scalars(
            sa.select(NetworkMembership.network_id).where(NetworkMembership.collective_id.in_(own))
        )
    ) if own else set()
    bodies = set(
        db.session.scalars(
            sa.select(BodyParticipant.body_id).where(BodyParticipant.person_id == person.id)
        )
    )
    return Viewer(person.id, frozenset(own | networks), frozenset(bodies))


def current_viewer() -> Viewer:
    """The viewer of this request, computed once per request."""
    if not has_request_context():
        return ANONYMOUS
    if "viewer" not in g:
        g.viewer = viewer_for(current_user if current_user.is_authenticated else None)
    return g.viewer


def forget_current_viewer() -> None:
    """Call after a change of membership within a request."""
    g.pop("viewer", None)


def _readable(viewer: Viewer, visibilities, collective_id, body_id):
    conditions = [sa.and_(*(v == PUBLIC for v in visibilities))]
    if viewer.collective_ids:
        conditions.append(
            sa.and_(
                *(v != CONFIDENTIAL for v in visibilities),
                collective_id.in_(viewer.collective_ids),
            )
        )
    if viewer.participant_body_ids:
        conditions.append(body_id.in_(viewer.participant_body_ids))
    return sa.or_(*conditions)


def readable_filter(viewer: Viewer, visibilities, collective_id, body_id):
    """The same rule, for tables that copy the visibility, collective and body of what they
    hold (the search index): a condition on those columns."""
    return _readable(viewer, visibilities, collective_id, body_id)


def body_filter(viewer: Viewer):
    return _readable(viewer, [Body.visibility], Body.collective_id, Body.id)


def visible_bodies(viewer: Viewer) -> sa.Select:
    return sa.select(Body).where(body_filter(viewer))


def takes_part_in_body(viewer: Viewer, body=Body):
    """Who works in a body (``body``: the Body entity or an alias): the members of its collective,
    and for a confidential body only its named participants. Never anyone without an account."""
    conditions = []
    if viewer.collective_ids:
        conditions.append(sa.and_(body.visibility != CONFIDENTIAL,
                                  body.collective_id.in_(viewer.collective_ids)))
    if viewer.participant_body_ids:
        conditions.append(body.id.in_(viewer.participant_body_ids))
    return sa.or_(*conditions) if conditions else sa.false()


def co_bringing_rows(viewer: Viewer, *, active: bool = True) -> sa.Select:
    """The co-bringing rows (active ones, or withdrawn ones) of bodies this viewer works in."""
    bringing = aliased(Body)
    when = (ProposalCoBringer.withdrawn_at.is_(None) if active
            else ProposalCoBringer.withdrawn_at.is_not(None))
    return (sa.select(ProposalCoBringer)
            .join(bringing, ProposalCoBringer.body_id == bringing.id)
            .where(when, takes_part_in_body(viewer, bringing)))


def _co_brought_ids(viewer: Viewer) -> sa.Select:
    return (co_bringing_rows(viewer).with_only_columns(ProposalCoBringer.proposal_id)
            .correlate(None))


def co_brought_readable_ids(viewer: Viewer) -> sa.Select | None:
    """Ids of the proposals this viewer reads because a body they work in brings them jointly
    (the rule above, through ``visible_proposals``), for what records a proposal's visibility
    apart from it, such as the search index. None for incomers."""
    if viewer.is_anonymous:
        return None
    return (visible_proposals(viewer).where(Proposal.id.in_(_co_brought_ids(viewer)))
            .with_only_columns(Proposal.id))


def co_bringing_filter(viewer: Viewer):
    """A proposal that a body this viewer works in brings jointly now: readable by them too,
    unless it is confidential (itself or its deciding body), and only when they may read every
    body its page and history name (the deciding body and each body that ever brought it), so
    reading through co-bringing never discloses a members-only body's name.
    For the statement ``visible_proposals`` builds (Proposal joined to its deciding Body)."""
    if viewer.is_anonymous:
        return sa.false()
    named = aliased(Body)
    hidden_name = (
        sa.select(ProposalCoBringer.id)
        .join(named, ProposalCoBringer.body_id == named.id)
        .where(ProposalCoBringer.proposal_id == Proposal.id,
               sa.not_(_readable(viewer, [named.visibility], named.collective_id, named.id)))
        .correlate(Proposal)
    )
    return sa.and_(
        Proposal.visibility != CONFIDENTIAL,
        Body.visibility != CONFIDENTIAL,
        Proposal.id.in_(_co_brought_ids(viewer)),
        _readable(viewer, [Body.visibility], Body.collective_id, Body.id),
        ~sa.exists(hidden_name),
    )


def visible_proposals(viewer: Viewer) -> sa.Select:
    return (
        sa.select(Proposal)
        .join(Body, Proposal.body_id == Body.id)
        .where(
            sa.or_(
                _readable(
                    viewer, [Proposal.visibility, Body.visibility], Proposal.collective_id, Body.id
                ),
                co_bringing_filter(viewer),
            )
        )
    )


def visible_meetings(viewer: Viewer) -> sa.Select:
    return (
        sa.select(Meeting)
        .join(Body, Meeting.body_id == Body.id)
        .where(
            _readable(viewer, [Meeting.visibility, Body.visibility], Meeting.collective_id, Body.id)
        )
    )


def count(select: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(select.subquery()))


def _one_or_404(select: sa.Select, what):
    found = db.session.scalars(select).first()
    if found is None:
        raise NotFound(_l("%(what)s not found.", what=what))
    return found


def get_collective(slug: str) -> Collective:
    """Collectives themselves are always public: their name and front door are the open door."""
    return _one_or_404(sa.select(Collective).where(Collective.slug == slug), _l("Collective"))


def get_body(viewer: Viewer, collective: Collective, slug: str) -> Body:
    select = visible_bodies(viewer).where(Body.collective_id == collective.id, Body.slug == slug)
    return _one_or_404(select, _l("Body"))


def get_proposal(viewer: Viewer, collective: Collective, proposal_id: int) -> Proposal:
    select = visible_proposals(viewer).where(
        Proposal.collective_id == collective.id, Proposal.id == proposal_id
    )
    found = _one_or_404(select, _l("Proposal"))
    # Its collective is the one in hand: without this, the page read it again once the
    # caller let go of it (the session holds objects weakly).
    set_committed_value(found, "collective", collective)
    return found


def get_meeting(viewer: Viewer, collective: Collective, meeting_id: int) -> Meeting:
    select = visible_meetings(viewer).where(
        Meeting.collective_id == collective.id, Meeting.id == meeting_id
    )
    return _one_or_404(select, _l("Meeting"))


def can_read_body(viewer: Viewer, body: Body) -> bool:
    return count(visible_bodies(viewer).where(Body.id == body.id)) == 1


# Several parts of one page ask whether a proposal is readable (its comments, translations,
# feed links): the answer is kept in the session until it next writes or begins anew.
_READABLE = "readable_proposals"


@sa.event.listens_for(Session, "after_flush")
@sa.event.listens_for(Session, "after_begin")
def _forget_readable(session, *args) -> None:
    session.info.pop(_READABLE, None)


def can_read_proposal(viewer: Viewer, proposal: Proposal) -> bool:
    kept = db.session.info.setdefault(_READABLE, {})
    key = (viewer, proposal.id)
    if key not in kept:
        kept[key] = count(visible_proposals(viewer).where(Proposal.id == proposal.id)) == 1
    return kept[key]
