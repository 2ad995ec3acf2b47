"""Stripe webhooks: verify, store once, process in a task through the dispatch table."""
