"""What a debt's client owes as of a day: the balance, the late-payment interest on the real
payment history and the 40 EUR indemnity; the rate table in the database; penalties left alone on
a paid invoice and the provider's choices about them; the penalty calculator (page and API)."""
