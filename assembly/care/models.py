"""A break a member takes from roles and mandates. Ending one early keeps the row (soft)."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assembly.core.db import Model, UTCDateTime, created_at_column


class Break(Model):
    """"Taking a break until <date>": the date is a day in ``timezone`` (the collective's zone
    when the break was taken); ``ends_at`` is the UTC instant that day ends, kept for queries."""

    __tablename__ = "care_breaks"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), nullable=False, index=True)
    until: Mapped[date] = mapped_column(sa.Date, nullable=False)
    timezone: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    # Markdown, shown to the members of the person's collectives.
    note: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    created_at: Mapped[datetime] = created_at_column()
    # Set when the person comes back before the date (or takes a new break instead).
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person = relationship("Person")
