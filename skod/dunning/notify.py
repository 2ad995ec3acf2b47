"""Dunning e-mails: the step e-mails to the client (one per client, provider and step, listing
every invoice), and what the provider is told (paid, disputed, promised).

Placeholder wording; the full texts with every item the law asks for replace it."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from skod.core.money import Money
from skod.dunning.models import Receivable
from skod.extensions import db
from skod.notifications import mail


def send_step(step: int, receivable_ids: list[int], now: datetime) -> str:
    """E-mail step `step` for these receivables (same client and provider); the Message-ID."""
    rows = [db.session.get(Receivable, rid) for rid in receivable_ids]
    client = rows[0].client
    with force_locale(client.locale):
        lines = [f"{r.invoice.number if r.invoice else r.source}: "
                 f"{Money(r.balance_minor, r.currency).format(client.locale)}" for r in rows]
        msg = mail.build(to=client.email, template="message",
                         subject=_("Payment reminder (step %(step)s)", step=step),
                         context={"greeting": _("Hello %(name)s,", name=client.name),
                                  "paragraphs": lines, "action_url": None, "details": []},
                         locale=client.locale)
    mail.send(msg)
    return msg["Message-ID"]


def provider_paid(receivable: Receivable) -> None:
    _to_provider(receivable, "paid")


def provider_told(receivable: Receivable, what: str, **data: object) -> None:
    _to_provider(receivable, what)


def _to_provider(receivable: Receivable, what: str) -> None:
    provider = receivable.provider
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    with force_locale(provider.locale):
        msg = mail.build(to=provider.email, template="message", subject=what,
                         context={"greeting": _("Hello %(name)s,", name=provider.name),
                                  "paragraphs": [what], "action_url": f"{base}/dashboard",
                                  "action_label": _("Open your dashboard"), "details": []},
                         locale=provider.locale)
    mail.send(msg)
