"""The pure rules of dunning, free of I/O: the ladder (when each step is due), the late-payment
penalties and the half-yearly rate table, the recourse routes and the court, the payment plan's
split."""
