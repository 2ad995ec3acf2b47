"""SQL that reads the same on PostgreSQL (tests, production) and SQLite (`make run`'s embedded
default): the few functions the two spell differently, compiled per database."""

from __future__ import annotations

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class greatest(FunctionElement):  # noqa: N801 - reads as the SQL function it is
    """The largest of its integer arguments: GREATEST on PostgreSQL, the scalar MAX of SQLite
    (SQLite has no GREATEST; its MAX with two or more arguments is not an aggregate)."""

    type = Integer()
    inherit_cache = True
    name = "greatest"


@compiles(greatest)
def _greatest(element: greatest, compiler, **kw) -> str:  # noqa: ANN001
    return f"greatest({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: greatest, compiler, **kw) -> str:  # noqa: ANN001
    return f"max({compiler.process(element.clauses, **kw)})"
