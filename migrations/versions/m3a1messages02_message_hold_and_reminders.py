"""messages.held_at, messages.pay_attempts; message_reminders (each reminder at most once)

Revision ID: m3a1messages02
Revises: ecf97bc5ef6f
Create Date: 2026-11-25 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm3a1messages02'
down_revision = 'ecf97bc5ef6f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('pay_attempts', sa.Integer(), nullable=False,
                                      server_default='0'))
    op.create_table(
        'message_reminders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('hours_before', sa.Integer(), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id'],
                                name=op.f('fk_message_reminders_message_id_messages'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_message_reminders')),
        sa.UniqueConstraint('message_id', 'hours_before', name='uq_message_reminders_once'),
    )


def downgrade():
    op.drop_table('message_reminders')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('pay_attempts')
        batch_op.drop_column('held_at')
