"""The words of a client dispute on the provider's case page: its timeline lines and where it
stands."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

#: why the ladder resumed after a dispute (cases.resume's `why`)
RESUME_WORDS = {
    "dispute_rejected": _l("you rejected the client's dispute"),
    "dispute_partial": _l("you accepted part of the client's dispute"),
}
OUTCOME_WORDS = {
    None: _l("waits for your answer"),
    "partial": _l("accepted in part: the amount owed is lowered"),
    "accepted": _l("accepted: the debt is written off"),
    "rejected": _l("rejected: the reminders resumed"),
}


def quoted(text: str) -> str:
    """A person's words, between the language's quotation marks."""
    return _("“%(text)s”", text=text)


def outcome(value: str | None) -> str:
    return str(OUTCOME_WORDS.get(value, value))


def event(kind: str, data: dict, amount: str) -> str:
    """One timeline line of a dispute (the client's reason is on its pause line)."""
    text = quoted(str(data.get("text") or ""))
    if kind == "dispute_answer":
        return _("You answered the client: %(text)s", text=text)
    if kind == "dispute_rejected":
        return _("You rejected the dispute: %(text)s", text=text)
    if kind == "dispute_partial":
        return _("You accepted part of the dispute: the amount owed is lowered by %(amount)s "
                 "(credit note).", amount=amount)
    return _("You accepted the dispute: a credit note of %(amount)s, the debt is written off.",
             amount=amount)


def reason_line(data: dict) -> str:
    """Appended to the pause line of a client dispute: what the client wrote."""
    if data.get("reason") != "client_dispute" or not data.get("text"):
        return ""
    return " " + _("Their reason: %(text)s", text=quoted(str(data["text"])))
