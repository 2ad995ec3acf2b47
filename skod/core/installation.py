"""The installation's own identity: the prefix of every idempotency key sent to Stripe.

SKOD_IDEMPOTENCY_PREFIX wins; else the random id migration m1connect01 stored (drawn here on a
database made without migrations). Two installs on one Stripe test key, or a database restored
within Stripe's 24-hour key window, never replay each other's requests.
"""

from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from skod.extensions import db


class Installation(db.Model):
    __tablename__ = "installation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_prefix: Mapped[str] = mapped_column(String(64))


def idempotency_prefix() -> str:
    """Read once per process (the gateway keeps it)."""
    configured = current_app.config.get("SKOD_IDEMPOTENCY_PREFIX")
    if configured:
        return str(configured)
    row = db.session.get(Installation, 1)
    if row is None:
        row = Installation(id=1, idempotency_prefix=secrets.token_hex(8))
        db.session.add(row)
        db.session.commit()
    return row.idempotency_prefix
