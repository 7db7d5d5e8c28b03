"""working tables' bodies get their own kind, working_table (issue 10): no longer listed or
offered as working groups

A data migration only: ``bodies.kind`` is a String(30) without a check constraint.

Revision ID: 93fbc8fe57ba
Revises: 9f9183a65472
Create Date: 2026-12-01 00:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '93fbc8fe57ba'
down_revision = '9f9183a65472'
branch_labels = None
depends_on = None

# Plain tables, not the models: the migration keeps working whatever the models become.
bodies = sa.table('bodies', sa.column('id', sa.Integer), sa.column('kind', sa.String(30)))
working_tables = sa.table('working_tables', sa.column('body_id', sa.Integer))


def _retype(old: str, new: str) -> None:
    """The bodies that hold a working table, of kind ``old``, become of kind ``new``."""
    op.execute(bodies.update()
               .where(bodies.c.id.in_(sa.select(working_tables.c.body_id)),
                      bodies.c.kind == old)
               .values(kind=new))


def upgrade():
    _retype('working_group', 'working_table')


def downgrade():
    _retype('working_table', 'working_group')
