"""Invoices and credit notes issued in the provider's name for every delivered service."""
