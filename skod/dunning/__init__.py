"""Dunning: receivables for delivered value that was not paid, and the ladder that chases them
(notice, reminders, formal notice, recourse file), with smart retries, the pay page, payment
plans and the late-payment penalty engine."""
