"""API tokens expire and can be revoked one by one

Revision ID: m4tokens01
Revises: m3sweep01
Create Date: 2026-12-06 19:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'm4tokens01'
down_revision = 'm3sweep01'
branch_labels = None
depends_on = None


def upgrade():
    # batch mode: SQLite cannot ALTER a table in place
    with op.batch_alter_table('api_tokens') as batch:
        # empty for tokens made before: they count as expiring 90 days after creation
        batch.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_column('revoked_at')
        batch.drop_column('expires_at')
