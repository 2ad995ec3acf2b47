"""Saving a client's card, shared by everything sold (calls, messages, projects): the columns a
card holder carries, the three steps of the SetupIntent card form, and the page intent: one
PaymentIntent the page confirms, which holds the price and saves the card with ONE 3-D Secure
challenge (near calls, paid questions).

`ref` names the holder in idempotency keys and Stripe metadata, e.g. "booking:12".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from skod.accounts.models import Client
from skod.core.errors import DomainError, Invalid, PaymentProblem
from skod.extensions import db
from skod.payments import connect
from skod.payments import services as pay
from skod.payments.models import Payment
from skod.stripe_gateway import GatewayError, Intent, gateway


class StripeUnavailable(DomainError):
    status, code = 503, "payment_provider_unavailable"


class CardHolderMixin:
    """Columns of a row whose client saves a card: the SetupIntent and the saved card."""

    stripe_setup_intent_id: Mapped[str | None] = mapped_column(String(64))
    setup_client_secret: Mapped[str | None] = mapped_column(String(255))
    stripe_payment_method_id: Mapped[str | None] = mapped_column(String(64))
    #: the Stripe customer the card is saved on (set when the setup or page intent opens): an
    #: off-session charge uses it, even if the client row was merged with one of another customer
    stripe_customer_id: Mapped[str | None] = mapped_column(String(64))


def customer_of(holder: CardHolderMixin, client: Client) -> str:
    """The customer to charge the holder's saved card on, or to save a new card on."""
    return holder.stripe_customer_id or client.stripe_customer_id or ""


def _metadata(ref: str) -> dict:
    kind, _, ident = ref.partition(":")
    return {f"skod_{kind}_id": ident}


def ensure_customer(client: Client, account: str | None) -> str:
    """The client's Stripe customer on `account` (None: the platform's), created on first use;
    a customer that lives on another account (made before the provider moved to Connect) is
    made again where the money goes now."""
    if not client.stripe_customer_id or (client.stripe_account_id or None) != account:
        client.stripe_customer_id = gateway().on(account).create_customer(
            email=client.email, name=client.name, key=f"customer:client:{client.id}",
            metadata={"skod_client_id": str(client.id)})
        client.stripe_account_id = account
    return client.stripe_customer_id


def open_setup(holder: CardHolderMixin, client: Client, ref: str) -> None:
    """Create the client's Stripe customer if needed and a SetupIntent for the card form."""
    account = connect.account_of(holder.provider)  # type: ignore[attr-defined]
    # the client's customer on the account the money goes to now (the holder keeps it: a later
    # merge of client rows never changes which customer the card is on)
    customer = ensure_customer(client, account)
    setup = gateway().on(account).create_setup_intent(customer=customer,
                                                      key=f"setup:{ref}", metadata=_metadata(ref))
    holder.stripe_customer_id = customer
    holder.stripe_setup_intent_id = setup.id
    holder.setup_client_secret = setup.client_secret


def fresh_setup(holder: CardHolderMixin, client: Client, ref: str) -> dict:
    """The open SetupIntent's secret, or a new one when the last one is finished."""
    gw = connect.for_client(client)  # the SetupIntent lives where the client's customer does
    try:
        setup = gw.retrieve_setup_intent(holder.stripe_setup_intent_id or "")
        if setup.status in ("succeeded", "canceled"):
            setup = gw.create_setup_intent(
                customer=customer_of(holder, client), key=f"setup:{ref}:after:{setup.id}",
                metadata=_metadata(ref))
    except GatewayError as err:
        db.session.rollback()
        raise StripeUnavailable("the payment provider could not be reached") from err
    holder.stripe_setup_intent_id = setup.id
    holder.setup_client_secret = setup.client_secret
    db.session.commit()
    return {"client_secret": setup.client_secret, "intent": "setup"}


