"""where a call happens (offer's meeting place), the .ics sequence of a booking, a new time the
provider proposed, the reminders sent before a call, and the provider's public profile

Revision ID: k2place01
Revises: j1formal01
Create Date: 2026-12-02 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'k2place01'
down_revision = 'j1formal01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('place_kind', sa.String(16), nullable=True))
        batch_op.add_column(sa.Column('place_detail', sa.String(500), nullable=True))
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_sequence', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('proposed_start_at', sa.DateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('providers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bio', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('languages', sa.String(64), nullable=True))
        batch_op.add_column(sa.Column('photo', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('photo_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'call_reminders',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('booking_id', sa.Integer(),
                  sa.ForeignKey('bookings.id', ondelete='CASCADE'), nullable=False),
        sa.Column('hours_before', sa.Integer(), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint('booking_id', 'hours_before', name='uq_call_reminder'),
    )


def downgrade():
    op.drop_table('call_reminders')
    with op.batch_alter_table('providers', schema=None) as batch_op:
        for column in ('photo_at', 'photo', 'languages', 'bio'):
            batch_op.drop_column(column)
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('proposed_start_at')
        batch_op.drop_column('calendar_sequence')
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_column('place_detail')
        batch_op.drop_column('place_kind')
