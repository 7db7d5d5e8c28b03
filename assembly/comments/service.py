"""The rules of comments: who may write, edit, withdraw and resolve them, and where each one is
shown after the proposal's text has changed. Views and (later) the live layer call these."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from assembly.comments.models import Comment, CommentVersion
from assembly.core.db import utcnow
from assembly.core.errors import Conflict, Forbidden, Invalid, NotFound
from assembly.extensions import db
from assembly.people.models import Person
from assembly.people.service import clean_text
from assembly.proposals.models import Proposal, Revision
from assembly.proposals.service import require_can_act
from assembly.visibility import Viewer, visible_proposals

MAX_BODY = 20_000
# Deeper replies join the thread at this depth, so a long exchange stays readable on a phone.
MAX_DEPTH = 6
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_SPACES = re.compile(r"\s+")



# --- paragraphs ----------------------------------------------------------------------------

def paragraphs(text: str | None) -> list[str]:
    """The paragraphs of a revision: its text split on blank lines."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return [part.strip() for part in _BLANK_LINE.split(text) if part.strip()]


def paragraph_hash(paragraph: str) -> str:
    """Stable across re-wrapping and trailing spaces: only the words and their order count."""
    normal = _SPACES.sub(" ", unicodedata.normalize("NFC", paragraph)).strip()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


# --- reading -------------------------------------------------------------------------------

@dataclass
class Thread:
    comment: Comment
    replies: list[Thread] = field(default_factory=list)
    # The anchored paragraph is no longer in the current text as it was.
    paragraph_changed: bool = False


@dataclass
class ParagraphComments:
    index: int
    text: str
    threads: list[Thread] = field(default_factory=list)


@dataclass
class ProposalComments:
    revision: Revision | None
    paragraphs: list[ParagraphComments]
    # Anchored to paragraphs that changed and whose place is gone: shown at the end.
    unplaced: list[Thread]
    whole: list[Thread]
    count: int


def _readable_proposal_ids(viewer: Viewer):
    readable = visible_proposals(viewer).subquery()
    return sa.select(readable.c.id)


def _require_readable(viewer: Viewer, proposal: Proposal) -> None:
    readable = visible_proposals(viewer).where(Proposal.id == proposal.id).subquery()
    if not db.session.scalar(sa.select(sa.func.count()).select_from(readable)):
        raise NotFound(_l("%(what)s not found.", what=_l("Proposal")))


def get_comment(viewer: Viewer, proposal: Proposal, comment_id: int) -> Comment:
    """A comment of this proposal that this viewer may read; anything else is not found."""
    found = db.session.scalars(
        sa.select(Comment).where(
            Comment.id == comment_id,
            Comment.proposal_id == proposal.id,
            Comment.proposal_id.in_(_readable_proposal_ids(viewer)),
        )
    ).first()
    if found is None:
        raise NotFound(_l("%(what)s not found.", what=_l("Comment")))
    return found


def _threads(comments: list[Comment]) -> list[Thread]:
    """Roots in order, each with its replies nested under it."""
    nodes = {c.id: Thread(c) for c in comments}
    roots = []
    for comment in comments:
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        (parent.replies if parent else roots).append(nodes[comment.id])
    return roots


def _place(thread: Thread, current: list[str], hashes: list[str]) -> int | None:
    """Where a paragraph comment goes in the current text: the paragraph with the same words
    (nearest to where it was), else the same place marked as changed, else nowhere (None)."""
    comment = thread.comment
    matches = [i for i, h in enumerate(hashes) if h == comment.paragraph_hash]
    if matches:
        return min(matches, key=lambda i: abs(i - (comment.paragraph_index or 0)))
    thread.paragraph_changed = True
    index = comment.paragraph_index or 0
    return index if index < len(current) else None


def comments_for(viewer: Viewer, proposal: Proposal) -> ProposalComments:
    """Every comment of a proposal this viewer may read, grouped by paragraph of the current
    revision."""
    _require_readable(viewer, proposal)
    comments = list(db.session.scalars(
        sa.select(Comment)
        .where(Comment.proposal_id == proposal.id,
               Comment.proposal_id.in_(_readable_proposal_ids(viewer)))
        .options(selectinload(Comment.author), selectinload(Comment.versions),
                 selectinload(Comment.resolved_by))
        .order_by(Comment.created_at, Comment.id)
    ))
    revision = proposal.current_revision
    current = paragraphs(revision.text if revision else "")
    hashes = [paragraph_hash(p) for p in current]
    placed = [ParagraphComments(i, text) for i, text in enumerate(current)]
    unplaced, whole = [], []
    for thread in _threads(comments):
        if thread.comment.paragraph_hash is None:
            whole.append(thread)
            continue
        index = _place(thread, current, hashes)
        (placed[index].threads if index is not None else unplaced).append(thread)
    return ProposalComments(revision, placed, unplaced, whole, len(comments))


