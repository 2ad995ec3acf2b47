"""merge messages, projects and webhooks revisions

Revision ID: z5merge0001
Revises: m3a1messages02, p3b1projects02, w4c1webhooks01
Create Date: 2026-11-25 10:17:36.025382

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'z5merge0001'
down_revision = ('m3a1messages02', 'p3b1projects02', 'w4c1webhooks01')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
