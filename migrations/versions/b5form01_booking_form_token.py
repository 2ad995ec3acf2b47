"""The booking form's one-time token on each booking: a form sent twice makes one booking

Revision ID: b5form01
Revises: u1dispute01
Create Date: 2026-12-07 11:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b5form01'
down_revision = 'u1dispute01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bookings') as batch_op:
        batch_op.add_column(sa.Column('form_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_bookings_form_token', ['offer_id', 'form_token'])


def downgrade():
    with op.batch_alter_table('bookings') as batch_op:
        batch_op.drop_constraint('uq_bookings_form_token', type_='unique')
        batch_op.drop_column('form_token')
