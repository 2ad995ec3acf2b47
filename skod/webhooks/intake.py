"""Receive -> verify -> store once -> enqueue. Kept small: this runs inside the HTTP request."""

from __future__ import annotations

import json

from flask import current_app
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError

from skod.core.clock import utcnow
from skod.extensions import db
from skod.stripe_gateway import gateway
from skod.webhooks import tasks
from skod.webhooks.wakeup import DRAIN_FLAG, flag_store


class BadEvent(ValueError):
    """Signature, timestamp or body refused: nothing is stored."""


def verify(payload: bytes, signature: str | None) -> dict:
    """The event, checked against every configured secret (several during a rotation): the
    platform endpoint's and the Connect endpoint's, both delivered to this one URL."""
    cfg = current_app.config
    secrets = [s.strip() for name in ("STRIPE_WEBHOOK_SECRET", "STRIPE_CONNECT_WEBHOOK_SECRET")
               for s in str(cfg.get(name) or "").split(",")]
    last: Exception | None = None
    for secret in filter(None, secrets):
        try:
            return gateway().verify_event(payload, signature, secret)
        except ValueError as err:
            last = err
    raise BadEvent(str(last or "no webhook secret configured"))


_INSERT = """INSERT INTO stripe_events
    (stripe_event_id, account, type, object_id, payload, status, attempts, received_at)
VALUES (:event_id, :account, :type, :object_id, {payload}, 'received', 0, :now)
ON CONFLICT (account, stripe_event_id) DO NOTHING RETURNING id"""


def store(event: dict, raw: bytes | None = None) -> int | None:
    """Insert the event under its Stripe id; None when it was already stored (a redelivery).

    One autocommit statement, the raw body stored as it came (no re-serialisation): the
    unique constraint decides, with no transaction round trips."""
    obj = (event.get("data") or {}).get("object") or {}
    engine = _intake_engine()
    postgres = engine.dialect.name == "postgresql"
    now = utcnow() if postgres else utcnow().replace(tzinfo=None)  # SQLite keeps naive UTC
    account = event.get("account")
    params = {"event_id": event["id"], "type": str(event["type"])[:100],
              "account": account[:64] if isinstance(account, str) else "",
              "object_id": str(obj.get("id"))[:255] if obj.get("id") else None,
              "payload": (raw or json.dumps(event).encode()).decode(), "now": now}
    stmt = text(_INSERT.format(payload="CAST(:payload AS JSON)" if postgres else ":payload"))
    for attempt in (1, 2):
        try:
            with engine.connect() as conn:
                return conn.execute(stmt, params).scalar()
        except DBAPIError as err:
            if not err.connection_invalidated or attempt == 2:
                raise  # a dropped pooled connection is tried once more, anything else is a 500
    raise AssertionError("unreachable")


def _intake_engine() -> Engine:
    """An engine whose connections stay in autocommit: the insert is one round trip (no
    BEGIN/COMMIT, no isolation switch on checkout, no pre-ping)."""
    engine = current_app.extensions.get("skod_intake_engine")
    if engine is None:
        engine = create_engine(db.engine.url, isolation_level="AUTOCOMMIT", pool_size=5,
                               max_overflow=10, pool_pre_ping=False)
        if engine.dialect.name == "postgresql" and not current_app.config[
                "WEBHOOK_INTAKE_SYNC_COMMIT"]:
            # Opt-in trade: no wait for the WAL flush. A database crash may then lose the last
            # few hundred ms of acknowledged events; reconciliation still converges payments.
            @event.listens_for(engine, "connect")
            def _async_commit(dbapi_conn, _record) -> None:  # noqa: ANN001
                with dbapi_conn.cursor() as cur:
                    cur.execute("SET synchronous_commit = off")

        current_app.extensions["skod_intake_engine"] = engine
    return engine


def check_shape(payload: bytes, event: object) -> dict:
    """A signed body is still refused (nothing stored) unless it is UTF-8 JSON with the shape of
    a Stripe event: string `id` and `type`, an object `data.object`. Stripe only sends such."""
    try:
        text_body = payload.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BadEvent("the body is not UTF-8") from err
    if "\x00" in text_body or "\\u0000" in text_body:
        raise BadEvent("the body holds a NUL character")
    if not isinstance(event, dict):
        raise BadEvent("the body is not a JSON object")
    data = event.get("data")
    checks = (isinstance(event.get("id"), str) and 0 < len(event["id"]) <= 255,
              isinstance(event.get("type"), str) and 0 < len(event["type"]) <= 100,
              isinstance(data, dict) and isinstance(data.get("object"), dict))
    if not all(checks):
        raise BadEvent("the body is not a Stripe event (id, type, data.object)")
    account = event.get("account")
    if account is not None and not (isinstance(account, str) and len(account) <= 64):
        raise BadEvent("account is not an account id")
    obj_id = data["object"].get("id")
    if obj_id is not None and not isinstance(obj_id, str):
        raise BadEvent("data.object.id is not a string")
    return event


def receive(payload: bytes, signature: str | None) -> int | None:
    """Verify, store, wake a worker up; returns the new row id (None for a duplicate)."""
    event = check_shape(payload, verify(payload, signature))
    event_id = store(event, payload)
    if event_id is not None:
        wake_up(event_id)
    return event_id


def wake_up(event_id: int) -> None:
    """Have a Celery task process the event.

    With Redis, one `drain_events` task is queued per burst instead of one task per event: a
    flag (SET NX) says a drain is already queued, and the drain clears it BEFORE reading the
    stored events, so an event stored while the flag was up is always read by that drain.
    Publishing a Celery message costs more than storing the event; this keeps the intake fast.
    """
    flag = flag_store()
    if flag is None:
        tasks.process_event.delay(event_id)
    elif flag.set(DRAIN_FLAG, "1", nx=True, ex=60):
        tasks.drain_events.delay()
