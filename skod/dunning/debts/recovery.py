"""What a paid debt gives back to the service it was for: a held reply delivered, a milestone
marked paid, a call completed. Each domain registers its function by source prefix (the
invoice's source), so dunning never imports the domains."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from skod.dunning.debts.models import Receivable

log = logging.getLogger(__name__)

#: source prefix ("message", "milestone", "booking", "overrun:booking", ...) -> fn(id, now)
_ON_RECOVERED: dict[str, Callable[[int, datetime], None]] = {}


def on_recovered(prefix: str, fn: Callable[[int, datetime], None]) -> None:
    _ON_RECOVERED[prefix] = fn


def split_source(source: str) -> tuple[str, int] | None:
    prefix, _, object_id = source.rpartition(":")
    return (prefix, int(object_id)) if prefix and object_id.isdigit() else None


def recovered(receivable: Receivable, now: datetime) -> None:
    """Tell the domain its service is paid; a failure there never reopens the debt."""
    parts = split_source(receivable.source)
    fn = _ON_RECOVERED.get(parts[0]) if parts else None
    if fn is None:
        return
    try:
        fn(parts[1], now)
    except Exception:  # noqa: BLE001 - the payment stands; the domain's sweep repairs
        from skod.extensions import db

        db.session.rollback()
        log.exception("receivable %s: the service was not told it is paid", receivable.id)
