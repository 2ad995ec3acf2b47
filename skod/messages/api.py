"""API of messages (being written)."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("messages_api", __name__, description="messages")
