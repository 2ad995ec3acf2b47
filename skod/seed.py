"""The demo provider of `make run`: one flat and one per-minute call offer, weekday hours, and
(connect_demo, once the emulator runs) an onboarded connected Stripe account."""

from __future__ import annotations

from sqlalchemy import select

from skod.accounts.models import Provider
from skod.accounts.services import sign_up, update_profile
from skod.catalog.models import Offer
from skod.catalog.services import create_offer, set_availability
from skod.extensions import db

DEMO_EMAIL = "demo@skod.local"
WEEKLY = {d: [["09:00", "12:00"], ["14:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
WEEKLY["sat"] = [["10:00", "12:00"]]


DEMO_LEGAL = {"company_name": "Camille Martin Conseil", "legal_form": "EI",
              "siren": "123456789", "vat_number": "FR12123456789",
              "address": "12 rue de la Paix\n75002 Paris", "vat_rate_bp": 2000,
              "payment_terms_days": 30,
              "mediator": "Médiateur de la consommation (exemple) : CM2C, 49 rue de Ponthieu, "
                          "75008 Paris, www.cm2c.net"}


def seed_demo() -> Provider:
    provider = db.session.scalar(select(Provider).where(Provider.email == DEMO_EMAIL))
    if provider is None:
        provider = sign_up({
            "email": DEMO_EMAIL, "password": "skod-demo-garden-42", "name": "Camille Martin",
            "slug": "demo", "timezone": "Europe/Paris", "currency": "EUR",
            "legal": DEMO_LEGAL,
        })
    elif provider.missing_legal():  # a demo seeded before invoicing existed
        update_profile(provider, {"legal": DEMO_LEGAL})
    if not db.session.scalar(select(Offer.id).where(Offer.provider_id == provider.id)):
        create_offer(provider, {"title": "Appel conseil 30 min", "duration_minutes": 30,
                                "pricing": "flat", "price": {"amount_minor": 9000,
                                                             "currency": "EUR"},
                                "late_cancel_fee_percent": 50})
        create_offer(provider, {"title": "Appel à la minute", "duration_minutes": 20,
                                "pricing": "per_minute", "minimum_minutes": 10,
                                "price": {"amount_minor": 250, "currency": "EUR"},
                                "late_cancel_fee_percent": 30})
    set_availability(provider, {"timezone": "Europe/Paris", "weekly": WEEKLY,
                                "buffer_minutes": 10})
    return provider


def connect_demo() -> str:
    """The demo provider's connected account, onboarded with the emulator's test control and
    read back. An account the emulator no longer knows (its state was wiped) is made again."""
    from flask import current_app

    from skod.accounts import stripe_account
    from skod.payments import connect
    from skod.stripe_gateway import GatewayError, gateway

    base = current_app.config["STRIPE_API_BASE"]
    if not base:
        raise RuntimeError("connect-demo onboards on the Stripe emulator only (STRIPE_API_BASE)")
    provider = seed_demo()
    if connect.direct_mode():
        return "none (STRIPE_MODE=direct: the platform's own account)"
    if provider.stripe_account_id:
        try:
            gateway().retrieve_account(provider.stripe_account_id)
        except GatewayError:
            provider.stripe_account_id = None
            db.session.commit()
    account = stripe_account.ensure_account(provider)
    _emulator_control(f"{base}/_test/accounts/{account}/onboard")
    stripe_account.sync(provider)
    return account


def _emulator_control(url: str) -> None:
    import urllib.request

    with urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST"),
                                timeout=10) as resp:
        if resp.status != 200:
            raise RuntimeError(f"{url}: HTTP {resp.status}")
