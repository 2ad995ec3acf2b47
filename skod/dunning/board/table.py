"""The board's table of debts as SQL: which of a provider's receivables it lists (state,
stage, how late, a search on the client and the invoice), in which order (any column, both
ways) and one page of them with the count of all.

Pure query building: the caller gives the provider's day (`today`, in the provider's time
zone) and gets a Select; nothing here reads the request. Days late are bounds on the due
date, never date arithmetic in SQL (PostgreSQL and SQLite spell it differently).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import selectinload

from skod.accounts.models import Client
from skod.dunning.debts.models import Receivable
from skod.dunning.receivables.queries import STATUS_FILTERS
from skod.extensions import db
from skod.invoicing.models import Invoice

#: rows per page: a page renders quickly and the count stays one query
PAGE_SIZE = 50
#: the column names a sort may name, in the table's order
SORTS = ("client", "invoice", "amount", "balance", "age", "stage", "next", "contact")
#: the order when none is asked: the next action first, as the sweep will take them
DEFAULT_SORT = "next"


@dataclass(frozen=True)
class Query:
    """What the provider asked the table for (the page's GET parameters, checked)."""
    status: str = "owed"
    #: a ladder step (-1: no reminder yet), None: every stage
    stage: int | None = None
    #: days late, both included; None: no bound
    late_min: int | None = None
    late_max: int | None = None
    search: str = ""
    sort: str = DEFAULT_SORT
    descending: bool = False
    page: int = 1


def _sort_key(name: str) -> ColumnElement:
    """The SQL a column sorts by (age sorts by the due date, the other way round)."""
    return {
        "client": func.lower(func.coalesce(Client.company_name, Client.name)),
        "invoice": Invoice.number,
        "amount": Receivable.principal_minor,
        "balance": Receivable.principal_minor - Receivable.paid_minor,
        "age": Receivable.due_date,
        "stage": Receivable.last_step,
        "next": Receivable.next_action_at,
        "contact": Receivable.last_step_at,
    }[name]


def _like(text: str) -> str:
    """`text` as a LIKE pattern that matches it anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _filters(provider_id: int, query: Query, today: date) -> list[ColumnElement]:
    where = [Receivable.provider_id == provider_id]
    if query.status:
        where.append(Receivable.status.in_(STATUS_FILTERS[query.status]))
    if query.stage is not None:
        where.append(Receivable.last_step == query.stage)
    # n days late = due n days before today: a lower bound on lateness is an upper bound
    # on the due date
    if query.late_min is not None:
        where.append(Receivable.due_date <= today - timedelta(days=query.late_min))
    if query.late_max is not None:
        where.append(Receivable.due_date >= today - timedelta(days=query.late_max))
    if query.search:
        pattern = _like(query.search)
        where.append(or_(*(func.lower(column).like(pattern, escape="\\") for column in (
            Client.name, Client.email, Client.company_name, Invoice.number))))
    return where


def statement(provider_id: int, query: Query, today: date) -> Select:
    """Every receivable the table lists for `query`, in its order (id last: a stable order,
    so a page never repeats or skips a row)."""
    key = _sort_key(query.sort)
    # age ascending = the most recent due date first
    descending = query.descending != (query.sort == "age")
    order = key.desc().nulls_last() if descending else key.asc().nulls_last()
    stmt = select(Receivable)
    # the joins only when the search or the sort reads them: the count of 50,000 rows
    # then reads the receivables alone
    if query.search or query.sort == "client":
        stmt = stmt.join(Client, Client.id == Receivable.client_id)
    if query.search or query.sort == "invoice":
        stmt = stmt.outerjoin(Invoice, Invoice.id == Receivable.invoice_id)
    return (stmt.where(*_filters(provider_id, query, today))
            .order_by(order, Receivable.id.desc() if descending else Receivable.id.asc()))


def page(provider_id: int, query: Query, today: date) -> tuple[list[Receivable], int]:
    """The page asked for and the count of every row the query lists."""
    stmt = statement(provider_id, query, today)
    total = db.session.scalar(select(func.count()).select_from(
        stmt.order_by(None).with_only_columns(Receivable.id).subquery()))
    rows = db.session.scalars(stmt.options(
        selectinload(Receivable.client), selectinload(Receivable.invoice),
        selectinload(Receivable.provider))
        .offset((query.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return list(rows), int(total or 0)


def ids(provider_id: int, query: Query, today: date) -> list[int]:
    """The ids of every row the query lists, in its order (the export of the filtered list)."""
    return list(db.session.scalars(
        statement(provider_id, query, today).with_only_columns(Receivable.id)))


def owned_ids(provider_id: int, wanted: list[int]) -> set[int]:
    """Which of `wanted` are the provider's receivables (the others: unknown or not theirs)."""
    if not wanted:
        return set()
    return set(db.session.scalars(select(Receivable.id).where(
        Receivable.provider_id == provider_id, Receivable.id.in_(wanted))))
