"""Shared building blocks: money, clock, UTC column type, state machines, errors, signed links."""
