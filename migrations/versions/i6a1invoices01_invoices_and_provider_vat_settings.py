"""invoices, invoice counters; providers' VAT setting, payment terms and mediator

Revision ID: i6a1invoices01
Revises: z5merge0001
Create Date: 2026-11-26 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'i6a1invoices01'
down_revision = 'z5merge0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('providers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vat_rate_bp', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('vat_exempt_mention', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('payment_terms_days', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('mediator', sa.Text(), nullable=True))
    op.create_table(
        'invoice_counters',
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('series', sa.String(length=16), nullable=False),
        sa.Column('last_sequence', sa.Integer(), nullable=False),
        sa.Column('last_issued_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('provider_id', 'series'),
    )
    op.create_table(
        'invoices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('series', sa.String(length=16), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=32), nullable=False),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('issue_date', sa.Date(), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('ht_minor', sa.Integer(), nullable=False),
        sa.Column('vat_minor', sa.Integer(), nullable=False),
        sa.Column('ttc_minor', sa.Integer(), nullable=False),
        sa.Column('vat_rate_bp', sa.Integer(), nullable=True),
        sa.Column('vat_exempt_mention', sa.Text(), nullable=True),
        sa.Column('paid', sa.Boolean(), nullable=False),
        sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('payment_method', sa.String(length=120), nullable=True),
        sa.Column('source', sa.String(length=64), nullable=False),
        sa.Column('booking_id', sa.Integer(), nullable=True),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.Column('project_id', sa.Integer(), nullable=True),
        sa.Column('milestone_id', sa.Integer(), nullable=True),
        sa.Column('payment_id', sa.Integer(), nullable=True),
        sa.Column('credited_invoice_id', sa.Integer(), nullable=True),
        sa.Column('snapshot', sa.JSON(), nullable=False),
        sa.Column('locale', sa.String(length=5), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('ht_minor + vat_minor = ttc_minor', name='totals_add_up'),
        sa.CheckConstraint('ttc_minor > 0', name='ttc_positive'),
        sa.ForeignKeyConstraint(['provider_id'], ['providers.id']),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id']),
        sa.ForeignKeyConstraint(['booking_id'], ['bookings.id']),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id']),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id']),
        sa.ForeignKeyConstraint(['milestone_id'], ['milestones.id']),
        sa.ForeignKeyConstraint(['payment_id'], ['payments.id']),
        sa.ForeignKeyConstraint(['credited_invoice_id'], ['invoices.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('source'),
        sa.UniqueConstraint('provider_id', 'series', 'sequence', name='uq_invoices_sequence'),
        sa.UniqueConstraint('provider_id', 'number', name='uq_invoices_number'),
    )
    for column in ('provider_id', 'client_id', 'issue_date', 'booking_id', 'message_id',
                   'project_id', 'milestone_id', 'payment_id'):
        op.create_index(f'ix_invoices_{column}', 'invoices', [column], unique=False)


def downgrade():
    op.drop_table('invoices')
    op.drop_table('invoice_counters')
    with op.batch_alter_table('providers', schema=None) as batch_op:
        batch_op.drop_column('mediator')
        batch_op.drop_column('payment_terms_days')
        batch_op.drop_column('vat_exempt_mention')
        batch_op.drop_column('vat_rate_bp')
