"""a dunning step's failed sends: how many and why (the sweep retries with backoff and, after a
few, shows the case to its provider)

Revision ID: m3sweep01
Revises: m2clients01
Create Date: 2026-12-06 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm3sweep01'
down_revision = 'm2clients01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dunning_steps') as batch:
        batch.add_column(sa.Column('failures', sa.Integer(), nullable=False,
                                   server_default='0'))
        batch.add_column(sa.Column('last_error', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('dunning_steps') as batch:
        batch.drop_column('last_error')
        batch.drop_column('failures')
