"""Connected accounts (`acct_...`) as Stripe Connect exposes them to a platform.

    POST   /v1/accounts          controller properties, country, email, metadata, ...
    GET    /v1/accounts/{id}     GET /v1/accounts (the platform's connected accounts)
    POST   /v1/accounts/{id}     email, metadata
    DELETE /v1/accounts/{id}     {"id", "object": "account", "deleted": true}
    GET    /v1/account           the account of the Stripe-Account header (else the platform)

A new account cannot take payments yet: charges and payouts disabled, details not submitted,
`requirements.currently_due` non-empty. Onboarding (account link page, OAuth or the test
control) enables it; restrict disables it again; deauthorize revokes the platform's access:
afterwards a request with that Stripe-Account is refused with 403 `account_invalid`, as is a
request naming an unknown or deleted account.
Events (to Connect endpoints, with `account` set): `account.updated`, `capability.updated`,
`account.application.deauthorized`.
"""

from __future__ import annotations

from typing import Any

from localstripe.errors import UserError
from localstripe.resources import DeletedObject, StripeObject, store

from . import clock
from .events import StripeError, send

DUE = ["business_profile.url", "external_account", "tos_acceptance.date", "tos_acceptance.ip"]
RESTRICTED_DUE = ["individual.verification.document"]
CAPABILITIES = ("card_payments", "transfers")
PLATFORM = {"id": "acct_emulatorplatform", "object": "account", "charges_enabled": True,
            "payouts_enabled": True, "details_submitted": True, "country": "FR",
            "default_currency": "eur", "type": "standard"}
DEFAULT_CLIENT_ID = "ca_emulator"


def account_invalid(account_id: str) -> StripeError:
    return StripeError(403, {
        "type": "invalid_request_error", "code": "account_invalid",
        "message": f"The provided key 'sk_test_********' does not have access to account "
                   f"'{account_id}' (or that account does not exist). Application access may "
                   f"have been revoked."})


def _requirements(due: list[str], reason: str | None) -> dict:
    return {"alternatives": [], "current_deadline": None, "currently_due": list(due),
            "disabled_reason": reason, "errors": [], "eventually_due": list(due),
            "past_due": list(due), "pending_verification": []}


def _controller(given: Any) -> dict:
    given = given if isinstance(given, dict) else {}
    dashboard = (given.get("stripe_dashboard") or {}).get("type", "full")
    return {"fees": {"payer": (given.get("fees") or {}).get("payer", "account")},
            "is_controller": True,
            "losses": {"payments": (given.get("losses") or {}).get("payments", "stripe")},
            "requirement_collection": given.get("requirement_collection", "stripe"),
            "stripe_dashboard": {"type": dashboard}, "type": "application"}


class Account(StripeObject):
    object = "account"
    _id_prefix = "acct_"

    def __init__(self, controller=None, country=None, email=None, metadata=None,
                 default_currency=None, business_profile=None, **_accepted):
        super().__init__()
        self._account = None  # the platform's own list of its connected accounts
        self.controller = _controller(controller)
        dashboard = self.controller["stripe_dashboard"]["type"]
        self.type = {"full": "standard", "express": "express"}.get(dashboard, "custom")
        self.country = country or "FR"
        self.default_currency = default_currency or "eur"
        self.email = email
        self.metadata = metadata or {}
        given = business_profile if isinstance(business_profile, dict) else {}
        self.business_profile = {"name": given.get("name"), "url": given.get("url")}
        self.charges_enabled = False
        self.payouts_enabled = False
        self.details_submitted = False
        self.requirements = _requirements(DUE, "requirements.past_due")
        self.future_requirements = _requirements([], None)
        self.capabilities = {name: "inactive" for name in CAPABILITIES}
        self.created = int(clock.now())
        self._deauthorized = False
        self._client_id = DEFAULT_CLIENT_ID

    @classmethod
    def _api_retrieve(cls, id):  # noqa: A002
        return usable(id)

    @classmethod
    def _api_update(cls, id, email=None, metadata=None, **_ignored):  # noqa: A002
        obj = usable(id)
        if email is not None:
            obj.email = email
        if isinstance(metadata, dict):
            obj.metadata.update(metadata)
        return obj

    @classmethod
    def _api_delete(cls, id):  # noqa: A002
        usable(id)
        del store["account:" + id]
        return DeletedObject(id, "account")

    @classmethod
    def _api_list_all(cls, url, limit=None, starting_after=None, **_ignored):
        li = super()._api_list_all(url, limit=limit, starting_after=starting_after)
        li._list = [a for a in li._list if not a._deauthorized]
        li._list.sort(key=lambda a: a.created, reverse=True)
        return li


