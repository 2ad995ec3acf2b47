"""The links and language of a debt's messages: the client's pay page (signed, no account: the
token is the key), the provider's case page, the invoice's download link, the language a
person reads, and the provider's voice in what their client is sent."""

from __future__ import annotations

from flask import current_app

from skod.accounts.models import Client, Provider
from skod.core.signing import expired_for, make_token, read_token
from skod.dunning.debts.models import Receivable
from skod.invoicing.models import Invoice
from skod.invoicing.queries import CLIENT_LINKS
from skod.notifications.mail import Sender, voice_of

PURPOSE = "pay"


def pay_url(receivable: Receivable) -> str:
    return f"{base_url()}/pay/{receivable.id}/{make_token(PURPOSE, receivable.id)}"


def opens(receivable_id: int, token: str) -> bool:
    """True when `token` is this receivable's pay link and has not expired."""
    age = current_app.config["PAY_LINK_MAX_AGE"]
    return read_token(PURPOSE, token, max_age=age) == receivable_id


def expired(receivable_id: int, token: str) -> bool:
    """True when `token` is this receivable's pay link whose time is over."""
    return expired_for(PURPOSE, token, receivable_id)


def transfer_reference(receivable: Receivable) -> str:
    """The reference a client writes on a transfer, so the provider can match it."""
    number = receivable.invoice.number if receivable.invoice else f"R{receivable.id}"
    return f"SKOD-{number}"


LOCALES = ("fr", "en")


def locale_of(person: Client | Provider) -> str:
    return person.locale if person.locale in LOCALES else "fr"


def voice(provider: Provider) -> Sender:
    """An e-mail to the provider's client speaks for the provider: their name as the sender,
    Reply-To their address, their signature (never "Skod")."""
    return voice_of(name=provider.name, email=provider.email,
                    company_name=provider.company_name)


def base_url() -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/")


def case_url(receivable: Receivable) -> str:
    """The provider's page of the case."""
    return f"{base_url()}/dashboard/receivables/{receivable.id}"


def invoice_url(invoice: Invoice | None) -> str | None:
    """The client's download link of the invoice (the signed link of its booking, message or
    project, as on the client's pages); None when the invoice has none."""
    for column, purpose in CLIENT_LINKS if invoice is not None else ():
        object_id = getattr(invoice, column)
        if object_id is not None:
            return f"{base_url()}/i/{invoice.id}/{make_token(purpose, object_id)}"
    return None
