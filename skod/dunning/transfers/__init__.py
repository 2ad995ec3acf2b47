"""Bank transfers that match themselves: each unpaid receivable offers a transfer to the client's
virtual IBAN on the provider's Stripe account (Stripe's `customer_balance`, `eu_bank_transfer`),
with a reference; what arrives settles the debt by itself, an excess stays the client's credit."""
