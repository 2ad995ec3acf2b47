"""Paid messages: the client pays to ask; the hold is captured when the reply is sent."""
