"""one client row per (provider, e-mail); each card holder keeps the customer its card is on

Today's rows are merged: a row's provider comes from what references it (a row two providers
used is split, one row each); then the rows of one provider with one e-mail become one, the
newest (its details serve future documents; issued invoices keep their snapshot, mises en
demeure their PDF), and every reference is moved onto it. Before that, each card holder copies
its client's Stripe customer, so a saved card is still charged on the customer it is on.

Revision ID: m2clients01
Revises: m1connect01
Create Date: 2026-12-06 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm2clients01'
down_revision = 'm1connect01'
branch_labels = None
depends_on = None

#: the tables that carry a saved card (payments.cards.CardHolderMixin)
HOLDERS = ('bookings', 'messages', 'projects', 'receivables')
#: every table with a client_id, each also with the provider_id it belongs to
REFERENCES = ('bookings', 'messages', 'projects', 'payments', 'receivables', 'invoices',
              'formal_notices', 'recourse_files')
#: the columns copied when a row used by two providers is split
COPIED = ('email', 'name', 'kind', 'company_name', 'legal_form', 'siren', 'address',
          'timezone', 'locale', 'created_at')


def upgrade():
    with op.batch_alter_table('clients') as batch_op:
        batch_op.add_column(sa.Column('provider_id', sa.Integer(), nullable=True))
    for table in HOLDERS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column('stripe_customer_id', sa.String(length=64),
                                          nullable=True))
    bind = op.get_bind()
    for table in HOLDERS:
        bind.execute(sa.text(
            f"UPDATE {table} SET stripe_customer_id = (SELECT c.stripe_customer_id FROM "
            f"clients c WHERE c.id = {table}.client_id) WHERE stripe_customer_id IS NULL"))
    _split_and_assign(bind)
    _merge(bind)
    with op.batch_alter_table('clients') as batch_op:
        batch_op.alter_column('provider_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key('fk_clients_provider_id_providers', 'providers',
                                    ['provider_id'], ['id'])
        batch_op.create_index('ix_clients_provider_id', ['provider_id'])
    op.create_index('uq_clients_provider_email', 'clients',
                    ['provider_id', sa.text('lower(email)')], unique=True)


def _providers_of(bind) -> dict[int, list[int]]:
    """client id -> the providers whose rows reference it (by id: the first keeps the row)."""
    union = " UNION ".join(f"SELECT client_id, provider_id FROM {t}" for t in REFERENCES)
    found: dict[int, set[int]] = {}
    for client_id, provider_id in bind.execute(sa.text(union)):
        found.setdefault(client_id, set()).add(provider_id)
    return {cid: sorted(seen) for cid, seen in found.items()}


def _split_and_assign(bind) -> None:
    """Each row gets the provider that uses it; a row two providers used is copied for the
    second (without its Stripe customer: each holder kept the one its card is on), and that
    provider's references move to the copy. A row nothing references is deleted."""
    providers = _providers_of(bind)
    for (client_id,) in bind.execute(sa.text("SELECT id FROM clients")).fetchall():
        users = providers.get(client_id)
        if not users:
            bind.execute(sa.text("DELETE FROM clients WHERE id = :id"), {"id": client_id})
            continue
        bind.execute(sa.text("UPDATE clients SET provider_id = :p WHERE id = :id"),
                     {"p": users[0], "id": client_id})
        for other in users[1:]:
            copy_id = _copy(bind, client_id, other)
            for table in REFERENCES:
                bind.execute(sa.text(
                    f"UPDATE {table} SET client_id = :new WHERE client_id = :old "
                    f"AND provider_id = :p"), {"new": copy_id, "old": client_id, "p": other})


def _copy(bind, client_id: int, provider_id: int) -> int:
    cols = ", ".join(COPIED)
    bind.execute(sa.text(
        f"INSERT INTO clients (provider_id, {cols}) SELECT :p, {cols} FROM clients "
        f"WHERE id = :id"), {"p": provider_id, "id": client_id})
    return bind.execute(sa.text(
        "SELECT MAX(id) FROM clients WHERE provider_id = :p AND lower(email) = "
        "(SELECT lower(email) FROM clients WHERE id = :id)"),
        {"p": provider_id, "id": client_id}).scalar_one()


def _merge(bind) -> None:
    """Per (provider, e-mail): the newest row is kept (a customer from an older row when it
    has none), every reference moves onto it, the others are deleted."""
    rows = bind.execute(sa.text(
        "SELECT id, provider_id, lower(email), stripe_customer_id FROM clients "
        "ORDER BY created_at DESC, id DESC")).fetchall()
    groups: dict[tuple[int, str], list] = {}
    for row in rows:
        groups.setdefault((row[1], row[2]), []).append(row)
    for group in groups.values():
        if len(group) < 2:
            continue
        kept, others = group[0][0], [r[0] for r in group[1:]]
        customer = next((r[3] for r in group if r[3]), None)
        bind.execute(sa.text("UPDATE clients SET stripe_customer_id = :c WHERE id = :id"),
                     {"c": customer, "id": kept})
        for old in others:
            for table in REFERENCES:
                bind.execute(sa.text(f"UPDATE {table} SET client_id = :new "
                                     f"WHERE client_id = :old"), {"new": kept, "old": old})
            bind.execute(sa.text("DELETE FROM clients WHERE id = :id"), {"id": old})


def downgrade():
    # Merged rows stay merged: the references all point at rows that still exist.
    op.drop_index('uq_clients_provider_email', table_name='clients')
    with op.batch_alter_table('clients') as batch_op:
        batch_op.drop_index('ix_clients_provider_id')
        batch_op.drop_constraint('fk_clients_provider_id_providers', type_='foreignkey')
        batch_op.drop_column('provider_id')
    for table in HOLDERS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('stripe_customer_id')