def find(account_id: str) -> Account:
    """The account, deauthorized or not (test controls); 404 if unknown."""
    obj = store.get("account:" + str(account_id))
    if obj is None:
        raise UserError(404, f"No such account: '{account_id}'", {"code": "resource_missing"})
    return obj


def usable(account_id: str) -> Account:
    """The account the platform may act on; 403 account_invalid otherwise."""
    obj = store.get("account:" + str(account_id))
    if obj is None or obj._deauthorized:
        raise account_invalid(account_id)
    return obj


class Plain:
    """An object sent in an event that localstripe does not store (capability, application)."""

    def __init__(self, account: Account, fields: dict) -> None:
        self._account = account.id
        self._fields = fields

    def _export(self, expand=None) -> dict:
        return dict(self._fields)


def _capabilities(account: Account, status: str) -> None:
    for name in CAPABILITIES:
        if account.capabilities.get(name) != status:
            account.capabilities[name] = status
            send("capability.updated", Plain(account, {
                "id": name, "object": "capability", "account": account.id, "requested": True,
                "requested_at": account.created, "status": status,
                "requirements": _requirements(account.requirements["currently_due"],
                                              account.requirements["disabled_reason"])}))


def onboard(account: Account) -> Account:
    """The account holder finished onboarding: the account can take payments."""
    account.charges_enabled = account.payouts_enabled = account.details_submitted = True
    account.requirements = _requirements([], None)
    _capabilities(account, "active")
    send("account.updated", account)
    return account


def restrict(account: Account) -> Account:
    """Stripe needs more information: charges and payouts disabled until it is given."""
    account.charges_enabled = account.payouts_enabled = False
    account.requirements = _requirements(RESTRICTED_DUE, "requirements.past_due")
    _capabilities(account, "inactive")
    send("account.updated", account)
    return account


def deauthorize(account: Account) -> Account:
    """The account holder disconnected the platform: its key no longer reaches the account."""
    if account._deauthorized:
        raise StripeError(400, {"type": "invalid_request_error",
                                "message": f"Account {account.id} is already deauthorized."})
    account._deauthorized = True
    send("account.application.deauthorized", Plain(account, {
        "id": account._client_id, "object": "application", "name": "Skod"}))
    return account


def current(**_ignored) -> Any:
    """GET /v1/account: the Stripe-Account's account, else the platform's own."""
    from .owners import ACCOUNT

    account_id = ACCOUNT.get()
    if account_id in (None, "*"):
        return Plain.__new__(_PlatformAccount)
    return usable(account_id)


class _PlatformAccount(Plain):
    def _export(self, expand=None) -> dict:
        return dict(PLATFORM)


def add_routes(server: Any) -> None:
    """The /v1/accounts routes, built with localstripe's own handler factories."""
    app, url = server.app, "/v1/accounts"
    app.router.add_get("/v1/account", server.api_extra(current, "/v1/account"))
    app.router.add_post(url, server.api_create(Account, url))
    app.router.add_get(url, server.api_list_all(Account, url))
    app.router.add_get(url + "/{id}", server.api_retrieve(Account, url + "/{id}"))
    app.router.add_post(url + "/{id}", server.api_update(Account, url + "/{id}"))
    app.router.add_delete(url + "/{id}", server.api_delete(Account, url + "/{id}"))
