"""What changed since a member last looked, and the due dates that concern them.

"Their bodies" are the bodies of the collectives (and networks) they belong to, and the
confidential bodies where they are a named participant; every read goes through
``assembly.visibility``, so nothing reaches a person that their pages would not show them.
Their own changes are left out: they know them already."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from assembly.collectives.models import PARTICIPANT_KINDS, Body
from assembly.comments.models import Comment
from assembly.core.db import utcnow
from assembly.digest.models import DigestState
from assembly.extensions import db
from assembly.implementation import service as implementation
from assembly.people.models import Person
from assembly.proposals.history import describe_event
from assembly.proposals.models import (
    Agreement,
    AgreementStatus,
    Phase,
    Proposal,
    ProposalEvent,
)
from assembly.proposals.service import mandates
from assembly.visibility import Viewer, viewer_for, visible_proposals

# Reloading the page within this time keeps showing the same "since".
VISIT_GAP = timedelta(minutes=30)
# A first visit (and the feed) looks this far back.
WINDOW = timedelta(days=30)
# Reviews this close (or already due) are listed among the due dates.
REVIEW_AHEAD = timedelta(days=30)
LIMIT = 100


# --- last visit ----------------------------------------------------------------------------

def state_of(person: Person) -> DigestState:
    state = db.session.scalars(
        sa.select(DigestState).where(DigestState.person_id == person.id)).first()
    if state is None:
        state = DigestState(person_id=person.id)
        db.session.add(state)
        db.session.flush()
    return state


def record_visit(person: Person, now: datetime | None = None) -> datetime | None:
    """The person opens their page: returns the time changes are shown since (None on a first
    visit). A reload within ``VISIT_GAP`` is the same visit and keeps the same "since"."""
    now = now or utcnow()
    state = state_of(person)
    if state.last_seen_at is None or now - state.last_seen_at > VISIT_GAP:
        state.previous_seen_at = state.last_seen_at
    state.last_seen_at = now
    db.session.flush()
    return state.previous_seen_at


def mark_all_seen(person: Person, now: datetime | None = None) -> None:
    now = now or utcnow()
    state = state_of(person)
    state.previous_seen_at = state.last_seen_at = now
    db.session.flush()


# --- the private feed link -----------------------------------------------------------------

def _signature(person_id: int, nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"digest-feed:{person_id}:{nonce}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def feed_token(person: Person) -> str:
    """The secret part of the person's feed link (made on first use)."""
    state = state_of(person)
    if state.feed_nonce is None:
        state.feed_nonce = secrets.token_hex(16)
        db.session.flush()
    return f"{person.id}-{_signature(person.id, state.feed_nonce)}"


def regenerate_feed_token(person: Person) -> str:
    """A new link; the old one stops working at once."""
    state_of(person).feed_nonce = secrets.token_hex(16)
    db.session.flush()
    return feed_token(person)


def person_for_token(token: str) -> Person | None:
    """The owner of a feed link, or None for any wrong, old or malformed token."""
    person_id, _sep, signature = (token or "").partition("-")
    if not person_id.isdigit() or len(person_id) > 12 or not signature:
        return None
    state = db.session.scalars(
        sa.select(DigestState).where(DigestState.person_id == int(person_id))).first()
    if state is None or state.feed_nonce is None:
        return None
    if not hmac.compare_digest(signature, _signature(state.person_id, state.feed_nonce)):
        return None
    return state.person


# --- what changed --------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    at: datetime
    proposal: Proposal
    text: str  # what happened, in words
    note: str = ""  # Markdown (a comment, an implementation note) or plain reason
    anchor: str = ""
    key: str = ""  # stable id within the feed


def _their_proposals(viewer: Viewer) -> sa.Select:
    """Ids of the proposals in this person's bodies that they may read."""
    mine = sa.or_(Proposal.collective_id.in_(viewer.collective_ids),
                  Body.id.in_(viewer.participant_body_ids))
    return visible_proposals(viewer).where(mine).with_only_columns(Proposal.id)


def _event_changes(person: Person, scope: sa.Select, since: datetime, limit: int):
    events = db.session.scalars(
        sa.select(ProposalEvent)
        .where(ProposalEvent.proposal_id.in_(scope), ProposalEvent.at > since,
               sa.or_(ProposalEvent.actor_id.is_(None), ProposalEvent.actor_id != person.id))
        .options(selectinload(ProposalEvent.proposal).selectinload(Proposal.collective),
                 selectinload(ProposalEvent.actor))
        .order_by(ProposalEvent.at.desc(), ProposalEvent.id.desc()).limit(limit)
    )
    return [Change(e.at, e.proposal, describe_event(e), e.reason, "history-heading",
                   f"event-{e.id}") for e in events]


