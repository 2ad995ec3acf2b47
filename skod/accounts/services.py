"""Sign-up, login, API tokens and profile of providers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from skod.accounts import passwords, tokens
from skod.accounts.models import Client, Provider
from skod.core.clock import utcnow
from skod.core.errors import Conflict, Invalid, Unauthorized
from skod.core.money import CurrencyError, check_currency
from skod.extensions import db
from skod.payments import connect

LEGAL_FIELDS = ("company_name", "legal_form", "siren", "vat_number", "address", "vat_rate_bp",
                "vat_exempt_mention", "mediator", "registry_city", "share_capital_minor")


def check_password(password: str, email: str, name: str, slug: str) -> None:
    """Invalid (422, fields.password) when the password breaks a rule of accounts.passwords."""
    broken = passwords.problem(password, email=email, name=name, slug=slug)
    if broken:
        raise Invalid(passwords.message(broken), {"password": [passwords.message(broken)]},
                      code=f"password_{broken}")


#: STRIPE_MODE=direct: the operator's Stripe account is the one provider's
DIRECT_MODE_FULL = ("this installation takes payments on one Stripe account and already has "
                    "its provider: a second provider cannot sign up here")


def sign_up(data: dict) -> Provider:
    email = data["email"].strip().lower()
    if connect.direct_mode() and db.session.scalar(select(Provider.id).limit(1)):
        raise Conflict(DIRECT_MODE_FULL, code="single_provider")
    check_password(data["password"], email, data["name"], data["slug"])
    if db.session.scalar(select(Provider.id).where(Provider.email == email)):
        raise Conflict("an account with this e-mail exists", {"email": ["already used"]},
                       code="email_taken")
    if db.session.scalar(select(Provider.id).where(Provider.slug == data["slug"])):
        raise Conflict("this address is taken", {"slug": ["already used"]}, code="slug_taken")
    provider = Provider(email=email, password_hash=passwords.hash_password(data["password"]),
                        name=data["name"], slug=data["slug"])
    apply_profile(provider, data)
    db.session.add(provider)
    try:
        db.session.commit()
    except IntegrityError as err:  # a concurrent sign-up took the e-mail or slug
        db.session.rollback()
        raise Conflict("this e-mail or address is taken", code="taken") from err
    return provider


def apply_profile(provider: Provider, data: dict) -> None:
    for field in ("name", "timezone", "locale"):
        if data.get(field):
            setattr(provider, field, data[field])
    if data.get("currency"):
        try:
            provider.currency = check_currency(data["currency"])
        except CurrencyError as err:
            raise Invalid(str(err), {"currency": ["unknown currency"]}) from err
    _apply_legal(provider, data.get("legal") or {})
    bank = data.get("bank") or {}
    for field in ("iban", "bic"):
        if field in bank:
            setattr(provider, field, bank[field] or None)


def _apply_legal(provider: Provider, legal: dict) -> None:
    for field in LEGAL_FIELDS:
        if field in legal:
            setattr(provider, field, None if legal[field] in (None, "") else legal[field])
    # one VAT regime at a time: a rate given alone ends an exemption, and the other way round
    if legal.get("vat_rate_bp") is not None and "vat_exempt_mention" not in legal:
        provider.vat_exempt_mention = None
    if legal.get("vat_exempt_mention") and "vat_rate_bp" not in legal:
        provider.vat_rate_bp = None
    if legal.get("payment_terms_days") is not None:
        provider.payment_terms_days = legal["payment_terms_days"]
    if "registry" in legal:
        provider.trade_register = legal["registry"] or None
    if legal.get("vat_on_debits") is not None:
        provider.vat_on_debits = legal["vat_on_debits"]


def update_profile(provider: Provider, data: dict) -> Provider:
    apply_profile(provider, data)
    db.session.commit()
    return provider


def authenticate(email: str, password: str) -> Provider:
    """The provider with this e-mail and password; one hash check whether the e-mail is known
    or not (the answer time must not tell which e-mails have an account)."""
    provider = db.session.scalar(select(Provider).where(Provider.email == email.strip().lower()))
    if not passwords.verify(provider.password_hash if provider else None, password):
        raise Unauthorized("wrong e-mail or password", code="bad_credentials")
    return provider


def change_password(provider: Provider, current: str, new: str, revoke_tokens: bool = False,
                    now: datetime | None = None) -> None:
    """A new password (same rules as at sign-up); every login session of the provider ends,
    and every API token too when `revoke_tokens`."""
    if not passwords.verify(provider.password_hash, current):
        raise Invalid("the current password is wrong", {"current_password": ["wrong password"]},
                      code="bad_credentials")
    try:
        check_password(new, provider.email, provider.name, provider.slug)
    except Invalid as err:
        raise Invalid(err.message, {"new_password": err.fields["password"]},
                      code=err.code) from None
    provider.password_hash = passwords.hash_password(new)
    provider.end_sessions()
    if revoke_tokens:
        tokens.revoke_all(provider, now or utcnow())
    db.session.commit()


def end_sessions(provider: Provider) -> None:
    """Log out everywhere: every session cookie issued so far stops working."""
    provider.end_sessions()
    db.session.commit()


def load_session(user_id: str) -> Provider | None:
    """flask-login's user loader: "<id>:<session_version>"; a stale or malformed id is nobody."""
    provider_id, _, version = user_id.partition(":")
    if not (provider_id.isdigit() and version.isdigit()) or len(provider_id) > 12:
        return None
    provider = db.session.get(Provider, int(provider_id))
    if provider is None or provider.session_version != int(version):
        return None
    return provider


def new_client(data: dict) -> Client:
    """A provider's client as a booking, question or project gives it (not yet added)."""
    kind = data.get("kind") if data.get("kind") in ("business", "public") else "consumer"
    business = kind != "consumer"  # a private person has no company, SIREN nor registry
    return Client(
        email=data["email"].strip().lower(), name=data["name"].strip(), kind=kind,
        company_name=data.get("company_name") if business else None,
        siren=data.get("siren") if business else None, address=data.get("address"),
        legal_form=((data.get("legal_form") or "").strip() or None) if business else None,
        trade_register=data.get("registry") if business else None,
        timezone=data.get("timezone") or "Europe/Paris", locale=data.get("locale") or "fr",
    )
