"""The rules of comments: who may write, edit, withdraw and resolve them, and where each one is
shown after the proposal's text has changed. Views and (later) the live layer call these.

Writing, replying and resolving are taking part in the discussion
(``proposals.require_can_take_part``: members of the proposal's collective and of the bodies
bringing it jointly); approving, hiding and showing again are moderation by the proposal's own
collective (``proposals.require_can_act``), the only ones who see incomers' held comments."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from assembly.collectives.models import Collective, IncomerComments
from assembly.comments.models import Comment, CommentEvent, CommentEventKind, CommentVersion
from assembly.core.db import utcnow
from assembly.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from assembly.extensions import db
from assembly.people.models import Person
from assembly.people.service import clean_text, require_member
from assembly.proposals.models import Proposal, Revision
from assembly.proposals.service import require_can_act, require_can_take_part
from assembly.visibility import ANONYMOUS, Viewer, can_read_proposal

MAX_BODY = 20_000
# Incomers (no account) write shorter comments with few links: spam control that keeps the door
# open rather than closing it.
GUEST_MAX_BODY = 4_000
GUEST_MAX_NAME = 60
GUEST_MAX_LINKS = 2
# At most this many comments per guest id, and per network address (several people may share
# one, e.g. a clinic's wifi), within the window.
GUEST_LIMIT_PER_GUEST = 5
GUEST_LIMIT_PER_CLIENT = 20
GUEST_LIMIT_WINDOW = timedelta(minutes=10)
MAX_REASON = 2_000
_LINK = re.compile(r"(?:https?://|ftp://|mailto:|www\.)", re.IGNORECASE)
# Deeper replies join the thread at this depth, so a long exchange stays readable on a phone.
MAX_DEPTH = 6
# Comments a proposal page shows at first, the latest (with what they answer); the whole
# discussion is a link away. Rendering is what costs: about a millisecond a comment.
LATEST_SHOWN = 60
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_SPACES = re.compile(r"\s+")


class TooMany(DomainError):
    """Too many comments in a short time from one guest or one network address."""

    status = 429


@dataclass(frozen=True)
class Guest:
    """An incomer commenting without an account: the random id kept in their signed cookie,
    and a keyed hash of their network address (for the rate limit only)."""

    id: str
    client: str | None = None


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
    count: int  # shown
    # Incomers' comments waiting for a member's approval (shown to members, and to their guest).
    pending: list[Comment] = field(default_factory=list)
    total: int = 0  # shown or not

    @property
    def partial(self) -> bool:
        return self.total > self.count


def _require_readable(viewer: Viewer, proposal: Proposal) -> None:
    if not can_read_proposal(viewer, proposal):
        raise NotFound(_l("%(what)s not found.", what=_l("Proposal")))


def get_comment(viewer: Viewer, proposal: Proposal, comment_id: int) -> Comment:
    """A comment of this proposal that this viewer may read; anything else is not found."""
    # The proposal is checked on its own: an IN over every readable proposal walked them all.
    _require_readable(viewer, proposal)
    found = db.session.scalars(
        sa.select(Comment).where(Comment.id == comment_id, Comment.proposal_id == proposal.id)
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


def _held_filter(viewer: Viewer, proposal: Proposal, guest_id: str | None):
    """Held comments are for members (who approve them) and for the guest who wrote them."""
    if viewer.is_member_of(proposal.collective_id):
        return sa.true()
    if guest_id:
        return sa.or_(Comment.held.is_(False), Comment.guest_id == guest_id)
    return Comment.held.is_(False)


def _latest_with_what_they_answer(readable, latest: int) -> sa.Select:
    """Ids of the ``latest`` comments, every held comment (members approve them from this
    page), and the comments they answer up to their thread's first. A reply is always newer
    than what it answers, so a thread begun among the latest is there whole.

    The walk up is one step per level of replies (``reply`` keeps threads ``MAX_DEPTH`` deep),
    each step a lookup by id: a recursive query left the plan to guesswork, and SQLite and
    PostgreSQL each guessed a scan of every comment for one of its forms."""
    newest = (sa.select(Comment.id).where(readable)
              .order_by(Comment.created_at.desc(), Comment.id.desc()).limit(latest))
    start = (sa.select(Comment.id, Comment.parent_id)
             .where(readable, sa.or_(Comment.id.in_(newest), Comment.held)).cte("start"))
    levels = [sa.select(start.c.id)]
    parents = sa.select(start.c.parent_id)
    for _ in range(MAX_DEPTH - 1):
        levels.append(parents)
        parents = sa.select(Comment.parent_id).where(Comment.id.in_(parents))
    return sa.select(sa.union(*levels).subquery().c[0])


def comments_for(viewer: Viewer, proposal: Proposal, guest_id: str | None = None, *,
                 latest: int | None = LATEST_SHOWN) -> ProposalComments:
    """The comments of a proposal this viewer may read, grouped by paragraph of the current
    revision: the ``latest`` of them with what they answer (``None``: every one), so that a
    page stays readable, and fast, however long the discussion. ``guest_id``: the incomer
    reading, who also sees their own held comments."""
    _require_readable(viewer, proposal)
    readable = sa.and_(Comment.proposal_id == proposal.id,
                       _held_filter(viewer, proposal, guest_id))
    select = sa.select(Comment).where(readable)
    if latest is not None:
        chosen = _latest_with_what_they_answer(readable, latest)
        select = select.where(Comment.id.in_(chosen))
    comments = list(db.session.scalars(
        select.options(selectinload(Comment.author), selectinload(Comment.versions),
                       selectinload(Comment.resolved_by), selectinload(Comment.hidden_by),
                       selectinload(Comment.revision))
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
    pending = [c for c in comments if c.held]
    shown = len(comments) - len(pending)
    # Fewer than ``latest`` read: every comment there is was read, and counted already.
    total = shown if latest is None or len(comments) < latest else db.session.scalar(
        sa.select(sa.func.count()).where(readable, Comment.held.is_(False)))
    return ProposalComments(revision, placed, unplaced, whole, shown, pending, total)


# --- writing -------------------------------------------------------------------------------

def _body(text: str | None) -> str:
    return clean_text(text, max_length=MAX_BODY, field="body")


def _store(proposal: Proposal, body: str, *, author_id: int | None = None, **fields) -> Comment:
    comment = Comment(proposal=proposal, author_id=author_id, body=body, **fields)
    db.session.add(comment)
    comment.versions.append(CommentVersion(body=body, by_id=author_id, edited_at=utcnow()))
    db.session.flush()
    return comment


def _new(proposal: Proposal, author: Person, body: str, **anchor) -> Comment:
    require_can_take_part(author, proposal)
    return _store(proposal, _body(body), author_id=author.id, **anchor)


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
    require_can_take_part(author, proposal)
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
    require_can_take_part(person, comment.proposal)
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
    require_can_take_part(person, comment.proposal)
    if comment.parent_id is not None:
        raise Conflict(_l("Only a whole thread can be resolved, not a single reply."))


def resolve(comment: Comment, person: Person) -> Comment:
    """Anyone taking part in the discussion marks a thread as dealt with."""
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


# --- incomers (guests) ----------------------------------------------------------------------

def guest_may_comment(proposal: Proposal) -> bool:
    """Only where anyone may read: a public proposal of a public body."""
    return can_read_proposal(ANONYMOUS, proposal)


def _require_guest_space(proposal: Proposal) -> None:
    # Not found rather than forbidden: a guest must not learn that a closed proposal exists.
    if not guest_may_comment(proposal):
        raise NotFound(_l("%(what)s not found.", what=_l("Proposal")))


def _guest_body(text: str | None) -> str:
    body = clean_text(text, max_length=GUEST_MAX_BODY, field="body")
    if len(_LINK.findall(body)) > GUEST_MAX_LINKS:
        raise Invalid(_l("Comments without an account may contain at most %(n)d links.",
                         n=GUEST_MAX_LINKS), field="body")
    return body


def _recent(condition) -> int:
    since = utcnow() - GUEST_LIMIT_WINDOW
    return db.session.scalar(sa.select(sa.func.count(Comment.id)).where(
        condition, Comment.created_at >= since)) or 0


def _require_not_too_many(guest: Guest) -> None:
    too_many = _recent(Comment.guest_id == guest.id) >= GUEST_LIMIT_PER_GUEST or (
        guest.client is not None
        and _recent(Comment.client_hash == guest.client) >= GUEST_LIMIT_PER_CLIENT)
    if too_many:
        raise TooMany(_l("Several comments were sent from here in a short time. Please wait "
                         "a few minutes and send yours again: your text is kept below."))


def _held(collective: Collective, guest: Guest) -> bool:
    """The collective holds incomers' first comments: held until one of this guest's comments
    in the collective has been approved (or was never held)."""
    if collective.incomer_comments != IncomerComments.HELD.value:
        return False
    welcomed = db.session.scalar(
        sa.select(sa.func.count(Comment.id))
        .join(Proposal, Comment.proposal_id == Proposal.id)
        .where(Comment.guest_id == guest.id, Comment.held.is_(False),
               Comment.hidden_at.is_(None), Proposal.collective_id == collective.id))
    return not welcomed


def _new_as_guest(proposal: Proposal, guest: Guest, name: str | None, body: str,
                  **anchor) -> Comment:
    _require_guest_space(proposal)
    name = clean_text(name, max_length=GUEST_MAX_NAME, field="name")
    body = _guest_body(body)
    _require_not_too_many(guest)
    return _store(proposal, body, guest_id=guest.id, guest_name=name, client_hash=guest.client,
                  held=_held(proposal.collective, guest), **anchor)


def add_guest_comment(proposal: Proposal, guest: Guest, name: str | None, body: str, *,
                      revision_number: int | None = None, paragraph_index: int | None = None
                      ) -> Comment:
    """An incomer's comment, with only a chosen name, on a public proposal of a public body."""
    _require_guest_space(proposal)
    return _new_as_guest(proposal, guest, name, body,
                         **_anchor(proposal, revision_number, paragraph_index))


