"""Client disputes as a conversation: what the client wrote, the provider's answer and
decision, the credit note of an accepted part

Revision ID: u1dispute01
Revises: t1transfer01
Create Date: 2026-12-07 11:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'u1dispute01'
down_revision = 't1transfer01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'client_disputes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('receivable_id', sa.Integer(), nullable=False),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('rejection', sa.Text(), nullable=True),
        sa.Column('credited_minor', sa.Integer(), nullable=True),
        sa.Column('credit_note_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('credited_minor IS NULL OR credited_minor > 0',
                           name='dispute_credit_positive'),
        sa.CheckConstraint("outcome IS NULL OR outcome IN ('partial', 'accepted', 'rejected')",
                           name='dispute_outcome_known'),
        sa.ForeignKeyConstraint(['receivable_id'], ['receivables.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['credit_note_id'], ['invoices.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_client_disputes_receivable_id', 'client_disputes', ['receivable_id'])
    op.create_index('uq_client_dispute_undecided', 'client_disputes', ['receivable_id'],
                    unique=True, postgresql_where=sa.text('outcome IS NULL'),
                    sqlite_where=sa.text('outcome IS NULL'))


def downgrade():
    op.drop_index('uq_client_dispute_undecided', table_name='client_disputes')
    op.drop_index('ix_client_disputes_receivable_id', table_name='client_disputes')
    op.drop_table('client_disputes')
