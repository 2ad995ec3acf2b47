"""Reading a debt's client disputes (no commit): the undecided one, the latest one."""

from __future__ import annotations

from sqlalchemy import select

from skod.dunning.disputes.models import ClientDispute
from skod.extensions import db


def undecided(receivable_id: int) -> ClientDispute | None:
    """The dispute waiting for the provider's decision (at most one: a unique index)."""
    return db.session.scalar(select(ClientDispute).where(
        ClientDispute.receivable_id == receivable_id, ClientDispute.outcome.is_(None)))


def latest(receivable_id: int) -> ClientDispute | None:
    return db.session.scalar(select(ClientDispute).where(
        ClientDispute.receivable_id == receivable_id)
        .order_by(ClientDispute.id.desc()).limit(1))
