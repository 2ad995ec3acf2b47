"""What each confirmation before money moves says (see skod/web/confirm.py): the client's late
cancel, the provider's End, No-show and Refund, Send answer, and a milestone's capture (Mark
done without client approval, Mark resolved, the client's Approve). Amounts are those the
service will take, computed now; they read and change nothing."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from skod.calls import lifecycle
from skod.calls.models import Booking
from skod.messages.models import Message
from skod.payments import capture_policy as cp
from skod.payments.models import Payment
from skod.projects.models import Milestone
from skod.stripe_gateway import GatewayError, gateway
from skod.web import display
from skod.web.confirm import Ask


def card_words(*payment_methods: str | None, account: str | None = None) -> str:
    """"the card ending 4242" for the first known card; "the card on file" when Stripe
    cannot say (the confirmation must not fail for a wording)."""
    pm = next((p for p in payment_methods if p), None)
    if pm is not None:
        try:
            last4 = gateway().on(account).card_summary(pm).get("last4")
        except GatewayError:
            last4 = None
        if last4:
            return _("the card ending %(last4)s", last4=last4)
    return _("the card on file")


def _card_of(payment: Payment | None, owner) -> str:  # noqa: ANN001 - a CardHolderMixin row
    # the card lives on the account of the payment, else of the client's customer
    account = payment.stripe_account_id if payment else owner.client.stripe_account_id
    return card_words(payment.stripe_payment_method_id if payment else None,
                      owner.stripe_payment_method_id, account=account)


def client_cancel(booking: Booking, now: datetime, locale: str, back: str) -> Ask:
    fee = display.cancel_fee(booking, now)
    freed = _("The slot is freed and %(name)s is told by e-mail.", name=booking.provider.name)
    if not fee:
        return Ask(_("Cancel the booking?"), [display.cancel_preview(booking, now, locale), freed],
                   _("Cancel the booking"), back, danger=True)
    amount = display.money(fee, booking.currency, locale)
    card = _card_of(booking.hold_payment(), booking)
    return Ask(_("Cancel the booking?"), [
        _("%(amount)s will be charged to %(card)s: the late-cancellation fee you accepted at "
          "booking.", amount=amount, card=card),
        _("The rest of the amount held is released. %(freed)s", freed=freed)],
        _("Cancel and pay %(amount)s", amount=amount), back, danger=True)


def no_show(booking: Booking, locale: str, back: str) -> Ask:
    hold = booking.hold_payment()
    held = hold is not None and hold.status == "held"
    fee = display.fee_amount(booking) if held or booking.stripe_payment_method_id else 0
    if not fee:
        return Ask(_("Mark the client absent?"), [
            _("Nothing is charged: the booking is cancelled and the amount held is released.")],
            _("Mark absent"), back, danger=True)
    amount = display.money(fee, booking.currency, locale)
    return Ask(_("Mark the client absent?"), [
        _("%(amount)s will be charged to %(card)s: the late-cancellation fee agreed at booking.",
          amount=amount, card=_card_of(hold, booking)),
        _("The rest of the amount held is released and the client is told by e-mail.")],
        _("Mark absent and charge %(amount)s", amount=amount), back, danger=True)


def end_call(booking: Booking, now: datetime, locale: str, back: str) -> Ask:
    minutes, due = lifecycle.amount_if_ended(booking, now)
    hold = booking.hold_payment()
    held = hold.amount_held_minor if hold is not None and hold.status == "held" else 0
    from_hold, extra = cp.split_capture(due, held)
    money = lambda amount: display.money(amount, booking.currency, locale)  # noqa: E731
    card = _card_of(hold, booking)
    if booking.pricing == "flat":
        lines = [_("The flat price of %(amount)s will be captured now from the amount held on "
                   "%(card)s.", amount=money(due), card=card)]
    else:
        lines = [ngettext("%(num)d minute at %(rate)s per minute: %(amount)s.",
                          "%(num)d minutes at %(rate)s per minute: %(amount)s.", minutes,
                          rate=money(booking.price_minor), amount=money(due))]
        lines.append(_("%(amount)s will be captured now from the amount held on %(card)s.",
                       amount=money(from_hold), card=card) if from_hold else
                     _("Nothing is charged: the amount held is released."))
    if extra:
        lines.append(_("The call ran over the amount held: %(extra)s more will be charged to "
                       "%(card)s.", extra=money(extra), card=card))
    lines.append(_("The client gets the receipt by e-mail."))
    notes = [] if booking.pricing == "flat" else [
        _("The minutes are counted up to the moment you confirm.")]
    return Ask(_("End the call?"), lines, _("End and charge %(amount)s", amount=money(due)),
               back, notes=notes)


def refund(payment: Payment, amount: int, locale: str, back: str) -> Ask:
    words = display.money(amount, payment.currency, locale)
    card = card_words(payment.stripe_payment_method_id, account=payment.stripe_account_id)
    return Ask(_("Refund %(amount)s?", amount=words), [
        _("%(amount)s will be refunded to %(card)s; the client is told by e-mail.",
          amount=words, card=card),
        _("A refund cannot be taken back.")],
        _("Refund %(amount)s", amount=words), back, danger=True)


def send_answer(message: Message, locale: str, back: str) -> Ask:
    hold = message.hold_payment()
    amount = display.money(hold.amount_held_minor if hold is not None and hold.status == "held"
                           else message.price_minor, message.currency, locale)
    return Ask(_("Send the answer?"), [
        _("%(amount)s will be captured now from the amount held on %(card)s, then your answer "
          "is delivered to the client.", amount=amount, card=_card_of(hold, message)),
        _("If the capture fails, your answer is kept until the client pays.")],
        _("Charge %(amount)s and send", amount=amount), back)


def milestone(m: Milestone, action: str, locale: str, back: str) -> Ask:
    """A milestone's capture: "complete" (no client approval), "resolve", or "approve"."""
    amount = display.money(m.due_minor, m.project.currency, locale)
    hold = m.live_hold()
    card = _card_of(hold, m.project)
    if not m.due_minor:
        taken = _("Nothing more is charged: the deposit already paid for it.")
    elif hold is not None:
        taken = _("%(amount)s will be captured now from the amount held on %(card)s.",
                  amount=amount, card=card)
    else:
        taken = _("%(amount)s will be charged now to %(card)s.", amount=amount, card=card)
    title, button, after = {
        "complete": (_("Mark “%(title)s” done?", title=m.title),
                     _("Mark done and charge %(amount)s", amount=amount),
                     _("The client is told the milestone is delivered.")),
        "resolve": (_("Resolve “%(title)s” and charge?", title=m.title),
                    _("Resolve and charge %(amount)s", amount=amount),
                    _("The dispute is closed at the current amount.")),
        "approve": (_("Approve “%(title)s”?", title=m.title),
                    _("Approve and pay %(amount)s", amount=amount),
                    _("The provider is paid for this milestone; this cannot be taken back.")),
    }[action]
    return Ask(title, [taken, after], button if m.due_minor else _("Confirm"), back)
