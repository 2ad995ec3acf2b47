"""Provider, ApiToken and Client rows."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skod.core.clock import utcnow
from skod.core.types import UTCDateTime
from skod.extensions import db


class Provider(UserMixin, db.Model):
    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200))
    #: public address of the provider's page: /p/<slug>
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    #: legal identity printed on invoices and reminders
    company_name: Mapped[str | None] = mapped_column(String(200))
    legal_form: Mapped[str | None] = mapped_column(String(64))
    siren: Mapped[str | None] = mapped_column(String(9))
    vat_number: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(Text)
    #: the register the business is entered in: "rcs" (registre du commerce et des sociétés),
    #: "rm" (répertoire des métiers) or None, with the registry's city: invoices print
    #: "RCS Paris 732 829 320" (Code de commerce R123-237)
    #: (attribute `trade_register`: `registry` is SQLAlchemy's own name on a model)
    trade_register: Mapped[str | None] = mapped_column("registry", String(3))
    registry_city: Mapped[str | None] = mapped_column(String(100))
    #: a company's share capital, printed "SARL au capital de 10 000,00 €" (R123-238)
    share_capital_minor: Mapped[int | None] = mapped_column(BigInteger)
    #: VAT paid on the debits instead of on receipts (services): an invoice mention (CGI 242
    #: nonies A)
    vat_on_debits: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: VAT on invoices: a rate (2000 = 20 %), or an exemption mention such as
    #: "TVA non applicable, art. 293 B du CGI" (the mention wins when both are set)
    vat_rate_bp: Mapped[int | None] = mapped_column(Integer)
    vat_exempt_mention: Mapped[str | None] = mapped_column(Text)
    #: days between issue and due date of an unpaid invoice (0 = payable on receipt)
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: consumer mediator printed on B2C invoices (name, address, website)
    mediator: Mapped[str | None] = mapped_column(Text)
    #: bank details printed on reminders and the pay page for a payment by transfer
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    #: the provider's last look at the dashboard: "since your last visit" counts from here
    dunning_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the public profile: a few lines about the provider, the languages they work in
    #: ("fr,en"), and a photo (JPEG re-encoded by accounts.public_profile)
    bio: Mapped[str | None] = mapped_column(Text)
    languages: Mapped[str | None] = mapped_column(String(64))
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    photo_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: part of the login session's user id: bumped on logout and password change, so that a
    #: session cookie copied earlier (the cookie is signed, not stored) no longer loads anyone
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: the provider's connected Stripe account (direct charges on it) and its state as
    #: account.updated last told it; the money is taken only while charges_enabled
    stripe_account_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    charges_enabled: Mapped[bool] = mapped_column(default=False, server_default=false())
    payouts_enabled: Mapped[bool] = mapped_column(default=False, server_default=false())
    details_submitted: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: what Stripe still asks for, comma-separated (requirements.past_due + currently_due)
    requirements_due: Mapped[str | None] = mapped_column(Text)
    stripe_disabled_reason: Mapped[str | None] = mapped_column(String(64))
    #: the provider revoked our access: no new booking; what was held or owed stays listed
    deauthorized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="provider")

    def get_id(self) -> str:
        """flask-login's user id: "<id>:<session_version>" (see load_session)."""
        return f"{self.id}:{self.session_version or 0}"

    def end_sessions(self) -> None:
        """Every login session of this provider stops working (the caller commits)."""
        self.session_version = (self.session_version or 0) + 1

    def legal(self) -> dict:
        return {
            "company_name": self.company_name,
            "legal_form": self.legal_form,
            "siren": self.siren,
            "vat_number": self.vat_number,
            "address": self.address,
            "vat_rate_bp": self.vat_rate_bp,
            "vat_exempt_mention": self.vat_exempt_mention,
            "payment_terms_days": self.payment_terms_days,
            "mediator": self.mediator,
            "registry": self.trade_register,
            "registry_city": self.registry_city,
            "share_capital_minor": self.share_capital_minor,
            "vat_on_debits": bool(self.vat_on_debits),
        }

    def bank(self) -> dict:
        return {"iban": self.iban, "bic": self.bic}

    def missing_legal(self) -> list[str]:
        """Identity data an invoice needs that this provider has not given yet."""
        missing = [f for f in ("company_name", "legal_form", "siren", "address")
                   if not getattr(self, f)]
        if self.vat_rate_bp is None and not self.vat_exempt_mention:
            missing.append("vat")
        elif self.vat_rate_bp and not self.vat_number:
            missing.append("vat_number")
        if not self.mediator:
            missing.append("mediator")
        return missing + registration_missing(self.legal_form, self.trade_register,
                                              self.registry_city, self.share_capital_minor)


#: registers a business can be entered in (RCS: commerçants and companies; RM: artisans)
REGISTRIES = ("rcs", "rm")
#: the companies whose invoices must state their share capital (R123-238): commercial by form
#: (Code de commerce L210-1) plus the SEL forms; compared on the normalised legal form
CAPITAL_FORMS = ("SA", "SAS", "SASU", "SARL", "EURL", "SNC", "SCA", "SCS", "SELARL", "SELAS",
                 "SELAFA", "SELCA", "SELEURL", "SELASU")


def normal_form(legal_form: str | None) -> str:
    """"S.A.R.L." / "sarl " -> "SARL": the legal form as the rules compare it."""
    plain = unicodedata.normalize("NFKD", legal_form or "").encode("ascii", "ignore")
    return "".join(ch for ch in plain.decode().upper() if ch.isalnum())


def registration_missing(legal_form: str | None, registry: str | None, city: str | None,
                         capital: int | None) -> list[str]:
    """What a provider's invoices still lack of R123-237 / R123-238: a company needs its
    register (RCS) and its city and its share capital; a registered business, the city."""
    company = normal_form(legal_form) in CAPITAL_FORMS
    missing = []
    if company and not registry:
        missing.append("registry")
    if (company or registry) and not city:
        missing.append("registry_city")
    if company and capital is None:
        missing.append("share_capital")
    return missing


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    #: sha256 of the token; the token itself is shown once and never stored
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: past this moment the token is refused (empty on tokens made before expiries: those
    #: end TOKEN_DEFAULT_DAYS after their creation, see accounts.tokens)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: set when the provider revokes it; the row stays so the list can say when
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    provider: Mapped[Provider] = relationship(back_populates="tokens")


class Client(db.Model):
    """A provider's client: no account, reached by e-mail and signed links. One row per
    (provider, e-mail): every booking, question and project of that provider with that e-mail
    reuses it (accounts.clients.client_for), and nothing of it is shown to another provider."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: "business", "consumer" or "public" (a public body): decides penalties and mentions
    kind: Mapped[str] = mapped_column(String(10), default="consumer")
    company_name: Mapped[str | None] = mapped_column(String(200))
    #: SAS, SARL, EI, ...: a mise en demeure names the debtor's legal form
    legal_form: Mapped[str | None] = mapped_column(String(64))
    siren: Mapped[str | None] = mapped_column(String(9))
    #: "rcs", "rm" or None: with the legal form, decides the competent court (recourse file)
    trade_register: Mapped[str | None] = mapped_column("registry", String(3))
    address: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    stripe_customer_id: Mapped[str | None] = mapped_column(String(64))
    #: the account that customer lives on (None: the platform's); another account's customer
    #: is made again on the provider's account
    stripe_account_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# An expression index: PostgreSQL and SQLite both refuse a second row of one provider for one
# e-mail, whatever its case, so two requests at once end with one row (the second reads it).
Index("uq_clients_provider_email", Client.provider_id, func.lower(Client.email), unique=True)
