"""Bank transfer PaymentIntents: Stripe's `customer_balance` payment method, `eu_bank_transfer`.

A PaymentIntent created with `allowed_payment_method_types=["customer_balance"]` (the pinned
version refuses `payment_method_types`), `payment_method_data[type]=customer_balance`,
`payment_method_options[customer_balance]` = `{funding_type: bank_transfer, bank_transfer:
{type: eu_bank_transfer, eu_bank_transfer: {country: FR|DE|IE|NL}}}` and `confirm=true` goes to
`requires_action` with `next_action.display_bank_transfer_instructions` (`amount_remaining`,
`currency`, `reference`, the customer's virtual IBAN in `financial_addresses`, `type`). A
customer is required (the virtual account is the customer's). Funds already in the customer's
cash balance are applied at confirmation (automatic reconciliation); the rest arrives by the
test control `POST /_test/customers/{id}/fund` (cash_balance.py).

Funding moves the intent: `payment_intent.partially_funded` while something remains, then a
charge of type `customer_balance`: `charge.succeeded` and `payment_intent.succeeded`. A canceled
intent hands what was applied to it back to the cash balance (`unapplied_from_payment`). A new
`amount` on a confirmed transfer intent is refused (not modelled: see `wrap_update`).
"""

from __future__ import annotations

import hashlib
from typing import Any

from localstripe.resources import Charge, PaymentIntent, PaymentMethod, StripeObject

from . import intents
from .events import StripeError, send

COUNTRIES = ("DE", "FR", "IE", "NL")
TYPE = "customer_balance"


class CustomerBalanceMethod(PaymentMethod):
    """The `customer_balance` PaymentMethod Stripe makes from `payment_method_data`."""

    def __init__(self, customer: str) -> None:  # noqa: D107 - localstripe's card checks skipped
        StripeObject.__init__(self)
        self.type = TYPE
        self.customer_balance = {}
        self.billing_details = {}
        self.customer = customer
        self.metadata = {}

    def _charging_is_declined(self) -> bool:
        return False

    def _requires_authentication(self) -> bool:
        return False


def _invalid(param: str, message: str) -> StripeError:
    return StripeError(400, {"type": "invalid_request_error", "param": param,
                             "message": message})


def transfer_options(data: dict) -> dict | None:
    """The eu_bank_transfer options of a customer_balance create, None for any other intent."""
    allowed = data.get("allowed_payment_method_types") or []
    pm_data = data.get("payment_method_data") or {}
    if TYPE not in allowed and pm_data.get("type") != TYPE:
        return None
    if list(allowed) != [TYPE]:
        raise _invalid("allowed_payment_method_types",
                       "This emulator takes customer_balance alone on an intent.")
    options = ((data.get("payment_method_options") or {}).get(TYPE) or {})
    bank = options.get("bank_transfer") or {}
    country = (bank.get("eu_bank_transfer") or {}).get("country")
    if options.get("funding_type") != "bank_transfer" or bank.get("type") != "eu_bank_transfer":
        raise _invalid("payment_method_options[customer_balance][funding_type]",
                       "Give funding_type bank_transfer with bank_transfer[type] "
                       "eu_bank_transfer.")
    if country not in COUNTRIES:
        raise _invalid("payment_method_options[customer_balance][bank_transfer]"
                       "[eu_bank_transfer][country]",
                       f"country must be one of {', '.join(COUNTRIES)}.")
    if not data.get("customer"):
        raise _invalid("customer", "A customer_balance PaymentIntent needs a customer.")
    if str(data.get("currency", "")).lower() != "eur":
        raise _invalid("currency", "eu_bank_transfer takes eur only.")
    return {"country": country}


def reference_of(intent: Any) -> str:
    """A stable transfer reference per intent (Stripe's are short uppercase codes)."""
    digest = hashlib.sha256(intent.id.encode()).hexdigest().upper()
    return "".join(c for c in digest if c.isalnum())[:12]


def remaining(intent: Any) -> int:
    return intent.amount - getattr(intent, "_funded", 0)


def is_open_transfer(intent: Any) -> bool:
    return getattr(intent, "_transfer", None) is not None and intent.status == "requires_action"


