"""The client's pay page of a debt behind its signed link: what is owed and why, pay by card,
bank details, promise a date, dispute, and ask for a payment plan (plans) charged on schedule."""
