"""The suite's own safety nets: one Redis database per run, browser tests that cannot skip in CI."""

from __future__ import annotations

import pytest
import redis

from tests.support.chromium import no_chromium
from tests.support.redis_db import CLAIM_KEY, RunDatabase


def test_a_second_run_gets_another_redis_database_and_leaves_ours_alone(redis_url):
    ours = redis.Redis.from_url(redis_url)
    ours.set("skod-tests:probe", "ours")
    other = RunDatabase()  # what a CI job started meanwhile on the same machine does
    try:
        assert other.url != redis_url
        redis.Redis.from_url(other.url).set("skod-tests:probe", "theirs")
    finally:
        other.release()
    assert ours.get("skod-tests:probe") == b"ours"  # its start and end flushed only its own
    assert redis.Redis.from_url(other.url).dbsize() == 0  # given back empty, claim included
    assert ours.get(CLAIM_KEY) is not None
    ours.delete("skod-tests:probe")


def _outcome_without_chromium(monkeypatch, ci: str | None) -> str:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    try:
        no_chromium("/nonexistent/chromium")
    except pytest.skip.Exception:
        return "skipped"
    except pytest.fail.Exception:
        return "failed"
    return "ran"


def test_missing_chromium_fails_in_ci_and_skips_elsewhere(monkeypatch):
    assert _outcome_without_chromium(monkeypatch, "true") == "failed"
    assert _outcome_without_chromium(monkeypatch, "1") == "failed"
    assert _outcome_without_chromium(monkeypatch, None) == "skipped"
    assert _outcome_without_chromium(monkeypatch, "false") == "skipped"