def confirmed_card(holder: CardHolderMixin, client: Client, ref: str,
                   payment_method: str) -> str | None:
    """The saved card's id once the SetupIntent succeeded; None while 3-D Secure is pending.

    The page confirms the SetupIntent with Stripe.js and sends its card; an API client sends a
    card it created, and the server confirms the SetupIntent with it.
    """
    gw = connect.for_client(client)
    try:
        setup = gw.retrieve_setup_intent(holder.stripe_setup_intent_id or "")
        other_card = payment_method and setup.payment_method != payment_method
        if setup.status != "succeeded" or other_card:
            if setup.status == "succeeded":  # a new card after a failure: its own SetupIntent
                setup = gw.create_setup_intent(
                    customer=customer_of(holder, client), key=f"setup:{ref}:{payment_method}",
                    metadata=_metadata(ref))
                holder.stripe_setup_intent_id = setup.id
                holder.setup_client_secret = setup.client_secret
            # one key per attempt (Stripe's SetupAttempt before it): a card declined once
            # can be tried again at once, where a key of the card alone replays the decline
            attempt = setup.latest_attempt or "first"
            setup = gw.confirm_setup_intent(
                setup.id, payment_method=payment_method,
                key=f"setup-confirm:{setup.id}:{payment_method}:{attempt}")
    except GatewayError as err:
        db.session.rollback()
        raise card_problem(err) from err
    if setup.status == "succeeded":
        holder.stripe_payment_method_id = setup.payment_method
        return setup.payment_method
    if setup.status == "requires_action":
        db.session.commit()
        return None
    db.session.rollback()
    raise Invalid("the card could not be saved", {"payment_method": [setup.status]})


# The page intent ------------------------------------------------------------------------------
#: an intent in these states was never tried by the page: the row stays `created`
_UNTRIED = ("requires_payment_method", "requires_confirmation")


def open_page_intent(payment: Payment, client: Client, ref: str,
                     customer: str | None = None) -> str | None:
    """Create the page intent of a `created` payment whose key the caller stored and committed,
    on `customer` (default: the client's on the payment's account); returns the client_secret
    the page confirms. The row stays `created`: the intent's requires_payment_method means "not
    tried yet" here, not a failure."""
    intent = connect.for_payment(payment).create_page_intent(
        amount=payment.amount_requested_minor, currency=payment.currency,
        customer=customer or ensure_customer(client, payment.stripe_account_id),
        key=payment.create_key,
        metadata={"skod_payment_id": str(payment.id), "purpose": payment.purpose,
                  **_metadata(ref)})
    payment.stripe_payment_intent_id = intent.id
    return intent.client_secret


def is_page_intent(payment: Payment | None) -> bool:
    """A payment the page confirms: created at Stripe, not answered yet."""
    return payment is not None and payment.status in ("created", "requires_action") and \
        bool(payment.stripe_payment_intent_id)


def read_page_intent(payment: Payment, now: datetime) -> Intent:
    """After the page's confirmCardPayment (or a webhook): apply what Stripe says. The card the
    intent used is kept on the payment (apply_intent); the holder adopts it with adopt_card."""
    intent = pay.read_intent(payment)
    if not (intent.status in _UNTRIED and not intent.last_error_code):
        pay.apply_intent(payment, intent, now)
    return intent


def page_secret(payment: Payment, now: datetime) -> str | None:
    """The open page intent's secret for a page that comes back; None when the intent is done
    (its outcome is then applied to the row) and a new one is needed."""
    intent = read_page_intent(payment, now)
    if intent.status in (*_UNTRIED, "requires_action") and payment.status in (
            "created", "requires_action"):
        return intent.client_secret
    return None


def drop_page_intent(holder, now: datetime, next_key: Callable[[], str]) -> None:  # noqa: ANN001
    """An API client sends its own card while the holder's page intent is open: unless the
    page used it meanwhile, that intent is cancelled at Stripe (its secret could still confirm
    it) and the row is reused for the hold the server confirms, under `next_key()` (which
    counts the try). The holder is locked by the caller, who commits before the next call."""
    payment = holder.hold_payment()
    if payment is None or payment.status != "created" or not payment.stripe_payment_intent_id:
        return
    read_page_intent(payment, now)
    if payment.status != "created":
        return
    intent_id = payment.stripe_payment_intent_id
    connect.for_payment(payment).cancel(intent_id, key=f"cancel:page:{intent_id}")
    payment.stripe_payment_intent_id = None
    payment.create_key = next_key()
    payment.stripe_payment_method_id = holder.stripe_payment_method_id


def adopt_card(holder: CardHolderMixin, payment: Payment) -> None:
    """The card a held payment used becomes the holder's saved card (a page intent saves it
    with setup_future_usage): overruns and late fees are charged on it off-session."""
    if payment.stripe_payment_method_id:
        holder.stripe_payment_method_id = payment.stripe_payment_method_id


