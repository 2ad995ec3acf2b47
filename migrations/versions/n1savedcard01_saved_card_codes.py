"""One-time codes that let a returning client pay with their saved card

Revision ID: n1savedcard01
Revises: m5sweep02
Create Date: 2026-12-06 22:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'n1savedcard01'
down_revision = 'm5sweep02'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'saved_card_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('ref', sa.String(length=40), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('wrong_tries', sa.Integer(), nullable=False),
        sa.Column('spent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], ondelete='CASCADE',
                                name=op.f('fk_saved_card_codes_client_id_clients')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_card_codes')),
    )
    op.create_index(op.f('ix_saved_card_codes_client_id'), 'saved_card_codes', ['client_id'])
    op.create_index(op.f('ix_saved_card_codes_ref'), 'saved_card_codes', ['ref'])


def downgrade():
    op.drop_index('ix_saved_card_codes_ref', table_name='saved_card_codes')
    op.drop_index('ix_saved_card_codes_client_id', table_name='saved_card_codes')
    op.drop_table('saved_card_codes')
