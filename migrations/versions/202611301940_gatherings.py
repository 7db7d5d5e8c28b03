"""gatherings of networks, working tables and their report's proposals; open discussion
meetings (issue 10, items 3 and 4)

Revision ID: c7a2e9d41f30
Revises: b4fb7c4353e2
Create Date: 2026-11-30 19:40:00

"""
from alembic import op
import sqlalchemy as sa

import assembly.core.db  # noqa: F401  (UTCDateTime columns)


# revision identifiers, used by Alembic.
revision = 'c7a2e9d41f30'
down_revision = 'b4fb7c4353e2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('gatherings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('languages', sa.String(length=100), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', assembly.core.db.UTCDateTime(), nullable=False),
    sa.Column('visibility', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_gatherings_created_by_id_people')),
    sa.ForeignKeyConstraint(['network_id'], ['collectives.id'], name=op.f('fk_gatherings_network_id_collectives')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gatherings')),
    sa.UniqueConstraint('network_id', 'slug', name=op.f('uq_gatherings_network_id_slug'))
    )
    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gatherings_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gatherings_visibility'), ['visibility'], unique=False)

    op.create_table('working_tables',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('guiding_questions', sa.Text(), nullable=False),
    sa.Column('guests', sa.Text(), nullable=False),
    sa.Column('report_text', sa.Text(), nullable=False),
    sa.Column('directions', sa.Text(), nullable=False),
    sa.Column('report_published_at', assembly.core.db.UTCDateTime(), nullable=True),
    sa.Column('report_published_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', assembly.core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_working_tables_body_id_bodies')),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_working_tables_gathering_id_gatherings')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_working_tables_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['report_published_by_id'], ['people.id'], name=op.f('fk_working_tables_report_published_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_working_tables')),
    sa.UniqueConstraint('body_id', name=op.f('uq_working_tables_body_id')),
    sa.UniqueConstraint('meeting_id', name=op.f('uq_working_tables_meeting_id'))
    )
    with op.batch_alter_table('working_tables', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_working_tables_gathering_id'), ['gathering_id'], unique=False)

    op.create_table('working_table_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('created_at', assembly.core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_working_table_proposals_proposal_id_proposals')),
    sa.ForeignKeyConstraint(['table_id'], ['working_tables.id'], name=op.f('fk_working_table_proposals_table_id_working_tables')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_working_table_proposals')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_working_table_proposals_proposal_id'))
    )
    with op.batch_alter_table('working_table_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_working_table_proposals_table_id'), ['table_id'], unique=False)

    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('open_discussion', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('interpretation_languages', sa.String(length=100), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('interpretation_languages')
        batch_op.drop_column('open_discussion')

    with op.batch_alter_table('working_table_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_working_table_proposals_table_id'))

    op.drop_table('working_table_proposals')
    with op.batch_alter_table('working_tables', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_working_tables_gathering_id'))

    op.drop_table('working_tables')
    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gatherings_visibility'))
        batch_op.drop_index(batch_op.f('ix_gatherings_network_id'))

    op.drop_table('gatherings')
