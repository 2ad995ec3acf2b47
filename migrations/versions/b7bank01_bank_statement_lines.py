"""Bank statement lines imported by a provider (CAMT.053, CSV): one row per credit line,
unique per provider and line

Revision ID: b7bank01
Revises: o2legal01
Create Date: 2026-12-07 08:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7bank01'
down_revision = 'o2legal01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'bank_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('line_key', sa.String(length=80), nullable=False),
        sa.Column('booked_on', sa.Date(), nullable=False),
        sa.Column('amount_minor', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('reference', sa.String(length=255), nullable=False),
        sa.Column('label', sa.String(length=500), nullable=False),
        sa.Column('payer', sa.String(length=140), nullable=False),
        sa.Column('bank_ref', sa.String(length=64), nullable=True),
        sa.Column('source', sa.String(length=8), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('receivable_id', sa.Integer(), nullable=True),
        sa.Column('candidates', sa.JSON(), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['receivable_id'], ['receivables.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('provider_id', 'line_key', name='uq_bank_lines_key'),
    )
    op.create_index('ix_bank_lines_status', 'bank_lines', ['provider_id', 'status'])
    op.create_index('ix_bank_lines_receivable_id', 'bank_lines', ['receivable_id'])


def downgrade():
    op.drop_index('ix_bank_lines_receivable_id', table_name='bank_lines')
    op.drop_index('ix_bank_lines_status', table_name='bank_lines')
    op.drop_table('bank_lines')
