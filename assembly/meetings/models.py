from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assembly.core.db import Model, UTCDateTime, VisibilityMixin, created_at_column


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    CLOSED = "closed"

    @property
    def label(self):
        return MEETING_STATUS_LABELS[self]


MEETING_STATUS_LABELS = {
    MeetingStatus.SCHEDULED: _l("Scheduled"),
    MeetingStatus.LIVE: _l("Live now"),
    MeetingStatus.CLOSED: _l("Closed"),
}


# The label of a meeting marked as an open discussion for incomers, wherever it is shown
# (front door, meeting page, calendars).
OPEN_DISCUSSION = _l("Open discussion")


class Role(StrEnum):
    FACILITATOR = "facilitator"
    NOTE_TAKER = "note_taker"
    TIME_KEEPER = "time_keeper"
    INTERPRETER = "interpreter"

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.FACILITATOR: _l("Facilitator"),
    Role.NOTE_TAKER: _l("Note-taker"),
    Role.TIME_KEEPER: _l("Time-keeper"),
    Role.INTERPRETER: _l("Interpreter"),
}


class ItemKind(StrEnum):
    PROPOSAL = "proposal"
    CARRIED_OVER = "carried_over"
    REVIEW = "review"
    FREE = "free"
    IMPLEMENTATION = "implementation"  # an agreement's implementation is overdue

    @property
    def label(self):
        return ITEM_KIND_LABELS[self]


ITEM_KIND_LABELS = {
    ItemKind.PROPOSAL: _l("Proposal"),
    ItemKind.CARRIED_OVER: _l("Carried over"),
    ItemKind.REVIEW: _l("Re-evaluation due"),
    ItemKind.FREE: _l("Free point"),
    ItemKind.IMPLEMENTATION: _l("Implementation overdue"),
}


class Meeting(VisibilityMixin, Model):
    __tablename__ = "meetings"
    __table_args__ = (sa.UniqueConstraint("body_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collective_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collectives.id"), nullable=False, index=True
    )
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    duration_minutes: Mapped[int] = mapped_column(default=120, nullable=False)
    place: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    online_link: Mapped[str] = mapped_column(sa.String(300), default="", nullable=False)
    languages: Mapped[str] = mapped_column(sa.String(100), default="", nullable=False)
    status: Mapped[str] = mapped_column(
        sa.String(20), default=MeetingStatus.SCHEDULED.value, nullable=False, index=True
    )
    from_rhythm: Mapped[bool] = mapped_column(default=False, nullable=False)
    # An open discussion for incomers: nothing is decided there (DESIGN.md §7); the languages
    # interpreted into are announced with it.
    open_discussion: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false(), nullable=False)
    interpretation_languages: Mapped[str] = mapped_column(
        sa.String(100), default="", server_default="", nullable=False)
    created_at: Mapped[datetime] = created_at_column()
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    collective = relationship("Collective")
    body = relationship("Body")
    items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting",
        order_by="AgendaItem.position",
        primaryjoin="and_(AgendaItem.meeting_id == Meeting.id, AgendaItem.removed_at.is_(None))",
        viewonly=True,
    )
    roles: Mapped[list["MeetingRole"]] = relationship(
        back_populates="meeting", order_by="MeetingRole.role, MeetingRole.id"
    )

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def interpretation_list(self) -> list[str]:
        return self.interpretation_languages.split()

    @property
    def status_enum(self) -> MeetingStatus:
        return MeetingStatus(self.status)

    def holders(self, role: Role) -> list:
        return [r.person for r in self.roles if r.role == role]


class AgendaItem(Model):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    proposal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    time_box_minutes: Mapped[int] = mapped_column(default=15, nullable=False)
    note: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    created_at: Mapped[datetime] = created_at_column()
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    # The phase the proposal went to at this meeting (agreed, postponed, …); empty while open.
    outcome: Mapped[str | None] = mapped_column(sa.String(20))
    # Soft removal: an item taken off the agenda stays recorded.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    proposal = relationship("Proposal")

    @property
    def kind_enum(self) -> ItemKind:
        return ItemKind(self.kind)

    @property
    def display_title(self) -> str:
        return self.proposal.title if self.proposal is not None else self.title


class MeetingRole(Model):
    __tablename__ = "meeting_roles"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "role", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), nullable=False, index=True)
    # For interpreters: the language they interpret into.
    language: Mapped[str] = mapped_column(sa.String(10), default="", nullable=False)

    meeting: Mapped[Meeting] = relationship(back_populates="roles")
    person = relationship("Person")

    @property
    def role_enum(self) -> Role:
        return Role(self.role)
