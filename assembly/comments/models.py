"""Comments on proposals. A comment has no visibility of its own: it is exactly as open as its
proposal, and every read goes through ``visibility.visible_proposals``."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assembly.core.db import Model, UTCDateTime, append_only, created_at_column


class Comment(Model):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposals.id"), nullable=False, index=True
    )
    # The anchor: a paragraph of the revision the author was reading. All three are empty for a
    # comment on the whole proposal, and for replies (they follow their thread).
    revision_id: Mapped[int | None] = mapped_column(sa.ForeignKey("revisions.id"))
    paragraph_index: Mapped[int | None] = mapped_column()
    paragraph_hash: Mapped[str | None] = mapped_column(sa.String(64))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    # An incomer's comment (public proposals only): the random id of the guest cookie and the
    # name they chose. Both stay when the comment is claimed by an account (author_id set then).
    guest_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    guest_name: Mapped[str | None] = mapped_column(sa.String(80))
    # Keyed hash of the guest's network address, only to count comments per client (rate limit).
    client_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    # Held until a member approves it (the collective's setting for incomers' first comments).
    held: Mapped[bool] = mapped_column(default=False, server_default=sa.false(), nullable=False)
    # The current Markdown text; every version, the first included, is in CommentVersion.
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at: Mapped[datetime] = created_at_column()
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    # Withdrawal is soft: the text stays in the history, the thread says it was withdrawn.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    # Hiding is a reasoned, visible, reversible act; every step is in CommentEvent.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    hidden_reason: Mapped[str | None] = mapped_column(sa.Text)

    proposal = relationship("Proposal")
    revision = relationship("Revision")
    author = relationship("Person", foreign_keys=[author_id])
    resolved_by = relationship("Person", foreign_keys=[resolved_by_id])
    withdrawn_by = relationship("Person", foreign_keys=[withdrawn_by_id])
    hidden_by = relationship("Person", foreign_keys=[hidden_by_id])
    parent: Mapped["Comment | None"] = relationship(remote_side=[id])
    versions: Mapped[list["CommentVersion"]] = relationship(
        back_populates="comment", order_by="CommentVersion.id"
    )
    events: Mapped[list["CommentEvent"]] = relationship(
        back_populates="comment", order_by="CommentEvent.id"
    )

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def answerable(self) -> bool:
        """Nobody answers a comment held for approval, hidden or withdrawn."""
        return not (self.held or self.is_hidden or self.is_withdrawn)

    @property
    def is_guest(self) -> bool:
        """Written without an account (and still without one: claimed comments are not)."""
        return self.guest_id is not None and self.author_id is None

    @property
    def name(self) -> str | None:
        return self.author.display_name if self.author else self.guest_name

    def __repr__(self) -> str:
        return f"<Comment {self.id} on proposal {self.proposal_id}>"


@append_only
class CommentVersion(Model):
    """One version of a comment's text. Append-only: a flush that changes or deletes one is
    refused (see ``comments.service``)."""

    __tablename__ = "comment_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments.id"), nullable=False, index=True
    )
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    edited_at: Mapped[datetime] = created_at_column()
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))

    comment: Mapped[Comment] = relationship(back_populates="versions")
    by = relationship("Person")


class CommentEventKind(StrEnum):
    HIDDEN = "hidden"
    UNHIDDEN = "unhidden"
    APPROVED = "approved"
    CLAIMED = "claimed"


@append_only
class CommentEvent(Model):
    """What was done to a comment besides its text: hidden and shown again (with the reason),
    a guest's comment approved, claimed by the account its guest went on to create."""

    __tablename__ = "comment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments.id"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[datetime] = created_at_column()

    comment: Mapped[Comment] = relationship(back_populates="events")
    by = relationship("Person")