def guest_reply(parent: Comment, guest: Guest, name: str | None, body: str) -> Comment:
    if _depth(parent) >= MAX_DEPTH - 1 and parent.parent is not None:
        parent = parent.parent
    return _new_as_guest(parent.proposal, guest, name, body, parent_id=parent.id)


def _require_own_guest(comment: Comment, guest: Guest | None) -> None:
    _require_guest_space(comment.proposal)
    if guest is None or not comment.is_guest or comment.guest_id != guest.id:
        raise Forbidden(_l("Only the author of a comment can change or withdraw it."))
    if comment.is_withdrawn:
        raise Conflict(_l("This comment has been withdrawn."))


def guest_edit(comment: Comment, guest: Guest | None, body: str) -> Comment:
    _require_own_guest(comment, guest)
    body = _guest_body(body)
    if body == comment.body:
        raise Invalid(_l("Nothing changed in the comment."), field="body")
    now = utcnow()
    comment.body, comment.edited_at = body, now
    comment.versions.append(CommentVersion(body=body, by_id=None, edited_at=now))
    db.session.flush()
    return comment


def guest_withdraw(comment: Comment, guest: Guest | None) -> Comment:
    _require_own_guest(comment, guest)
    comment.withdrawn_at = utcnow()
    db.session.flush()
    return comment


