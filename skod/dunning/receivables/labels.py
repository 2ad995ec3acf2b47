"""Words for the provider's pages about a debt: ladder steps, case states, pause reasons, why a
payment failed (never a raw code), and one sentence per timeline event.

The client-facing decline sentences live in skod/payments/decline_labels.py; these speak to the
provider about the client ("the client's bank...").
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from skod.core import formats
from skod.dunning.bank_statements import surplus
from skod.dunning.disputes import labels as dispute_words
from skod.dunning.receivables import plan_labels
from skod.dunning.recourse.labels import ROUTES
from skod.payments import decline_labels
from skod.web import display

STEP_WORDS = {
    -1: _l("No reminder yet"),
    0: _l("Notice of non-payment"),
    1: _l("Friendly reminder"),
    2: _l("Formal reminder"),
    3: _l("Formal notice"),
    4: _l("Recourse file"),
}
STATUS_WORDS = {
    "open": _l("Being chased"), "paused": _l("Paused"), "paid": _l("Paid"),
    "written_off": _l("Written off"),
}
PAUSE_WORDS = {
    "provider": _l("paused by you"),
    "stripe_dispute": _l("the client disputes the card payment with their bank"),
    "client_dispute": _l("the client disputes the debt"),
    "promise": _l("the client promised to pay"),
    "plan": _l("payment plan"),
    "insolvency": _l("the client is in insolvency proceedings"),
    "address": _l("the mise en demeure needs the client's postal address"),
}
RESUME_WORDS = {
    "provider": _l("resumed by you"),
    "promise_passed": _l("the promised date passed without payment"),
    "pause_ended": _l("the end date of your pause came"),
    "dispute_closed": _l("the bank closed the dispute"),
    "address_given": _l("the client's postal address was filled in"),
    "plan_refused": _l("you refused the payment plan"),
    "plan_failed": _l("an instalment of the payment plan was refused"),
    **dispute_words.RESUME_WORDS,
}
VIA_WORDS = {
    "card": _l("card"), "transfer": _l("bank transfer"), "instalment": _l("instalment"),
    "invoice": _l("paid on the invoice's own payment link"),
    "waiver": _l("penalties waived"),
}
#: why a payment failed, said to the provider (payments.decline_labels, which the pages of
#: projects and answers read too)
FAILURE_CODES, FAILURE_KINDS = decline_labels.PROVIDER_CODES, decline_labels.PROVIDER_KINDS


#: why a step could not be sent (sweep_faults.reason_of's kind), said to the provider
SEND_FAILURES = {
    "mail_header": _l("the client's name or e-mail address holds characters an e-mail "
                      "cannot carry"),
    "mail_server": _l("the mail server could not be reached or refused the e-mail"),
    "unexpected": _l("an unexpected error while preparing it (our team is told)"),
}


def send_failure(reason: str | None) -> str:
    """A stored failure ("kind: detail") in words; the detail itself is never shown."""
    kind = (reason or "").split(":", 1)[0]
    return str(SEND_FAILURES.get(kind, SEND_FAILURES["unexpected"]))


def stuck(reason: str | None) -> str:
    """The board's, the case page's line for a step that failed again and again."""
    return _("A reminder could not be sent: %(why)s. It is tried again automatically.",
             why=send_failure(reason))


def step(number: int) -> str:
    return str(STEP_WORDS.get(number, _l("Step %(n)s", n=number)))


def status(value: str) -> str:
    return str(STATUS_WORDS.get(value, value))


def pause(reason: str | None) -> str:
    return str(PAUSE_WORDS.get(reason or "", _l("paused")))


def failure(code: str | None, kind: str | None) -> str:
    """Why a payment failed, in words; an unknown code falls back on its kind."""
    return decline_labels.provider_words(code, kind)


def event(kind: str, data: dict, currency: str, locale: str, tz: str) -> str:
    """One timeline line: what happened, in the page's language."""
    def money(amount: object) -> str:
        return display.money(int(amount or 0), currency, locale)

    if kind == "opened":
        why = (failure(data.get("code"), data.get("kind")) if data.get("code") or data.get("kind")
               else _("the invoice was still unpaid after its due date"))
        return _("Debt opened: %(amount)s unpaid (%(why)s).", amount=money(data.get("amount")),
                 why=why)
    if kind == "retry":
        return _("Automatic card retry no. %(n)s.", n=data.get("attempt"))
    if kind == "retry_skipped":
        return _skipped(data)
    if kind == "attempt":
        return _("Card payment failed: %(why)s.", why=failure(data.get("code"), data.get("kind")))
    if kind == "step" and data.get("recourse_id"):
        return _("Recourse file prepared for you; nothing was sent to the client.")
    if kind == "step":
        return _("E-mail sent to the client: %(step)s.", step=step(int(data.get("step", -1))))
    if kind in ("step_failed", "retry_error"):
        return _failure_event(kind, data)
    if kind in ("payment", "bank_line", surplus.SURPLUS, surplus.REFUNDED):
        return _money_in(kind, data, money(data.get("amount")), locale)
    if kind == "overpaid":
        return _("Paid after the debt was settled: %(amount)s refunded to the client's card.",
                 amount=money(data.get("amount")))
    if kind.startswith(("notice_", "penalt", "dispute_")):
        return _notice_event(kind, data, money(data.get("amount")))
    return _other(kind, data, locale, tz)


