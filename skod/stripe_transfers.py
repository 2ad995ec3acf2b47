"""The bank transfer half of the gateway: a client's virtual IBAN and transfers that match
themselves (Stripe's `customer_balance` payment method, `eu_bank_transfer`, country FR).

A mixin of `skod.stripe_gateway.Gateway` (which alone imports the SDK: `self._call`,
`self._create_once` and `self.client` are its). Everything runs on the gateway's account: bind
it to the provider's connected account first (`gateway().on(acct)`), the client's virtual
account being the provider's.

Stripe keeps one virtual IBAN per customer; a transfer PaymentIntent waits in
`requires_action` with the instructions (IBAN, reference, `amount_remaining`) and Stripe
applies what arrives by itself: `payment_intent.partially_funded` for each part, then
`payment_intent.succeeded`. An overpayment stays in the customer's cash balance, which is
returned to the client by a refund with `origin=customer_balance`
(docs.stripe.com/payments/customer-balance/refunding).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from skod.payments import stripe_objects as so
from skod.stripe_lookup import PAYMENT_ID_KEY

TRANSFER_TYPE = "customer_balance"
#: French virtual IBANs: the clients are French businesses
COUNTRY = "FR"
BANK_TRANSFER = {"type": "eu_bank_transfer", "eu_bank_transfer": {"country": COUNTRY}}


@dataclass(frozen=True)
class BankAccount:
    """Where the client sends the money: the virtual IBAN Stripe gave them."""

    iban: str
    bic: str
    holder: str
    country: str


@dataclass(frozen=True)
class TransferIntent:
    """A transfer PaymentIntent: its status and what the client still has to send."""

    id: str
    status: str  # requires_action while money is awaited, succeeded, canceled
    amount: int
    currency: str  # upper case, as our rows keep it
    amount_remaining: int
    reference: str | None
    account: BankAccount | None


def bank_account(addresses: Any) -> BankAccount | None:
    """The IBAN among Stripe's `financial_addresses`, or None."""
    for address in addresses or []:
        iban = so.val(address, "iban")
        if so.val(address, "type") == "iban" and iban is not None:
            return BankAccount(iban=str(so.val(iban, "iban")), bic=str(so.val(iban, "bic", "")),
                               holder=str(so.val(iban, "account_holder_name", "")),
                               country=str(so.val(iban, "country", COUNTRY)))
    return None


def transfer_intent(pi: Any) -> TransferIntent:
    shown = so.val(so.val(pi, "next_action"), "display_bank_transfer_instructions")
    status = str(pi["status"])
    remaining = so.val(shown, "amount_remaining")
    if remaining is None:
        remaining = 0 if status == "succeeded" else int(pi["amount"])
    return TransferIntent(id=pi["id"], status=status, amount=int(pi["amount"]),
                          currency=str(pi["currency"]).upper(), amount_remaining=int(remaining),
                          reference=so.val(shown, "reference"),
                          account=bank_account(so.val(shown, "financial_addresses")))


class TransfersMixin:
    """Virtual IBANs, transfer intents, cash balances and their refunds."""

    _call: Callable[..., Any]
    _create_once: Callable[..., Any]
    client: Any
    find_intent_raw: Callable[..., Any]

    def funding_instructions(self, customer: str, *, key: str) -> BankAccount | None:
        """The customer's virtual IBAN (the same at every call)."""
        found = self._call(self.client.v1.customers.funding_instructions.create, customer,
                           key=key, currency="eur", funding_type="bank_transfer",
                           bank_transfer=BANK_TRANSFER)
        return bank_account(so.val(so.val(found, "bank_transfer"), "financial_addresses"))

    def create_transfer_intent(self, *, amount: int, currency: str, customer: str, key: str,
                               metadata: dict) -> TransferIntent:
        """A PaymentIntent paid by bank transfer, confirmed at once: it waits for the money.
        After a lost answer, the intent made for our payment id (metadata) is found again."""
        def find() -> Any | None:
            ours = str(metadata.get(PAYMENT_ID_KEY, ""))
            found = self.find_intent_raw(customer, int(ours)) if ours.isdigit() else None
            return None if found is None else self._call(
                self.client.v1.payment_intents.retrieve, found["id"])

        pi = self._create_once(
            self.client.v1.payment_intents.create, key, find, amount=amount,
            currency=currency.lower(), customer=customer, confirm=True, metadata=metadata,
            allowed_payment_method_types=[TRANSFER_TYPE],
            payment_method_data={"type": TRANSFER_TYPE},
            payment_method_options={TRANSFER_TYPE: {"funding_type": "bank_transfer",
                                                    "bank_transfer": BANK_TRANSFER}})
        return transfer_intent(pi)

    def retrieve_transfer_intent(self, intent_id: str) -> TransferIntent:
        return transfer_intent(self._call(self.client.v1.payment_intents.retrieve, intent_id))

    def cash_balance(self, customer: str, currency: str) -> int:
        """What the client sent beyond what was owed, kept by Stripe (minor units)."""
        found = self._call(self.client.v1.customers.cash_balance.retrieve, customer)
        return int(so.val(so.val(found, "available"), currency.lower(), 0) or 0)

    def refund_cash_balance(self, customer: str, *, amount: int, currency: str, key: str,
                            metadata: dict) -> so.Refund:
        """The client's credit sent back to their bank (Stripe asks them for their account
        details when it needs them)."""
        return so.refund(self._call(self.client.v1.refunds.create, key=key,
                                    origin="customer_balance", customer=customer,
                                    amount=amount, currency=currency.lower(),
                                    metadata=metadata))
