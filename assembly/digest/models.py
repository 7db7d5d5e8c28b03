from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assembly.core.db import Model, UTCDateTime


class DigestState(Model):
    """Per person: when they last looked at their page, and the secret of their feed link.

    The feed token is never stored: it is an HMAC of the person's id and ``feed_nonce`` under the
    application's secret key. Regenerating the link draws a new nonce, so the old link stops
    working; changing SECRET_KEY invalidates every feed link."""

    __tablename__ = "digest_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), unique=True,
                                           nullable=False)
    # The visit that is shown as "new since", and the latest visit.
    previous_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    feed_nonce: Mapped[str | None] = mapped_column(sa.String(64))

    person = relationship("Person")
