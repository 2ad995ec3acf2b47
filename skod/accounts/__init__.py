"""Providers (accounts, login, API tokens) and clients (no account: signed links)."""
