"""Community translations of content: one row per item and language, and the append-only
history of its versions. Not to be confused with ``assembly/translations`` (the interface's
gettext catalogues)."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assembly.core.db import Model, append_only, created_at_column


class TranslatedKind(StrEnum):
    PROPOSAL = "proposal"  # ref_id: Proposal.id; the text of its current revision
    AGREEMENT = "agreement"  # ref_id: Agreement.id; the revision it pinned
    MINUTES = "minutes"  # ref_id: Minutes.id

    @property
    def label(self):
        return KIND_LABELS[self]


KIND_LABELS = {
    TranslatedKind.PROPOSAL: _l("Proposal"),
    TranslatedKind.AGREEMENT: _l("Agreement"),
    TranslatedKind.MINUTES: _l("Minutes"),
}


class ContentTranslation(Model):
    """The translation of one item into one language. Its text lives in its versions; this
    row only says which version is the newest."""

    __tablename__ = "content_translations"
    __table_args__ = (sa.UniqueConstraint("kind", "ref_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collective_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collectives.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    ref_id: Mapped[int] = mapped_column(nullable=False)
    language: Mapped[str] = mapped_column(sa.String(12), nullable=False)
    # The number of the newest version; saving a version is refused unless the translator
    # started from it (optimistic concurrency, as for proposals' revisions).
    latest_number: Mapped[int] = mapped_column(default=0, nullable=False)
    created_at: Mapped[datetime] = created_at_column()

    versions: Mapped[list["TranslationVersion"]] = relationship(
        back_populates="translation", order_by="TranslationVersion.number")

    @property
    def current(self) -> "TranslationVersion | None":
        return self.versions[-1] if self.versions else None


@append_only
class TranslationVersion(Model):
    """One saved text of a translation, with what it was translated from. Never changed."""

    __tablename__ = "content_translation_versions"
    __table_args__ = (sa.UniqueConstraint("translation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    translation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("content_translations.id"), nullable=False)
    number: Mapped[int] = mapped_column(nullable=False)
    # The source as the translator read it: the proposal's (or agreement's) revision, and a
    # hash of the source text (what tells minutes apart, which have no revisions).
    source_revision_id: Mapped[int | None] = mapped_column(sa.ForeignKey("revisions.id"))
    source_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    # A member (or account holder) or an incomer known by the guest id of their cookie.
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    guest_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    guest_name: Mapped[str | None] = mapped_column(sa.String(80))
    # A keyed hash of an incomer's network address, for the rate limit only (as comments).
    client_hash: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = created_at_column()

    translation: Mapped[ContentTranslation] = relationship(back_populates="versions")
    author = relationship("Person")
    source_revision = relationship("Revision")

    @property
    def author_name(self) -> str:
        return self.author.display_name if self.author is not None else (self.guest_name or "")

    @property
    def is_guest(self) -> bool:
        return self.author_id is None
