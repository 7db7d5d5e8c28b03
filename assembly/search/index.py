"""Keeping the index current. No service calls this: after every flush, the rows that changed
(proposals and their revisions, agreements, minutes, comments, and the bodies and meetings whose
visibility decides who reads them) have their index rows rewritten in the same transaction.
``reindex()`` rebuilds everything (``flask assembly reindex``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from assembly.collectives.models import Body, Collective
from assembly.comments.models import Comment
from assembly.core.db import strictest
from assembly.live.models import Minutes
from assembly.meetings.models import Meeting
from assembly.proposals.models import Agreement, Proposal, Revision
from assembly.search.models import SearchDocument, SearchKind
from assembly.search.text import index_terms

CHUNK = 500
documents = SearchDocument.__table__


@dataclass
class Changes:
    """What a flush touched: rows to re-index, and parents whose change reaches their rows."""

    ids: dict[SearchKind, set[int]] = field(
        default_factory=lambda: {kind: set() for kind in SearchKind})
    proposals: set[int] = field(default_factory=set)  # their agreements and comments too
    bodies: set[int] = field(default_factory=set)  # everything in them
    meetings: set[int] = field(default_factory=set)  # their minutes

    def __bool__(self) -> bool:
        return any(self.ids.values()) or bool(self.proposals or self.bodies or self.meetings)


def _changed(session: Session, obj, *names: str) -> bool:
    """New or deleted, or one of ``names`` changed (any column when none is named)."""
    if obj in session.new or obj in session.deleted:
        return True
    if not names:
        return session.is_modified(obj, include_collections=False)
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def collect(session: Session) -> Changes:
    changes = Changes()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Proposal) and _changed(session, obj):
            changes.ids[SearchKind.PROPOSAL].add(obj.id)
            if _changed(session, obj, "title", "visibility", "phase", "body_id"):
                changes.proposals.add(obj.id)
        elif isinstance(obj, Revision) and _changed(session, obj):
            changes.ids[SearchKind.PROPOSAL].add(obj.proposal_id)
        elif isinstance(obj, Agreement) and _changed(session, obj):
            changes.ids[SearchKind.AGREEMENT].add(obj.id)
        elif isinstance(obj, Comment) and _changed(session, obj):
            changes.ids[SearchKind.COMMENT].add(obj.id)
        elif isinstance(obj, Minutes) and _changed(session, obj):
            changes.ids[SearchKind.MINUTES].add(obj.id)
        elif isinstance(obj, Meeting) and _changed(session, obj, "visibility", "title",
                                                   "starts_at"):
            changes.meetings.add(obj.id)
        elif isinstance(obj, Body) and _changed(session, obj, "visibility", "name"):
            changes.bodies.add(obj.id)
    return changes


@sa_event.listens_for(Session, "after_flush")
def _keep_index_current(session: Session, flush_context) -> None:
    changes = collect(session)
    if changes:
        refresh(session.connection(), changes)


# --- rewriting rows -------------------------------------------------------------------------

def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(i for i in ids if i is not None)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start:start + CHUNK]


def _ids(conn: Connection, column, key, values: set[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(values):
        found |= set(conn.scalars(sa.select(column).where(key.in_(chunk))))
    return found


def _expand(conn: Connection, changes: Changes) -> dict[SearchKind, set[int]]:
    ids = {kind: set(values) for kind, values in changes.ids.items()}
    proposals = set(changes.proposals)
    if changes.bodies:
        in_bodies = _ids(conn, Proposal.id, Proposal.body_id, changes.bodies)
        ids[SearchKind.PROPOSAL] |= in_bodies
        proposals |= in_bodies
        ids[SearchKind.MINUTES] |= _ids(conn, Minutes.id, Minutes.body_id, changes.bodies)
    if proposals:
        ids[SearchKind.AGREEMENT] |= _ids(conn, Agreement.id, Agreement.proposal_id, proposals)
        ids[SearchKind.COMMENT] |= _ids(conn, Comment.id, Comment.proposal_id, proposals)
    if changes.meetings:
        ids[SearchKind.MINUTES] |= _ids(conn, Minutes.id, Minutes.meeting_id, changes.meetings)
    return ids


def refresh(conn: Connection, changes: Changes) -> None:
    for kind, ids in _expand(conn, changes).items():
        for chunk in _chunks(ids):
            conn.execute(documents.delete().where(
                documents.c.kind == kind.value, documents.c.ref_id.in_(chunk)))
            rows = BUILDERS[kind](conn, chunk)
            if rows:
                conn.execute(documents.insert(), rows)


def _oldest_first() -> sa.Select:
    """Every item the index may hold, as (kind, id), by the date its row carries, oldest
    first: written in this order, the newest items get the highest ids, which is where a search
    for a common word looks (``search.service``)."""
    parts = [
        sa.select(sa.literal(SearchKind.PROPOSAL.value).label("kind"), Proposal.id.label("id"),
                  Proposal.updated_at.label("at")),
        sa.select(sa.literal(SearchKind.AGREEMENT.value), Agreement.id, Agreement.agreed_at),
        sa.select(sa.literal(SearchKind.MINUTES.value), Minutes.id, Meeting.starts_at)
        .join(Meeting, Meeting.id == Minutes.meeting_id),
        sa.select(sa.literal(SearchKind.COMMENT.value), Comment.id,
                  sa.func.coalesce(Comment.edited_at, Comment.created_at)),
    ]
    union = sa.union_all(*parts).subquery()
    return sa.select(union.c.kind, union.c.id).order_by(union.c.at, union.c.kind, union.c.id)


def reindex(conn: Connection) -> dict[SearchKind, int]:
    """Rebuild the whole index, oldest items first; returns how many rows each kind now has.
    Read in chunks (a server-side cursor where the database has one), so memory holds one
    chunk of rows, not the archive."""
    conn.execute(documents.delete())
    counts = dict.fromkeys(SearchKind, 0)
    keys = conn.execute(_oldest_first().execution_options(yield_per=CHUNK))
    for chunk in keys.partitions():
        order = {(kind, id_): n for n, (kind, id_) in enumerate(chunk)}
        rows = []
        for kind in SearchKind:
            ids = [id_ for k, id_ in chunk if k == kind.value]
            built = BUILDERS[kind](conn, ids) if ids else []
            counts[kind] += len(built)
            rows += built
        rows.sort(key=lambda row: order[(row["kind"], row["ref_id"])])
        if rows:
            conn.execute(documents.insert(), rows)
    return counts


# --- what each kind of item puts in the index -----------------------------------------------

def _document(kind: SearchKind, *, ref_id, parent_id, collective_id, body_id, visibilities,
              phase, languages, title, body, updated_at, context="") -> dict:
    title, body = (title or "")[:300], body or ""
    return {
        "kind": kind.value, "ref_id": ref_id, "parent_id": parent_id,
        "collective_id": collective_id, "body_id": body_id,
        "visibility": strictest(*visibilities).value, "phase": phase,
        "language": (languages or "").split(" ")[0][:10], "title": title,
        "context": (context or "")[:300], "body": body,
        "title_terms": index_terms(title), "body_terms": index_terms(body),
        "updated_at": updated_at,
    }


def _current_text():
    return (sa.select(Revision.text).where(Revision.proposal_id == Proposal.id)
            .order_by(Revision.number.desc()).limit(1).scalar_subquery())


def _languages() -> sa.ColumnElement:
    """A proposal's own language first, else its collective's (the first word is taken)."""
    return sa.func.coalesce(Proposal.language, Collective.languages).label("languages")


def _proposal_rows(conn: Connection, ids: list[int]) -> list[dict]:
    select = (
        sa.select(Proposal.id, Proposal.collective_id, Proposal.body_id, Proposal.visibility,
                  Body.visibility.label("body_visibility"), Proposal.phase, Proposal.title,
                  Proposal.updated_at, _languages(), _current_text().label("text"))
        .join(Body, Body.id == Proposal.body_id)
        .join(Collective, Collective.id == Proposal.collective_id)
        .where(Proposal.id.in_(ids)))
    return [_document(SearchKind.PROPOSAL, ref_id=r.id, parent_id=r.id,
                      collective_id=r.collective_id, body_id=r.body_id,
                      visibilities=(r.visibility, r.body_visibility), phase=r.phase,
                      languages=r.languages, title=r.title, body=r.text,
                      updated_at=r.updated_at)
            for r in conn.execute(select)]


def _agreement_rows(conn: Connection, ids: list[int]) -> list[dict]:
    select = (
        sa.select(Agreement.id, Agreement.proposal_id, Agreement.agreed_at,
                  Agreement.implementers, Revision.text, Proposal.collective_id,
                  Proposal.body_id, Proposal.visibility, Body.visibility.label("body_visibility"),
                  Proposal.phase, Proposal.title, _languages())
        .join(Proposal, Proposal.id == Agreement.proposal_id)
        .join(Revision, Revision.id == Agreement.revision_id)
        .join(Body, Body.id == Proposal.body_id)
        .join(Collective, Collective.id == Proposal.collective_id)
        .where(Agreement.id.in_(ids)))
    return [_document(SearchKind.AGREEMENT, ref_id=r.id, parent_id=r.proposal_id,
                      collective_id=r.collective_id, body_id=r.body_id,
                      visibilities=(r.visibility, r.body_visibility), phase=r.phase,
                      languages=r.languages, title=r.title,
                      body="\n\n".join(part for part in (r.text, r.implementers) if part),
                      updated_at=r.agreed_at)
            for r in conn.execute(select)]


def _minutes_rows(conn: Connection, ids: list[int]) -> list[dict]:
    select = (
        sa.select(Minutes.id, Minutes.meeting_id, Minutes.text, Minutes.visibility,
                  Meeting.visibility.label("meeting_visibility"), Meeting.collective_id,
                  Meeting.body_id, Meeting.title, Meeting.starts_at,
                  Body.visibility.label("body_visibility"), Body.name.label("body_name"),
                  Collective.languages)
        .join(Meeting, Meeting.id == Minutes.meeting_id)
        .join(Body, Body.id == Meeting.body_id)
        .join(Collective, Collective.id == Meeting.collective_id)
        .where(Minutes.id.in_(ids)))
    return [_document(SearchKind.MINUTES, ref_id=r.id, parent_id=r.meeting_id,
                      collective_id=r.collective_id, body_id=r.body_id,
                      visibilities=(r.visibility, r.meeting_visibility, r.body_visibility),
                      phase=None, languages=r.languages, title=r.title or r.body_name,
                      body=r.text, updated_at=r.starts_at)
            for r in conn.execute(select)]


def _shown_comments():
    """Conditions for a comment to be found: not withdrawn, nor hidden by moderation, nor held
    until a member approves it (those two where the comments package records them)."""
    conditions = [Comment.withdrawn_at.is_(None)]
    if hasattr(Comment, "hidden_at"):
        conditions.append(Comment.hidden_at.is_(None))
    if hasattr(Comment, "held"):
        conditions.append(Comment.held.is_(False))
    return conditions


def _comment_rows(conn: Connection, ids: list[int]) -> list[dict]:
    select = (
        sa.select(Comment.id, Comment.proposal_id, Comment.body, Comment.created_at,
                  Comment.edited_at, Proposal.collective_id, Proposal.body_id,
                  Proposal.visibility, Body.visibility.label("body_visibility"), Proposal.phase,
                  Proposal.title, Collective.languages)
        .join(Proposal, Proposal.id == Comment.proposal_id)
        .join(Body, Body.id == Proposal.body_id)
        .join(Collective, Collective.id == Proposal.collective_id)
        .where(Comment.id.in_(ids), *_shown_comments()))
    return [_document(SearchKind.COMMENT, ref_id=r.id, parent_id=r.proposal_id,
                      collective_id=r.collective_id, body_id=r.body_id,
                      visibilities=(r.visibility, r.body_visibility), phase=r.phase,
                      languages=r.languages, title="", context=r.title, body=r.body,
                      updated_at=r.edited_at or r.created_at)
            for r in conn.execute(select)]


BUILDERS = {
    SearchKind.PROPOSAL: _proposal_rows,
    SearchKind.AGREEMENT: _agreement_rows,
    SearchKind.MINUTES: _minutes_rows,
    SearchKind.COMMENT: _comment_rows,
}
