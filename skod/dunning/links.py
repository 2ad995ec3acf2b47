"""Signed links of a debt: the client's pay page (no account: the token is the key)."""

from __future__ import annotations

from flask import current_app

from skod.core.signing import expired_for, make_token, read_token
from skod.dunning.models import Receivable

PURPOSE = "pay"


def pay_url(receivable: Receivable) -> str:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return f"{base}/pay/{receivable.id}/{make_token(PURPOSE, receivable.id)}"


def opens(receivable_id: int, token: str) -> bool:
    """True when `token` is this receivable's pay link and has not expired."""
    age = current_app.config["PAY_LINK_MAX_AGE"]
    return read_token(PURPOSE, token, max_age=age) == receivable_id


def expired(receivable_id: int, token: str) -> bool:
    """True when `token` is this receivable's pay link whose time is over."""
    return expired_for(PURPOSE, token, receivable_id)


def transfer_reference(receivable: Receivable) -> str:
    """The reference a client writes on a transfer, so the provider can match it."""
    number = receivable.invoice.number if receivable.invoice else f"R{receivable.id}"
    return f"SKOD-{number}"
