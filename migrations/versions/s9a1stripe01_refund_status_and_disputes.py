"""refunds follow Stripe's status; disputes mirrored from Stripe; payments can be waived

Revision ID: s9a1stripe01
Revises: i6a1invoices01
Create Date: 2026-11-25 15:40:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 's9a1stripe01'
down_revision = 'i6a1invoices01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('refunds') as batch_op:
        batch_op.add_column(sa.Column('failure_reason', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'disputes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('payment_id', sa.Integer(), nullable=False),
        sa.Column('stripe_dispute_id', sa.String(length=64), nullable=False),
        sa.Column('amount_minor', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('reason', sa.String(length=64), nullable=True),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('evidence_due_by', sa.DateTime(timezone=True), nullable=True),
        sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name='fk_disputes_payment_id_payments'),
        sa.PrimaryKeyConstraint('id', name='pk_disputes'),
        sa.UniqueConstraint('stripe_dispute_id', name='uq_disputes_stripe_dispute_id'),
    )
    op.create_index('ix_disputes_payment_id', 'disputes', ['payment_id'])


def downgrade():
    op.drop_index('ix_disputes_payment_id', table_name='disputes')
    op.drop_table('disputes')
    with op.batch_alter_table('refunds') as batch_op:
        batch_op.drop_column('updated_at')
        batch_op.drop_column('failure_reason')
