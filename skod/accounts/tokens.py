"""API tokens: issued with an expiry, listed with their creation and last use, revoked one by
one or all at once. The token itself is shown once; only its sha256 is stored."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from skod.accounts.models import ApiToken, Provider
from skod.core.clock import aware
from skod.core.errors import NotFound
from skod.extensions import db

log = logging.getLogger(__name__)

DEFAULT_DAYS = 90
MAX_DAYS = 365
#: last use is written at most this often: a busy integration must not write on every call
LAST_USE_GRAIN = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def expiry(row: ApiToken) -> datetime:
    """When the token stops working (tokens made before expiries: DEFAULT_DAYS after
    creation)."""
    if row.expires_at is not None:
        return aware(row.expires_at)
    return aware(row.created_at) + timedelta(days=DEFAULT_DAYS)


def usable(row: ApiToken, now: datetime) -> bool:
    return row.revoked_at is None and now < expiry(row)


def issue(provider: Provider, now: datetime, days: int = DEFAULT_DAYS) -> tuple[ApiToken, str]:
    """A new token valid `days` days (1..MAX_DAYS): (its row, the token to show once)."""
    token = "skp_" + secrets.token_urlsafe(32)
    row = ApiToken(provider_id=provider.id, token_hash=token_hash(token), created_at=now,
                   expires_at=now + timedelta(days=max(1, min(days, MAX_DAYS))))
    db.session.add(row)
    db.session.commit()
    return row, token


def provider_for(token: str, now: datetime) -> Provider | None:
    """The provider of a live token (not revoked, not expired), noting its last use."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None or not usable(row, now):
        return None
    if row.last_used_at is None or aware(row.last_used_at) + LAST_USE_GRAIN <= now:
        _note_use(row.id, now)
    return row.provider


def _note_use(token_id: int, now: datetime) -> None:
    # on a connection of its own: the request's session may hold changes its view has not
    # committed yet, and a read-only request commits nothing
    try:
        with db.engine.begin() as conn:
            conn.execute(update(ApiToken).where(ApiToken.id == token_id)
                         .values(last_used_at=now))
    except OperationalError:  # a busy SQLite file: the last use is a hint, the call goes on
        log.warning("last use of API token %s not noted", token_id)


def listed(provider: Provider) -> list[ApiToken]:
    """The provider's tokens not revoked, newest first (expired ones too, marked by the
    caller)."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.provider_id == provider.id,
                               ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke(provider: Provider, token_id: int, now: datetime) -> None:
    """This token stops working now; another provider's or unknown id: 404."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.provider_id != provider.id or row.revoked_at is not None:
        raise NotFound("token not found")
    row.revoked_at = now
    db.session.commit()


def revoke_all(provider: Provider, now: datetime) -> int:
    """Every live token of the provider stops working (the caller commits)."""
    result = db.session.execute(
        update(ApiToken).where(ApiToken.provider_id == provider.id,
                               ApiToken.revoked_at.is_(None)).values(revoked_at=now))
    return result.rowcount or 0
