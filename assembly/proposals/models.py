from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from assembly.core.db import Model, UTCDateTime, VisibilityMixin, append_only, created_at_column


class Phase(StrEnum):
    IDENTIFIED = "identified"
    DRAFTING = "drafting"
    DELEGATED = "delegated"
    ON_AGENDA = "on_agenda"
    POSTPONED = "postponed"
    AGREED = "agreed"
    UNDER_REVIEW = "under_review"
    WITHDRAWN = "withdrawn"
    RETIRED = "retired"

    @property
    def label(self):
        return PHASE_LABELS[self]

    @property
    def explanation(self):
        return PHASE_EXPLANATIONS[self]


PHASE_LABELS = {
    Phase.IDENTIFIED: _l("Identified"),
    Phase.DRAFTING: _l("Drafting"),
    Phase.DELEGATED: _l("Delegated"),
    Phase.ON_AGENDA: _l("On the agenda"),
    Phase.POSTPONED: _l("Postponed"),
    Phase.AGREED: _l("Agreed"),
    Phase.UNDER_REVIEW: _l("Under review"),
    Phase.WITHDRAWN: _l("Withdrawn"),
    Phase.RETIRED: _l("Retired"),
}

PHASE_EXPLANATIONS = {
    Phase.IDENTIFIED: _l("A need or problem has been named."),
    Phase.DRAFTING: _l("The text is being written."),
    Phase.DELEGATED: _l("A working group is elaborating it under a mandate."),
    Phase.ON_AGENDA: _l("It is on a meeting's agenda."),
    Phase.POSTPONED: _l("No consensus yet; it returns at the next meeting."),
    Phase.AGREED: _l("Consensus was reached: the agreement is in force."),
    Phase.UNDER_REVIEW: _l("The agreement is being re-evaluated."),
    Phase.WITHDRAWN: _l("Ended without a decision; kept in the archive."),
    Phase.RETIRED: _l("The agreement was retired; kept in the archive."),
}

# The lifecycle of DESIGN.md §2: the only place the allowed moves are written down.
TRANSITIONS: dict[Phase, frozenset[Phase]] = {
    Phase.IDENTIFIED: frozenset({Phase.DRAFTING, Phase.WITHDRAWN}),
    Phase.DRAFTING: frozenset({Phase.DELEGATED, Phase.ON_AGENDA, Phase.WITHDRAWN}),
    Phase.DELEGATED: frozenset({Phase.DRAFTING, Phase.ON_AGENDA}),
    Phase.ON_AGENDA: frozenset({Phase.AGREED, Phase.POSTPONED, Phase.DELEGATED, Phase.DRAFTING}),
    Phase.POSTPONED: frozenset(
        {Phase.ON_AGENDA, Phase.DELEGATED, Phase.DRAFTING, Phase.WITHDRAWN}
    ),
    Phase.AGREED: frozenset({Phase.UNDER_REVIEW}),
    Phase.UNDER_REVIEW: frozenset({Phase.AGREED, Phase.DRAFTING, Phase.RETIRED}),
    Phase.WITHDRAWN: frozenset(),
    Phase.RETIRED: frozenset(),
}

ENDED_PHASES = frozenset({Phase.WITHDRAWN, Phase.RETIRED})
AGREEMENT_PHASES = frozenset({Phase.AGREED, Phase.UNDER_REVIEW})


class EventKind(StrEnum):
    CREATED = "created"
    TRANSITION = "transition"
    REVISED = "revised"
    IMPLEMENTATION = "implementation"  # progress or completion (assembly.implementation)
    # A body joins or leaves the bodies bringing the proposal (assembly.networks).
    CO_BRINGER_ADDED = "co_bringer_added"
    CO_BRINGER_WITHDRAWN = "co_bringer_withdrawn"


