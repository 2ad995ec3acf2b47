"""the receivables board: a partial index on the timeline's money events

EXPLAIN of skod.dunning.board at 50,000 receivables showed a sequential scan of all
dunning_events (every provider's opened/step/attempt... rows) to find the payments; this index
holds only the "payment" and "paid" rows, by receivable and instant.

Revision ID: j3board01
Revises: k2place01
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'j3board01'
down_revision = 'k2place01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_dunning_events_money', 'dunning_events', ['receivable_id', 'at'],
                    postgresql_where="kind IN ('payment', 'paid')")


def downgrade():
    op.drop_index('ix_dunning_events_money', table_name='dunning_events')
