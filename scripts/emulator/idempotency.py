"""Idempotent requests as Stripe runs them.

A POST with `Idempotency-Key`: the same key (per API key) with the same parameters replays the
first answer (status and body) without acting again, with header `Idempotent-Replayed: true`; the
same key with other parameters or on another route is 400 `idempotency_error`; a key whose first
request is still running is 409. Every answer of a request that reached its endpoint is kept, a
5xx included: Stripe replays a stored 500 for its key (a retry needs a new key); a request
refused before (version, parameters, a key in use) is not kept.
Entries live 24 hours and are appended to a JSON-lines file beside the `--state` store, so a
replay survives a restart of the emulator.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

TTL = 24 * 3600


def fingerprint(method: str, path: str, params: dict) -> str:
    text = json.dumps([method, path, params], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class IdempotencyCache:
    """{(api key, idempotency key): first answer}; `path` is the JSON-lines journal."""

    def __init__(self, path: Path, now=time.time) -> None:
        self.path = path
        self.now = now
        self.entries: dict[str, dict] = {}
        self.running: set[str] = set()
        self._load()

    @staticmethod
    def slot(api_key: str, key: str) -> str:
        return f"{api_key}\x00{key}"

    def _load(self) -> None:
        try:
            lines = self.path.read_text().splitlines()
        except FileNotFoundError:
            return
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:  # a line cut by a kill mid-write: skip it
                continue
            if entry.get("at", 0) > self.now() - TTL:
                self.entries[entry["slot"]] = entry

    def get(self, slot: str) -> dict | None:
        entry = self.entries.get(slot)
        if entry is not None and entry["at"] <= self.now() - TTL:
            del self.entries[slot]
            return None
        return entry

    def put(self, slot: str, fp: str, status: int, body: bytes) -> None:
        entry = {"slot": slot, "fp": fp, "status": status, "body": body.decode(), "at": self.now()}
        self.entries[slot] = entry
        with open(self.path, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def clear(self) -> None:
        self.entries.clear()
        self.path.unlink(missing_ok=True)


def mismatch_error() -> dict:
    return {"type": "idempotency_error",
            "message": "Keys for idempotent requests can only be used with the same parameters "
                       "they were first used with. Try using a key other than the one used for "
                       "the earlier request."}


def in_use_error() -> dict:
    return {"type": "invalid_request_error", "code": "idempotency_key_in_use",
            "message": "There is currently another in-progress request using this Idempotent "
                       "Key (that probably means you submitted twice, and the other request is "
                       "still going through). Please retry your request in a bit."}
