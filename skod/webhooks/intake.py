"""Receive -> verify -> store once -> enqueue. Kept small: this runs inside the HTTP request."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from skod.extensions import db
from skod.stripe_gateway import gateway
from skod.webhooks.models import StripeEvent


class BadEvent(ValueError):
    """Signature, timestamp or body refused: nothing is stored."""


def verify(payload: bytes, signature: str | None) -> dict:
    """The event, checked against every configured secret (several during a rotation)."""
    secrets = [s.strip() for s in current_app.config["STRIPE_WEBHOOK_SECRET"].split(",")]
    last: Exception | None = None
    for secret in filter(None, secrets):
        try:
            return gateway().verify_event(payload, signature, secret)
        except ValueError as err:
            last = err
    raise BadEvent(str(last or "no webhook secret configured"))


def store(event: dict) -> int | None:
    """Insert the event under its Stripe id; None when it was already stored (a redelivery)."""
    obj = (event.get("data") or {}).get("object") or {}
    values = {"stripe_event_id": event["id"], "type": str(event["type"])[:100],
              "object_id": str(obj.get("id"))[:255] if obj.get("id") else None,
              "payload": event, "status": "received", "attempts": 0}
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (insert(StripeEvent).values(**values)
            .on_conflict_do_nothing(index_elements=["stripe_event_id"])
            .returning(StripeEvent.id))
    new_id = db.session.execute(stmt).scalar()
    db.session.commit()
    return new_id


def receive(payload: bytes, signature: str | None) -> int | None:
    """Verify, store, enqueue; returns the new row id (None for a duplicate)."""
    event = verify(payload, signature)
    event_id = store(event)
    if event_id is not None:
        from skod.webhooks.tasks import process_event

        process_event.delay(event_id)
    return event_id
