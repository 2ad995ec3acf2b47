"""the looks of every tick, on a few rows among many: the claimed steps left unsent (one
short query per sweep instead of a look-back written on every claimed case) and the recorded
excesses (refunded if their refund was never made)

Revision ID: m5sweep02
Revises: m4tokens01
Create Date: 2026-12-06 22:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm5sweep02'
down_revision = 'm4tokens01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_dunning_steps_claimed', 'dunning_steps', ['claimed_at'],
                    postgresql_where=sa.text("status = 'claimed'"),
                    sqlite_where=sa.text("status = 'claimed'"))
    op.create_index('ix_dunning_events_overpaid', 'dunning_events', ['receivable_id'],
                    postgresql_where=sa.text("kind = 'overpaid'"),
                    sqlite_where=sa.text("kind = 'overpaid'"))


def downgrade():
    op.drop_index('ix_dunning_events_overpaid', table_name='dunning_events')
    op.drop_index('ix_dunning_steps_claimed', table_name='dunning_steps')
