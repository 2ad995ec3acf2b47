"""HTML pages: the blueprint with every page module's routes registered on it.

Modules: public (landing, provider page, booking page), account (sign-up, login), manage (the
client's booking page), move (moving a call: the client's new time, the provider's proposal),
dashboard (provider's calls), offers (provider's offers and hours), profile (legal identity and
invoicing settings), public_profile (photo, bio and languages on the public page),
refund_page (refunds from the provider's pages), stripe_pages (the provider's connected
Stripe account), api_tokens (the provider's API tokens,
revoked one by one), password_reset (the forgotten password).
"""

from skod.web import (  # noqa: F401  (routes)
    account,
    api_tokens,
    dashboard,
    manage,
    move,
    offers,
    password_reset,
    profile,
    public,
    public_profile,
    refund_page,
    stripe_pages,
)
from skod.web.blueprint import bp

__all__ = ["bp"]
