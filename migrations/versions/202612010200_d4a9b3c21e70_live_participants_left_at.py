"""someone can leave a live meeting before the end: live participants record when they left

Revision ID: d4a9b3c21e70
Revises: c5e8a1f07b62
Create Date: 2026-12-01 02:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd4a9b3c21e70'
down_revision = 'c5e8a1f07b62'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('live_participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('left_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('live_participants', schema=None) as batch_op:
        batch_op.drop_column('left_at')
