"""SEPA Direct Debit for projects: the project's payment method kind, its SEPA SetupIntent and
mandate; the payment method a payment was made with (a debit is told apart from a card)

Revision ID: q1sepa01
Revises: b7bank01
Create Date: 2026-12-07 08:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'q1sepa01'
down_revision = 'b7bank01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('projects') as batch:
        batch.add_column(sa.Column('payment_method_kind', sa.String(length=16), nullable=False,
                                   server_default='card'))
        batch.add_column(sa.Column('sepa_setup_intent_id', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('sepa_setup_client_secret', sa.String(length=255),
                                   nullable=True))
        batch.add_column(sa.Column('sepa_mandate_id', sa.String(length=64), nullable=True))
    with op.batch_alter_table('payments') as batch:
        batch.add_column(sa.Column('method', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('payments') as batch:
        batch.drop_column('method')
    with op.batch_alter_table('projects') as batch:
        batch.drop_column('sepa_mandate_id')
        batch.drop_column('sepa_setup_client_secret')
        batch.drop_column('sepa_setup_intent_id')
        batch.drop_column('payment_method_kind')
