"""The provider corrects a client's details (the client page's form, PATCH
/api/v1/clients/<id>): its kind (business, consumer or public body), company, legal form and
register (they decide the recourse file's court), and its postal address. A debt whose mise en
demeure waited for that address (formal_notice.ADDRESS) resumes once it is there.

Issued documents do not change: an invoice prints its snapshot, a letter its frozen PDF.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from skod.accounts.clients import owned
from skod.accounts.models import Client
from skod.core.errors import Conflict, NotFound
from skod.dunning.debts import cases
from skod.dunning.debts.models import CLOSED, Receivable
from skod.dunning.mise_en_demeure.services import ADDRESS, needs_address
from skod.extensions import db

#: what the provider may change (the e-mail is the row's key: it never changes here)
FIELDS = ("name", "kind", "company_name", "legal_form", "siren", "registry", "address",
          "locale")
#: what a private person does not have (cleared when the kind becomes consumer)
BUSINESS_ONLY = ("company_name", "legal_form", "siren", "trade_register")


def update(provider_id: int, client_id: int, data: dict, now: datetime) -> Client:
    """Apply the given details (an empty text clears it); the debts that waited for the
    address resume. Another provider's client is "not found"."""
    client = owned(provider_id, client_id)
    if client is None:
        raise NotFound("client not found")
    for field in FIELDS:
        if field in data:
            value = data[field]
            value = value.strip() or None if isinstance(value, str) else value
            setattr(client, "trade_register" if field == "registry" else field, value)
    if client.kind == "consumer":
        for field in BUSINESS_ONLY:
            setattr(client, field, None)
    if "kind" in data:
        # a correction (a public body entered as a business): the debts still owed follow it
        for r in db.session.scalars(select(Receivable).where(
                Receivable.client_id == client.id, Receivable.status.not_in(CLOSED))):
            r.client_kind = client.kind
    db.session.commit()
    address_given(client, now)
    return client


def address_given(client: Client, now: datetime) -> int:
    """Resume the client's debts paused for a missing address that no longer miss it; the
    ladder takes the mise en demeure at the next working hours. How many resumed."""
    waiting = db.session.scalars(select(Receivable).where(
        Receivable.client_id == client.id, Receivable.status == "paused",
        Receivable.pause_reason == ADDRESS)).all()
    resumed = 0
    for r in waiting:
        if needs_address(r):
            continue
        try:
            cases.resume(r.id, now, why="address_given")
            resumed += 1
        except Conflict:  # paid or written off meanwhile: nothing to resume
            db.session.rollback()
    return resumed
