"""HTML pages of messages: the client's question page (/p/<slug>/m/<offer>), the client's
message page behind its signed link (/m/<id>/<token>: status, reply once paid, pay link), and
the provider's inbox (/inbox, /inbox/<id> with the reply and decline forms)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from skod.core.clock import utcnow
from skod.core.errors import DomainError
from skod.core.signing import signed_or_404
from skod.dunning.debts import what_next
from skod.extensions import db
from skod.invoicing import queries
from skod.messages import answering, notify
from skod.messages.api import download
from skod.messages.forms import DeclineForm, ReplyForm
from skod.messages.jobs import deliver_outcome
from skod.messages.models import OPEN, Message
from skod.web import confirm, confirm_labels, display, refund_page
from skod.web.blueprint import current_locale
from skod.web.forms import RefundForm
from skod.web.public import bookable_or_abort, provider_or_404

bp = Blueprint("messages_pages", __name__)

STATUS_WORDS = {
    "awaiting_card": _l("Waiting for the card"), "action_required": _l("Payment to authorize"),
    "held": _l("Sent, payment held"), "replying": _l("Answer being delivered"),
    "payment_failed": _l("Answer ready, payment needed"), "answered": _l("Answered"),
    "declined": _l("Declined"), "expired": _l("Not answered in time, released"),
    "abandoned": _l("Not paid"),
}


def status_word(status: str) -> str:
    return str(STATUS_WORDS.get(status, status))


def _js_messages() -> dict:
    return dict(display.js_messages(), too_long=_("The question is too long."),
                file_failed=_("This file was not accepted."))


# Client -----------------------------------------------------------------------------------
@bp.get("/p/<slug>/m/<int:offer_id>")
def ask_page(slug: str, offer_id: int) -> ResponseReturnValue:
    provider = provider_or_404(slug)
    offer = bookable_or_abort(provider, offer_id, "message")
    locale = current_locale()
    config = {"offer_id": offer.id, "locale": locale, "char_limit": offer.char_limit,
              "attachments": offer.attachments_allowed, "messages": _js_messages()}
    return render_template("web/messages/ask.html", provider=provider, offer=offer,
                           price=display.money(offer.price_minor, offer.currency, locale),
                           config=config)


def message_or_404(message_id: int, token: str) -> Message:
    return signed_or_404(Message, "message", message_id, token)


def _facts(message: Message, tz: str, provider: bool = True) -> dict:
    """`provider`: the provider's pages say why a payment failed as a fact, the client's
    page as advice to the card holder."""
    locale = current_locale()
    return {"message": message, "status": status_word(message.status),
            "price": message.price.format(locale),
            "deadline": notify.deadline_words(message, tz, locale),
            "payments": [display.payment_line(p, locale, provider=provider)
                         for p in message.payments]}


@bp.get("/m/<int:message_id>/<token>")
def client_page(message_id: int, token: str) -> ResponseReturnValue:
    message = message_or_404(message_id, token)
    to_pay = message.status in ("awaiting_card", "action_required", "payment_failed")
    config = {"message_id": message.id, "client_token": token, "name": message.client.name,
              "email": message.client.email, "messages": _js_messages(),
              "message_url": url_for("messages_pages.client_page", message_id=message.id,
                                     token=token)}
    return render_template("web/messages/message.html", token=token, to_pay=to_pay,
                           config=config, **_facts(message, message.client.timezone, False),
                           invoices=queries.for_client("message", message.id))


@bp.get("/m/<int:message_id>/<token>/a/<int:attachment_id>")
def client_attachment(message_id: int, token: str, attachment_id: int) -> ResponseReturnValue:
    message = message_or_404(message_id, token)
    return _download(message.id, attachment_id)


def _download(message_id: int, attachment_id: int) -> ResponseReturnValue:
    try:
        return download(message_id, attachment_id)
    except DomainError:
        abort(404)


# Provider ---------------------------------------------------------------------------------
def _own(message_id: int) -> Message:
    message = db.session.get(Message, message_id)
    if message is None or message.provider_id != current_user.id:
        abort(404)
    return message


@bp.get("/inbox")
@login_required
def inbox() -> ResponseReturnValue:
    mine = select(Message).where(Message.provider_id == current_user.id)
    open_rows = db.session.scalars(mine.where(Message.status.in_(OPEN))
                                   .order_by(Message.reply_deadline.asc().nulls_last())).all()
    closed = db.session.scalars(mine.where(Message.status.in_(
        ("answered", "declined", "expired"))).order_by(Message.id.desc()).limit(50)).all()
    tz = current_user.timezone
    return render_template(
        "web/messages/inbox.html", open_rows=[_facts(m, tz) for m in open_rows],
        closed=[_facts(m, tz) for m in closed], waiting=_waiting(open_rows))


def _waiting(rows: list[Message]) -> list[str]:
    """Money held for questions still to answer, one sum per currency."""
    sums: dict[str, int] = {}
    for m in rows:
        hold = m.hold_payment()
        if m.status == "held" and hold is not None:
            sums[m.currency] = sums.get(m.currency, 0) + hold.amount_held_minor
    return [display.money(v, k, current_locale()) for k, v in sorted(sums.items())]


@bp.get("/inbox/<int:message_id>")
@login_required
def inbox_message(message_id: int) -> ResponseReturnValue:
    message = _own(message_id)
    return render_template("web/messages/inbox_message.html", reply_form=ReplyForm(),
                           decline_form=DeclineForm(), next=_next(message),
                           refund_form=RefundForm(), refundable=refund_page.refund_rows(
                               message.payments, current_locale()),
                           **_facts(message, current_user.timezone))


def _next(message: Message) -> what_next.NextSteps | None:
    """A refused capture of the answer: what Skod does next, said to the provider."""
    return what_next.for_source(f"message:{message.id}", current_locale(),
                                current_user.timezone)


@bp.get("/inbox/<int:message_id>/a/<int:attachment_id>")
@login_required
def inbox_attachment(message_id: int, attachment_id: int) -> ResponseReturnValue:
    return _download(_own(message_id).id, attachment_id)


@bp.post("/inbox/<int:message_id>/reply")
@login_required
def inbox_reply(message_id: int) -> ResponseReturnValue:
    message = _own(message_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        flash(_("Write an answer first."), "error")
        return redirect(url_for("messages_pages.inbox_message", message_id=message_id))
    asked = confirm.before(lambda: confirm_labels.send_answer(  # sending captures: ask first
        message, current_locale(), url_for("messages_pages.inbox_message",
                                           message_id=message_id))
        if message.status == "held" else None)
    if asked is not None:
        return asked
    try:
        message = answering.reply(message_id, form.body.data, utcnow())
    except DomainError as err:
        db.session.rollback()
        flash(str(ERROR_WORDS.get(err.code, err.message)), "error")
    else:
        deliver_outcome(message)
        _said_after_reply(message)
    return redirect(url_for("messages_pages.inbox_message", message_id=message_id))


def _said_after_reply(message: Message) -> None:
    """Delivered and paid; or, when the capture was refused, that at once with what Skod does
    next (the page links the case)."""
    if message.status == "answered":
        flash(_("Your answer is delivered and paid."), "success")
        return
    kept = _("The payment failed: your answer is kept until the client pays.")
    steps = _next(message)
    flash(what_next.flash_text(kept, steps) if steps is not None else kept, "error")


@bp.post("/inbox/<int:message_id>/decline")
@login_required
def inbox_decline(message_id: int) -> ResponseReturnValue:
    was = _own(message_id).status
    form = DeclineForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        message = answering.decline(message_id, form.note.data or "", utcnow())
    except DomainError as err:
        db.session.rollback()
        flash(str(ERROR_WORDS.get(err.code, err.message)), "error")
    else:
        if message.status != was:
            notify.declined(message)
        flash(_("The question is declined; the amount held is released."), "success")
    return redirect(url_for("messages_pages.inbox_message", message_id=message_id))


ERROR_WORDS = {
    "already_replied": _l("This question was already answered."),
    "too_late": _l("The deadline to answer has passed."),
    "invalid_state": _l("This is not possible in the question's current state."),
}
