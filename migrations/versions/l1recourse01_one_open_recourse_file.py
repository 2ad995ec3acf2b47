"""one open recourse file per client and provider (two sweeps at once make one file)

Revision ID: l1recourse01
Revises: k1offers01
Create Date: 2026-12-02 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'l1recourse01'
down_revision = 'k1offers01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('uq_recourse_open_file', 'recourse_files', ['provider_id', 'client_email'],
                    unique=True, postgresql_where=sa.text("status = 'open'"),
                    sqlite_where=sa.text("status = 'open'"))


def downgrade():
    op.drop_index('uq_recourse_open_file', table_name='recourse_files')