def guarded(step: Callable[[], object]) -> None:
    """Run a Stripe step of the card flow; its failure rolls back and answers as a card
    problem (402), or 503 when Stripe could not be reached."""
    try:
        step()
    except GatewayError as err:
        db.session.rollback()
        raise card_problem(err) from err


def card_problem(err: GatewayError) -> DomainError:
    if err.kind == "retryable":
        return StripeUnavailable("the payment provider could not be reached")
    return PaymentProblem(err.message, {"payment_method": [err.code or err.kind]}, code=err.kind)


def holders():  # noqa: ANN202
    """Every model that carries a saved card (Booking, Message, Project...)."""
    return [cls for cls in CardHolderMixin.__subclasses__() if hasattr(cls, "__table__")]


def payment_customer(payment: Payment) -> str | None:
    """The customer `payment` was made on: its holder's (booking, question, project or debt),
    else its client's."""
    owners = {"bookings": payment.booking_id, "messages": payment.message_id,
              "projects": payment.project_id, "receivables": payment.receivable_id}
    for model in holders():
        owner_id = owners.get(model.__tablename__)
        holder = db.session.get(model, owner_id) if owner_id else None
        if holder is not None and holder.stripe_customer_id:
            return holder.stripe_customer_id
    client = db.session.get(Client, payment.client_id)
    return client.stripe_customer_id if client is not None else None


def page_step(holder, now: datetime, *, ref: str, outcome, new_hold, relock) -> dict:  # noqa: ANN001
    """The page intent's secret for a booking or a question (`holder`, locked by the caller):
    the open one, or a new hold after a failed try; a create that got no answer is sent again
    with the same key. `outcome(holder, hold, now)` answers for a hold already placed,
    `new_hold(holder)` makes the next payment row, `relock(id)` locks the holder again."""
    hold = holder.hold_payment()
    if is_page_intent(hold):
        secret = page_secret(hold, now)
        if secret:
            db.session.commit()
            return {"client_secret": secret, "intent": "payment"}
    if hold is not None and hold.status in ("held", "capture_pending", "captured"):
        result = outcome(holder, hold, now)
        db.session.commit()
        return result
    if hold is None or hold.status != "created" or hold.stripe_payment_intent_id:
        hold = new_hold(holder)
    holder_id, payment_id = holder.id, hold.id
    db.session.commit()  # key stored before the call
    payment = pay.lock(payment_id)
    holder = relock(holder_id)
    secret = open_page_intent(payment, holder.client, ref, holder.stripe_customer_id)
    # the card the page gives is saved on that customer
    holder.stripe_customer_id = holder.stripe_customer_id or holder.client.stripe_customer_id
    db.session.commit()
    return {"client_secret": secret, "intent": "payment"}


def setup_succeeded(obj: dict, now, account: str | None = None) -> str | None:  # noqa: ANN001
    """setup_intent.succeeded: keep the card on its holder even if the page never came back.
    The SetupIntent is read back from Stripe: the event body is not trusted."""
    from sqlalchemy import select

    setup_id = obj.get("id")  # a string or None: checked at intake
    if not setup_id:
        return "ignored"
    setup = gateway().on(account).retrieve_setup_intent(setup_id)  # from the event's account
    if setup.status != "succeeded" or not setup.payment_method:
        return "ignored"
    for model in holders():
        for holder in db.session.scalars(select(model).where(
                model.stripe_setup_intent_id == setup.id).with_for_update()):
            if not holder.stripe_payment_method_id:
                holder.stripe_payment_method_id = setup.payment_method
    db.session.commit()
    return None


def card_detached(obj: dict, now, account: str | None = None) -> str | None:  # noqa: ANN001
    """payment_method.detached: that card can no longer be charged; the next off-session hold
    then asks the client for a card instead of failing at Stripe. Read back from Stripe: a
    card attached again since is kept."""
    from sqlalchemy import select

    pm_id = obj.get("id")  # a string or None: checked at intake
    if not pm_id or gateway().on(account).card_summary(pm_id).get("customer"):
        return "ignored"
    for model in holders():
        for holder in db.session.scalars(select(model).where(
                model.stripe_payment_method_id == pm_id).with_for_update()):
            holder.stripe_payment_method_id = None
    db.session.commit()
    return None
