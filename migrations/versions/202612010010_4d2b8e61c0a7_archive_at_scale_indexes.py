"""the archive at scale (issue 9): agreements walked by status and date; PostgreSQL's search
vector stored in a generated column with its GIN index (it was an expression index)

Revision ID: 4d2b8e61c0a7
Revises: 93fbc8fe57ba
Create Date: 2026-12-01 00:10:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '4d2b8e61c0a7'
down_revision = '93fbc8fe57ba'
branch_labels = None
depends_on = None

# Written out, not imported: the migration keeps meaning what it meant whatever the models become.
VECTOR_SQL = (
    "(setweight(to_tsvector('simple'::regconfig, title_terms), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body_terms), 'B'))"
)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.create_index('ix_agreements_status_agreed_at', ['status', 'agreed_at'],
                              unique=False)
    if _postgresql():
        op.execute("DROP INDEX IF EXISTS ix_search_documents_vector")
        op.execute("ALTER TABLE search_documents ADD COLUMN IF NOT EXISTS search_vector tsvector "
                   f"GENERATED ALWAYS AS {VECTOR_SQL} STORED")
        op.execute("CREATE INDEX IF NOT EXISTS ix_search_documents_search_vector "
                   "ON search_documents USING gin (search_vector)")


def downgrade():
    if _postgresql():
        op.execute("DROP INDEX IF EXISTS ix_search_documents_search_vector")
        op.execute("ALTER TABLE search_documents DROP COLUMN IF EXISTS search_vector")
        op.execute("CREATE INDEX IF NOT EXISTS ix_search_documents_vector ON search_documents "
                   f"USING gin ({VECTOR_SQL})")
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_index('ix_agreements_status_agreed_at')
