"""Bank transfers that match themselves: the transfer intent of each receivable (virtual IBAN,
reference, what was counted, the client's credit)

Revision ID: t1transfer01
Revises: q1sepa01
Create Date: 2026-12-07 08:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 't1transfer01'
down_revision = 'q1sepa01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'transfer_intents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('receivable_id', sa.Integer(), nullable=False),
        sa.Column('stripe_account_id', sa.String(length=64), nullable=True),
        sa.Column('stripe_customer_id', sa.String(length=64), nullable=False),
        sa.Column('stripe_payment_intent_id', sa.String(length=64), nullable=True),
        sa.Column('create_key', sa.String(length=128), nullable=False),
        sa.Column('amount_minor', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('funded_minor', sa.Integer(), server_default='0', nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('reference', sa.String(length=64), nullable=True),
        sa.Column('iban', sa.String(length=34), nullable=True),
        sa.Column('bic', sa.String(length=11), nullable=True),
        sa.Column('holder', sa.String(length=140), nullable=True),
        sa.Column('credit_minor', sa.Integer(), server_default='0', nullable=False),
        sa.Column('credit_refunded_minor', sa.Integer(), server_default='0', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('amount_minor > 0', name='transfer_amount_positive'),
        sa.CheckConstraint('funded_minor >= 0 AND funded_minor <= amount_minor',
                           name='transfer_funded_range'),
        sa.ForeignKeyConstraint(['receivable_id'], ['receivables.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('create_key'),
        sa.UniqueConstraint('stripe_payment_intent_id'),
    )
    op.create_index('ix_transfer_intents_receivable_id', 'transfer_intents', ['receivable_id'])
    op.create_index('ix_transfer_intents_stripe_customer_id', 'transfer_intents',
                    ['stripe_customer_id'])


def downgrade():
    op.drop_index('ix_transfer_intents_stripe_customer_id', table_name='transfer_intents')
    op.drop_index('ix_transfer_intents_receivable_id', table_name='transfer_intents')
    op.drop_table('transfer_intents')
