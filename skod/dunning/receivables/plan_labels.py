"""Words for a debt's payment plan on the provider's pages: the plan's state, its
instalments' states and its timeline events (never a raw status such as "canceled")."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

PLAN_WORDS = {
    "proposed": _l("requested by the client, waiting for your answer"),
    "accepted": _l("accepted"), "refused": _l("refused"), "completed": _l("completed"),
    "failed": _l("stopped after a failed instalment"),
    "closed": _l("closed with the debt (paid another way or written off)"),
}
INSTALMENT_WORDS = {"scheduled": _l("scheduled"), "charging": _l("being charged"),
                    "paid": _l("paid"), "failed": _l("failed"),
                    "canceled": _l("not charged")}


def plan_status(value: str) -> str:
    return str(PLAN_WORDS.get(value, _l("updated")))


def instalment_status(value: str) -> str:
    return str(INSTALMENT_WORDS.get(value, _l("updated")))


def event(kind: str, data: dict) -> str:
    """A plan_* or instalment event of the timeline, in words."""
    if kind == "plan_proposed":
        return _("The client asks for a payment plan in %(n)s monthly instalments.",
                 n=data.get("instalments"))
    if kind == "plan_failed":
        return _("Payment plan stopped: instalment no. %(seq)s was refused; the reminders "
                 "resume.", seq=data.get("seq"))
    if kind == "instalment":
        return _("Instalment no. %(seq)s of the payment plan paid.", seq=data.get("seq"))
    return _("Payment plan: %(what)s.", what=plan_status(kind.removeprefix("plan_")))