def claim_guest_comments(guest_id: str, person: Person) -> int:
    """The account a guest went on to create (or signed in to) takes over the guest's
    comments; each claim is recorded. Returns how many."""
    found = list(db.session.scalars(sa.select(Comment).where(
        Comment.guest_id == guest_id, Comment.author_id.is_(None))))
    for comment in found:
        comment.author_id = person.id
        db.session.add(CommentEvent(comment=comment, kind=CommentEventKind.CLAIMED.value,
                                    by_id=person.id, at=utcnow()))
    db.session.flush()
    return len(found)


# --- moderation: visible, reasoned, reversible ---------------------------------------------

def _record(comment: Comment, kind: CommentEventKind, person: Person,
            reason: str | None = None) -> None:
    db.session.add(CommentEvent(comment=comment, kind=kind.value, by_id=person.id,
                                reason=reason, at=utcnow()))
    db.session.flush()


def approve(comment: Comment, person: Person) -> Comment:
    """A member lets an incomer's held comment be seen by all."""
    require_can_act(person, comment.proposal)
    if not comment.held:
        raise Conflict(_l("This comment is not waiting for approval."))
    comment.held = False
    _record(comment, CommentEventKind.APPROVED, person)
    return comment


def hide(comment: Comment, person: Person, reason: str | None) -> Comment:
    """Never a silent deletion: the place says who hid it and why, and the text is kept."""
    require_can_act(person, comment.proposal)
    reason = clean_text(reason, max_length=MAX_REASON, field="reason")
    if comment.is_hidden:
        raise Conflict(_l("This comment is already hidden."))
    comment.hidden_at, comment.hidden_by_id, comment.hidden_reason = utcnow(), person.id, reason
    _record(comment, CommentEventKind.HIDDEN, person, reason)
    return comment


