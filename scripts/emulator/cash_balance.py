"""A customer's cash balance: virtual IBAN, transfers arriving, Stripe's automatic reconciliation.

- `POST /v1/customers/{id}/funding_instructions` (`funding_type=bank_transfer`,
  `bank_transfer[type]=eu_bank_transfer`, `bank_transfer[eu_bank_transfer][country]`,
  `currency=eur`): a `funding_instructions` object with the customer's virtual IBAN, the same
  at every call (one virtual account per customer and country, as Stripe keeps it);
- `GET /v1/customers/{id}/cash_balance`: `{object: cash_balance, available: {eur: n}, ...}`;
- `GET /v1/customers/{id}/cash_balance_transactions`: newest first;
- `POST /v1/refunds` with `origin=customer_balance`, `customer`, `amount`, `currency`: funds of
  the cash balance returned to the customer (a Refund `pending`, a `return_initiated`
  transaction); more than the balance is refused;
- test control `POST /_test/customers/{id}/fund {amount, currency, reference}`: a transfer
  arrives (a `funded` transaction), then automatic reconciliation
  (docs.stripe.com/payments/customer-balance/reconciliation): the open customer_balance
  PaymentIntent whose reference the transfer carries, else the only open one whose remaining
  amount equals the balance, else none; what it does not take stays in the cash balance.
  Each movement: `customer_cash_balance_transaction.created`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from aiohttp import web
from localstripe.resources import Customer, Refund, StripeObject, store
from localstripe.server import json_response  # imported after the server is built

from . import transfers
from .events import StripeError, send
from .owners import account_of

BIC = "STRPFRP1XXX"


class CashBalanceTransaction(StripeObject):
    object = "customer_cash_balance_transaction"
    _id_prefix = "ccsbtxn_"

    def __init__(self, customer: Any, currency: str, net: int, kind: str, detail: dict):
        super().__init__()
        self._account = account_of(customer)
        balances = _balances(customer)
        balances[currency] = balances.get(currency, 0) + net
        self.customer = customer.id
        self.currency = currency
        self.net_amount = net
        self.ending_balance = balances[currency]
        self.type = kind
        setattr(self, kind, detail)
        send("customer_cash_balance_transaction.created", self)


def _balances(customer: Any) -> dict:
    if not hasattr(customer, "_cash"):
        customer._cash = {}
    return customer._cash


def _check_digits(bban: str) -> str:
    digits = "".join(str(int(c, 36)) for c in bban + "FR00")
    return f"{98 - int(digits) % 97:02d}"


def virtual_iban(customer: Any) -> str:
    """A valid French IBAN derived from the customer id: stable, one per customer."""
    seed = int(hashlib.sha256(customer.id.encode()).hexdigest(), 16)
    bank, branch, account = "16958", f"{seed % 10**5:05d}", f"{seed // 10**5 % 10**11:011d}"
    key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    bban = f"{bank}{branch}{account}{key:02d}"
    return f"FR{_check_digits(bban)}{bban}"


def addresses(customer_id: str, country: str) -> list[dict]:
    customer = Customer._api_retrieve(customer_id)
    return [{"type": "iban", "supported_networks": ["sepa"],
             "iban": {"iban": virtual_iban(customer), "bic": BIC, "country": country,
                      "account_holder_name": _holder(customer)}}]


def _holder(customer: Any) -> str:
    account = store.get(f"account:{account_of(customer)}")
    profile = getattr(account, "business_profile", None) or {}
    return profile.get("name") or getattr(account, "email", None) or "Skod emulator"


class _Answer:
    """An answer localstripe does not store (funding instructions, a cash balance)."""

    def __init__(self, fields: dict) -> None:
        self._fields = fields

    def _export(self, expand=None) -> dict:
        return dict(self._fields)


def funding_instructions(id, funding_type=None, bank_transfer=None, currency=None,  # noqa: A002
                         **_ignored) -> _Answer:
    customer = Customer._api_retrieve(id)
    bank = bank_transfer or {}
    country = (bank.get("eu_bank_transfer") or {}).get("country")
    if funding_type != "bank_transfer" or bank.get("type") != "eu_bank_transfer":
        raise StripeError(400, {"param": "bank_transfer[type]",
                                "message": "Give funding_type bank_transfer with "
                                           "bank_transfer[type] eu_bank_transfer."})
    if country not in transfers.COUNTRIES or currency != "eur":
        raise StripeError(400, {"param": "bank_transfer[eu_bank_transfer][country]",
                                "message": "eu_bank_transfer takes eur and a country among "
                                           f"{', '.join(transfers.COUNTRIES)}."})
    return _Answer({"object": "funding_instructions", "currency": "eur",
                    "funding_type": "bank_transfer", "livemode": False,
                    "bank_transfer": {"country": country, "type": "eu_bank_transfer",
                                      "financial_addresses": addresses(customer.id, country)}})


def cash_balance(id, **_ignored) -> _Answer:  # noqa: A002
    customer = Customer._api_retrieve(id)
    return _Answer({"object": "cash_balance", "customer": customer.id, "livemode": False,
                    "available": {k: v for k, v in _balances(customer).items() if v},
                    "settings": {"reconciliation_mode": "automatic",
                                 "using_merchant_default": True}})


def list_transactions(id, **_ignored) -> _Answer:  # noqa: A002
    customer = Customer._api_retrieve(id)
    found = [v for k, v in store.items()
             if k.startswith("customer_cash_balance_transaction:") and v.customer == customer.id]
    found.reverse()  # newest first within a second too (the store keeps creation order)
    found.sort(key=lambda t: t.created, reverse=True)
    return _Answer({"object": "list", "has_more": False,
                    "url": f"/v1/customers/{customer.id}/cash_balance_transactions",
                    "data": [t._export() for t in found]})


def _open_intents(customer: Any, currency: str) -> list[Any]:
    return sorted((v for k, v in store.items()
                   if k.startswith("payment_intent:") and v.customer == customer.id
                   and v.currency == currency and transfers.is_open_transfer(v)),
                  key=lambda pi: pi.created)


def _target(customer: Any, currency: str, reference: str | None) -> Any | None:
    candidates = _open_intents(customer, currency)
    wanted = "".join((reference or "").split()).upper()
    for pi in candidates:
        if wanted and pi._transfer["reference"] in wanted:
            return pi
    available = _balances(customer).get(currency, 0)
    exact = [pi for pi in candidates if transfers.remaining(pi) == available]
    return exact[0] if len(exact) == 1 else None


def _apply(customer: Any, intent: Any) -> None:
    amount = min(_balances(customer).get(intent.currency, 0), transfers.remaining(intent))
    if amount <= 0:
        return
    CashBalanceTransaction(customer, intent.currency, -amount, "applied_to_payment",
                           {"payment_intent": intent.id})
    transfers.fund(intent, amount)


def unapply(intent: Any, amount: int) -> None:
    """What a canceled intent held goes back to the customer's cash balance."""
    CashBalanceTransaction(Customer._api_retrieve(intent.customer), intent.currency, amount,
                           "unapplied_from_payment", {"payment_intent": intent.id})