def _comment_change(comment: Comment, since: datetime) -> Change:
    at = max(moment for moment in (comment.created_at, comment.edited_at) if moment)
    who = comment.name or _("someone")
    if comment.is_hidden:
        text, note = _("A comment was hidden."), ""
    elif comment.is_withdrawn:
        text, note = _("%(who)s withdrew a comment.", who=who), ""
    elif comment.created_at > since:
        text, note = _("%(who)s commented.", who=who), comment.body
    else:
        text, note = _("%(who)s edited a comment.", who=who), comment.body
    return Change(at, comment.proposal, text, note, f"comment-{comment.id}",
                  f"comment-{comment.id}-{int(at.timestamp())}")


def _comment_changes(person: Person, scope: sa.Select, since: datetime, limit: int):
    comments = db.session.scalars(
        sa.select(Comment)
        .where(Comment.proposal_id.in_(scope), Comment.held.is_(False),
               sa.or_(Comment.created_at > since, Comment.edited_at > since),
               sa.or_(Comment.author_id.is_(None), Comment.author_id != person.id))
        .options(selectinload(Comment.proposal).selectinload(Proposal.collective),
                 selectinload(Comment.author))
        .order_by(Comment.created_at.desc(), Comment.id.desc()).limit(limit)
    )
    return [_comment_change(c, since) for c in comments]


def changes(person: Person, since: datetime | None, *, now: datetime | None = None,
            limit: int = LIMIT) -> list[Change]:
    """Events on proposals (including delegations with their mandates and implementation
    updates) and comments in the person's bodies since a time, newest first."""
    since = since or (now or utcnow()) - WINDOW
    scope = _their_proposals(viewer_for(person))
    found = (_event_changes(person, scope, since, limit)
             + _comment_changes(person, scope, since, limit))
    return sorted(found, key=lambda change: change.at, reverse=True)[:limit]


# --- due dates -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Due:
    kind: str  # "mandate", "review" or "implementation"
    proposal: Proposal
    on: date
    days_left: int
    label: str

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def _today(proposal: Proposal, now: datetime) -> date:
    return implementation.local_today(proposal.collective.timezone, now)


def _mandates_due(viewer: Viewer, now: datetime) -> list[Due]:
    """Mandates held by the working groups the person takes part in."""
    delegated = db.session.scalars(
        visible_proposals(viewer).where(
            Proposal.phase == Phase.DELEGATED,
            Proposal.delegated_to_id.in_(viewer.participant_body_ids))
    ).all()
    by_zone = groupby(sorted(delegated, key=lambda p: p.collective.timezone),
                      key=lambda p: p.collective.timezone)
    return [Due("mandate", m.proposal, m.proposal.return_date, m.days_left,
                _("Mandate: the work returns by this date"))
            for zone, group in by_zone for m in mandates(list(group), zone, now)]


def _reviews_due(viewer: Viewer, now: datetime) -> list[Due]:
    """Agreements of the person's bodies whose re-evaluation is due or near. Their bodies: the
    assemblies of their collectives and the working groups they take part in."""
    theirs = sa.or_(Body.id.in_(viewer.participant_body_ids),
                    sa.and_(Body.kind.notin_(PARTICIPANT_KINDS),
                            Body.collective_id.in_(viewer.collective_ids)))
    agreed = db.session.scalars(
        visible_proposals(viewer).where(
            theirs, Proposal.phase == Phase.AGREED,
            Proposal.review_date <= (now + REVIEW_AHEAD).date())
    ).all()
    return [Due("review", p, p.review_date, (p.review_date - _today(p, now)).days,
                _("Re-evaluation of the agreement")) for p in agreed]


def _tasks_due(viewer: Viewer, now: datetime) -> list[Due]:
    """Agreements the person implements (through the implementer body), not yet complete."""
    rows = db.session.execute(
        visible_proposals(viewer).add_columns(Agreement).join(
            Agreement, Agreement.proposal_id == Proposal.id)
        .where(Agreement.status == AgreementStatus.IN_FORCE,
               Agreement.implementer_body_id.in_(viewer.participant_body_ids),
               Agreement.deadline.is_not(None),
               Agreement.id.not_in(implementation.completed_agreement_ids()))
    ).all()
    return [Due("implementation", p, a.deadline, (a.deadline - _today(p, now)).days,
                _("Implementation you take part in")) for p, a in rows]


def due_dates(person: Person, now: datetime | None = None) -> list[Due]:
    """Everything with a date that concerns the person, overdue first, then soonest."""
    now = now or utcnow()
    viewer = viewer_for(person)
    found = _mandates_due(viewer, now) + _reviews_due(viewer, now) + _tasks_due(viewer, now)
    return sorted(found, key=lambda due: (due.days_left, due.proposal.id, due.kind))
