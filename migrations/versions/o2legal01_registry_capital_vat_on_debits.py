"""Registration mentions and the court choice: the provider's registry (RCS / RM), its city,
share capital and VAT-on-debits option; the client's registry

Revision ID: o2legal01
Revises: n1savedcard01
Create Date: 2026-12-07 01:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'o2legal01'
down_revision = 'o3owed01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('providers') as batch:
        batch.add_column(sa.Column('registry', sa.String(length=3), nullable=True))
        batch.add_column(sa.Column('registry_city', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('share_capital_minor', sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column('vat_on_debits', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table('clients') as batch:
        batch.add_column(sa.Column('registry', sa.String(length=3), nullable=True))


def downgrade():
    # SQLite drops a column by copying the table, and the copy would lose this expression
    # index (reflection does not see it): dropped first, made again after
    op.drop_index('uq_clients_provider_email', table_name='clients')
    with op.batch_alter_table('clients') as batch:
        batch.drop_column('registry')
    op.create_index('uq_clients_provider_email', 'clients',
                    ['provider_id', sa.text('lower(email)')], unique=True)
    with op.batch_alter_table('providers') as batch:
        batch.drop_column('vat_on_debits')
        batch.drop_column('share_capital_minor')
        batch.drop_column('registry_city')
        batch.drop_column('registry')
