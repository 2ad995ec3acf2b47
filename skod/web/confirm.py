"""Confirmation before money moves (issue #13): a page POST that charges, captures, refunds or
cancels with a fee runs only when it carries `confirm=1`. Without it the view answers with a
confirmation page (the amount, what happens next, Confirm / Back) that re-posts the same fields
with `confirm=1`. static/js/confirm.js fetches that same page and shows it in a <dialog>, so the
words and the amount come from one place, computed by the server at the moment of the click."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import render_template, request
from flask.typing import ResponseReturnValue

#: sent by confirm.js with its first POST: it wants the confirmation, never the action itself
ASKING = ("X-Skod-Confirm", "ask")


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


def before(ask: Callable[[], Ask | None]) -> ResponseReturnValue | None:
    """What a money view answers before acting: None to act (confirmed, or `ask()` finds
    nothing to confirm), else the confirmation page. The script's first POST never acts: when
    there is nothing to confirm it gets 204 and posts the form again as is, so a state that
    changed since the page was shown (or a refused amount) is handled once, by that post."""
    if confirmed():
        return None
    question = ask()
    if question is not None:
        return page(question)
    if request.headers.get(ASKING[0]) == ASKING[1]:
        return "", 204
    return None
