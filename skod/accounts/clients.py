"""One client row per (provider, e-mail): a booking, a question or a project finds the provider's
row for the e-mail it was given, or makes it, and the details given again update it.

Updating the row changes what FUTURE documents print: an issued invoice or credit note prints
its `snapshot`, a mise en demeure its frozen PDF, a dunning e-mail its stored copy, so none of
them changes when the client's details do.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from skod.accounts.models import Client
from skod.accounts.services import new_client
from skod.extensions import db

#: what a page or the API gives again and the row takes (the e-mail is the row's key)
DETAILS = ("name", "kind", "company_name", "legal_form", "siren", "trade_register", "address",
           "timezone", "locale")


def client_for(provider_id: int, data: dict) -> Client:
    """The provider's client with this e-mail, locked, with the details in `data`; made when
    there is none (flushed, the caller commits). Two requests at once end with one row: the
    unique index uq_clients_provider_email makes the second insert wait for the first and fail,
    and the second then reads the row the first made."""
    given = new_client(data)
    client = _locked(provider_id, given.email)
    if client is None:
        given.provider_id = provider_id
        try:
            with db.session.begin_nested():
                db.session.add(given)
                db.session.flush()
            return given
        except IntegrityError:
            client = _locked(provider_id, given.email)
            if client is None:  # the row that won was deleted since: nothing left to reuse
                raise
    for field in DETAILS:
        if field == "trade_register" and given.trade_register is None and given.kind != "consumer":
            continue  # the client pages never ask it: a booking keeps what the provider set
        setattr(client, field, getattr(given, field))
    return client


def _locked(provider_id: int, email: str) -> Client | None:
    return db.session.scalar(select(Client).where(
        Client.provider_id == provider_id, func.lower(Client.email) == email.lower())
        .with_for_update())


def owned(provider_id: int, client_id: int) -> Client | None:
    """The client row `client_id` if it is this provider's; None for another provider's."""
    client = db.session.get(Client, client_id)
    return client if client is not None and client.provider_id == provider_id else None