def wrap_create(original):
    def create(cls, **data):
        options = transfer_options(data)
        if options is None:
            return original(**data)
        confirm = str(data.pop("confirm", "")).lower() == "true"
        data.pop("payment_method_data", None)
        data.pop("payment_method_options", None)
        obj = original(**data)
        obj._transfer = options
        obj._allowed_types = [TYPE]
        obj._funded = 0
        if confirm:
            start(obj)
        return obj
    return create


def start(intent: Any) -> None:
    """Confirmation: the customer_balance method, the instructions, the balance applied."""
    from . import cash_balance

    pm = CustomerBalanceMethod(intent.customer)
    intent.payment_method = pm.id
    intent.next_action = {"type": "display_bank_transfer_instructions"}
    intent._transfer["reference"] = reference_of(intent)
    send("payment_intent.requires_action", intent)
    cash_balance.apply_balance(intent)


def fund(intent: Any, amount: int) -> None:
    """`amount` of the customer's cash balance applied to the intent."""
    intent._funded = getattr(intent, "_funded", 0) + amount
    if remaining(intent) > 0:
        send("payment_intent.partially_funded", intent)
        return
    intent.next_action = None
    charge = Charge(amount=intent.amount, currency=intent.currency, customer=intent.customer,
                    source=intent.payment_method, capture=True)
    charge.payment_intent = intent.id
    intent.latest_charge = charge

    def succeeded() -> None:
        send("charge.succeeded", charge)
        intent._on_success()
    charge._initialize_charge(succeeded)


def instructions(intent: Any) -> dict:
    from . import cash_balance

    customer = intent.customer
    return {"type": "eu_bank_transfer", "amount_remaining": remaining(intent),
            "currency": intent.currency, "reference": intent._transfer["reference"],
            "financial_addresses": cash_balance.addresses(customer, intent._transfer["country"]),
            "hosted_instructions_url": None}


def wrap_intent_export(original):
    def _export(self, expand=None):
        obj = original(self, expand=expand)
        if getattr(self, "_transfer", None) is None:
            return obj
        obj["payment_method_types"] = [TYPE]
        if self.status == "requires_action":
            obj["next_action"] = {"type": "display_bank_transfer_instructions",
                                  "display_bank_transfer_instructions": instructions(self)}
        obj["payment_method_options"] = {TYPE: {
            "funding_type": "bank_transfer",
            "bank_transfer": {"type": "eu_bank_transfer",
                              "eu_bank_transfer": {"country": self._transfer["country"]}}}}
        return obj
    return _export


def wrap_charge_export(original):
    def _export(self, expand=None):
        obj = original(self, expand=expand)
        pm = PaymentMethod._api_retrieve(self.payment_method) if self.payment_method else None
        if isinstance(pm, CustomerBalanceMethod):
            obj["payment_method_details"] = {"type": TYPE, TYPE: {}}
        return obj
    return _export


def wrap_cancel(original):
    def mark_canceled(obj, reason):
        """A canceled transfer intent hands what was applied to it back to the cash balance."""
        funded = getattr(obj, "_funded", 0) if getattr(obj, "_transfer", None) else 0
        if funded:
            from . import cash_balance

            obj._funded = 0
            cash_balance.unapply(obj, funded)
        return original(obj, reason)
    return mark_canceled


def wrap_update(original):
    def update(cls, id, **data):  # noqa: A002
        """An open transfer intent keeps its amount: Stripe's documentation says what
        cancelling one does (its applied funds go back to the cash balance) but not what a new
        amount does to the funds already applied, so this emulator refuses it rather than guess
        (an integration cancels and creates another intent)."""
        obj = cls._api_retrieve(id)
        if (getattr(obj, "_transfer", None) is not None and "amount" in data
                and obj.status != "requires_payment_method"):
            raise _invalid("amount", "This emulator does not change the amount of a "
                                     "customer_balance PaymentIntent once confirmed: cancel it "
                                     "and create another.")
        return original(id, **data)
    return update


def install() -> None:
    """After intents.install and shapes.install: wraps what they set."""
    intents.mark_canceled = wrap_cancel(intents.mark_canceled)  # cancel() looks it up here
    PaymentIntent._api_update = classmethod(wrap_update(PaymentIntent._api_update))
    PaymentIntent._api_create = classmethod(wrap_create(PaymentIntent._api_create))
    PaymentIntent._export = wrap_intent_export(PaymentIntent._export)
    Charge._export = wrap_charge_export(Charge._export)
