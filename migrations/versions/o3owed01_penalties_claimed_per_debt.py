"""Per debt: whether penalties are claimed, what was paid towards them, their fixed figure

Revision ID: o3owed01
Revises: n1savedcard01
Create Date: 2026-12-07 01:05:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'o3owed01'
down_revision = 'o1rates01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('receivables') as batch:
        batch.add_column(sa.Column('claim_penalties', sa.Boolean(), nullable=True))
        batch.add_column(sa.Column('penalties_paid_minor', sa.Integer(), nullable=False,
                                   server_default='0'))
        batch.add_column(sa.Column('interest_fixed_minor', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('indemnity_fixed_minor', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('penalties_notice', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('receivables') as batch:
        batch.drop_column('penalties_notice')
        batch.drop_column('indemnity_fixed_minor')
        batch.drop_column('interest_fixed_minor')
        batch.drop_column('penalties_paid_minor')
        batch.drop_column('claim_penalties')
