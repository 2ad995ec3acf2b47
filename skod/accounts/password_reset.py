"""Password reset by e-mail: a signed link, valid one hour, that works once.

The link carries the provider's id, the moment it was made and a stamp of the current password
hash, signed with SECRET_KEY. Setting a new password changes the hash (a fresh salt each time),
so the stamp no longer matches: a used link, or an older link after any password change, is
refused with no row to store. The moment is checked against the injected `now`, not the
signer's own clock, so tests and `--at` can move it.

Asking for a link answers the same whether the e-mail has an account or not, with the same work
(a hash check, a stamp, a signature, an e-mail rendered): only the sending differs.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from skod.accounts import login_guard, passwords, tokens
from skod.accounts.models import Provider
from skod.accounts.services import check_password
from skod.core.errors import Invalid
from skod.core.urls import public_url
from skod.extensions import db
from skod.notifications import mail

VALIDITY = timedelta(hours=1)
#: a link made this far in the future (clocks of two servers) is still taken
SKEW = timedelta(minutes=2)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="skod:password-reset")


def _stamp(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:24]


def make_token(provider: Provider, now: datetime) -> str:
    return _serializer().dumps({"id": provider.id, "p": _stamp(provider.password_hash),
                                "at": int(now.timestamp())})


def link(token: str) -> str:
    return public_url(f"/password-reset/{token}")


def request_reset(email: str, now: datetime) -> None:
    """E-mail a reset link to the account of `email`, if there is one; nothing tells which."""
    email = (email or "").strip().lower()
    provider = db.session.scalar(select(Provider).where(Provider.email == email))
    # the same work whether the account exists: one hash check, a token, an e-mail rendered
    passwords.verify(None, email)
    target = provider or Provider(id=0, email=email, name=email, password_hash=email,
                                  locale="fr")
    msg = _message(target, make_token(target, now))
    if provider is not None:
        mail.send(msg)


def _message(provider: Provider, token: str):  # noqa: ANN202  (an EmailMessage)
    with force_locale(provider.locale or "fr"):
        subject = _("Reset your Skod password")
        ctx = {"greeting": _("Hello %(name)s,", name=provider.name),
               "paragraphs": [
                   _("Someone (you, we hope) asked to reset the password of your Skod account."),
                   _("Open this link within one hour to choose a new password; it works once. "
                     "Every session of your account will then be logged out."),
                   _("If you did not ask for it, ignore this e-mail: your password stays as "
                     "it is.")],
               "action_url": link(token), "action_label": _("Choose a new password"),
               "details": []}
    return mail.build(to=provider.email, template="message", subject=subject, context=ctx,
                      locale=provider.locale or "fr")


def read(token: str, now: datetime, lock: bool = False) -> Provider | None:
    """The provider this link resets, or None when forged, older than an hour, or used."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int) \
            or not isinstance(data.get("at"), int):
        return None
    made = datetime.fromtimestamp(data["at"], UTC)
    if not now - VALIDITY <= made <= now + SKEW:
        return None
    provider = (db.session.get(Provider, data["id"], with_for_update=True,
                               populate_existing=True)
                if lock else db.session.get(Provider, data["id"]))
    if provider is None or data.get("p") != _stamp(provider.password_hash):
        return None
    return provider


def complete(token: str, new_password: str, now: datetime,
             revoke_tokens: bool = False) -> Provider:
    """Set the new password from a valid link: every session ends, every API token too when
    asked, the per-account login ceiling is lifted; the link then no longer works."""
    # the row locked: two uses of one link at once set one password, the other is refused
    provider = read(token, now, lock=True)
    if provider is None:
        db.session.rollback()
        raise Invalid("this link is invalid, used or older than one hour",
                      {"token": ["invalid, used or expired"]}, code="reset_link_invalid")
    try:
        check_password(new_password, provider.email, provider.name, provider.slug)
    except Invalid as err:
        db.session.rollback()
        raise Invalid(err.message, {"new_password": err.fields["password"]},
                      code=err.code) from None
    provider.password_hash = passwords.hash_password(new_password)
    provider.end_sessions()
    if revoke_tokens:
        tokens.revoke_all(provider, now)
    db.session.commit()
    login_guard.clear_account(provider.email)
    return provider