def apply_balance(intent: Any) -> None:
    """At confirmation, what the cash balance already holds goes to the new intent."""
    _apply(Customer._api_retrieve(intent.customer), intent)


def fund(customer_id: str, amount: Any, currency: Any, reference: Any) -> dict:
    """A bank transfer reaches the customer's virtual IBAN (test control)."""
    customer = Customer._api_retrieve(customer_id)
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise StripeError(400, {"param": "amount", "message": "amount: a positive integer."})
    if currency != "eur":
        raise StripeError(400, {"param": "currency", "message": "eu_bank_transfer takes eur."})
    if reference is not None and not isinstance(reference, str):
        raise StripeError(400, {"param": "reference", "message": "reference: a string."})
    CashBalanceTransaction(customer, currency, amount, "funded", {"bank_transfer": {
        "type": "eu_bank_transfer", "reference": reference,
        "eu_bank_transfer": {"bic": "TESTFRPPXXX", "iban_last4": "0003",
                             "sender_name": "Client test"}}})
    intent = _target(customer, currency, reference)
    if intent is not None:
        _apply(customer, intent)
    return cash_balance(customer.id)._export()


class CashRefund(Refund):
    """A return of cash balance funds: a Refund without a charge, `origin` customer_balance."""

    def __init__(self, customer: Any, amount: int, currency: str, metadata: Any) -> None:
        StripeObject.__init__(self)
        self._account = account_of(customer)
        self.amount, self.currency, self.metadata = amount, currency, metadata or {}
        self.charge, self.payment_intent, self.status = None, None, "pending"
        self.date = self.created  # localstripe sorts its refund lists by it

    def _export(self, expand=None) -> dict:
        return {"id": self.id, "object": "refund", "amount": self.amount,
                "currency": self.currency, "charge": None, "payment_intent": None,
                "created": self.created, "livemode": False, "metadata": dict(self.metadata),
                "status": self.status, "reason": None, "failure_reason": None,
                "balance_transaction": None, "origin": "customer_balance"}


def wrap_refund_create(original):
    def create(cls, origin=None, customer=None, currency=None, instructions_email=None,
               **data):
        if origin != "customer_balance":
            return original(**data)
        return _return_funds(customer, currency, data.get("amount"), data.get("metadata"))
    return create


def _return_funds(customer_id: Any, currency: Any, amount: Any, metadata: Any) -> Any:
    if not customer_id or currency != "eur":
        raise StripeError(400, {"param": "customer", "message": "A refund of a cash balance "
                                                                "names its customer and eur."})
    customer = Customer._api_retrieve(customer_id)
    available = _balances(customer).get(currency, 0)
    amount = available if amount is None else int(amount)
    if not 0 < amount <= available:
        raise StripeError(400, {"param": "amount", "code": "amount_too_large",
                                "message": f"The cash balance holds {available}."})
    refund = CashRefund(customer, amount, currency, metadata)
    CashBalanceTransaction(customer, currency, -amount, "return_initiated", {"refund": refund.id})
    send("refund.created", refund)
    return refund


async def fund_control(request: web.Request) -> web.Response:
    """POST /_test/customers/{id}/fund (documented in controls.py)."""
    try:
        body = json.loads(await request.text() or "{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise StripeError(400, {"message": "The body of a test control is a JSON object."})
    return json_response(fund(request.match_info["id"], body.get("amount"),
                              body.get("currency"), body.get("reference")))


def add_routes(server: Any) -> None:
    """API routes through localstripe's own handler (auth, Stripe-Account, form bodies), and
    the test control."""
    app, base = server.app, "/v1/customers/{id}"
    app.router.add_post("/_test/customers/{id}/fund", fund_control)
    app.router.add_post(base + "/funding_instructions",
                        server.api_extra(funding_instructions, base + "/funding_instructions"))
    app.router.add_get(base + "/cash_balance",
                       server.api_extra(cash_balance, base + "/cash_balance"))
    app.router.add_get(base + "/cash_balance_transactions",
                       server.api_extra(list_transactions, base + "/cash_balance_transactions"))


def install() -> None:
    Refund._api_create = classmethod(wrap_refund_create(Refund._api_create))
