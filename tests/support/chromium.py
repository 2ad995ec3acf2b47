"""Whether the browser tests may skip: never in CI, where a skip would hide a broken page."""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    """CI=true (GitHub Actions and GitLab set it; a CI job running .ci/run should too)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def no_chromium(path: str) -> None:
    """Chromium is missing: fail under CI=true, skip with the reason elsewhere (a laptop)."""
    message = f"{path} is missing (apt-get install chromium)"
    if in_ci():
        pytest.fail(f"{message}; browser tests cannot be skipped under CI=true", pytrace=False)
    pytest.skip(message)
