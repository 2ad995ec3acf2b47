"""dunning: receivables and their cases, steps, timeline, payment plans, ladder settings,
late-payment rates (seeded from the law file); recovery payments; provider bank details

Revision ID: d1dunning01
Revises: k7s1sessions01
Create Date: 2026-11-25 18:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd1dunning01'
down_revision = 'k7s1sessions01'
branch_labels = None
depends_on = None

#: law file section 1: (year, half, ECB, legal rate private creditor, legal rate others,
#: verified); basis points
RATES = [
    (2024, 1, 450, 801, 507, True), (2024, 2, 425, 816, 492, True),
    (2025, 1, 315, 721, 371, True), (2025, 2, 215, 665, 276, True),
    (2026, 1, 215, 667, 262, True), (2026, 2, 215, None, None, False),
]


def upgrade():
    op.create_table(
        'receivables',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), sa.ForeignKey('providers.id'), nullable=False),
        sa.Column('client_id', sa.Integer(), sa.ForeignKey('clients.id'), nullable=False),
        sa.Column('source', sa.String(64), nullable=False),
        sa.Column('invoice_id', sa.Integer(), sa.ForeignKey('invoices.id'), nullable=True),
        sa.Column('currency', sa.String(3), nullable=False),
        sa.Column('principal_minor', sa.Integer(), nullable=False),
        sa.Column('paid_minor', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('client_kind', sa.String(10), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('payment_id', sa.Integer(), sa.ForeignKey('payments.id'), nullable=True),
        sa.Column('failure_code', sa.String(64), nullable=True),
        sa.Column('failure_kind', sa.String(32), nullable=True),
        sa.Column('stripe_payment_method_id', sa.String(64), nullable=True),
        sa.Column('evidence', sa.JSON(), nullable=False),
        sa.Column('last_step', sa.Integer(), nullable=False, server_default='-1'),
        sa.Column('last_step_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('retries_done', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('next_retry_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('next_action_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('pause_reason', sa.String(24), nullable=True),
        sa.Column('paused_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('principal_minor > 0', name='principal_positive'),
        sa.CheckConstraint('paid_minor >= 0', name='paid_non_negative'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('source'),
    )
    op.create_index('ix_receivables_provider_id', 'receivables', ['provider_id'])
    op.create_index('ix_receivables_invoice_id', 'receivables', ['invoice_id'])
    op.create_index('ix_receivables_due', 'receivables', ['next_action_at'],
                    postgresql_where=sa.text("status = 'open' AND next_action_at IS NOT NULL"))
    op.create_index('ix_receivables_client', 'receivables',
                    ['provider_id', 'client_id', 'status'])
    op.create_table(
        'dunning_steps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('receivable_id', sa.Integer(),
                  sa.ForeignKey('receivables.id', ondelete='CASCADE'), nullable=False),
        sa.Column('step', sa.Integer(), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('channel', sa.String(16), nullable=False),
        sa.Column('message_id', sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('receivable_id', 'step', name='uq_dunning_step_once'),
    )
    op.create_table(
        'dunning_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('receivable_id', sa.Integer(),
                  sa.ForeignKey('receivables.id', ondelete='CASCADE'), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('kind', sa.String(24), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_dunning_events_receivable_id', 'dunning_events', ['receivable_id'])
    op.create_table(
        'payment_plans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('receivable_id', sa.Integer(),
                  sa.ForeignKey('receivables.id', ondelete='CASCADE'), nullable=False),
        sa.Column('instalments', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_payment_plans_receivable_id', 'payment_plans', ['receivable_id'])
    op.create_table(
        'plan_instalments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(),
                  sa.ForeignKey('payment_plans.id', ondelete='CASCADE'), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('amount_minor', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('payment_id', sa.Integer(), sa.ForeignKey('payments.id'), nullable=True),
        sa.CheckConstraint('amount_minor > 0', name='instalment_positive'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('plan_id', 'seq', name='uq_instalment_seq'),
    )
    op.create_index('ix_plan_instalments_due_at', 'plan_instalments', ['due_at'])
    op.create_table(
        'dunning_settings',
        sa.Column('provider_id', sa.Integer(),
                  sa.ForeignKey('providers.id', ondelete='CASCADE'), nullable=False),
        sa.Column('overrides', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('provider_id'),
    )
    op.create_table(
        'late_rates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('half', sa.Integer(), nullable=False),
        sa.Column('ecb_bp', sa.Integer(), nullable=False),
        sa.Column('legal_private_bp', sa.Integer(), nullable=True),
        sa.Column('legal_other_bp', sa.Integer(), nullable=True),
        sa.Column('verified', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('half IN (1, 2)', name='half_is_1_or_2'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('year', 'half', name='uq_late_rate_half'),
    )
    insert = sa.text(
        "INSERT INTO late_rates (year, half, ecb_bp, legal_private_bp, legal_other_bp, "
        "verified, updated_at) VALUES (:y, :h, :e, :p, :o, :v, CURRENT_TIMESTAMP)")
    for y, h, e, p, o, v in RATES:
        op.get_bind().execute(insert, {"y": y, "h": h, "e": e, "p": p, "o": o, "v": v})
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receivable_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_error_advice', sa.String(32), nullable=True))
        batch_op.create_foreign_key('fk_payments_receivable_id', 'receivables',
                                    ['receivable_id'], ['id'])
        batch_op.create_index('ix_payments_receivable_id', ['receivable_id'])
    with op.batch_alter_table('providers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('iban', sa.String(34), nullable=True))
        batch_op.add_column(sa.Column('bic', sa.String(11), nullable=True))


def downgrade():
    with op.batch_alter_table('providers', schema=None) as batch_op:
        batch_op.drop_column('bic')
        batch_op.drop_column('iban')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index('ix_payments_receivable_id')
        batch_op.drop_constraint('fk_payments_receivable_id', type_='foreignkey')
        batch_op.drop_column('last_error_advice')
        batch_op.drop_column('receivable_id')
    for table in ('late_rates', 'dunning_settings', 'plan_instalments', 'payment_plans',
                  'dunning_events', 'dunning_steps', 'receivables'):
        op.drop_table(table)
