"""The HTML error pages (400, 403, 404, 405, 410, 500) in the visitor's language.

The API keeps its JSON error shape (skod.core.errors decides which one a request gets); these
pages are for people: a title and one sentence from the translation catalogue, inside the site's
layout, never the server's English default page.
"""

from __future__ import annotations

import logging

from flask import Response, render_template
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

PAGES = {
    400: (_l("Request not understood"), _l("This request could not be handled. Please go "
                                           "back, reload the page and try again.")),
    403: (_l("Access denied"), _l("You do not have access to this page.")),
    404: (_l("Page not found"), _l("This page does not exist, or the link is incomplete. "
                                   "Please check the address.")),
    405: (_l("Action not possible"), _l("This page cannot be used this way. Please go back "
                                        "and try again from the page itself.")),
    410: (_l("This link has expired"), _l("For your security, this link is no longer valid. "
                                          "Please ask the provider for a new one.")),
    500: (_l("Something went wrong"), _l("An error occurred on our side. Please try again in "
                                         "a few minutes.")),
}


def error_page(err: HTTPException) -> Response | HTTPException:
    """The styled page for `err`, with its status; other statuses keep werkzeug's page."""
    status = err.code or 500
    if status not in PAGES and status < 500:
        return err
    title, text = PAGES.get(status, PAGES[500])
    if status >= 500:
        _reset_session()
    try:
        html = render_template("errors/error.html", status=status, title=str(title),
                               text=str(text))
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        log.exception("error page %s could not be rendered", status)
        html = f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{text}</p>"
    response = Response(html, status=status, mimetype="text/html")
    if status == 405 and getattr(err, "valid_methods", None):
        response.headers["Allow"] = ", ".join(err.valid_methods)
    return response


def _reset_session() -> None:
    """After a crash the session may be in a failed transaction: the layout reads the user."""
    from skod.extensions import db

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001
        log.exception("rollback after an error failed")
