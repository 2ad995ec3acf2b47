"""Payment plans closed with their case: a request (or a running plan) of a debt already paid
or written off no longer waits for an answer (the services close them from now on; this
closes those left open before)

Revision ID: t2planclose01
Revises: b5form01
Create Date: 2026-12-07 11:15:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 't2planclose01'
down_revision = 'b5form01'
branch_labels = None
depends_on = None

OPEN = "('proposed', 'accepted')"
CLOSED_CASES = "(SELECT id FROM receivables WHERE status IN ('paid', 'written_off'))"


def upgrade():
    op.execute(
        "UPDATE plan_instalments SET status = 'canceled' WHERE status = 'scheduled' AND "
        f"plan_id IN (SELECT id FROM payment_plans WHERE status IN {OPEN} AND "
        f"receivable_id IN {CLOSED_CASES})")
    # a running plan of a debt paid another way is over, like one whose last instalment paid
    op.execute(
        "UPDATE payment_plans SET status = 'completed' WHERE status = 'accepted' AND "
        "receivable_id IN (SELECT id FROM receivables WHERE status = 'paid')")
    op.execute(f"UPDATE payment_plans SET status = 'closed' WHERE status IN {OPEN} AND "
               f"receivable_id IN {CLOSED_CASES}")


def downgrade():
    # closing a request of a settled debt loses nothing to restore: it could not be decided
    pass
