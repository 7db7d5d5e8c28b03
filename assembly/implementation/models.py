"""Progress of an agreement's implementation: an append-only list of updates. The current state
(in progress, complete) is derived from the updates; nothing is ever rewritten."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assembly.core.db import Model, append_only, created_at_column


class UpdateKind(StrEnum):
    PROGRESS = "progress"
    COMPLETED = "completed"
    REOPENED = "reopened"

    @property
    def label(self):
        return UPDATE_LABELS[self]


UPDATE_LABELS = {
    UpdateKind.PROGRESS: _l("In progress"),
    UpdateKind.COMPLETED: _l("Completed"),
    UpdateKind.REOPENED: _l("Not complete after all"),
}


@append_only
class ImplementationUpdate(Model):
    """One report on carrying out an agreement, by one person, at one time."""

    __tablename__ = "implementation_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreements.id"), nullable=False, index=True
    )
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposals.id"), nullable=False, index=True
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    at: Mapped[datetime] = created_at_column()
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    note: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)  # Markdown
    # Optional: "in progress" alone is a fine report.
    percent: Mapped[int | None] = mapped_column()

    agreement = relationship("Agreement")
    proposal = relationship("Proposal")
    author = relationship("Person")

    @property
    def kind_enum(self) -> UpdateKind:
        return UpdateKind(self.kind)
