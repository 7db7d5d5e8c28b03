"""a proposal records the language it is written in (empty for earlier ones: the
collective's first language)

Revision ID: c5e8a1f07b62
Revises: b7c41e2a9d53
Create Date: 2026-12-01 01:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c5e8a1f07b62'
down_revision = 'b7c41e2a9d53'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_column('language')
