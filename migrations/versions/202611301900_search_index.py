"""search index: search_documents, with FTS5 on SQLite and a GIN tsvector index on PostgreSQL

Revision ID: 5e4c1d7a9b20
Revises: 6e1fade039ec
Create Date: 2026-11-30 19:00:00

Written by hand: Alembic does not see the FTS5 table or the expression index. The statements
are those of ``assembly.search.models`` (SQLITE_DDL, POSTGRESQL_DDL), copied so this file stays
as it was when it ran. A database that already holds proposals needs one
``flask --app assembly assembly reindex`` after upgrading (not run here: the index reads tables
that later migrations change); from then on every write keeps the index current.
"""
from alembic import op
import sqlalchemy as sa

import assembly.core.db  # noqa: F401  (UTCDateTime columns)


# revision identifiers, used by Alembic.
revision = '5e4c1d7a9b20'
down_revision = '6e1fade039ec'
branch_labels = None
depends_on = None

FTS_TABLE = "search_documents_fts"
VECTOR_SQL = (
    "(setweight(to_tsvector('simple'::regconfig, title_terms), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body_terms), 'B'))"
)
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
    f"CREATE INDEX IF NOT EXISTS ix_search_documents_vector ON search_documents "
    f"USING gin ({VECTOR_SQL})",
]


def upgrade():
    op.create_table('search_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=False),
    sa.Column('collective_id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('visibility', sa.String(length=20), nullable=False),
    sa.Column('phase', sa.String(length=20), nullable=True),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('context', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('title_terms', sa.Text(), nullable=False),
    sa.Column('body_terms', sa.Text(), nullable=False),
    sa.Column('updated_at', assembly.core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_search_documents_body_id_bodies')),
    sa.ForeignKeyConstraint(['collective_id'], ['collectives.id'], name=op.f('fk_search_documents_collective_id_collectives')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
    sa.UniqueConstraint('kind', 'ref_id', name=op.f('uq_search_documents_kind_ref_id'))
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_documents_body_id'), ['body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_documents_collective_id'), ['collective_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_documents_updated_at'), ['updated_at'], unique=False)

    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_DDL, "postgresql": POSTGRESQL_DDL}.get(dialect, []):
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_documents_updated_at'))
        batch_op.drop_index(batch_op.f('ix_search_documents_collective_id'))
        batch_op.drop_index(batch_op.f('ix_search_documents_body_id'))

    op.drop_table('search_documents')
