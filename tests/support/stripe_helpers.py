"""Talk to the emulator directly, as Stripe.js or a test double of the customer would.

Every provider a test makes is onboarded on its own connected account (tests/factories.py), and
objects are made and read where that provider's money is: the clients from `make_client` send
`Stripe-Account: <the account of the provider made last>` unless the call says otherwise
(`options={"stripe_account": ...}`, or `PLATFORM` for the platform's own objects).
"""

from __future__ import annotations

import requests
import stripe

CARD_OK = "4242424242424242"
#: 3-D Secure as Stripe's test cards do it (docs.stripe.com/testing, "Authentication and
#: setup"): 3155 asks on-session and when set up, then passes off-session once set up;
#: 3184 asks every time, off-session included (the bank wants the client present)
CARD_3DS = "4000002500003155"
CARD_3DS_ALWAYS = "4000002760003184"
CARD_OFF_SESSION_DECLINE = "4000000000000341"
CARD_DECLINED = "4000000000000002"


#: the connected account of the provider the test made last (None: the platform's own)
_current: dict[str, str | None] = {"account": None}
#: `options={"stripe_account": PLATFORM}`: this call is about the platform's own objects
PLATFORM = ""


def use_account(account: str | None) -> None:
    """Objects made or read by the test clients go to `account` from now on."""
    _current["account"] = account


def current_account() -> str | None:
    return _current["account"]


def _on_current_account(request):  # noqa: ANN001, ANN202
    def send(method, url, params=None, options=None, **kwargs):  # noqa: ANN001, ANN202
        options = dict(options or {})
        if "stripe_account" not in options:
            options["stripe_account"] = _current["account"]
        if not options["stripe_account"]:
            options.pop("stripe_account")  # PLATFORM or no provider yet: no header
        return request(method, url, params, options, **kwargs)

    return send


def make_client(base_url: str, secret_key: str) -> stripe.StripeClient:
    """A client on the emulator, at the API version the SDK pins (the emulator refuses others),
    on the current provider's account (see the module's docstring).

    The SDK already sends `Stripe-Version: stripe.api_version` by default; saying it here keeps
    it explicit and the same as what the emulator was started with.
    """
    client = stripe.StripeClient(secret_key, base_addresses={"api": base_url},
                                 max_network_retries=0, stripe_version=stripe.api_version)
    requestor = client._requestor  # shared by every service of this client
    requestor.request = _on_current_account(requestor.request)
    return client


def js_headers() -> dict:
    """The header Stripe.js sends when initialised with {stripeAccount} (raw page requests)."""
    return {"Stripe-Account": _current["account"]} if _current["account"] else {}


def on(account: str | None) -> dict:
    """`options=on(acct)` for a call about another account than the current one."""
    return {"stripe_account": account or PLATFORM}


def create_card_pm(client: stripe.StripeClient, number: str = CARD_OK, *,
                   account: str | None = None, **extra):
    """A card PaymentMethod from a raw number (the emulator accepts raw numbers), on `account`
    (default: the current provider's)."""
    params = {"type": "card",
              "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
    params.update(extra)
    options = on(account) if account is not None else None
    return client.v1.payment_methods.create(params=params, options=options)


def authenticate_3ds(base_url: str, pi_id: str, client_secret: str, success: bool = True,
                     publishable_key: str = "pk_test_skod",
                     stripe_account: str | None = None) -> dict:
    """What the fake Stripe.js does when the customer clicks Complete / Fail in the 3DS modal.

    The PaymentIntent must be in `requires_action`. Returns the PaymentIntent as JSON.
    stripe_account: the connected account of the intent (Stripe.js's `stripeAccount`).
    """
    stripe_account = stripe_account or current_account()  # Stripe.js's {stripeAccount}
    body = {"key": publishable_key, "client_secret": client_secret}
    if stripe_account:
        body["_stripe_account"] = stripe_account
    r = requests.post(
        f"{base_url}/v1/payment_intents/{pi_id}/_authenticate",
        params={"success": "true" if success else "false"},
        json=body,
        timeout=10,
    )
    if r.status_code != 200:
        raise AssertionError(f"_authenticate {pi_id} -> {r.status_code}: {r.text}")
    return r.json()


def saved_card(stripe_raw, number: str = CARD_OK) -> tuple[str, str]:
    """A new customer with a card of `number` attached: (customer id, PaymentMethod id)."""
    import uuid

    customer = stripe_raw.v1.customers.create(params={"email": f"{uuid.uuid4()}@example.org"})
    pm = create_card_pm(stripe_raw, number)
    stripe_raw.v1.payment_methods.attach(pm.id, params={"customer": customer.id})
    return customer.id, pm.id