def _money_in(kind: str, data: dict, amount: str, locale: str) -> str:
    """A payment counted, or the line of the provider's bank statement that brought it (the
    transfer's evidence), or what it brought above the debt (the client's credit)."""
    if kind in (surplus.SURPLUS, surplus.REFUNDED):
        return surplus.words(kind, data, locale)
    if kind == "payment":
        via = VIA_WORDS.get(data.get("via") or "", data.get("via") or "")
        return _("Payment received: %(amount)s (%(via)s).", amount=amount, via=via)
    day = formats.day(date.fromisoformat(data["booked_on"]), locale)
    words = _("Transfer of %(amount)s on your bank statement of %(day)s", amount=amount, day=day)
    if data.get("payer"):
        words += " " + _("from %(payer)s", payer=data["payer"])
    text = " ".join(p for p in (data.get("reference"), data.get("label")) if p)
    return words + (" " + _("(\"%(text)s\").", text=text) if text else ".")


def _penalties_event(kind: str, data: dict, amount: str) -> str:
    """The late-payment penalties' lines (owed/amounts.py, penalties_alone.py)."""
    if kind == "penalty_payment":
        via = VIA_WORDS.get(data.get("via") or "", data.get("via") or "")
        return _("Late-payment penalties paid: %(amount)s (%(via)s).", amount=amount, via=via)
    if kind == "penalties_open":
        return _("The invoice is paid; the late-payment penalties claimed remain: %(amount)s. "
                 "The case stays open for them.", amount=amount)
    if kind == "penalties_waived":
        return _("You waived the late-payment penalties (%(amount)s).", amount=amount)
    if kind == "penalties_notice_asked":
        return _("You asked for a formal notice for the penalties alone.")
    if data.get("claim") is None:
        return _("Late-payment penalties: as in your reminder settings.")
    return (_("Late-payment penalties: claimed on this debt.") if data["claim"]
            else _("Late-payment penalties: not claimed on this debt."))


def _failure_event(kind: str, data: dict) -> str:
    """A step or a retry the sweep could not make (sweep_faults.py)."""
    why = send_failure(data.get("reason"))
    if kind == "retry_error":
        return _("Card retry no. %(n)s could not be made: %(why)s.", n=data.get("attempt"),
                 why=why)
    return _("%(step)s could not be sent (attempt %(n)s): %(why)s.",
             step=step(int(data.get("step", -1))), n=data.get("attempt"), why=why)


def _notice_event(kind: str, data: dict, amount: str) -> str:
    """The mise en demeure's own lines: held for approval, posted by registered mail; and
    the penalties' and a client dispute's lines."""
    if kind.startswith("dispute_"):
        return dispute_words.event(kind, data, amount)
    if kind.startswith("penalt"):
        return _penalties_event(kind, data, amount)
    if kind == "notice_posted":
        return _("Mise en demeure posted by registered mail, tracking number %(number)s.",
                 number=data.get("tracking"))
    return _("Mise en demeure ready: it waits for your approval.")