class Proposal(VisibilityMixin, Model):
    __tablename__ = "proposals"
    # Lists and feeds read a collective's or a body's proposals changed last, newest first
    # (front door, body page, Atom feeds): by index, without sorting the whole archive.
    __table_args__ = (
        sa.Index("ix_proposals_collective_id_updated_at", "collective_id", "updated_at"),
        sa.Index("ix_proposals_body_id_updated_at", "body_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    collective_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collectives.id"), nullable=False, index=True
    )
    # The one body that decides it.
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    slug: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    # The language it is written in, chosen by its author (a code of people.service.LANGUAGES);
    # empty for proposals from before it was asked: then the collective's first language.
    language: Mapped[str | None] = mapped_column(sa.String(8))
    phase: Mapped[str] = mapped_column(
        sa.String(20), default=Phase.IDENTIFIED.value, nullable=False, index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = created_at_column()
    # Kept consistent with the event log in the same transaction.
    event_count: Mapped[int] = mapped_column(default=0, nullable=False)
    revision_number: Mapped[int] = mapped_column(default=0, nullable=False)
    phase_reason: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    # The current delegation, while delegated.
    delegated_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bodies.id"))
    mandate: Mapped[str | None] = mapped_column(sa.Text)
    return_date: Mapped[date | None] = mapped_column(sa.Date)
    return_body_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bodies.id"))
    # Copied from the agreement in force so "due for review" is one indexed query.
    review_date: Mapped[date | None] = mapped_column(sa.Date, index=True)

    collective = relationship("Collective")
    body = relationship("Body", foreign_keys=[body_id])
    delegated_to = relationship("Body", foreign_keys=[delegated_to_id])
    return_body = relationship("Body", foreign_keys=[return_body_id])
    created_by = relationship("Person")
    events: Mapped[list["ProposalEvent"]] = relationship(
        back_populates="proposal", order_by="ProposalEvent.seq"
    )
    revisions: Mapped[list["Revision"]] = relationship(
        back_populates="proposal", order_by="Revision.number"
    )
    agreements: Mapped[list["Agreement"]] = relationship(
        back_populates="proposal", order_by="Agreement.id"
    )

    @property
    def phase_enum(self) -> Phase:
        return Phase(self.phase)

    @property
    def text_language(self) -> str:
        """The language its title and text are written in."""
        return self.language or self.collective.first_language

    @property
    def current_revision(self) -> "Revision | None":
        """The revision in force; read alone (a long-drafted proposal has a hundred texts),
        unless they are all loaded already, and kept until the proposal is revised again."""
        session = object_session(self)
        if "revisions" in self.__dict__ or session is None:
            return self.revisions[-1] if self.revisions else None
        kept = self.__dict__.get("_current_revision")
        if kept is None or kept.number != self.revision_number:
            kept = session.scalars(sa.select(Revision).where(
                Revision.proposal_id == self.id, Revision.number == self.revision_number)).first()
            self.__dict__["_current_revision"] = kept
        return kept

    @property
    def agreement(self) -> "Agreement | None":
        """The agreement in force, if any."""
        return next((a for a in reversed(self.agreements) if a.in_force), None)

    def __repr__(self) -> str:
        return f"<Proposal {self.id} {self.phase}>"


@append_only
class ProposalEvent(Model):
    """One step of a proposal's history. Append-only: nothing in the code updates or deletes
    these rows, and a flush that tries is refused (see ``proposals.service``)."""

    __tablename__ = "proposal_events"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), nullable=False)
    seq: Mapped[int] = mapped_column(nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    from_phase: Mapped[str | None] = mapped_column(sa.String(20))
    to_phase: Mapped[str | None] = mapped_column(sa.String(20))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    at: Mapped[datetime] = created_at_column()
    reason: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id"))
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict, nullable=False)

    proposal: Mapped[Proposal] = relationship(back_populates="events")
    actor = relationship("Person")
    meeting = relationship("Meeting")


class Revision(Model):
    __tablename__ = "revisions"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), nullable=False)
    number: Mapped[int] = mapped_column(nullable=False)
    text: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    summary: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    created_at: Mapped[datetime] = created_at_column()

    proposal: Mapped[Proposal] = relationship(back_populates="revisions")
    author = relationship("Person")


class AgreementStatus(StrEnum):
    IN_FORCE = "in_force"
    AMENDED = "amended"
    RETIRED = "retired"


class PositionKind(StrEnum):
    RESERVATION = "reservation"
    STAND_ASIDE = "stand_aside"
    BLOCK = "block"

    @property
    def label(self):
        return POSITION_LABELS[self]


POSITION_LABELS = {
    PositionKind.RESERVATION: _l("Reservations"),
    PositionKind.STAND_ASIDE: _l("Stand aside"),
    PositionKind.BLOCK: _l("Block"),
}

agreement_present = sa.Table(
    "agreement_present",
    Model.metadata,
    sa.Column("agreement_id", sa.ForeignKey("agreements.id"), primary_key=True),
    sa.Column("person_id", sa.ForeignKey("people.id"), primary_key=True),
)


class Agreement(Model):
    """The record of a consensus: what exactly was agreed, by whom, who implements it and when
    it is re-evaluated."""

    __tablename__ = "agreements"
    # The front door lists the agreements in force agreed last: walked newest first by index
    # (assembly.archive.front_door), not sorted from every agreement of the collective. A body
    # page walks its own by re-evaluation date, and its overdue ones from its own.
    __table_args__ = (
        sa.Index("ix_agreements_status_agreed_at", "status", "agreed_at"),
        sa.Index("ix_agreements_body_id_status_review_date", "body_id", "status", "review_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposals.id"), nullable=False, index=True
    )
    revision_id: Mapped[int] = mapped_column(sa.ForeignKey("revisions.id"), nullable=False)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), nullable=False)
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id"))
    agreed_at: Mapped[datetime] = created_at_column()
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    implementers: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    implementer_body_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bodies.id"))
    deadline: Mapped[date | None] = mapped_column(sa.Date)
    review_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    guests_present: Mapped[int] = mapped_column(default=0, nullable=False)
    status: Mapped[str] = mapped_column(
        sa.String(20), default=AgreementStatus.IN_FORCE.value, nullable=False
    )
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposal: Mapped[Proposal] = relationship(back_populates="agreements")
    revision = relationship("Revision")
    body = relationship("Body", foreign_keys=[body_id])
    implementer_body = relationship("Body", foreign_keys=[implementer_body_id])
    meeting = relationship("Meeting")
    recorded_by = relationship("Person")
    present = relationship("Person", secondary=agreement_present, order_by="Person.display_name")
    positions: Mapped[list["AgreementPosition"]] = relationship(
        back_populates="agreement", order_by="AgreementPosition.id"
    )

    @property
    def in_force(self) -> bool:
        return self.status == AgreementStatus.IN_FORCE


class AgreementPosition(Model):
    """A stand-aside, reservation or (resolved) block voiced in reaching the agreement."""

    __tablename__ = "agreement_positions"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreements.id"), nullable=False, index=True
    )
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    name: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    reason: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    # Blocks raised at an earlier consensus check and resolved before agreement.
    resolved_at_meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id"))

    agreement: Mapped[Agreement] = relationship(back_populates="positions")

    @property
    def kind_enum(self) -> PositionKind:
        return PositionKind(self.kind)
