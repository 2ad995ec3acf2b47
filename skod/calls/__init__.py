"""Paid calls: booking, card hold before the call, capture after it, cancellation."""
