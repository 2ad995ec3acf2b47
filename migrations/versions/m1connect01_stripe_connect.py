"""Stripe Connect: providers' connected accounts, the account of every customer, payment and
event, the platform's application fee, and the installation's idempotency prefix

Revision ID: m1connect01
Revises: l1recourse01
Create Date: 2026-12-06 19:00:00.000000

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'm1connect01'
down_revision = 'l1recourse01'
branch_labels = None
depends_on = None


def upgrade():
    installation = op.create_table(
        'installation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('idempotency_prefix', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_installation')))
    # drawn once here: two installs (or a database restored elsewhere) never share it
    op.bulk_insert(installation, [{'id': 1, 'idempotency_prefix': secrets.token_hex(8)}])
    with op.batch_alter_table('providers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stripe_account_id', sa.String(length=64), nullable=True))
        for flag in ('charges_enabled', 'payouts_enabled', 'details_submitted'):
            batch_op.add_column(sa.Column(flag, sa.Boolean(), nullable=False,
                                          server_default=sa.false()))
        batch_op.add_column(sa.Column('requirements_due', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('stripe_disabled_reason', sa.String(length=64),
                                      nullable=True))
        batch_op.add_column(sa.Column('deauthorized_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_providers_stripe_account_id'),
                                          ['stripe_account_id'])
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stripe_account_id', sa.String(length=64), nullable=True))
    with op.batch_alter_table('payments', schema=None) as batch_op:
        # NULL: the platform's own account (every intent made before Connect stays there)
        batch_op.add_column(sa.Column('stripe_account_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('application_fee_minor', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('application_fee_refunded_minor', sa.Integer(),
                                      nullable=False, server_default='0'))
    with op.batch_alter_table('stripe_events', schema=None) as batch_op:
        # '' is the platform: a NULL would never conflict, so the dedupe needs a value
        batch_op.add_column(sa.Column('account', sa.String(length=64), nullable=False,
                                      server_default=''))
        batch_op.drop_constraint('uq_stripe_events_stripe_event_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_stripe_events_account'),
                                          ['account', 'stripe_event_id'])


def downgrade():
    with op.batch_alter_table('stripe_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_stripe_events_account'), type_='unique')
        batch_op.create_unique_constraint('uq_stripe_events_stripe_event_id',
                                          ['stripe_event_id'])
        batch_op.drop_column('account')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_column('application_fee_refunded_minor')
        batch_op.drop_column('application_fee_minor')
        batch_op.drop_column('stripe_account_id')
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_column('stripe_account_id')
    with op.batch_alter_table('providers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_providers_stripe_account_id'), type_='unique')
        for column in ('deauthorized_at', 'stripe_disabled_reason', 'requirements_due',
                       'details_submitted', 'payouts_enabled', 'charges_enabled',
                       'stripe_account_id'):
            batch_op.drop_column(column)
    op.drop_table('installation')
