"""Step 0's one rule about the card that failed: why, in words, and what happens next, so that
the notice never contradicts itself about retries (issue 23, point 7).

With card retries planned, the notice says the card will be tried again on those days (in
words) and that the client may pay now, with this card or another means; without any (the
card cannot be used again: expired, stolen, a hard decline, 3-D Secure asked, retries spent),
it asks for another means and promises no retry. The reason itself carries no advice of its
own (decline_labels' generic sentence says "use another card", which would contradict the
retry dates): the advice is this rule's alone. Pure: no database, no clock, no request; call it
inside force_locale(the client's locale).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.lists import format_list
from flask_babel import gettext as _

from skod.dunning.reminders.letter_facts import day
from skod.payments.decline_labels import WORDS, words

#: decline codes whose client sentence (decline_labels.WORDS) says the bank may be tried later;
#: like the generic decline ("use another card"), step 0 says only why: the advice is
#: `next_steps`'s
UNREACHABLE = frozenset({"try_again_later", "issuer_not_available", "reenter_transaction"})
#: failure kinds that are the bank's answer (the decline code then says why, in words)
DECLINES = ("soft_decline", "hard_decline", "authentication_required")


@dataclass(frozen=True)
class Outlook:
    """What step 0 says of one failed card payment: the reason (None: not a card failure we
    can name) and the sentences about what comes next."""

    reason: str | None
    next_steps: tuple[str, ...]


def bank_reason(code: str | None) -> str:
    """The bank's answer in words, without advice."""
    if code in UNREACHABLE:
        return _("Your bank could not answer for this payment.")
    if code == "processing_error":
        return _("An error occurred while the card was processed.")
    if code == "new_account_information_available":
        return _("Your bank has new details for this card.")
    if code not in WORDS:  # the generic decline: lost, stolen, do_not_honor, unknown...
        return _("Your bank declined the payment.")
    return str(words(code))


def retry_days(retries: tuple[datetime, ...], timezone: str, locale: str) -> str:
    """The retry days in words, in the client's time zone: "3, 5 and 7 March 2027"-like."""
    tz = ZoneInfo(timezone)
    return format_list([day(r.astimezone(tz).date(), locale) for r in retries], locale=locale)


def next_steps(retries: tuple[datetime, ...], *, card: bool, transfer: bool, timezone: str,
               locale: str) -> tuple[str, ...]:
    """`card`: the failure was the card's (not a payment returned after a dispute);
    `transfer`: the e-mail prints bank details to pay by transfer."""
    if not card:
        return ()
    if retries:
        dates = retry_days(retries, timezone, locale)
        if transfer:
            return (_("Your card will be tried again on %(dates)s. You need not wait: you can "
                      "pay now with the secure link, with this card or another one, or by bank "
                      "transfer (the details are below).", dates=dates),)
        return (_("Your card will be tried again on %(dates)s. You need not wait: you can pay "
                  "now with the secure link, with this card or another one.", dates=dates),)
    if transfer:
        return (_("This card will not be tried again: please pay with another card with the "
                  "secure link, or by bank transfer (the details are below)."),)
    return (_("This card will not be tried again: please pay with another card with the "
              "secure link."),)


def reason(code: str | None, kind: str | None, *, advice: bool) -> str | None:
    """Why the card payment failed, in words (never a raw code); None when not known.
    `advice`: the bank's sentence as the pay page says it ("use another card..."), for the
    reminders after step 0, where no retry is announced."""
    if code == "hold_expired":
        return _("The amount held on your card expired before it could be collected.")
    if code == "dispute_lost" or kind == "dispute":
        return _("Your bank returned this payment to you after a dispute; the service was "
                 "delivered, so the amount is due again.")
    if code is None and kind is None:
        return None
    if kind in DECLINES or kind is None:
        return str(words(code)) if advice else bank_reason(code)
    # not the bank's answer (an error of ours or of the network): never say "declined"
    return _("The payment could not be completed with your card.")


def outlook(*, code: str | None, kind: str | None, retries: tuple[datetime, ...],
            transfer: bool, timezone: str, locale: str) -> Outlook:
    """The rule for one debt of the notice; `code`/`kind`: the receivable's failure."""
    why = reason(code, kind, advice=False)
    # an invoice left unpaid (no card failed), or a payment the bank returned after a dispute
    card = why is not None and not (code == "dispute_lost" or kind == "dispute")
    return Outlook(reason=why, next_steps=next_steps(
        retries, card=card, transfer=transfer, timezone=timezone, locale=locale))
