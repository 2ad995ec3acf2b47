"""A Redis database of its own for each test run, so that two runs on one machine never meet.

Celery's broker (queue `celery`, kombu's keys), the webhook drain flag and the rate limiter all
write fixed key names, so a key prefix cannot separate two runs: a whole logical database can.
The run claims the first database of TEST_REDIS_DBS (default: the database TEST_REDIS_URL
names, else 1-15; 0 is left to development)
whose claim key it can SET NX, empties it, and empties it again at the end, claim included. A
claim expires after CLAIM_TTL, so a run killed before its end frees its database by itself.
"""

from __future__ import annotations

import os
import secrets
from urllib.parse import urlsplit, urlunsplit

CLAIM_KEY = "skod-tests:claimed-by"
CLAIM_TTL = 6 * 3600  # longer than any test run
DEFAULT_URL = "redis://127.0.0.1:6379"
DEFAULT_DBS = "1-15"


def server_url() -> str:
    """TEST_REDIS_URL without its database part: only the host and port are taken from it."""
    parts = urlsplit(os.environ.get("TEST_REDIS_URL") or DEFAULT_URL)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def candidate_dbs() -> list[int]:
    """TEST_REDIS_DBS as 'first-last' or 'n' (a CI job or a developer can keep their own range);
    else the database of TEST_REDIS_URL when it names one; else 1-15."""
    spec = os.environ.get("TEST_REDIS_DBS")
    if not spec:
        path = urlsplit(os.environ.get("TEST_REDIS_URL") or DEFAULT_URL).path.strip("/")
        spec = path if path.isdigit() else DEFAULT_DBS
    first, _, last = spec.partition("-")
    return list(range(int(first), int(last or first) + 1))


class RunDatabase:
    """The database this run claimed: .url (redis://host:port/N), .release()."""

    def __init__(self) -> None:
        import redis

        self.token = secrets.token_hex(8)
        base = server_url()
        for db in candidate_dbs():
            conn = redis.Redis.from_url(f"{base}/{db}")
            if conn.set(CLAIM_KEY, self.token, nx=True, ex=CLAIM_TTL):
                self.url, self._conn = f"{base}/{db}", conn
                self._empty()
                return
            conn.close()
        raise RuntimeError(f"every Redis database of TEST_REDIS_DBS={candidate_dbs()} on {base} "
                           f"is claimed by another test run ({CLAIM_KEY})")

    def _empty(self) -> None:
        """FLUSHDB, keeping our claim (what a crashed earlier run left goes too)."""
        self._conn.flushdb()
        self._conn.set(CLAIM_KEY, self.token, ex=CLAIM_TTL)

    def release(self) -> None:
        """Empty the database and give it back, unless the claim is someone else's by now."""
        if self._conn.get(CLAIM_KEY) == self.token.encode():
            self._conn.flushdb()
        self._conn.close()
