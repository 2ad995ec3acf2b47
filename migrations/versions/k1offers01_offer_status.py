"""offer status: active, paused or archived (pages pause, resume and archive offers)

Revision ID: k1offers01
Revises: j3board01
Create Date: 2026-12-03 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'k1offers01'
down_revision = 'j3board01'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('offers', sa.Column('status', sa.String(16), nullable=False,
                                      server_default='active'))
    # an offer switched off before statuses existed reads as paused: the provider can resume it
    op.execute("UPDATE offers SET status = 'paused' WHERE NOT active")
    op.create_check_constraint(op.f('ck_offers_offer_status'), 'offers',
                               "status IN ('active', 'paused', 'archived')")


def downgrade():
    op.drop_constraint(op.f('ck_offers_offer_status'), 'offers', type_='check')
    op.drop_column('offers', 'status')
