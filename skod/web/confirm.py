"""Confirmation before money moves (issue #13): a page POST that charges, captures, refunds or
cancels with a fee runs only when it carries `confirm=1`. Without it the view answers with a
confirmation page (the amount, what happens next, Confirm / Back) that re-posts the same fields
with `confirm=1`. static/js/confirm.js fetches that same page and shows it in a <dialog>, so the
words and the amount come from one place, computed by the server at the moment of the click."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import render_template, request
from flask.typing import ResponseReturnValue


@dataclass(frozen=True)
class Ask:
    """What the confirmation says: a question, the lines stating the amount and what happens
    next, the words of the confirm button, and where Back leads."""

    title: str
    lines: list[str]
    button: str
    back: str
    danger: bool = False
    notes: list[str] = field(default_factory=list)


def confirmed() -> bool:
    """The POST carries the confirmation (from the dialog or the confirmation page)."""
    return request.form.get("confirm") == "1"


def page(ask: Ask) -> ResponseReturnValue:
    """The confirmation page; it changes nothing. The fields of the original form go back as
    hidden inputs (the CSRF token among them), so that Confirm posts exactly what was typed."""
    fields = [(name, value) for name, value in request.form.items(multi=True)
              if name != "confirm"]
    return render_template("web/confirm.html", ask=ask, action=request.path, fields=fields)
