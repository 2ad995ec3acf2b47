"""JSON API calls through the Flask test client."""

from __future__ import annotations

from typing import Any


def api(client, method: str, path: str, json: Any = None, token: str | None = None,
        **kwargs) -> tuple[int, Any]:
    """api(client, "POST", "/api/v1/...", json={...}, token=tok) -> (status, JSON or None)."""
    headers = dict(kwargs.pop("headers", None) or {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    resp = client.open(path, method=method.upper(), json=json, headers=headers, **kwargs)
    body = resp.get_json(silent=True)
    return resp.status_code, body
