"""Gatherings of a network and their parallel working tables.

Each working table is held as a meeting of its own body in the network (kind working table),
so the live layer (phones, console notes, projector, minutes) works for it unchanged, and its
body's visibility is what every read of the table goes through (``visible_bodies``)."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assembly.core.db import Model, UTCDateTime, VisibilityMixin, created_at_column


class Gathering(VisibilityMixin, Model):
    __tablename__ = "gatherings"
    __table_args__ = (sa.UniqueConstraint("network_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collectives.id"), nullable=False, index=True)
    slug: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    starts_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    place: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    languages: Mapped[str] = mapped_column(sa.String(100), default="", nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    created_at: Mapped[datetime] = created_at_column()

    network = relationship("Collective")
    tables: Mapped[list["WorkingTable"]] = relationship(
        back_populates="gathering", order_by="WorkingTable.position, WorkingTable.id")

    @property
    def language_list(self) -> list[str]:
        return self.languages.split()


class WorkingTable(Model):
    """A thematic table: guiding questions, participants, live notes (its meeting) and a report.
    Its own visibility is kept by its body (the stricter of the gathering's and the table's)."""

    __tablename__ = "working_tables"

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        sa.ForeignKey("gatherings.id"), nullable=False, index=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), nullable=False, unique=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id"), nullable=False, unique=True)
    position: Mapped[int] = mapped_column(default=0, nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    # A Markdown list, one guiding question per item (each is also an agenda point of the
    # table's meeting, so notes are taken per question).
    guiding_questions: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    # Guests without an account, by name, one per line.
    guests: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    report_text: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    # "Proposals and future directions": a Markdown list, one proposal per item.
    directions: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    report_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    report_published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    created_at: Mapped[datetime] = created_at_column()

    gathering: Mapped[Gathering] = relationship(back_populates="tables")
    body = relationship("Body")
    meeting = relationship("Meeting")
    report_published_by = relationship("Person")

    @property
    def guest_list(self) -> list[str]:
        return [line.strip() for line in self.guests.splitlines() if line.strip()]

    @property
    def visibility(self) -> str:
        return self.body.visibility

    @property
    def is_published(self) -> bool:
        return self.report_published_at is not None


class WorkingTableProposal(Model):
    """A proposal that came out of a working table's report: the link back to the table."""

    __tablename__ = "working_table_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(
        sa.ForeignKey("working_tables.id"), nullable=False, index=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposals.id"), nullable=False, unique=True)
    created_at: Mapped[datetime] = created_at_column()

    table: Mapped[WorkingTable] = relationship()
    proposal = relationship("Proposal")
