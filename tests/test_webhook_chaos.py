"""The emulator's webhook delivery is no kinder than Stripe's (scripts/emulator/delivery.py).

`ordered` (the default) delivers each event once, in order. `chaos` delivers each event at
least once, in any order, retries a delivery answered 500 or lost, with backoff compressed into
seconds, and plans all of it from a printed, settable seed.
"""

from __future__ import annotations

import json
import os
import time

import pytest
import requests

from tests.support.receiver import receiving

HOOK_SECRET = "whsec_chaos_test"
EVENTS = 12


@pytest.fixture
def receiver(stripe_emulator):
    """A platform endpoint that answers 500 to the first delivery of every event."""
    yield from receiving(stripe_emulator, HOOK_SECRET, "chaos", refuse_first=True)
    stripe_emulator.webhook_mode("default")


def _customers(stripe_raw, n: int) -> list[str]:
    """n customer.created events, made in this order; the customers' ids."""
    return [stripe_raw.v1.customers.create(params={"email": f"c{i}@example.org"}).id
            for i in range(n)]


def _wait_idle(emulator, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while (status := emulator.webhooks_status())["pending"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert status["pending"] == 0, status
    return status


def _arrivals(receiver, ids: list[str]) -> list[str]:
    """The customers the accepted deliveries were about, in arrival order (ours only)."""
    objects = [json.loads(body)["data"]["object"]["id"] for body, _sig in receiver.deliveries]
    return [o for o in objects if o in ids]


def test_ordered_is_the_default_and_refused_deliveries_are_not_retried(stripe_emulator,
                                                                      stripe_raw, receiver):
    if not os.environ.get("EMULATOR_WEBHOOKS"):  # `make test-webhooks-chaos` starts in chaos
        assert stripe_emulator.webhooks_status()["mode"] == "ordered"
    assert stripe_emulator.webhook_mode("ordered")["mode"] == "ordered"
    ids = _customers(stripe_raw, 3)
    _wait_idle(stripe_emulator)
    assert _arrivals(receiver, ids) == []  # each refused once, never tried again


def test_chaos_duplicates_reorders_and_retries_every_event(stripe_emulator, stripe_raw,
                                                           receiver):
    status = stripe_emulator.webhook_mode("chaos", seed=20)
    assert (status["mode"], status["seed"]) == ("chaos", 20)
    started = time.monotonic()
    ids = _customers(stripe_raw, EVENTS)
    status = _wait_idle(stripe_emulator)
    arrived = _arrivals(receiver, ids)
    print(f"seed 20: {status['stats']}, in {time.monotonic() - started:.1f}s")
    assert set(arrived) == set(ids)  # every event, though its first delivery got a 500
    assert len(arrived) > len(ids)  # some more than once (the same event id)
    first_arrivals = list(dict.fromkeys(arrived))
    assert first_arrivals != ids  # not in the order they were made
    stats = status["stats"]
    assert stats["refused"] >= EVENTS and stats["given_up"] == 0
    assert stats["lost_before"] + stats["lost_after"] > 0
    assert time.monotonic() - started < 15  # compressed backoff: seconds, not days


def test_the_same_seed_plans_the_same_deliveries(stripe_emulator, stripe_raw, receiver):
    plans = []
    for _run in range(2):
        stripe_emulator.webhook_mode("chaos", seed=7, max_delay=0.2, backoff=0.05)
        _customers(stripe_raw, 4)
        plan = _wait_idle(stripe_emulator)["plan"]
        plans.append([(p["type"], p["copy"], p["delay"], p["losses"]) for p in plan])
    assert plans[0] == plans[1] and len(plans[0]) >= 4
    other = stripe_emulator.webhook_mode("chaos", seed=8, max_delay=0.2, backoff=0.05)
    _customers(stripe_raw, 4)
    plan = _wait_idle(stripe_emulator)["plan"]
    assert other["seed"] == 8
    assert [(p["type"], p["copy"], p["delay"], p["losses"]) for p in plan] != plans[0]


def test_bad_settings_are_refused(stripe_emulator):
    before = stripe_emulator.webhooks_status()
    for body in ({"mode": "kind"}, {"mode": "chaos", "seed": "abc"}, ["chaos"]):
        r = requests.post(f"{stripe_emulator.base_url}/_test/webhooks/mode", json=body,
                          timeout=5)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error"]["message"]
    after = stripe_emulator.webhooks_status()
    assert (after["mode"], after["seed"]) == (before["mode"], before["seed"])


def test_no_retry_to_an_endpoint_removed_meanwhile(stripe_emulator, stripe_raw, receiver):
    """A delivery refused, then the endpoint muted before its retry: the retry is not made
    (Stripe stops retrying to a disabled endpoint; a test's teardown leaks nothing)."""
    stripe_emulator.webhook_mode("chaos", seed=1, duplicate_rate=0, loss_rate=0, max_delay=0,
                                 backoff=1.0)
    [customer] = _customers(stripe_raw, 1)
    deadline = time.monotonic() + 5
    while not receiver.refused and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(receiver.refused) == 1  # customer.created answered 500; its retry due in 1 s
    stripe_emulator.mute_webhook("chaos")
    status = _wait_idle(stripe_emulator)
    assert _arrivals(receiver, [customer]) == []
    assert (status["stats"]["refused"], status["stats"]["delivered"]) == (1, 0)
