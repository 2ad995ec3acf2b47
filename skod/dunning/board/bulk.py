"""Bulk actions of the board on the rows the provider checked: pause, resume, remind now.

Each row goes through the same service as the case page's button (skod/dunning/debts/
actions.py), in its own transaction: one refused row (closed meanwhile, a reminder too soon)
rolls back alone and the others go on. The whole request is refused, with nothing changed,
when one id is unknown or another provider's: the provider never acts on a list they did
not see. A row reminded today (by the sweep or a button) is not reminded again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from skod.core.errors import Conflict, DomainError, NotFound
from skod.dunning.board.table import owned_ids
from skod.dunning.debts import actions
from skod.dunning.debts.models import Receivable
from skod.extensions import db
from skod.invoicing.ledger import local_day

log = logging.getLogger(__name__)

#: the row actions a bulk request may name (the export is not one: it changes nothing)
ACTIONS = ("pause", "resume", "remind")
#: the most rows one request acts on (a page of the table is far fewer)
MAX_ROWS = 500
#: ids are PostgreSQL integers: a larger number names no row (and must not reach the query)
ID_LIMIT = 2**31


@dataclass
class Outcome:
    """Which rows the action was done on, and which it refused with the service's error."""
    done: list[int] = field(default_factory=list)
    refused: list[tuple[int, DomainError]] = field(default_factory=list)


def checked(provider_id: int, raw: list[str]) -> list[int]:
    """The checked ids, each once and in the order given; NotFound (nothing done) when one is
    not a number, unknown or another provider's, or when there are too many or none."""
    try:
        wanted = list(dict.fromkeys(int(value) for value in raw))
    except ValueError:
        raise NotFound("a selected debt does not exist", code="bulk_unknown") from None
    if any(not 0 < i < ID_LIMIT for i in wanted):
        raise NotFound("a selected debt does not exist", code="bulk_unknown")
    if not wanted:
        raise Conflict("no debt is selected", code="bulk_empty")
    if len(wanted) > MAX_ROWS:
        raise Conflict("too many debts selected at once", code="bulk_too_many")
    if owned_ids(provider_id, wanted) != set(wanted):
        raise NotFound("a selected debt does not exist", code="bulk_unknown")
    return wanted


def _remind(receivable_id: int, provider_id: int, now: datetime) -> None:
    receivable = db.session.get(Receivable, receivable_id)
    last = receivable.last_step_at
    tz = receivable.provider.timezone
    if last is not None and local_day(last, tz) == local_day(now, tz):
        raise Conflict("a reminder went today already", code="reminded_today")
    actions.remind(receivable_id, provider_id, now)


def _do(action: str) -> Callable[[int, int, datetime], object]:
    return {"pause": actions.pause, "resume": actions.resume, "remind": _remind}[action]


def run(action: str, ids: list[int], provider_id: int, now: datetime) -> Outcome:
    """`action` on each of `ids` (checked by `checked`), each row on its own."""
    if action not in ACTIONS:
        raise NotFound("no such action", code="bulk_action")
    outcome, do = Outcome(), _do(action)
    for receivable_id in ids:
        try:
            do(receivable_id, provider_id, now)
        except DomainError as err:
            db.session.rollback()
            outcome.refused.append((receivable_id, err))
        except Exception:  # noqa: BLE001 - one broken row must not stop the provider's others
            db.session.rollback()
            log.exception("bulk %s failed on receivable %s", action, receivable_id)
            outcome.refused.append((receivable_id, DomainError(
                "this debt could not be handled; try it from its case page", code="bulk_failed")))
        else:
            outcome.done.append(receivable_id)
    return outcome
