"""Co-bringing bodies of a proposal, and how member collectives take up network agreements."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assembly.core.db import Model, UTCDateTime, append_only, created_at_column


class ProposalCoBringer(Model):
    """A body that brings a proposal jointly with others. The proposal's own ``body_id`` stays
    the one body that decides it. Withdrawal is soft (``withdrawn_at``); both steps are also in
    the proposal's event log."""

    __tablename__ = "proposal_co_bringers"
    __table_args__ = (
        # One active co-bringing per body and proposal; withdrawn rows stay as history.
        sa.Index("ix_proposal_co_bringers_active", "proposal_id", "body_id", unique=True,
                 sqlite_where=sa.text("withdrawn_at IS NULL"),
                 postgresql_where=sa.text("withdrawn_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposals.id"), nullable=False, index=True
    )
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), nullable=False, index=True)
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    added_at: Mapped[datetime] = created_at_column()
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))

    proposal = relationship("Proposal")
    body = relationship("Body")
    added_by = relationship("Person", foreign_keys=[added_by_id])
    withdrawn_by = relationship("Person", foreign_keys=[withdrawn_by_id])

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class AdoptionState(StrEnum):
    UNDER_DISCUSSION = "under_discussion"
    ADOPTED = "adopted"
    ADAPTED = "adapted"

    @property
    def label(self):
        return ADOPTION_LABELS[self]

    @property
    def explanation(self):
        return ADOPTION_EXPLANATIONS[self]


ADOPTION_LABELS = {
    AdoptionState.UNDER_DISCUSSION: _l("Under discussion"),
    AdoptionState.ADOPTED: _l("Adopted locally"),
    AdoptionState.ADAPTED: _l("Adapted"),
}

ADOPTION_EXPLANATIONS = {
    AdoptionState.UNDER_DISCUSSION: _l("The collective is discussing how to take it up."),
    AdoptionState.ADOPTED: _l("The collective applies it as the network agreed it."),
    AdoptionState.ADAPTED: _l("The collective applies it with changes, described in the note."),
}


@append_only
class NetworkAdoption(Model):
    """One step in how a member collective takes up a network agreement. Append-only: each
    change is a new row, and the latest row per agreement and collective is the current state,
    so the whole history stays readable. The agreement's text is never copied."""

    __tablename__ = "network_adoptions"
    __table_args__ = (sa.Index("ix_network_adoptions_agreement_collective",
                               "agreement_id", "collective_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id"), nullable=False)
    collective_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collectives.id"), nullable=False, index=True
    )
    state: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    note: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)  # Markdown
    decided_at: Mapped[datetime] = created_at_column()
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    # The member collective's own meeting where this was decided, if any.
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id"))
    # The collective's own proposal that carries an adaptation through its lifecycle, if any.
    local_proposal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposals.id"))

    agreement = relationship("Agreement")
    collective = relationship("Collective")
    by = relationship("Person")
    meeting = relationship("Meeting")
    local_proposal = relationship("Proposal")

    @property
    def state_enum(self) -> AdoptionState:
        return AdoptionState(self.state)
