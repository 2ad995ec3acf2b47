"""The Connect half of the gateway: connected accounts, onboarding links, OAuth, application fees.

A mixin of `skod.stripe_gateway.Gateway` (which alone talks to the SDK and sets the
`Stripe-Account` header): these calls are about accounts themselves, so they run on the
platform (`self.account` None) and name the account in their parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

#: accounts with the full Stripe Dashboard that pay Stripe's fees, Stripe carrying the losses:
#: the provider is the merchant of record of direct charges
CONTROLLER = {"fees": {"payer": "account"}, "losses": {"payments": "stripe"},
              "stripe_dashboard": {"type": "full"}}


@dataclass(frozen=True)
class AccountState:
    """What we keep of a connected account."""

    id: str
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool
    #: requirements.currently_due (and past_due): what Stripe still needs from the provider
    requirements_due: tuple[str, ...]
    disabled_reason: str | None


def _get(obj: Any, name: str, default: Any = None) -> Any:
    try:
        value = obj[name]
    except (KeyError, TypeError):
        return default
    return default if value is None else value


def account_state(acct: Any) -> AccountState:
    req = _get(acct, "requirements", {})
    due = list(_get(req, "past_due", [])) + [
        item for item in _get(req, "currently_due", []) if item not in _get(req, "past_due", [])]
    return AccountState(id=acct["id"], charges_enabled=bool(_get(acct, "charges_enabled")),
                        payouts_enabled=bool(_get(acct, "payouts_enabled")),
                        details_submitted=bool(_get(acct, "details_submitted")),
                        requirements_due=tuple(str(item) for item in due),
                        disabled_reason=_get(req, "disabled_reason"))


class ConnectMixin:
    """Account calls; `_call`, `client` and `platform_only` come from the Gateway."""

    client: Any

    def _call(self, fn, *args, key: str | None = None, **params):  # noqa: ANN001, ANN202
        raise NotImplementedError

    def _platform(self):  # noqa: ANN202
        return self.on(None)  # type: ignore[attr-defined]

    def create_account(self, *, email: str, country: str, key: str, metadata: dict,
                       business_name: str | None = None) -> AccountState:
        # the name prefilled for onboarding: the one clients see on Stripe's pages and as the
        # holder of their virtual IBAN (their bank checks the payee's name against it)
        profile = {"business_profile": {"name": business_name}} if business_name else {}
        acct = self._platform()._call(self.client.v1.accounts.create, key=key, email=email,
                                      country=country, controller=CONTROLLER,
                                      metadata=metadata, **profile)
        return account_state(acct)

    def retrieve_account(self, account_id: str) -> AccountState:
        return account_state(self._platform()._call(self.client.v1.accounts.retrieve,
                                                    account_id))

    def account_link(self, account_id: str, *, refresh_url: str, return_url: str) -> str:
        """A fresh onboarding link (single use, short-lived: made on every click)."""
        link = self._platform()._call(self.client.v1.account_links.create, account=account_id,
                                      type="account_onboarding", refresh_url=refresh_url,
                                      return_url=return_url)
        return str(link["url"])

    def authorize_url(self, *, client_id: str, redirect_uri: str, state: str,
                      base: str = "") -> str:
        """Where a provider with an existing Stripe account grants us read_write access."""
        query = urlencode({"response_type": "code", "client_id": client_id,
                           "scope": "read_write", "redirect_uri": redirect_uri,
                           "state": state})
        return f"{(base or 'https://connect.stripe.com').rstrip('/')}/oauth/authorize?{query}"

    def oauth_token(self, code: str) -> str:
        """The connected account's id for an authorization code."""
        answer = self._platform()._call(self.client.oauth.token,
                                        grant_type="authorization_code", code=code)
        return str(answer["stripe_user_id"])

    def application_fees(self, charge_id: str) -> list[dict]:
        """The platform's fees taken on a connected account's charge."""
        page = self._platform()._call(self.client.v1.application_fees.list, charge=charge_id,
                                      limit=10)
        return [{"id": fee["id"], "amount": int(fee["amount"]),
                 "amount_refunded": int(_get(fee, "amount_refunded", 0)),
                 "account": _get(fee, "account")} for fee in _get(page, "data", [])]
