"""receivables: the SetupIntent of the pay page's plan form (a card for the instalments)

Revision ID: h4plan01
Revises: d1dunning01
Create Date: 2026-12-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'h4plan01'
down_revision = 'd1dunning01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('receivables', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stripe_setup_intent_id', sa.String(64), nullable=True))
        batch_op.add_column(sa.Column('setup_client_secret', sa.String(255), nullable=True))


def downgrade():
    with op.batch_alter_table('receivables', schema=None) as batch_op:
        batch_op.drop_column('setup_client_secret')
        batch_op.drop_column('stripe_setup_intent_id')
