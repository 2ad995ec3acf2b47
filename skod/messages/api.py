"""API of paid messages: ask, give the card, reply, decline, read; attachments."""

from __future__ import annotations

from flask import request, send_file
from flask_smorest import Blueprint
from sqlalchemy import select

from skod.accounts.auth import reach, require_provider
from skod.core.clock import utcnow
from skod.core.errors import Invalid, PaymentProblem
from skod.core.signing import make_token
from skod.extensions import db
from skod.messages import answering, asking, attachments, notify
from skod.messages.jobs import deliver_outcome
from skod.messages.models import Message
from skod.messages.schemas import (
    AttachmentOutSchema,
    CardResultSchema,
    DeclineSchema,
    MessageCreatedSchema,
    MessageCreateSchema,
    PaymentMethodSchema,
    ReplySchema,
    message_out,
    payment_block,
)
from skod.payments import saved_card_api

blp = Blueprint("messages_api", __name__, description="Paid messages")


def _message(message_id: int) -> tuple[Message, str]:
    return reach(Message, "message", message_id)


def _provider_message(message_id: int) -> Message:
    return reach(Message, "message", message_id, "provider")[0]


@blp.post("/messages")
@blp.arguments(MessageCreateSchema)
@blp.response(201, MessageCreatedSchema)
def create_message(data: dict):
    message, step = asking.ask(offer_id=data["offer_id"], body=data["body"],
                               client=data["client"], now=utcnow())
    return {"id": message.id, "status": message.status,
            "client_token": make_token("message", message.id),
            "message_url": notify.client_url(message), "payment": payment_block(message, step)}


@blp.post("/messages/<int:message_id>/payment-method")
@blp.arguments(PaymentMethodSchema)
@blp.response(200, CardResultSchema)
def give_card(data: dict, message_id: int):
    """Hold the price (a new question) or, after a failed capture, pay it (the pay link)."""
    _message(message_id)
    return _card_given(message_id, data["payment_method"], utcnow(), saved=False)


def _card_given(message_id: int, payment_method: str, now, *, saved: bool) -> dict:  # noqa: ANN001
    result = asking.give_card(message_id, payment_method, now, saved=saved)
    if result["status"] == "failed":
        # The attempt is recorded on its payment row; the client may try another card.
        raise PaymentProblem("the card was declined", {"payment_method": [result["error"]["code"]]},
                             code=result["error"]["kind"] or "card_declined")
    _tell(message_id, result["status"])
    return result


saved_card_api.add_routes(
    blp, Message, "message", payable=lambda m: m.status in asking.TO_HOLD + asking.TO_CHARGE,
    pay=lambda message_id, pm, now: _card_given(message_id, pm, now, saved=True),
    result_schema=CardResultSchema)


@blp.post("/messages/<int:message_id>/card-setup")
@blp.response(200, CardResultSchema)
def card_setup(message_id: int):
    """The secret the page confirms: the question's PaymentIntent (`intent: payment`, one 3-D
    Secure for the hold and the saved card) or the pay link's SetupIntent."""
    _message(message_id)
    return asking.card_setup(message_id, utcnow())


@blp.post("/messages/<int:message_id>/confirm")
@blp.response(200)
def confirm(message_id: int):
    """After the card step on the page: read the hold or the charge back from Stripe. The
    question is sent by whichever comes first, this call or the webhook."""
    role = _message(message_id)[1]
    message, moved = asking.refresh(message_id, utcnow())
    if moved:
        _tell(message_id, message.status)
    return message_out(message, role)


def _tell(message_id: int, status: str) -> None:
    message = db.session.get(Message, message_id)
    if status == "held":
        notify.question_held(message)
    elif status == "answered":
        notify.reply_delivered(message)


@blp.get("/messages/<int:message_id>")
@blp.response(200)
def get_message(message_id: int):
    """The message; `reply` is present for the client only once the answer is paid."""
    message, role = _message(message_id)
    return message_out(message, role)


@blp.get("/messages")
@blp.response(200)
def inbox():
    """The provider's questions, those to answer first (closest deadline first)."""
    provider = require_provider()
    rows = db.session.scalars(select(Message).where(Message.provider_id == provider.id)
                              .order_by(Message.reply_deadline.asc().nulls_last(),
                                        Message.id.desc()))
    return [message_out(m, "provider") for m in rows]


@blp.post("/messages/<int:message_id>/reply")
@blp.arguments(ReplySchema)
@blp.response(200)
def reply(data: dict, message_id: int):
    """Capture first, then deliver: the client gets the reply only if the capture succeeds."""
    _provider_message(message_id)
    message = answering.reply(message_id, data["body"], utcnow())
    deliver_outcome(message)
    return message_out(message, "provider")


@blp.post("/messages/<int:message_id>/decline")
@blp.arguments(DeclineSchema)
@blp.response(200)
def decline(data: dict, message_id: int):
    was = _provider_message(message_id).status
    message = answering.decline(message_id, data["note"], utcnow())
    if was != message.status:
        notify.declined(message)
    return message_out(message, "provider")


@blp.post("/messages/<int:message_id>/attachments")
@blp.response(201, AttachmentOutSchema)
def add_attachment(message_id: int):
    """multipart/form-data with one `file`, sent by the client before paying."""
    _message(message_id)
    upload = request.files.get("file")
    if upload is None:
        raise Invalid("no file", {"file": ["required"]})
    return attachments.add(message_id, upload.filename or "", upload.mimetype, upload.stream,
                           utcnow())


@blp.get("/messages/<int:message_id>/attachments/<int:attachment_id>")
def get_attachment(message_id: int, attachment_id: int):
    _message(message_id)
    return download(message_id, attachment_id)


def download(message_id: int, attachment_id: int):  # noqa: ANN201
    """The file, always as a download (never rendered in the page's origin)."""
    attachment, path = attachments.find(message_id, attachment_id)
    resp = send_file(path, mimetype=attachment.content_type, as_attachment=True,
                     download_name=attachment.filename)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp
