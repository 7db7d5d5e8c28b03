"""Queries of the open archive read by machines: feeds, calendars and open-data exports.

Everything here reads as ``OPEN`` (the anonymous viewer of ``assembly.visibility``): a feed, a
calendar or an export is the same document for every reader, signed in or not, so it can be
shared, cached and subscribed to without leaking members-only or confidential items. Large
selections are read in keyset batches (``batches``), never all at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, selectinload

from assembly.collectives.models import Body, Collective
from assembly.core.db import utcnow
from assembly.extensions import db
from assembly.live.minutes import visible_minutes
from assembly.live.models import Minutes
from assembly.meetings.models import Meeting
from assembly.proposals.models import Agreement, Proposal, ProposalEvent, Revision
from assembly.visibility import ANONYMOUS, visible_bodies, visible_meetings, visible_proposals

OPEN = ANONYMOUS
FEED_SIZE = 50
CALENDAR_PAST_DAYS = 90
CALENDAR_SIZE = 500


@dataclass(frozen=True)
class Scope:
    """A collective (or network: its own items), optionally narrowed to one of its bodies."""

    collective: Collective
    body: Body | None = None

    def where(self, collective_column, body_column) -> list:
        conditions = [collective_column == self.collective.id]
        if self.body is not None:
            conditions.append(body_column == self.body.id)
        return conditions


# --- selections (all through assembly.visibility) -------------------------------------------

def proposals(scope: Scope) -> sa.Select:
    return (visible_proposals(OPEN).options(contains_eager(Proposal.body))
            .where(*scope.where(Proposal.collective_id, Proposal.body_id)))


def _proposal_ids(scope: Scope) -> sa.Select:
    return visible_proposals(OPEN).where(
        *scope.where(Proposal.collective_id, Proposal.body_id)).with_only_columns(Proposal.id)


def events(scope: Scope) -> sa.Select:
    return (sa.select(ProposalEvent).options(selectinload(ProposalEvent.actor))
            .where(ProposalEvent.proposal_id.in_(_proposal_ids(scope))))


def agreements(scope: Scope) -> sa.Select:
    return (sa.select(Agreement)
            .options(selectinload(Agreement.proposal), selectinload(Agreement.revision),
                     selectinload(Agreement.present), selectinload(Agreement.positions))
            .where(Agreement.proposal_id.in_(_proposal_ids(scope))))


def meetings(scope: Scope) -> sa.Select:
    return (visible_meetings(OPEN).options(contains_eager(Meeting.body))
            .where(*scope.where(Meeting.collective_id, Meeting.body_id)))


def minutes(scope: Scope) -> sa.Select:
    return (visible_minutes(OPEN)
            .options(selectinload(Minutes.meeting).selectinload(Meeting.body))
            .where(*scope.where(Minutes.collective_id, Minutes.body_id)))


def public_bodies(collective: Collective) -> dict[int, Body]:
    """The collective's bodies anyone may read, by id: other bodies are not even named."""
    found = db.session.scalars(visible_bodies(OPEN).where(Body.collective_id == collective.id))
    return {body.id: body for body in found}


def public_meeting_ids(ids: set[int]) -> set[int]:
    """Those of ``ids`` that anyone may read (an event may point at a closed meeting)."""
    if not ids:
        return set()
    return set(db.session.scalars(
        visible_meetings(OPEN).where(Meeting.id.in_(ids)).with_only_columns(Meeting.id)))


# --- batches and pages ----------------------------------------------------------------------

def batches(select: sa.Select, key, size: int, *, after: int = 0,
            limit: int | None = None) -> Iterator[list]:
    """Rows of ``select`` in ascending ``key``, ``size`` at a time (keyset pagination: each batch
    starts after the last key seen, so memory holds one batch, and no OFFSET scans)."""
    last, left = after, limit
    while left is None or left > 0:
        take = size if left is None else min(size, left)
        rows = db.session.scalars(select.where(key > last).order_by(key).limit(take)).all()
        if not rows:
            return
        yield rows
        last = getattr(rows[-1], key.key)
        if left is not None:
            left -= len(rows)
        if len(rows) < take:
            return


def next_page_after(select: sa.Select, key, *, after: int, limit: int) -> int | None:
    """The key to continue after when a page of ``limit`` rows is not the last one, else None.
    Reads at most ``limit + 1`` keys."""
    keys = db.session.scalars(
        select.with_only_columns(key).where(key > after).order_by(key).limit(limit + 1)).all()
    return keys[limit - 1] if len(keys) > limit else None


# --- what a batch of proposals carries ------------------------------------------------------

def events_by_proposal(ids: list[int]) -> dict[int, list[ProposalEvent]]:
    found: dict[int, list[ProposalEvent]] = defaultdict(list)
    for event in db.session.scalars(
        sa.select(ProposalEvent).options(selectinload(ProposalEvent.actor))
        .where(ProposalEvent.proposal_id.in_(ids))
        .order_by(ProposalEvent.proposal_id, ProposalEvent.seq)
    ):
        found[event.proposal_id].append(event)
    return found


def current_texts(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        sa.select(Revision.proposal_id, Revision.text)
        .join(Proposal, sa.and_(Proposal.id == Revision.proposal_id,
                                Proposal.revision_number == Revision.number))
        .where(Revision.proposal_id.in_(ids)))
    return dict(rows.all())


# --- feeds and calendars --------------------------------------------------------------------

def recent_events(scope: Scope, *, proposal: Proposal | None = None,
                  limit: int = FEED_SIZE) -> list[tuple[Proposal, ProposalEvent]]:
    in_scope = visible_proposals(OPEN).where(
        *scope.where(Proposal.collective_id, Proposal.body_id))
    if proposal is not None:
        in_scope = in_scope.where(Proposal.id == proposal.id)
    else:
        # The newest events belong to the proposals changed last: a proposal's updated_at is
        # the time of its last event (proposals.service), so ``limit`` proposals are enough,
        # read newest first by index, instead of every event of the archive being sorted.
        latest = (in_scope.with_only_columns(Proposal.id)
                  .order_by(Proposal.updated_at.desc(), Proposal.id.desc()).limit(limit))
        in_scope = in_scope.where(Proposal.id.in_(latest.scalar_subquery()))
    select = (in_scope.add_columns(ProposalEvent)
              .join(ProposalEvent, ProposalEvent.proposal_id == Proposal.id)
              .options(selectinload(ProposalEvent.actor)))
    select = select.order_by(ProposalEvent.at.desc(), ProposalEvent.id.desc()).limit(limit)
    return [(row[0], row[1]) for row in db.session.execute(select)]


def recent_minutes(scope: Scope, limit: int = FEED_SIZE) -> list[Minutes]:
    return list(db.session.scalars(
        minutes(scope).order_by(Minutes.created_at.desc(), Minutes.id.desc()).limit(limit)))


def calendar_meetings(scope: Scope) -> list[Meeting]:
    """Meetings from a few months back onwards, cancelled ones included (a calendar must learn
    that a meeting it already holds is cancelled)."""
    since = utcnow() - timedelta(days=CALENDAR_PAST_DAYS)
    return list(db.session.scalars(
        meetings(scope).where(Meeting.starts_at >= since)
        .order_by(Meeting.starts_at, Meeting.id).limit(CALENDAR_SIZE)))
