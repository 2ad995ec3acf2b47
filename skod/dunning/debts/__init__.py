"""The debts and their cases: a receivable opened when delivered value goes unpaid, settled by any
payment, walked up the ladder by the sweep with its smart retries, paused, resumed, written off;
the provider's notices about them; the periodic jobs and the hooks from the other domains."""