def _paused(data: dict, locale: str, tz: str) -> str:
    line = _("Paused: %(why)s.", why=pause(data.get("reason"))) + dispute_words.reason_line(data)
    if data.get("until"):
        from skod.core.clock import parse_iso

        line += " " + _("Until %(date)s.", date=display.when(parse_iso(data["until"]), tz,
                                                             locale))
    return line


def _resumed(data: dict) -> str:
    why = data.get("why") or "provider"  # events written before `why` was recorded
    if why not in RESUME_WORDS:  # never "by you" for what the provider did not do
        return _("The reminders resume.")
    return _("Resumed: %(why)s.", why=RESUME_WORDS[why])


def _closed(kind: str, data: dict) -> str:
    if kind == "paid" and data.get("via") == "dispute_won_on_appeal":
        return _("The bank gave the amount back on appeal: the case is closed.")
    if kind == "paid":
        return _("Paid in full: the case is closed.")
    return _("Written off: the case is closed, no more reminders.")


def _other(kind: str, data: dict, locale: str, tz: str) -> str:
    if kind == "pause":
        return _paused(data, locale, tz)
    if kind in ("paid", "written_off"):
        return _closed(kind, data)
    if kind == "resume":
        return _resumed(data)
    if kind.startswith("plan_") or kind == "instalment":
        return plan_labels.event(kind, data)
    if kind in ("card_saved", "sepa_saved"):
        return _("The client saved a card on the payment page.") if kind == "card_saved" else _(
            "The client signed a SEPA Direct Debit mandate for the instalments.")
    if kind == "transfer_after_paid":
        return _("A transfer of %(amount)s arrived after the debt was paid: it is in your "
                 "Stripe balance; refund it to the client from Stripe if it was not owed.",
                 amount=display.money(int(data.get("amount") or 0), data.get("currency") or "EUR",
                                      locale))
    if kind == "credit_refunded":
        return _("The client's credit of %(amount)s was sent back to their bank.",
                 amount=display.money(int(data.get("amount") or 0), data.get("currency") or "EUR",
                                      locale))
    if kind == "route_chosen":
        return _("Recourse route chosen by you: %(route)s. Your reason: %(reason)s",
                 route=ROUTES.get(data.get("route"), data.get("route")),
                 reason=data.get("reason"))
    return _("Other event.")


def news(counts: dict, locale: str) -> list[str]:
    """The dashboard's "since your last visit", one line per kind of news that happened."""
    from flask_babel import ngettext

    recovered = ", ".join(display.money(amount, currency, locale)
                          for currency, amount in counts["recovered"].items())
    lines = [
        (counts["payments"], ngettext("%(num)d payment recovered (%(amount)s)",
                                      "%(num)d payments recovered (%(amount)s)",
                                      counts["payments"], amount=recovered)),
        (counts["reminders"], ngettext("%(num)d reminder sent", "%(num)d reminders sent",
                                       counts["reminders"])),
        (counts["new_debts"], ngettext("%(num)d new debt", "%(num)d new debts",
                                       counts["new_debts"])),
        (counts["disputes"], ngettext("%(num)d client disputes a debt",
                                      "%(num)d clients dispute a debt", counts["disputes"])),
        (counts["promises"], ngettext("%(num)d promise to pay", "%(num)d promises to pay",
                                      counts["promises"])),
        (counts["plans"], ngettext("%(num)d payment plan request",
                                   "%(num)d payment plan requests", counts["plans"])),
    ]
    return [text for count, text in lines if count]


def _skipped(data: dict) -> str:
    """Why an automatic card retry was not made."""
    if data.get("why") == "live_hold":
        return _("Card retry postponed: a hold of yours is still on the client's card.")
    if data.get("why") == "bank_account":
        return _("No card retry: the client pays by SEPA Direct Debit now.")
    if data.get("why") == "no_card":
        return _("No more card retries: the client's card was removed; they pay on the page.")
    return _("Card retry no. %(n)s not made: the card networks' limits are reached.",
             n=data.get("attempt"))
