"""HTML pages of messages (being written)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("messages_pages", __name__)