# --- writing -------------------------------------------------------------------------------

def _body(text: str | None) -> str:
    return clean_text(text, max_length=MAX_BODY, field="body")


def _new(proposal: Proposal, author: Person, body: str, **anchor) -> Comment:
    require_can_act(author, proposal)
    body = _body(body)
    comment = Comment(proposal=proposal, author_id=author.id, body=body, **anchor)
    db.session.add(comment)
    comment.versions.append(CommentVersion(body=body, by_id=author.id, edited_at=utcnow()))
    db.session.flush()
    return comment


def _anchor(proposal: Proposal, revision_number: int | None, index: int | None) -> dict:
    if index is None:
        return {}
    revision = db.session.scalars(sa.select(Revision).where(
        Revision.proposal_id == proposal.id, Revision.number == revision_number)).first()
    found = paragraphs(revision.text) if revision else []
    if revision is None or not 0 <= index < len(found):
        raise Invalid(_l("This paragraph is no longer there. Reload the page and try again."),
                      field="body")
    return {"revision_id": revision.id, "paragraph_index": index,
            "paragraph_hash": paragraph_hash(found[index])}


def add_comment(proposal: Proposal, author: Person, body: str, *,
                revision_number: int | None = None, paragraph_index: int | None = None
                ) -> Comment:
    """A new thread, on one paragraph of the revision the author read, or on the whole
    proposal when no paragraph is given."""
    require_can_act(author, proposal)
    return _new(proposal, author, body, **_anchor(proposal, revision_number, paragraph_index))


def _depth(comment: Comment) -> int:
    depth = 0
    while comment.parent is not None:
        comment, depth = comment.parent, depth + 1
    return depth


def reply(parent: Comment, author: Person, body: str) -> Comment:
    if _depth(parent) >= MAX_DEPTH - 1 and parent.parent is not None:
        parent = parent.parent
    return _new(parent.proposal, author, body, parent_id=parent.id)


def _require_author(comment: Comment, person: Person) -> None:
    require_can_act(person, comment.proposal)
    if comment.author_id != person.id:
        raise Forbidden(_l("Only the author of a comment can change or withdraw it."))
    if comment.is_withdrawn:
        raise Conflict(_l("This comment has been withdrawn."))


def edit_own(comment: Comment, person: Person, body: str) -> Comment:
    """A new version; the earlier ones stay in the history."""
    _require_author(comment, person)
    body = _body(body)
    if body == comment.body:
        raise Invalid(_l("Nothing changed in the comment."), field="body")
    now = utcnow()
    comment.body, comment.edited_at = body, now
    comment.versions.append(CommentVersion(body=body, by_id=person.id, edited_at=now))
    db.session.flush()
    return comment


def withdraw_own(comment: Comment, person: Person) -> Comment:
    _require_author(comment, person)
    comment.withdrawn_at, comment.withdrawn_by_id = utcnow(), person.id
    db.session.flush()
    return comment


def _require_thread(comment: Comment, person: Person) -> None:
    require_can_act(person, comment.proposal)
    if comment.parent_id is not None:
        raise Conflict(_l("Only a whole thread can be resolved, not a single reply."))


def resolve(comment: Comment, person: Person) -> Comment:
    """Any member who may act on the proposal marks a thread as dealt with."""
    _require_thread(comment, person)
    if comment.is_resolved:
        raise Conflict(_l("This thread is already resolved."))
    comment.resolved_at, comment.resolved_by_id = utcnow(), person.id
    db.session.flush()
    return comment


def reopen(comment: Comment, person: Person) -> Comment:
    _require_thread(comment, person)
    if not comment.is_resolved:
        raise Conflict(_l("This thread is open already."))
    comment.resolved_at, comment.resolved_by_id = None, None
    db.session.flush()
    return comment


def can_comment(person: Person | None, proposal: Proposal) -> bool:
    if person is None or not getattr(person, "id", None):
        return False
    try:
        require_can_act(person, proposal)
    except Forbidden:
        return False
    return True


__all__ = [
    "MAX_BODY", "ParagraphComments", "ProposalComments", "Thread", "add_comment", "can_comment",
    "comments_for", "edit_own", "get_comment", "paragraph_hash", "paragraphs", "reopen", "reply",
    "resolve", "withdraw_own",
]
