"""What a French reader reads, and the four ways it can be wrong (#23 point 6): the visible text
of a page or an e-mail, and the checks of the French scenario (tests/test_french_scenario.py).

A page's visible text is its text nodes and the attributes people read or hear (placeholder,
title, aria-label, alt; not scripts, styles, other attributes or URLs); an e-mail's is
its subject and its plain and HTML bodies. The checks: an English word of a list of common ones
(status codes, marshmallow's messages), an ISO date, an amount in minor units ("3250" where
32,50 € is meant), and ":" ";" "?" "!" without the narrow no-break space French puts before them.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

NNBSP = "\u202f"
#: English words that must never reach a French reader (statuses, validation messages)
ENGLISH = ("canceled", "cancelled", "pending", "failed", "succeeded", "requires_action",
           "requires_payment_method", "requires_capture", "payment_failed", "Length must",
           "Not a valid", "Missing data", "Field may not", "Must be", "Shorter than",
           "Longer than", "unknown time zone", "minor units", "refunded", "written_off",
           "paused", "scheduled", "completed", "proposed", "accepted", "draft", "Step ",
           "Invoice", "Paid", "Refused", "None", "null", "True", "False")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
#: what is not prose: URLs, paths, times (16:30), e-mail addresses, ratios like 1:1
NOT_PROSE = re.compile(r"(?:https?://|mailto:|/)\S*|\b\d{1,2}:\d{2}\b|\S+@\S+|\d+:\d+")
BAD_MARK = re.compile(rf"(?<!{NNBSP})[:;?!]")
_SKIPPED = {"script", "style", "template", "noscript"}
#: attributes people read (a placeholder, a tooltip) or hear (a screen reader's label)
_READ = ("placeholder", "title", "aria-label", "alt")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIPPED:
            self._skip += 1
        elif not self._skip:
            self.parts += [value.strip() for name, value in attrs
                           if name in _READ and value and value.strip()]

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def page_text(html: str) -> str:
    """The text nodes of a page and the attributes people read, one a line."""
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def mail_text(mail) -> str:  # noqa: ANN001 - an email.message.EmailMessage
    """Subject and bodies of an e-mail as a person reads them (HTML parts as text)."""
    parts = [str(mail["Subject"])]
    for part in mail.walk():
        if part.get_content_maintype() != "text" or part.get_filename():
            continue
        content = part.get_content()
        parts.append(page_text(content) if part.get_content_subtype() == "html" else content)
    return "\n".join(parts)


def problems(text: str, cents: tuple[int, ...]) -> list[str]:
    """Every way `text` is not French as a person writes it, each with its context."""
    found: list[str] = []
    for word in ENGLISH:
        for match in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text):
            found.append(f"English {word!r}: {_around(text, match.start())}")
    for match in ISO_DATE.finditer(text):
        found.append(f"ISO date: {_around(text, match.start())}")
    prose = NOT_PROSE.sub(" ", text)
    for amount in cents:
        for match in re.finditer(rf"(?<![\d,.\u00a0\u202f]){amount}(?![\d,])", prose):
            found.append(f"amount in cents {amount}: {_around(prose, match.start())}")
    for match in BAD_MARK.finditer(prose):
        found.append(f"no narrow space before {match.group()!r}: {_around(prose, match.start())}")
    return found


def _around(text: str, at: int) -> str:
    return repr(text[max(0, at - 40):at + 30])