def unhide(comment: Comment, person: Person, reason: str | None = None) -> Comment:
    require_can_act(person, comment.proposal)
    reason = clean_text(reason, max_length=MAX_REASON, field="reason", required=False) or None
    if not comment.is_hidden:
        raise Conflict(_l("This comment is not hidden."))
    comment.hidden_at, comment.hidden_by_id, comment.hidden_reason = None, None, None
    _record(comment, CommentEventKind.UNHIDDEN, person, reason)
    return comment


def set_incomer_comments(collective: Collective, person: Person, choice: str) -> Collective:
    """Any member chooses, for the collective, whether incomers' first comments wait."""
    require_member(person, collective)
    if choice not in {c.value for c in IncomerComments}:
        raise Invalid(_l("Choose one of the options."), field="incomer_comments")
    collective.incomer_comments = choice
    db.session.flush()
    return collective


def _allowed(check, person: Person | None, proposal: Proposal) -> bool:
    if person is None or not getattr(person, "id", None):
        return False
    try:
        check(person, proposal)
    except Forbidden:
        return False
    return True


def can_comment(person: Person | None, proposal: Proposal) -> bool:
    """Write, reply and resolve: members of the collective and of the bodies bringing it."""
    return _allowed(require_can_take_part, person, proposal)


def may_reply(person: Person | None, parent: Comment) -> bool:
    """Whether this reader may answer this comment: as for writing one (a guest where anyone
    reads), and only an answerable one (``Comment.answerable``)."""
    if not parent.answerable:
        return False
    if person is None:
        return guest_may_comment(parent.proposal)
    return can_comment(person, parent.proposal)


def can_moderate(person: Person | None, proposal: Proposal) -> bool:
    """Approve, hide and show again: members of the proposal's own collective."""
    return _allowed(require_can_act, person, proposal)


__all__ = [
    "GUEST_MAX_BODY", "MAX_BODY", "Guest", "ParagraphComments", "ProposalComments", "Thread",
    "TooMany", "add_comment", "add_guest_comment", "approve", "can_comment", "can_moderate",
    "claim_guest_comments", "comments_for", "edit_own", "get_comment", "guest_edit",
    "guest_may_comment", "guest_reply", "may_reply", "guest_withdraw", "hide", "paragraph_hash",
    "paragraphs", "reopen", "reply", "resolve", "set_incomer_comments", "unhide",
    "withdraw_own",
]
