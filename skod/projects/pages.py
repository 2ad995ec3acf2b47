"""HTML pages of projects (being written)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("projects_pages", __name__)
