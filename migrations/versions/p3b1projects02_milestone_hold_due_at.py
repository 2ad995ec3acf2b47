"""milestones.hold_due_at: when a started milestone's off-session hold is placed

Revision ID: p3b1projects02
Revises: ecf97bc5ef6f
Create Date: 2026-11-25 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'p3b1projects02'
down_revision = 'ecf97bc5ef6f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hold_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_milestones_hold_due_at'), ['hold_due_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestones_hold_due_at'))
        batch_op.drop_column('hold_due_at')
