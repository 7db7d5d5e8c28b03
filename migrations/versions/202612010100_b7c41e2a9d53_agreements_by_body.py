"""a body page walks its agreements by re-evaluation date (issue 9): agreements indexed by
body, status and review date

Revision ID: b7c41e2a9d53
Revises: 4d2b8e61c0a7
Create Date: 2026-12-01 01:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7c41e2a9d53'
down_revision = '4d2b8e61c0a7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.create_index('ix_agreements_body_id_status_review_date',
                              ['body_id', 'status', 'review_date'], unique=False)


def downgrade():
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_index('ix_agreements_body_id_status_review_date')
