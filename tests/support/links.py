"""Client links found in e-mails and API answers, compared by what they open.

A link is /b/, /m/ or /pr/ + the object's id + a signed token that embeds the second it was made:
the API answer and the e-mail of the same request can carry two different, equally valid tokens.
So a test finds the link to that object and checks that it opens the page, never that it equals
another token character for character.
"""

from __future__ import annotations

import re


def client_link(text: str, prefix: str, object_id: int) -> str:
    """The path /<prefix>/<object_id>/<token> found in `text` (a URL or an e-mail body)."""
    found = re.search(rf"/{re.escape(prefix)}/{object_id}/([A-Za-z0-9_.\-]+)", text)
    assert found, f"no /{prefix}/{object_id}/<token> link in {text[:300]!r}"
    return found.group(0)


def assert_opens(client, text: str, prefix: str, object_id: int) -> str:
    """The link to this object in `text` opens its client page (its token is good); its path."""
    path = client_link(text, prefix, object_id)
    status = client.get(path).status_code
    assert status == 200, f"{path} -> {status}"
    return path
