"""The full-text index: one plain row per searchable item, with where it lives and who may read
it, mirrored into the database's own full-text index.

Each row keeps the original title and text (for results and snippets) and, beside them, the
*folded* words the index sees (``title_terms``, ``body_terms``: see ``search.text.fold``). The
folding is done in Python so that both databases search the same words: SQLite FTS5's
``unicode61 remove_diacritics 2`` does not strip Greek tonos or Arabic harakat, and PostgreSQL's
``unaccent`` is an optional extension that also leaves harakat alone.

- SQLite: an FTS5 *external-content* table ``search_documents_fts`` over the two folded columns,
  kept in step by triggers on ``search_documents``.
- PostgreSQL: the ``tsvector`` of ``VECTOR_SQL`` ('simple' configuration: no stemming, no stop
  words, so every language is treated alike) kept in a stored generated column
  ``search_vector``, with a GIN index on it. Stored, because a search for a common word reads
  the newest matches and ranks them (``search.service``): with the vector only in an
  expression index, each row read would compute ``to_tsvector`` again, twice.

Both are created by DDL listeners on the table's ``after_create`` (so ``db.create_all()`` makes
them) and by the migrations ``202611301900_search_index`` (FTS5; the first GIN index, on the
expression) and the one that moved PostgreSQL's vector into its column."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from assembly.core.db import Model, UTCDateTime

FTS_TABLE = "search_documents_fts"
# PostgreSQL only, outside the model (SQLite has no tsvector): the column the database computes
# from the folded words on every insert, and its GIN index.
VECTOR_COLUMN = "search_vector"
VECTOR_INDEX = "ix_search_documents_search_vector"
VECTOR_SQL = (
    "(setweight(to_tsvector('simple'::regconfig, title_terms), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body_terms), 'B'))"
)


class SearchKind(StrEnum):
    PROPOSAL = "proposal"
    AGREEMENT = "agreement"
    MINUTES = "minutes"
    COMMENT = "comment"

    @property
    def label(self):
        return SEARCH_KIND_LABELS[self]


SEARCH_KIND_LABELS = {
    SearchKind.PROPOSAL: _l("Proposals"),
    SearchKind.AGREEMENT: _l("Agreements"),
    SearchKind.MINUTES: _l("Minutes"),
    SearchKind.COMMENT: _l("Comments"),
}


class SearchDocument(Model):
    """Written only by ``search.index`` (on every flush, and by ``flask assembly reindex``)."""

    __tablename__ = "search_documents"
    __table_args__ = (sa.UniqueConstraint("kind", "ref_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    # The indexed row (proposal, agreement, minutes or comment) and what it belongs to: the
    # proposal of an agreement or comment, the meeting of minutes.
    ref_id: Mapped[int] = mapped_column(nullable=False)
    parent_id: Mapped[int] = mapped_column(nullable=False)
    collective_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collectives.id"), nullable=False, index=True
    )
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), nullable=False, index=True)
    # The effective visibility: the strictest of the item's own and its body's.
    visibility: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    phase: Mapped[str | None] = mapped_column(sa.String(20))
    # The collective's main language: the likely language of the text (lang attribute).
    language: Mapped[str] = mapped_column(sa.String(10), default="", nullable=False)
    title: Mapped[str] = mapped_column(sa.String(300), default="", nullable=False)
    # For comments: the title of the proposal they are about.
    context: Mapped[str] = mapped_column(sa.String(300), default="", nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    title_terms: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    body_terms: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    # The date the item is known by (last change of a proposal, day of an agreement or a
    # meeting, a comment's last edit): what the date filters compare.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)

    @property
    def kind_enum(self) -> SearchKind:
        return SearchKind(self.kind)


# --- the databases' own full-text indexes ---------------------------------------------------

SQLITE_DDL = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "title_terms, body_terms, content='search_documents', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS search_documents_ai AFTER INSERT ON search_documents BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, title_terms, body_terms) "
    "VALUES (new.id, new.title_terms, new.body_terms); END",
    "CREATE TRIGGER IF NOT EXISTS search_documents_ad AFTER DELETE ON search_documents BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title_terms, body_terms) "
    "VALUES ('delete', old.id, old.title_terms, old.body_terms); END",
    "CREATE TRIGGER IF NOT EXISTS search_documents_au AFTER UPDATE ON search_documents BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title_terms, body_terms) "
    "VALUES ('delete', old.id, old.title_terms, old.body_terms); "
    f"INSERT INTO {FTS_TABLE}(rowid, title_terms, body_terms) "
    "VALUES (new.id, new.title_terms, new.body_terms); END",
]
POSTGRESQL_DDL = [
    f"ALTER TABLE search_documents ADD COLUMN IF NOT EXISTS {VECTOR_COLUMN} tsvector "
    f"GENERATED ALWAYS AS {VECTOR_SQL} STORED",
    f"CREATE INDEX IF NOT EXISTS {VECTOR_INDEX} ON search_documents USING gin ({VECTOR_COLUMN})",
]

for _statement in SQLITE_DDL:
    sa.event.listen(SearchDocument.__table__, "after_create",
                    sa.DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRESQL_DDL:
    sa.event.listen(SearchDocument.__table__, "after_create",
                    sa.DDL(_statement).execute_if(dialect="postgresql"))
sa.event.listen(SearchDocument.__table__, "after_drop",
                sa.DDL(f"DROP TABLE IF EXISTS {FTS_TABLE}").execute_if(dialect="sqlite"))


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """For Alembic's comparisons: the FTS5 table, its shadow tables, PostgreSQL's vector column
    and its GIN index live outside the models (made by the DDL above)."""
    name = name or ""
    if not reflected or compare_to is not None:
        return True
    return not ((type_ == "table" and name.startswith(FTS_TABLE))
                or (type_ == "index" and name == VECTOR_INDEX)
                or (type_ == "column" and name == VECTOR_COLUMN
                    and getattr(obj.table, "name", "") == "search_documents"))
