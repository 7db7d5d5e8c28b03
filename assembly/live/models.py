"""The live state of a meeting. All of it lives in the database, so a server restarted in the
middle of a meeting loses nothing: who is present, the queue of raised hands, speaking turns, the
timer, consensus checks and their answers, the note-taker's notes, and the append-only log of
applied actions (which is also what makes a retried action apply only once)."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assembly.core.db import Model, UTCDateTime, VisibilityMixin, append_only, created_at_column


class QueuePolicy(StrEnum):
    FIRST_COME = "first_come"
    PROGRESSIVE = "progressive"


class HandKind(StrEnum):
    NEW_POINT = "new_point"
    DIRECT_RESPONSE = "direct_response"
    CLARIFYING_QUESTION = "clarifying_question"
    POINT_OF_PROCESS = "point_of_process"


class SignalKind(StrEnum):
    SLOWER = "slower"
    LOUDER = "louder"
    TRANSLATION = "translation"


class Answer(StrEnum):
    AGREE = "agree"
    RESERVATIONS = "reservations"
    STAND_ASIDE = "stand_aside"
    BLOCK = "block"


class Outcome(StrEnum):
    AGREED = "agreed"
    POSTPONED = "postponed"
    DELEGATED = "delegated"
    DRAFTING = "drafting"


class LiveMeeting(Model):
    """One row per meeting that has been opened live: the sequence number and what is current."""

    __tablename__ = "live_meetings"

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), primary_key=True)
    # Grows by one per applied action; clients that see a gap ask for a snapshot.
    seq: Mapped[int] = mapped_column(default=0, nullable=False)
    facilitator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    current_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_items.id"))
    policy: Mapped[str] = mapped_column(
        sa.String(20), default=QueuePolicy.FIRST_COME.value, nullable=False)
    # The timer of the current item: seconds counted before the last start, and when it was
    # started (None while paused). Elapsed time is computed from the clock, never ticked.
    timer_seconds: Mapped[float] = mapped_column(sa.Float, default=0.0, nullable=False)
    timer_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Seconds already spent on items left earlier, by item id, so going back resumes them.
    item_seconds: Mapped[dict] = mapped_column(sa.JSON, default=dict, nullable=False)
    created_at: Mapped[datetime] = created_at_column()

    meeting = relationship("Meeting")
    facilitator = relationship("Person")
    current_item = relationship("AgendaItem")


class LiveParticipant(Model):
    """Someone present: a member (person_id) or a guest without an account (guest_name)."""

    __tablename__ = "live_participants"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id"), nullable=False, index=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    guest_name: Mapped[str | None] = mapped_column(sa.String(80))
    joined_at: Mapped[datetime] = created_at_column()
    # Left before the end (said on their phone, or noted by the facilitator): no longer counted
    # present, nor recorded present at a decision; cleared when they act again.
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person = relationship("Person")

    @property
    def is_guest(self) -> bool:
        return self.person_id is None

    @property
    def name(self) -> str:
        return self.person.display_name if self.person is not None else (self.guest_name or "")


class LiveHand(Model):
    """A raised hand. It leaves the queue when lowered or when its owner is called to speak."""

    __tablename__ = "live_hands"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id"), nullable=False, index=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("live_participants.id"), nullable=False, index=True)
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_items.id"))
    kind: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    # Order in the queue (0 first); rewritten when hands are raised, moved or re-sorted.
    place: Mapped[int] = mapped_column(default=0, nullable=False)
    raised_at: Mapped[datetime] = created_at_column()
    lowered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    participant: Mapped[LiveParticipant] = relationship()


class LiveTurn(Model):
    """A turn at speaking. Speaking time per person is the sum of their turns."""

    __tablename__ = "live_turns"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id"), nullable=False, index=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("live_participants.id"), nullable=False)
    hand_id: Mapped[int | None] = mapped_column(sa.ForeignKey("live_hands.id"))
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_items.id"))
    kind: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    started_at: Mapped[datetime] = created_at_column()
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    participant: Mapped[LiveParticipant] = relationship()


class ConsensusCheck(Model):
    __tablename__ = "live_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id"), nullable=False, index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_items.id"), nullable=False)
    # Whether the room sees who answered what (blocks always carry their author's name).
    open_names: Mapped[bool] = mapped_column(default=False, nullable=False)
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    opened_at: Mapped[datetime] = created_at_column()
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    answers: Mapped[list["CheckAnswer"]] = relationship(
        back_populates="check", order_by="CheckAnswer.id")

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class CheckAnswer(Model):
    """One participant's answer to a check; answering again replaces it."""

    __tablename__ = "live_check_answers"
    __table_args__ = (sa.UniqueConstraint("check_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(
        sa.ForeignKey("live_checks.id"), nullable=False, index=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("live_participants.id"), nullable=False)
    answer: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    reason: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    answered_at: Mapped[datetime] = created_at_column()

    check: Mapped[ConsensusCheck] = relationship(back_populates="answers")
    participant: Mapped[LiveParticipant] = relationship()


class LiveSignal(Model):
    """Slower / louder / translation please: shown to the room for a short while."""

    __tablename__ = "live_signals"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id"), nullable=False, index=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("live_participants.id"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    at: Mapped[datetime] = created_at_column()

    participant: Mapped[LiveParticipant] = relationship()


class LiveNote(Model):
    """The note-taker's notes on one agenda item; they go into the minutes."""

    __tablename__ = "live_notes"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id"), nullable=False, index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_items.id"), nullable=False)
    text: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    updated_at: Mapped[datetime] = created_at_column()


@append_only
class LiveAction(Model):
    """Every applied action, in order. Append-only; ``action_id`` (made by the client) is unique
    per meeting, so a retried action finds its earlier result here instead of applying twice."""

    __tablename__ = "live_actions"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "seq"),
        sa.UniqueConstraint("meeting_id", "action_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), nullable=False)
    seq: Mapped[int] = mapped_column(nullable=False)
    action_id: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    participant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("live_participants.id"))
    type: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict, nullable=False)
    at: Mapped[datetime] = created_at_column()


class Minutes(VisibilityMixin, Model):
    """The minutes of a closed meeting, in Markdown. Readable by whoever may read the meeting:
    ``visibility`` copies the meeting's, and every read goes through ``visible_meetings``."""

    __tablename__ = "minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id"), nullable=False, unique=True)
    collective_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collectives.id"), nullable=False, index=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), nullable=False, index=True)
    text: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    created_at: Mapped[datetime] = created_at_column()

    meeting = relationship("Meeting")

