"""Pages. (Placeholder while the pages are being written.)"""

from flask import Blueprint

bp = Blueprint("web", __name__)
