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
    # batch mode: SQLite (the local demo) alters a table only by copying it
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(16), nullable=False,
                                      server_default='active'))
    # an offer switched off before statuses existed reads as paused: the provider can resume it
    op.execute("UPDATE offers SET status = 'paused' WHERE NOT active")
    # the status says it all now: a second flag could only disagree with it
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_offers_offer_status'),
                                         "status IN ('active', 'paused', 'archived')")
        batch_op.drop_column('active')


def downgrade():
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    op.execute("UPDATE offers SET active = (status = 'active')")
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_offers_offer_status'), type_='check')
        batch_op.drop_column('status')
