"""Issue an invoice or credit note: number it under the counter lock, freeze what it says.

`issue` is idempotent on `source` (one invoice per service or refund): a retried job, a webhook
and the request that delivered the service may all call it; the first one issues, the others get
that invoice back. Content never changes afterwards; `mark_paid` only records the payment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from skod.accounts.models import Client, Provider
from skod.extensions import db
from skod.invoicing import numbering, rates, vat
from skod.invoicing.models import INVOICE, Invoice

#: the mention printed when a provider set neither a rate nor its own exemption mention
DEFAULT_EXEMPTION = vat.FRANCHISE_MENTION


@dataclass
class IssueSpec:
    provider_id: int
    client_id: int
    source: str
    #: (description, amount incl. VAT) per line
    lines: list[tuple[str, int]]
    now: datetime
    currency: str
    kind: str = INVOICE
    #: when the payment was captured; None issues an unpaid invoice with its due date
    paid_at: datetime | None = None
    links: dict = field(default_factory=dict)
    credited: Invoice | None = None


#: functions(invoice_id, now) called after an invoice was issued, and after one was marked
#: paid (dunning links its receivable, and closes its case): invoicing imports no listener
_ON_ISSUED: list = []
_ON_PAID: list = []


def on_issued(fn) -> None:  # noqa: ANN001 - Callable[[int, datetime], None]
    if fn not in _ON_ISSUED:
        _ON_ISSUED.append(fn)


def on_paid(fn) -> None:  # noqa: ANN001 - Callable[[int, datetime], None]
    if fn not in _ON_PAID:
        _ON_PAID.append(fn)


def by_source(source: str) -> Invoice | None:
    return db.session.scalar(select(Invoice).where(Invoice.source == source))


def vat_setting(provider: Provider) -> tuple[int | None, str | None]:
    """(rate in basis points, None) or (None, exemption mention)."""
    if provider.vat_exempt_mention:
        return None, provider.vat_exempt_mention
    if provider.vat_rate_bp is not None:
        return provider.vat_rate_bp, None
    return None, DEFAULT_EXEMPTION


def local_day(moment: datetime, tz: str) -> date:
    return moment.astimezone(ZoneInfo(tz)).date()


def payment_method_text(locale: str) -> str:
    with force_locale(locale):
        return _("Card payment")


def issue(spec: IssueSpec) -> Invoice:
    """The invoice of `spec.source`, issued now when there is none yet (commits)."""
    existing = by_source(spec.source)
    if existing is not None:
        db.session.commit()
        return existing
    provider = db.session.get(Provider, spec.provider_id)
    client = db.session.get(Client, spec.client_id)
    series = str(local_day(spec.now, provider.timezone).year)
    counter = numbering.lock_counter(provider.id, series)
    existing = by_source(spec.source)  # issued by whoever held the lock before us
    if existing is not None:
        db.session.rollback()
        return by_source(spec.source)
    # numbers follow dates: an issuer whose clock is behind the last one's takes its instant
    if counter.last_issued_at is not None and counter.last_issued_at > spec.now:
        spec.now = counter.last_issued_at
    invoice = _new_invoice(spec, provider, client, local_day(spec.now, provider.timezone),
                           series)
    invoice.sequence = numbering.take_next(counter)
    invoice.number = numbering.format_number(series, invoice.sequence)
    counter.last_issued_at = spec.now
    db.session.add(invoice)
    db.session.commit()
    invoice_id = invoice.id
    for fn in _ON_ISSUED:
        fn(invoice_id, spec.now)
    return db.session.get(Invoice, invoice_id)


def _new_invoice(spec: IssueSpec, provider: Provider, client: Client, issue_date: date,
                 series: str) -> Invoice:
    if spec.credited is not None:  # a credit note repeats the VAT terms of its invoice
        rate, mention = spec.credited.vat_rate_bp, spec.credited.vat_exempt_mention
    else:
        rate, mention = vat_setting(provider)
    lines = [_line(text, ttc, rate) for text, ttc in spec.lines]
    paid = spec.paid_at is not None
    due = issue_date if paid else issue_date + timedelta(days=provider.payment_terms_days or 0)
    return Invoice(
        provider_id=provider.id, client_id=client.id, kind=spec.kind, series=series,
        issued_at=spec.now, issue_date=issue_date, due_date=due, currency=spec.currency,
        ht_minor=sum(line["total_ht_minor"] for line in lines),
        vat_minor=sum(line["vat_minor"] for line in lines),
        ttc_minor=sum(line["ttc_minor"] for line in lines),
        vat_rate_bp=rate, vat_exempt_mention=mention, paid=paid, paid_at=spec.paid_at,
        payment_method=payment_method_text(client.locale) if paid else None,
        source=spec.source, credited_invoice_id=spec.credited.id if spec.credited else None,
        locale=client.locale if client.locale in ("fr", "en") else "fr",
        snapshot=_snapshot(provider, client, lines, due), **spec.links)


def _line(description: str, ttc: int, rate: int | None) -> dict:
    part = vat.split(ttc, rate)
    # one unit per service: the unit price excl. VAT is the line total, no second rounding
    return {"description": description, "quantity": 1, "unit": "unit",
            "unit_price_ht_minor": part.ht_minor, "total_ht_minor": part.ht_minor,
            "vat_minor": part.vat_minor, "ttc_minor": part.ttc_minor}


def _snapshot(provider: Provider, client: Client, lines: list[dict], due: date) -> dict:
    seller = {"name": provider.name, "company_name": provider.company_name,
              "legal_form": provider.legal_form, "siren": provider.siren,
              "vat_number": provider.vat_number, "address": provider.address,
              "email": provider.email, "registry": provider.trade_register,
              "registry_city": provider.registry_city,
              "share_capital_minor": provider.share_capital_minor,
              "vat_on_debits": bool(provider.vat_on_debits)}
    buyer = {"name": client.name, "company_name": client.company_name, "siren": client.siren,
             "address": client.address, "email": client.email,
             "kind": client.kind if client.kind in ("business", "public") else "consumer"}
    return {"seller": seller, "buyer": buyer, "lines": lines,
            "payment_terms_days": provider.payment_terms_days or 0,
            "penalty_rate_bp": rates.penalty_rate_bp(due),
            "penalty_rate_provisional": rates.provisional_half(due),
            "mediator": provider.mediator}


def mark_paid(invoice_id: int, paid_at: datetime, method: str = "card") -> Invoice:
    """Record that an unpaid invoice was paid later (the only change an invoice accepts);
    `method`: card or transfer."""
    invoice = db.session.get(Invoice, invoice_id, with_for_update=True, populate_existing=True)
    changed = not invoice.paid
    if changed:
        invoice.paid, invoice.paid_at = True, paid_at
        invoice.payment_method = (transfer_text(invoice.locale) if method == "transfer"
                                  else payment_method_text(invoice.locale))
    db.session.commit()
    if changed:
        for fn in _ON_PAID:
            fn(invoice_id, paid_at)
    return db.session.get(Invoice, invoice_id)


def transfer_text(locale: str) -> str:
    with force_locale(locale):
        return _("Bank transfer")
