"""API schemas of providers and tokens."""

from __future__ import annotations

import re

from marshmallow import ValidationError, fields, pre_load, validate

from skod.accounts import bank, passwords, tokens
from skod.accounts.models import REGISTRIES
from skod.core.clock import iso, utcnow
from skod.core.schemas import Schema, Text, check_timezone, email_length


def _compact(value: object) -> object:
    """"732 829 320" -> "732829320", "fr 44-732.829.320" -> "FR44732829320"."""
    return re.sub(r"[\s.\-]", "", value).upper() if isinstance(value, str) else value


class LegalSchema(Schema):
    company_name = fields.String(allow_none=True, validate=validate.Length(max=200))
    legal_form = fields.String(allow_none=True, validate=validate.Length(max=64))
    siren = fields.String(allow_none=True, validate=validate.Regexp(r"^\d{9}$",
                                                                    error="9 digits"))
    vat_number = fields.String(allow_none=True, validate=validate.Regexp(
        r"^([A-Z]{2}[A-Z0-9]{2,18})?$", error="two letters, then up to 18 letters or digits"))
    address = Text(allow_none=True, validate=validate.Length(max=500))
    vat_rate_bp = fields.Integer(allow_none=True, strict=True,
                                 validate=validate.Range(min=1, max=10000),
                                 metadata={"description": "VAT rate in basis points: 2000 = 20 %"})
    vat_exempt_mention = fields.String(allow_none=True, validate=validate.Length(max=200))
    payment_terms_days = fields.Integer(strict=True, validate=validate.Range(min=0, max=60))
    mediator = Text(allow_none=True, validate=validate.Length(max=500))
    registry = fields.String(allow_none=True, validate=validate.OneOf(REGISTRIES), metadata={
        "description": "rcs (registre du commerce et des sociétés), rm (répertoire des "
                       "métiers) or null"})
    registry_city = fields.String(allow_none=True, validate=validate.Length(max=100),
                                  metadata={"description": "the registry's city: RCS Paris"})
    share_capital_minor = fields.Integer(
        allow_none=True, strict=True, validate=validate.Range(min=0, max=10**13),
        metadata={"description": "a company's share capital in minor units (R123-238)"})
    vat_on_debits = fields.Boolean(metadata={
        "description": "the option to pay VAT on the debits, printed on invoices"})

    @pre_load
    def _normalise_numbers(self, data: dict, **_: object) -> dict:
        """The same SIREN / VAT number typed with spaces or dots is the same number."""
        if not isinstance(data, dict):
            return data
        return {**data, **{k: _compact(data[k]) for k in ("siren", "vat_number") if k in data}}


def _iban(value: str) -> None:
    if not bank.iban_ok(value):
        raise ValidationError("not a valid IBAN (country, check digits, account: mod 97)")


def _bic(value: str) -> None:
    if not bank.bic_ok(value):
        raise ValidationError("not a valid BIC (8 or 11 letters and digits)")


class BankSchema(Schema):
    """Bank details for a payment by transfer (reminders, pay page); stored without spaces."""

    iban = fields.String(allow_none=True, validate=_iban,
                         metadata={"example": "FR7630006000011234567890189"})
    bic = fields.String(allow_none=True, validate=_bic, metadata={"example": "AGRIFRPP"})

    @pre_load
    def _normalise(self, data: dict, **_: object) -> dict:
        if not isinstance(data, dict):
            return data
        return {**data, **{k: bank.compact(data[k]) for k in ("iban", "bic") if k in data}}


class SignUpSchema(Schema):
    email = fields.Email(required=True, validate=email_length)
    password = fields.String(
        required=True, load_only=True,
        validate=validate.Length(min=passwords.MIN_LENGTH, max=passwords.MAX_LENGTH),
        metadata={"description": "at least 10 characters, not a common password, not the "
                                 "account's e-mail, name or slug"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    slug = fields.String(required=True, validate=validate.Regexp(
        r"^[a-z0-9][a-z0-9-]{1,62}$", error="lowercase letters, digits and dashes"))
    timezone = fields.String(required=True, validate=check_timezone)
    currency = fields.String(validate=validate.Length(equal=3))
    locale = fields.String(validate=validate.OneOf(["fr", "en"]))
    legal = fields.Nested(LegalSchema)


class ProfileUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    timezone = fields.String(validate=check_timezone)
    currency = fields.String(validate=validate.Length(equal=3))
    locale = fields.String(validate=validate.OneOf(["fr", "en"]))
    legal = fields.Nested(LegalSchema)
    bank = fields.Nested(BankSchema)


class ProviderSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    slug = fields.String()
    timezone = fields.String()
    currency = fields.String()
    locale = fields.String()
    legal = fields.Function(lambda p: p.legal())
    bank = fields.Function(lambda p: p.bank())
    #: identity data still missing before invoices carry every legal mention
    missing_legal = fields.Function(lambda p: p.missing_legal())
    #: the connected Stripe account and where its onboarding stands (null before it exists)
    stripe_account = fields.Method("_stripe_account", allow_none=True)

    def _stripe_account(self, provider) -> dict | None:  # noqa: ANN001
        from skod.accounts.stripe_account import status

        return status(provider)


class OnboardingLinkSchema(Schema):
    url = fields.String(required=True)


class TokenRequestSchema(Schema):
    email = fields.Email(required=True, validate=email_length)
    password = fields.String(required=True, load_only=True)
    expires_in_days = fields.Integer(
        strict=True, load_default=tokens.DEFAULT_DAYS,
        validate=validate.Range(min=1, max=tokens.MAX_DAYS),
        metadata={"description": f"days the token works (default {tokens.DEFAULT_DAYS})"})


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, load_only=True,
                                     validate=validate.Length(max=passwords.MAX_LENGTH))
    new_password = fields.String(
        required=True, load_only=True,
        validate=validate.Length(min=passwords.MIN_LENGTH, max=passwords.MAX_LENGTH),
        metadata={"description": "same rules as at sign-up; every login session ends"})
    revoke_tokens = fields.Boolean(
        load_default=False, metadata={"description": "also revoke every API token"})


class TokenSchema(Schema):
    """A token as created: the token itself is shown this once."""

    id = fields.Integer()
    token = fields.String()
    created_at = fields.Function(lambda t: iso(t["created_at"]))
    expires_at = fields.Function(lambda t: iso(t["expires_at"]))


class TokenInfoSchema(Schema):
    """A token as listed: never the token itself."""

    id = fields.Integer()
    created_at = fields.Function(lambda row: iso(row.created_at))
    last_used_at = fields.Function(lambda row: iso(row.last_used_at))
    expires_at = fields.Function(lambda row: iso(tokens.expiry(row)))
    expired = fields.Function(lambda row: not tokens.usable(row, utcnow()))


class PasswordResetRequestSchema(Schema):
    email = fields.Email(required=True, validate=email_length)


class PasswordResetSchema(Schema):
    token = fields.String(required=True, load_only=True, validate=validate.Length(max=500),
                          metadata={"description": "the token at the end of the e-mail's link"})
    new_password = fields.String(
        required=True, load_only=True,
        validate=validate.Length(min=passwords.MIN_LENGTH, max=passwords.MAX_LENGTH))
    revoke_tokens = fields.Boolean(
        load_default=False, metadata={"description": "also revoke every API token"})
