from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assembly.core.db import Model, UTCDateTime, created_at_column


class Person(UserMixin, Model):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    language: Mapped[str] = mapped_column(sa.String(10), default="en", nullable=False)
    created_at: Mapped[datetime] = created_at_column()

    memberships: Mapped[list["Membership"]] = relationship(back_populates="person")

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.display_name!r}>"


class Membership(Model):
    """Equal membership of a collective: no role, no weight."""

    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("person_id", "collective_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), nullable=False, index=True)
    collective_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collectives.id"), nullable=False, index=True
    )
    joined_at: Mapped[datetime] = created_at_column()
    invitation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invitations.id"))

    person: Mapped[Person] = relationship(back_populates="memberships")
    collective = relationship("Collective")


class Invitation(Model):
    """A one-time link to join a collective. Only a hash of the token is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    collective_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collectives.id"), nullable=False, index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    note: Mapped[str | None] = mapped_column(sa.String(200))

    collective = relationship("Collective")
    created_by = relationship(Person, foreign_keys=[created_by_id])
