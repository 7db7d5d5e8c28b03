from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assembly.core.db import Model, VisibilityMixin, created_at_column


class CollectiveKind(StrEnum):
    COLLECTIVE = "collective"
    NETWORK = "network"


class IncomerComments(StrEnum):
    SHOWN = "shown"
    HELD = "held"


class BodyKind(StrEnum):
    GENERAL_ASSEMBLY = "general_assembly"
    WORKING_GROUP = "working_group"
    NETWORK_ASSEMBLY = "network_assembly"
    # A working table of a network's gathering (assembly.gatherings): held like a working group
    # (named participants, its own meeting), but no working group: nothing is delegated to it.
    WORKING_TABLE = "working_table"

    @property
    def label(self):
        return BODY_KIND_LABELS[self]


BODY_KIND_LABELS = {
    BodyKind.GENERAL_ASSEMBLY: _l("General assembly"),
    BodyKind.WORKING_GROUP: _l("Working group"),
    BodyKind.NETWORK_ASSEMBLY: _l("Network assembly"),
    BodyKind.WORKING_TABLE: _l("Working table"),
}

# Bodies whose people are named participants (not every member of the collective): who takes
# part, who can hold a role, whose assembly it is.
PARTICIPANT_KINDS = (BodyKind.WORKING_GROUP, BodyKind.WORKING_TABLE)


class Collective(Model):
    __tablename__ = "collectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(20), default=CollectiveKind.COLLECTIVE.value)
    description: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    # Space-separated language codes, first is the collective's main language.
    languages: Mapped[str] = mapped_column(sa.String(100), default="en", nullable=False)
    timezone: Mapped[str] = mapped_column(sa.String(60), default="UTC", nullable=False)
    incomer_comments: Mapped[str] = mapped_column(
        sa.String(10), default=IncomerComments.SHOWN.value, nullable=False
    )
    open_joining: Mapped[bool] = mapped_column(default=False, nullable=False)
    created_at: Mapped[datetime] = created_at_column()

    bodies: Mapped[list["Body"]] = relationship(
        back_populates="collective", order_by="Body.kind, Body.name"
    )

    @property
    def is_network(self) -> bool:
        return self.kind == CollectiveKind.NETWORK

    @property
    def language_list(self) -> list[str]:
        return self.languages.split()

    @property
    def first_language(self) -> str:
        """What it writes in when nothing says otherwise."""
        return next(iter(self.language_list), "en")

    def __repr__(self) -> str:
        return f"<Collective {self.slug}>"


class NetworkMembership(Model):
    """A collective taking part in a network (itself a collective of kind ``network``)."""

    __tablename__ = "network_memberships"
    __table_args__ = (sa.UniqueConstraint("network_id", "collective_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collectives.id"), nullable=False, index=True
    )
    collective_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collectives.id"), nullable=False, index=True
    )
    joined_at: Mapped[datetime] = created_at_column()

    network: Mapped[Collective] = relationship(foreign_keys=[network_id])
    collective: Mapped[Collective] = relationship(foreign_keys=[collective_id])


class Body(VisibilityMixin, Model):
    """Where decisions are made: a general assembly, a working group or a network assembly
    (or a working table of a network's gathering, which is held as a body of its own)."""

    __tablename__ = "bodies"
    __table_args__ = (sa.UniqueConstraint("collective_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collective_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collectives.id"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    slug: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    purpose: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    # Meeting rhythm: every N weeks on a weekday (0 = Monday) at a local time, in the
    # collective's time zone. Meetings are stored in UTC.
    rhythm_weekday: Mapped[int | None] = mapped_column()
    rhythm_time: Mapped[str | None] = mapped_column(sa.String(5))
    rhythm_every_weeks: Mapped[int] = mapped_column(default=1, nullable=False)
    rhythm_minutes: Mapped[int] = mapped_column(default=120, nullable=False)
    default_place: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    created_at: Mapped[datetime] = created_at_column()

    collective: Mapped[Collective] = relationship(back_populates="bodies")
    participants = relationship(
        "Person", secondary="body_participants", order_by="Person.display_name"
    )

    @property
    def kind_label(self):
        return BodyKind(self.kind).label

    @property
    def has_participants(self) -> bool:
        """Named participants take part in it (a working group or a working table)."""
        return self.kind in PARTICIPANT_KINDS

    @property
    def is_working_table(self) -> bool:
        return self.kind == BodyKind.WORKING_TABLE

    @property
    def has_rhythm(self) -> bool:
        return self.rhythm_weekday is not None and bool(self.rhythm_time)

    def __repr__(self) -> str:
        return f"<Body {self.collective_id}/{self.slug}>"


class BodyParticipant(Model):
    """Named participants of a body: working-group members, and the only readers of a
    confidential body."""

    __tablename__ = "body_participants"
    __table_args__ = (sa.UniqueConstraint("body_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), nullable=False, index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), nullable=False, index=True)
    joined_at: Mapped[datetime] = created_at_column()
