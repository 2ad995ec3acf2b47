"""Payments: one Payment row per PaymentIntent, the pure capture policy, and the services."""
