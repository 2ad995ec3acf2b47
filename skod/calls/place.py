"""Where a call happens (pure): a phone number the client calls, a video link, or an address.

A call offer carries its meeting place; the confirmation page and e-mail, the reminders and the
.ics (LOCATION) all write it through `words` and `location`, so a client finds it in one place
whatever they open first. No I/O here.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

#: phone: the number the client calls; video: a meeting link; address: where to meet
PLACE_KINDS = ("phone", "video", "address")
DETAIL_MAX = 500
#: digits with the usual separators, an optional leading +: what people write as a number
_PHONE = re.compile(r"^\+?[0-9][0-9 .()\-]{5,24}$")

LABELS = {"phone": _l("Phone"), "video": _l("Video link"), "address": _l("Address")}


def problem(kind: str | None, detail: str | None) -> str | None:
    """Why this place cannot be kept (None: fine, or no place at all)."""
    detail = (detail or "").strip()
    if kind is None:
        return "give a kind (phone, video or address) with a detail" if detail else None
    if kind not in PLACE_KINDS:
        return f"kind must be one of {', '.join(PLACE_KINDS)}"
    if not detail or len(detail) > DETAIL_MAX:
        return f"the detail is required, at most {DETAIL_MAX} characters"
    if kind == "phone" and not _PHONE.match(detail):
        return "a phone number has digits, spaces and an optional leading +"
    if kind == "video":
        parts = urlsplit(detail)
        if parts.scheme != "https" or not parts.netloc:
            return "a video link starts with https://"
    return None


def words(kind: str | None, detail: str | None) -> tuple[str, str] | None:
    """(label, text) for a page or an e-mail; None when the offer names no place."""
    if kind not in PLACE_KINDS or not detail:
        return None
    return str(LABELS[kind]), detail.strip()


def location(kind: str | None, detail: str | None) -> str | None:
    """The .ics LOCATION: the link, the number or the address as written."""
    found = words(kind, detail)
    return found[1] if found else None
