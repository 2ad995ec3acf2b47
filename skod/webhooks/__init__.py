"""Stripe webhooks: receive, verify, acknowledge. (Storage and dispatch come with issue #4.)"""
