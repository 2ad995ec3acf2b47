"""The intake's wake-up flag on Redis: set (SET NX) by the intake when it queues a drain,
cleared by the drain before it reads the stored events. Both sides read it from here, so the
intake and the tasks import each other in one direction only (intake -> tasks -> wakeup)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    import redis

#: up while a `drain_events` task is queued and has not started yet
DRAIN_FLAG = "skod:webhooks:drain-queued"


def flag_store() -> redis.Redis | None:
    """The Redis client of the flag; None when tasks run eagerly or the broker is not Redis
    (then every event gets its own task)."""
    cfg = current_app.config
    url = cfg["CELERY"].get("broker_url") or ""
    if cfg["CELERY"].get("task_always_eager") or not url.startswith("redis"):
        return None
    client = current_app.extensions.get("skod_wakeup_redis")
    if client is None:
        import redis  # only with a Redis broker: the embedded setup runs without it

        client = redis.Redis.from_url(url, socket_timeout=2)
        current_app.extensions["skod_wakeup_redis"] = client
    return client
