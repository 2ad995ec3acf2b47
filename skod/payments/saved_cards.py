"""A returning client pays with the card they saved with this provider, after proving they hold
the mailbox: a one-time code e-mailed to the client of the booking, question or project.

Nothing here tells whether an e-mail is a client or has a card: asking for a code always gets
the same answer, and the e-mail goes only when the client has a saved card with the provider.
A code is 6 digits, kept as an HMAC (SECRET_KEY) of the code and the holder it was made for,
valid CODE_TTL, burnt after MAX_TRIES wrong tries, used once. It is bound to one holder
(`ref`, e.g. "booking:12"), whose client is one provider's row: a code for provider A's booking
never unlocks provider B's customer, and a used code cannot be replayed on another booking.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import ForeignKey, Integer, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from skod.accounts.models import Client
from skod.core.errors import Conflict, Invalid
from skod.core.types import UTCDateTime
from skod.extensions import db
from skod.notifications import mail
from skod.payments import connect
from skod.payments.cards import CardHolderMixin, StripeUnavailable, holders
from skod.stripe_gateway import GatewayError

CODE_TTL = timedelta(minutes=15)
MAX_TRIES = 5


class SavedCardCode(db.Model):
    """One code sent to a client to use their saved card on one holder."""

    __tablename__ = "saved_card_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"),
                                           index=True)
    #: the holder the code unlocks, e.g. "booking:12" (never another one)
    ref: Mapped[str] = mapped_column(String(40), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    wrong_tries: Mapped[int] = mapped_column(Integer, default=0)
    #: set when the code was used, burnt by wrong tries or replaced by a newer one
    spent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def _digest(ref: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"saved-card:{ref}:{code}".encode(), hashlib.sha256).hexdigest()


def saved_card(holder: CardHolderMixin, client: Client) -> str | None:
    """The card the client saved with this provider on an earlier booking, question or project:
    the newest one on the client's customer on the provider's account now (None without)."""
    account = connect.account_of(holder.provider)  # type: ignore[attr-defined]
    if not client.stripe_customer_id or (client.stripe_account_id or None) != account:
        return None
    found: list[tuple[datetime, str]] = []
    for model in holders():
        if not hasattr(model, "client_id") or not hasattr(model, "created_at"):
            continue
        row = db.session.execute(select(model.created_at, model.stripe_payment_method_id).where(
            model.client_id == client.id, model.stripe_payment_method_id.is_not(None),
            model.stripe_customer_id == client.stripe_customer_id,
            model.id != (holder.id if isinstance(holder, model) else 0))  # type: ignore[attr-defined]
            .order_by(model.created_at.desc()).limit(1)).first()
        if row is not None:
            found.append((row[0], row[1]))
    return max(found)[1] if found else None


def request_code(holder: CardHolderMixin, ref: str, now: datetime) -> None:
    """Send a new code when the holder's client has a saved card (older codes of the holder are
    spent); nothing otherwise. The caller answers the same either way."""
    client: Client = holder.client  # type: ignore[attr-defined]
    if saved_card(holder, client) is None:
        return
    db.session.execute(update(SavedCardCode).where(
        SavedCardCode.ref == ref, SavedCardCode.spent_at.is_(None)).values(spent_at=now))
    code = f"{secrets.randbelow(10 ** 6):06d}"
    db.session.add(SavedCardCode(client_id=client.id, ref=ref, code_hash=_digest(ref, code),
                                 created_at=now, expires_at=now + CODE_TTL, wrong_tries=0))
    db.session.commit()
    _send(holder, client, code)


def use_saved(holder: CardHolderMixin, client: Client, payment_method: str) -> str:
    """A card the client saved earlier on their customer (skod.payments.saved_cards checked it
    and the code that unlocks it) becomes the holder's: no SetupIntent, it is saved already."""
    holder.stripe_customer_id = client.stripe_customer_id
    holder.stripe_payment_method_id = payment_method
    return payment_method


def _send(holder: CardHolderMixin, client: Client, code: str) -> None:
    provider = holder.provider  # type: ignore[attr-defined]
    with force_locale(client.locale):
        ctx = {"greeting": _("Hello %(name)s,", name=client.name),
               "paragraphs": [
                   _("Your code to pay %(provider)s with the card you saved with them: %(code)s",
                     provider=provider.name, code=code),
                   _("It works once, for 15 minutes. If you did not ask for it, ignore this "
                     "e-mail: nobody can use your card without this code.")],
               "action_url": None, "action_label": None, "details": []}
        subject = _("Your code to use your saved card: %(code)s", code=code)
    mail.send(mail.build(to=client.email, template="message", subject=subject, context=ctx,
                         locale=client.locale))


def use_code(holder: CardHolderMixin, ref: str, code: str, now: datetime, *,
             spend: bool) -> str:
    """The saved card the right code unlocks for this holder; a wrong code counts a try (kept
    even though the answer is an error), the fifth burns it. `spend`: the code is used up (the
    payment follows); else it is only checked (the page shows the card first)."""
    client: Client = holder.client  # type: ignore[attr-defined]
    row = db.session.scalar(select(SavedCardCode).where(
        SavedCardCode.ref == ref, SavedCardCode.client_id == client.id,
        SavedCardCode.spent_at.is_(None)).order_by(SavedCardCode.id.desc()).limit(1)
        .with_for_update())
    if row is None or row.expires_at <= now:
        raise Invalid("this code has expired or was already used: ask for a new one",
                      code="code_expired")
    if not hmac.compare_digest(row.code_hash, _digest(ref, str(code).strip())):
        row.wrong_tries += 1
        if row.wrong_tries >= MAX_TRIES:
            row.spent_at = now
        db.session.commit()  # the try counts even though the answer is an error
        raise Invalid("this code is not the one we sent", {"code": ["invalid"]},
                      code="invalid_code")
    if spend:
        row.spent_at = now
    pm = saved_card(holder, client)
    if pm is None:
        db.session.commit()
        raise _gone()
    return pm


def _gone() -> Conflict:
    return Conflict("the saved card can no longer be used: enter a card",
                    code="saved_card_unavailable")


def card_summary(holder: CardHolderMixin, pm: str) -> dict:
    """Brand, last 4 and expiry of the saved card, read on the provider's account; 409 when the
    card was removed from the client's customer since (the page then shows the card form)."""
    client: Client = holder.client  # type: ignore[attr-defined]
    try:
        card = connect.for_client(client).card_summary(pm)
    except GatewayError as err:
        db.session.rollback()
        if err.kind == "retryable":
            raise StripeUnavailable("the payment provider could not be reached") from err
        raise _gone() from err  # the card was deleted at Stripe
    if card.get("customer") != client.stripe_customer_id:  # detached since
        raise _gone()
    return {"brand": card.get("brand"), "last4": card.get("last4"),
            "exp_month": card.get("exp_month"), "exp_year": card.get("exp_year")}
