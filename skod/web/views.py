"""HTML pages: the blueprint with every page module's routes registered on it.

Modules: public (landing, provider page, booking page), account (sign-up, login), manage (the
client's booking page), dashboard (provider's calls), offers (provider's offers and hours),
profile (legal identity and invoicing settings).
"""

from skod.web import account, dashboard, manage, offers, profile, public  # noqa: F401  (routes)
from skod.web.blueprint import bp

__all__ = ["bp"]
