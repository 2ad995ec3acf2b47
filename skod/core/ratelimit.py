"""A request-rate limiter shared by every process (Redis) or by the threads of one (fallback).

Stripe allows about 100 requests/s live and 25/s in test mode; going over earns 429s for all
callers at once, so every process takes a slot of one per-second window before each call.
"""

from __future__ import annotations

import threading
import time


class RateLimiter:
    def __init__(self, per_second: int, redis_url: str | None = None,
                 name: str = "stripe") -> None:
        self.per_second = max(1, per_second)
        self.name = name
        self._lock = threading.Lock()
        self._window = 0
        self._count = 0
        self._redis = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url, socket_timeout=1)

    def acquire(self) -> None:
        """Block until this call fits in the current one-second window."""
        while True:
            now = time.time()
            window = int(now)
            if self._take(window):
                return
            time.sleep(window + 1 - now + 0.001)

    def _take(self, window: int) -> bool:
        if self._redis is not None:
            try:
                key = f"skod:rate:{self.name}:{window}"
                pipe = self._redis.pipeline()
                pipe.incr(key)
                pipe.expire(key, 5)
                count = pipe.execute()[0]
                return count <= self.per_second
            except OSError:
                pass  # Redis away: fall back to this process's own count (Stripe retries 429)
            except Exception:  # noqa: BLE001  (redis.RedisError without importing it at top)
                pass
        with self._lock:
            if window != self._window:
                self._window, self._count = window, 0
            self._count += 1
            return self._count <= self.per_second
