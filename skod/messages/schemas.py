"""API schemas of paid messages."""

from __future__ import annotations

from flask import current_app
from marshmallow import ValidationError, fields, validate, validates

from skod.calls.schemas import (  # noqa: F401  (shared with calls: one name in OpenAPI)
    CardResultSchema,
    ClientSchema,
    PaymentMethodSchema,
    PaymentOutSchema,
)
from skod.core.clock import iso
from skod.core.schemas import Schema, Text, db_id_range
from skod.messages.models import Message
from skod.payments import connect

#: a hard ceiling whatever the offer says (the offer's char_limit is checked by the service)
MAX_BODY = 20_000


class MessageCreateSchema(Schema):
    offer_id = fields.Integer(required=True, strict=True, validate=db_id_range)
    body = Text(required=True, validate=validate.Length(min=1, max=MAX_BODY))
    client = fields.Nested(ClientSchema, required=True)
    accept_terms = fields.Boolean(required=True)

    @validates("accept_terms")
    def _terms(self, value: bool, **_: object) -> None:
        if value is not True:
            raise ValidationError("the payment terms must be accepted")


class ReplySchema(Schema):
    body = Text(required=True, validate=validate.Length(min=1, max=MAX_BODY))


class DeclineSchema(Schema):
    note = Text(load_default="", validate=validate.Length(max=2000))


class AttachmentOutSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()


class MessageSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    offer_id = fields.Integer()
    offer_title = fields.Function(lambda m: m.offer.title)
    provider_slug = fields.Function(lambda m: m.provider.slug)
    body = fields.String()
    price = fields.Function(lambda m: m.price.as_dict())
    reply_window_hours = fields.Integer(allow_none=True)
    held_at = fields.Function(lambda m: iso(m.held_at))
    reply_deadline = fields.Function(lambda m: iso(m.reply_deadline))
    amount_waiting = fields.Function(lambda m: _waiting(m))
    replied_at = fields.Function(lambda m: iso(m.replied_at))
    delivered_at = fields.Function(lambda m: iso(m.delivered_at))
    decline_note = fields.String(allow_none=True)
    reply = fields.String(attribute="reply_body", allow_none=True)
    client = fields.Function(lambda m: {"name": m.client.name, "email": m.client.email,
                                        "kind": m.client.kind})
    attachments = fields.List(fields.Nested(AttachmentOutSchema))
    payments = fields.List(fields.Nested(PaymentOutSchema))


def _waiting(message: Message) -> int:
    """Money held for the provider and not captured yet."""
    hold = message.hold_payment()
    return hold.amount_held_minor if hold is not None else 0


def message_out(message: Message, role: str) -> dict:
    """The message as `role` may see it: the reply is left out for the client until paid."""
    out = MessageSchema().dump(message)
    if role != "provider" and not message.reply_visible_to_client:
        out.pop("reply", None)
    return out


class MessageCreatedSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    client_token = fields.String()
    message_url = fields.String()
    payment = fields.Dict()


def payment_block(message: Message, step: dict) -> dict:
    """What the page confirms: the question's PaymentIntent (`intent: payment`)."""
    return {"mode": "hold", "client_secret": step.get("client_secret"),
            "intent": step.get("intent", "payment"),
            "publishable_key": current_app.config["STRIPE_PUBLISHABLE_KEY"],
            # Stripe.js confirms on this account: Stripe(pk, {stripeAccount})
            "stripe_account": connect.account_of(message.provider)}
