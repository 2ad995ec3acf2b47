"""The offer's transition table: which button works in which state (pure, no database)."""

from __future__ import annotations

import pytest

from skod.catalog.models import ACTION_STATUS, OFFER_STATES


@pytest.mark.parametrize(("current", "action", "allowed"), [
    ("active", "pause", True),
    ("active", "archive", True),
    ("active", "resume", False),
    ("paused", "resume", True),
    ("paused", "archive", True),
    ("paused", "pause", False),
    ("archived", "resume", False),
    ("archived", "pause", False),
    ("archived", "archive", False),
])
def test_offer_transitions(current, action, allowed):
    assert OFFER_STATES.can(current, ACTION_STATUS[action]) is allowed
