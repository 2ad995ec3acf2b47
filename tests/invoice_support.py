"""Invoice test data straight in the database: a provider with its full legal identity, a
client, and invoices issued through the ledger (the issuing code path, without a payment)."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from skod.accounts.models import Client, Provider
from skod.extensions import db
from skod.invoicing import ledger
from skod.invoicing.models import CREDIT_NOTE, Invoice

_seq = count(1)
NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)


def make_provider(*, vat_rate_bp: int | None = 2000, exempt: str | None = None,
                  terms_days: int = 30, mediator: str | None = "CM2C, 14 rue Saint-Jean, "
                  "75017 Paris, www.cm2c.net") -> int:
    n = next(_seq)
    provider = Provider(
        email=f"inv-provider{n}@example.test", password_hash="x", name=f"Alice Martin {n}",
        slug=f"inv-provider-{n}", timezone="Europe/Paris", currency="EUR",
        company_name=f"Atelier Martin {n}", legal_form="SARL", siren="732829320",
        vat_number="FR44732829320", address="12 rue des Lilas\n75011 Paris",
        vat_rate_bp=vat_rate_bp, vat_exempt_mention=exempt, payment_terms_days=terms_days,
        mediator=mediator)
    db.session.add(provider)
    db.session.commit()
    return provider.id


def make_client(provider_id: int | None = None, *, kind: str = "business",
                locale: str = "fr") -> int:
    """A client row of `provider_id` (of a new provider when None)."""
    provider_id = provider_id or make_provider()
    n = next(_seq)
    business = kind == "business"
    company = {"business": f"Petit Conseil {n} SAS", "public": f"Commune de Bron {n}"}
    client = Client(
        provider_id=provider_id, email=f"inv-client{n}@example.test",
        name=f"Bruno Petit {n}", kind=kind, company_name=company.get(kind),
        legal_form="SAS" if business else None,
        siren="552100554" if business else None,
        address="5 avenue Foch\n69006 Lyon", locale=locale)
    db.session.add(client)
    db.session.commit()
    return client.id


def issue(provider_id: int, client_id: int, amount_minor: int, *, source: str | None = None,
          paid: bool = True, now: datetime = NOW,
          text: str = "Consultation: call of 10 March 2026, 45 minutes") -> Invoice:
    spec = ledger.IssueSpec(provider_id=provider_id, client_id=client_id,
                            source=source or f"test:{next(_seq)}", lines=[(text, amount_minor)],
                            now=now, currency="EUR", paid_at=now if paid else None)
    return ledger.issue(spec)


def credit(invoice: Invoice, amount_minor: int, *, now: datetime = NOW) -> Invoice:
    spec = ledger.IssueSpec(provider_id=invoice.provider_id, client_id=invoice.client_id,
                            source=f"test-refund:{next(_seq)}",
                            lines=[(f"Refund for invoice {invoice.number}", amount_minor)],
                            now=now, currency=invoice.currency, kind=CREDIT_NOTE, paid_at=now,
                            credited=invoice)
    return ledger.issue(spec)
