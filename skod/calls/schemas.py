"""API schemas of bookings."""

from __future__ import annotations

from flask import current_app
from marshmallow import ValidationError, fields, pre_load, validate, validates, validates_schema

from skod.core.clock import iso
from skod.core.schemas import Schema, Text, check_timezone, check_year, db_id_range, email_length
from skod.payments import connect


class ClientSchema(Schema):
    email = fields.Email(required=True, validate=email_length)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(load_default="consumer", metadata={
        "description": "business, consumer or public (a public body: State, local authority, "
                       "hospital...; ECB + 8 points, recourse before the administrative court)"},
        validate=validate.OneOf(["business", "consumer", "public"]))
    company_name = fields.String(allow_none=True, validate=validate.Length(max=200))
    siren = fields.String(allow_none=True, validate=validate.Regexp(r"^\d{9}$", error="9 digits"))
    #: SARL, SAS, EI...: printed with the company on a mise en demeure
    legal_form = fields.String(allow_none=True, validate=validate.Length(max=64))
    #: with the legal form, decides the court of the recourse file
    registry = fields.String(allow_none=True, validate=validate.OneOf(["rcs", "rm"]), metadata={
        "description": "rcs (a commerçant or company), rm (an artisan) or null"})
    address = Text(allow_none=True, validate=validate.Length(max=500))
    timezone = fields.String(load_default="Europe/Paris", validate=check_timezone)
    locale = fields.String(load_default="fr", validate=validate.OneOf(["fr", "en"]))

    @pre_load
    def _consumer_has_no_company(self, data: object, **_: object) -> object:
        """A private person has no company or SIREN: whatever came in those fields (a form
        filled before switching to "a private person") is ignored, never stored or checked."""
        if isinstance(data, dict) and data.get("kind", "consumer") not in ("business", "public"):
            return {k: v for k, v in data.items()
                    if k not in ("company_name", "siren", "legal_form", "registry")}
        return data

    @validates_schema
    def _business_identity(self, data: dict, **_: object) -> None:
        """A business client's invoice must name its company and address (B2B mentions), and
        so must a public body's (its name is the company name)."""
        if data.get("kind") not in ("business", "public"):
            return
        missing = {name: ["required for a business client: it is printed on the invoices"]
                   for name in ("company_name", "address") if not (data.get(name) or "").strip()}
        if missing:
            raise ValidationError(missing)


FORM_TOKEN_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"


class BookingCreateSchema(Schema):
    offer_id = fields.Integer(required=True, strict=True, validate=db_id_range)
    start_at = fields.AwareDateTime(required=True, default_timezone=None, validate=check_year)
    client = fields.Nested(ClientSchema, required=True)
    accept_terms = fields.Boolean(required=True)
    #: the booking page's one-time token: the same form sent again returns the booking it made
    form_token = fields.String(load_default=None, validate=validate.Regexp(
        FORM_TOKEN_PATTERN, error="16 to 64 letters, digits, - or _"))

    @validates("accept_terms")
    def _terms(self, value: bool, **_: object) -> None:
        if value is not True:
            raise ValidationError("the cancellation and overrun terms must be accepted")


class PaymentMethodSchema(Schema):
    payment_method = fields.String(required=True, validate=validate.Regexp(r"^pm_\w+$"))


class MoveSchema(Schema):
    """A new start for a booked call (same offer, same price)."""

    start_at = fields.AwareDateTime(required=True, default_timezone=None, validate=check_year)


class EndSchema(Schema):
    minutes = fields.Integer(strict=True, validate=validate.Range(min=0, max=24 * 60))


class PaymentOutSchema(Schema):
    id = fields.Integer()
    purpose = fields.String()
    status = fields.String()
    amount_held = fields.Integer(attribute="amount_held_minor")
    amount_captured = fields.Integer(attribute="amount_captured_minor")
    amount_refunded = fields.Integer(attribute="amount_refunded_minor")
    amount_requested = fields.Integer(attribute="amount_requested_minor")
    currency = fields.String()
    capture_before = fields.Function(lambda p: iso(p.capture_before))
    stripe_payment_intent_id = fields.String(allow_none=True)
    last_error_code = fields.String(allow_none=True)
    #: None, or the status of the client's dispute (chargeback): needs_response, won, lost...
    dispute_status = fields.String(allow_none=True)
    #: the connected account the intent lives on (null: the platform's own)
    stripe_account_id = fields.String(allow_none=True)
    #: the platform's application fee taken on it (minor units)
    application_fee = fields.Integer(attribute="application_fee_minor")


class BookingSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    offer_id = fields.Integer()
    offer_title = fields.Function(lambda b: b.offer.title)
    provider_slug = fields.Function(lambda b: b.provider.slug)
    start_at = fields.Function(lambda b: iso(b.start_at))
    end_at = fields.Function(lambda b: iso(b.end_at))
    payment_mode = fields.String()
    pricing = fields.String()
    price = fields.Function(lambda b: b.price.as_dict())
    minimum_minutes = fields.Integer()
    duration_minutes = fields.Integer()
    late_cancel_fee_percent = fields.Integer()
    started_at = fields.Function(lambda b: iso(b.started_at))
    ended_at = fields.Function(lambda b: iso(b.ended_at))
    minutes_billed = fields.Integer(allow_none=True)
    amount_due = fields.Integer(attribute="amount_due_minor", allow_none=True)
    cancelled_by = fields.String(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    client = fields.Function(lambda b: {"name": b.client.name, "email": b.client.email,
                                        "kind": b.client.kind})
    payments = fields.List(fields.Nested(PaymentOutSchema))
    #: a new time the provider proposed, waiting for the client's answer
    proposed_start_at = fields.Function(lambda b: iso(b.proposed_start_at))


class BookingCreatedSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    client_token = fields.String()
    manage_url = fields.String()
    payment = fields.Dict()


class CardResultSchema(Schema):
    status = fields.String()
    client_secret = fields.String(allow_none=True)
    intent = fields.String()
    error = fields.Dict()


def payment_block(booking, step: dict) -> dict:  # noqa: ANN001
    """What the page confirms: a near call's PaymentIntent (`intent: payment`: one challenge
    holds and saves the card) or a far call's SetupIntent (`intent: setup`)."""
    return {"mode": booking.payment_mode, "client_secret": step.get("client_secret"),
            "intent": step.get("intent", "setup"),
            "publishable_key": current_app.config["STRIPE_PUBLISHABLE_KEY"],
            # Stripe.js confirms on this account: Stripe(pk, {stripeAccount})
            "stripe_account": connect.account_of(booking.provider)}
