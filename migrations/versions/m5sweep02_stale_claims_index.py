"""the sweep's look for claims left unsent: a partial index on the claimed steps (a few rows
among every step ever sent), so that it is one short query per sweep instead of a look-back
written on every claimed case

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


def downgrade():
    op.drop_index('ix_dunning_steps_claimed', table_name='dunning_steps')
