"""The proposals being decided on a collective's front door ("what is being decided now") and on
a body's page: a few, however large the archive grows, and the pages that continue the lists
fifty at a time, by keyset (``?after=``: the time and id of the last one shown, never an
OFFSET).

The list selects through ``assembly.visibility`` for the reader of the page and reads by the
index that holds its order (``proposals (collective_id, updated_at)``, or ``(body_id,
updated_at)``): the database walks the newest rows and stops after the few it shows. (The front
door's other lists are short by their LIMIT: ten meetings, ten agreements walked by
``agreements (status, agreed_at)``, ten network agreements.)"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager

from assembly.collectives.models import Body, Collective
from assembly.core.errors import NotFound
from assembly.extensions import db
from assembly.networks.service import co_brought_ids
from assembly.proposals.models import Phase, Proposal
from assembly.visibility import Viewer, visible_proposals

# What "being decided now" means: every phase between naming a need and an agreement in force,
# plus agreements being re-evaluated.
BEING_DECIDED = (Phase.IDENTIFIED, Phase.DRAFTING, Phase.DELEGATED, Phase.ON_AGENDA,
                 Phase.POSTPONED, Phase.UNDER_REVIEW)
# A body's page lists every proposal but its agreements, which have a list of their own.
NOT_AGREED = tuple(phase for phase in Phase if phase != Phase.AGREED)
# Proposals being decided on the front door; the rest are on the page that continues it.
FRONT_DOOR_SIZE = 30
PAGE_SIZE = 50
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CURSOR = re.compile(r"(\d{1,18})-(\d{1,12})")


def no_such_page() -> NotFound:
    """A page of a list that this module never linked to: made up, or not open to its reader."""
    return NotFound(_l("This page does not exist, or it is not open to you."))


@dataclass(frozen=True)
class Cursor:
    """Where a page of proposals ends: the last one's last change and id (ties broken by id)."""

    updated_at: datetime
    proposal_id: int

    @classmethod
    def after(cls, proposal: Proposal) -> Cursor:
        return cls(proposal.updated_at, proposal.id)

    @property
    def token(self) -> str:
        at = self.updated_at if self.updated_at.tzinfo else self.updated_at.replace(tzinfo=UTC)
        micros = (at - EPOCH) // timedelta(microseconds=1)
        return f"{micros}-{self.proposal_id}"

    @classmethod
    def parse(cls, token: str) -> Cursor:
        """A token this module wrote; anything else is no such page."""
        found = CURSOR.fullmatch(token or "")
        if not found:
            raise no_such_page()
        micros, proposal_id = int(found.group(1)), int(found.group(2))
        try:
            at = EPOCH + timedelta(microseconds=micros)
        except OverflowError:
            raise no_such_page() from None
        return cls(at, proposal_id)


@dataclass(frozen=True)
class Page:
    proposals: list[Proposal]
    next: Cursor | None  # where the next page starts, if there is one


def _older_than(cursor: Cursor | None) -> list:
    if cursor is None:
        return []
    at = cursor.updated_at
    # The first condition lets the index bound the walk; the second breaks ties by id.
    return [Proposal.updated_at <= at,
            sa.or_(Proposal.updated_at < at,
                   sa.and_(Proposal.updated_at == at, Proposal.id < cursor.proposal_id))]


def _newest_ids(select: sa.Select, limit: int, cursor: Cursor | None) -> sa.Select:
    newest = (select.where(*_older_than(cursor)).with_only_columns(Proposal.id)
              .order_by(Proposal.updated_at.desc(), Proposal.id.desc()).limit(limit)
              .subquery())
    return sa.select(newest.c.id)


def _scope(collective: Collective, body: Body | None) -> tuple[sa.ColumnElement, sa.Select]:
    """Whose proposals: (those it decides, the ids of those it brings jointly)."""
    if body is None:
        return (Proposal.collective_id == collective.id,
                co_brought_ids(collective_id=collective.id))
    return Proposal.body_id == body.id, co_brought_ids(body_id=body.id)


def being_decided(viewer: Viewer, collective: Collective,
                  phases: Iterable[str] = BEING_DECIDED, *, body: Body | None = None,
                  limit: int | None = None, after: Cursor | None = None) -> Page:
    """The proposals of ``collective`` (or of one of its bodies) in ``phases``, and those it
    brings jointly with others, changed last first: ``limit`` of them after ``after``. The two
    sources are each read newest first up to ``limit`` (one by index, one from the few
    co-brought proposals), then merged; an ``OR`` of the two would read every proposal in
    those phases."""
    limit = FRONT_DOOR_SIZE if limit is None else limit
    readable = visible_proposals(viewer).where(Proposal.phase.in_(list(phases)))
    deciding, co_brought = _scope(collective, body)
    own = readable.where(deciding)
    joint = readable.where(Proposal.id.in_(co_brought), sa.not_(deciding))
    ids = sa.union_all(_newest_ids(own, limit + 1, after),
                       _newest_ids(joint, limit + 1, after)).subquery()
    found = list(db.session.scalars(
        visible_proposals(viewer).options(contains_eager(Proposal.body))
        .where(Proposal.id.in_(sa.select(ids.c.id)))
        .order_by(Proposal.updated_at.desc(), Proposal.id.desc()).limit(limit + 1)))
    shown = found[:limit]
    return Page(shown, Cursor.after(shown[-1]) if len(found) > limit else None)
