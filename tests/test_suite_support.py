"""The suite's own safety nets: one Redis database per run, browser tests that cannot skip in CI."""

from __future__ import annotations

import redis

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
