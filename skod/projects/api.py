"""API of projects (being written)."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("projects_api", __name__, description="projects")
