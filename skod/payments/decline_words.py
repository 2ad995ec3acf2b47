"""Placeholder until the decline-words module lands: the retry rule only."""

from __future__ import annotations

EXPIRED = frozenset({"expired_card", "invalid_expiry_year", "invalid_expiry_month"})


def retry_allowed(kind: str | None, code: str | None, advice: str | None) -> bool:
    """A soft decline may be retried later; never a hard one, an authentication request, an
    expired card, or a card the network said not to try again."""
    return (kind == "soft_decline" and code not in EXPIRED
            and advice != "do_not_try_again")
