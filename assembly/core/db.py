"""Shared column types and mixins, written once (cf. Indico ``core/db/sqlalchemy``)."""

import sqlite3
from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Mapped, Session, mapped_column

from assembly.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator):
    """Stores naive UTC and hands back aware UTC datetimes, the same on SQLite and PostgreSQL."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


class Visibility(StrEnum):
    PUBLIC = "public"
    MEMBERS = "members"
    CONFIDENTIAL = "confidential"

    @property
    def label(self):
        return VISIBILITY_LABELS[self]

    @property
    def rank(self) -> int:
        return list(Visibility).index(self)


VISIBILITY_LABELS = {
    Visibility.PUBLIC: _l("Public: anyone can read it"),
    Visibility.MEMBERS: _l("Members of the collective"),
    Visibility.CONFIDENTIAL: _l("Confidential: only its participants"),
}


def strictest(*levels: str) -> Visibility:
    return max((Visibility(level) for level in levels), key=lambda v: v.rank)


class VisibilityMixin:
    visibility: Mapped[str] = mapped_column(
        sa.String(20), default=Visibility.PUBLIC.value, nullable=False, index=True
    )


def created_at_column() -> Mapped[datetime]:
    return mapped_column(UTCDateTime, default=utcnow, nullable=False)


Model = db.Model

_APPEND_ONLY: set[type] = set()


def append_only(model: type) -> type:
    """Class decorator: rows of this table are written once, never changed or deleted (event
    logs, edit histories). A flush that tries is refused."""
    _APPEND_ONLY.add(model)
    return model


@sa_event.listens_for(Session, "before_flush")
def _refuse_rewrites(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if type(obj) in _APPEND_ONLY and (
            obj in session.deleted or session.is_modified(obj, include_collections=False)
        ):
            raise RuntimeError(f"{type(obj).__name__} rows are append-only")


@sa_event.listens_for(sa.engine.Engine, "connect")
def _sqlite_settings(connection, _record) -> None:
    """The embedded database behaves like the production one where it matters: foreign keys
    are enforced, and the write-ahead log lets pages read while the live layer writes (and
    makes a durable commit one fsync instead of a journal created, synced and deleted)."""
    if not isinstance(connection, sqlite3.Connection):
        return
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()
