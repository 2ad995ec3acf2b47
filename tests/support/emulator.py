"""The localstripe emulator as a child process (scripts/localstripe_server.py)."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import requests
import stripe

from tests.support.net import wait_until

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "localstripe_server.py"
PROBE_KEY = "sk_test_probe"


class StripeEmulator:
    """One emulator process on a fixed host/port with its own pickle store.

    start() after stop() restarts it on the same port and keeps the stored objects. Webhook
    registrations (in memory only, in localstripe) made through register_webhook() are replayed
    after every start.
    """

    def __init__(self, state_path: Path, port: int, host: str = "127.0.0.1",
                 log_path: Path | None = None) -> None:
        self.host = host
        self.port = port
        self.state_path = Path(state_path)
        self.log_path = Path(log_path) if log_path else self.state_path.with_suffix(".log")
        self.base_url = f"http://{host}:{port}"
        self.js_url = f"{self.base_url}/js.stripe.com/v3/"
        self.webhooks: dict[str, dict] = {}
        self._proc: subprocess.Popen | None = None
        self._started_once = False

    # -- process -------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, from_scratch: bool | None = None, timeout: float = 20.0) -> None:
        """Start (first time: from scratch unless told otherwise; later: keep state)."""
        if self.running:
            return
        if from_scratch is None:
            from_scratch = not self._started_once
        cmd = [sys.executable, str(SCRIPT), "--host", self.host, "--port", str(self.port),
               "--state", str(self.state_path)]
        if from_scratch:
            cmd.append("--from-scratch")
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child process
        try:
            self._proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, cwd=ROOT)
        finally:
            log.close()
        self._started_once = True
        try:
            wait_until(self._ready, timeout=timeout, what=f"localstripe on {self.base_url}")
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"localstripe did not start; log:\n{self.log()}") from None
        for hook_id, hook in self.webhooks.items():
            self._post_webhook(hook_id, hook)

    def stop(self, timeout: float = 10.0) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)

    def restart(self) -> None:
        self.stop()
        self.start()

    def ensure_running(self) -> None:
        if self._started_once and not self.running:
            self.start()

    def _ready(self) -> bool:
        if self._proc is not None and self._proc.poll() is not None:
            raise RuntimeError(f"localstripe exited ({self._proc.returncode}); log:\n{self.log()}")
        try:
            r = requests.get(f"{self.base_url}/v1/customers", timeout=1,
                             headers={"Authorization": f"Bearer {PROBE_KEY}",
                                      "Stripe-Version": stripe.api_version})
        except requests.RequestException:
            return False
        return r.status_code == 200

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except FileNotFoundError:
            return ""

    # -- emulator-only routes --------------------------------------------------------------------
    def register_webhook(self, url: str, secret: str, events: list[str] | None = None,
                         hook_id: str = "skod", connect: bool = False) -> None:
        """POST /_config/webhooks/<id>; replayed after restarts. events=[] mutes the hook.
        connect=True: a Connect endpoint (connected accounts' events only, not the platform's)."""
        hook = {"url": url, "secret": secret, "events": events, "connect": connect or None}
        self.webhooks[hook_id] = hook
        self._post_webhook(hook_id, hook)

    def mute_webhook(self, hook_id: str = "skod") -> None:
        """localstripe cannot delete a hook: keep it with an empty event filter instead."""
        if hook_id in self.webhooks:
            hook = self.webhooks[hook_id]
            self.register_webhook(hook["url"], hook["secret"], events=[], hook_id=hook_id,
                                  connect=bool(hook.get("connect")))

    def _post_webhook(self, hook_id: str, hook: dict) -> None:
        body = {k: v for k, v in hook.items() if v is not None}
        r = requests.post(f"{self.base_url}/_config/webhooks/{hook_id}", json=body, timeout=5)
        r.raise_for_status()

    def forget_idempotency(self) -> None:
        """DELETE /_config/idempotency: forget every Idempotency-Key seen so far.

        The app builds keys from database ids; a test database emptied between tests hands the
        same ids out again, which real Stripe (and the emulator) would answer with
        idempotency_error. Forgetting the keys whenever the database is emptied is a fresh
        Stripe account for the next test.
        """
        requests.delete(f"{self.base_url}/_config/idempotency", timeout=5).raise_for_status()

    def set_clock(self, at: datetime | None) -> None:
        """POST /_test/clock: Stripe's "now" follows the app's moved time (None: real time)."""
        self.control("clock", {"now": at.timestamp() if at is not None else None})

    def webhook_mode(self, mode: str, seed: int | None = None, **settings) -> dict:
        """POST /_test/webhooks/mode: "ordered", "chaos" (duplicates, any order, retries; see
        scripts/emulator/delivery.py) or "default" (what the emulator was started with)."""
        body = dict(settings, mode=mode)
        if seed is not None:
            body["seed"] = seed
        return self.control("webhooks/mode", body)

    def webhooks_status(self) -> dict:
        """GET /_test/webhooks: mode, seed, copies still pending, counters, the last plan."""
        r = requests.get(f"{self.base_url}/_test/webhooks", timeout=5)
        r.raise_for_status()
        return r.json()

    def flush(self) -> None:
        """DELETE /_config/data: forget every stored object."""
        requests.delete(f"{self.base_url}/_config/data", timeout=5).raise_for_status()

    # -- test controls (scripts/emulator/controls.py) -----------------------------------------
    def control(self, path: str, body: dict | None = None) -> dict:
        """POST /_test/<path>; the changed object as JSON (AssertionError on an error answer)."""
        r = requests.post(f"{self.base_url}/_test/{path}", json=body or {}, timeout=10)
        if r.status_code != 200:
            raise AssertionError(f"/_test/{path} -> {r.status_code}: {r.text}")
        return r.json()

    def script_declines(self, payment_method_id: str, *outcomes: dict) -> dict:
        """The next confirmations of a PaymentIntent with this card decline, one outcome each,
        in order; then the card behaves normally again. An outcome is
        {"decline_code": "insufficient_funds", "advice_code": "try_again_later"} (optional:
        "network_advice_code", "network_decline_code") or {"authentication_required": True}.
        No outcome clears the script."""
        return self.control("declines", {"payment_method": payment_method_id,
                                         "outcomes": list(outcomes)})

    def expire_hold(self, pi_id: str) -> dict:
        """The authorization lapses: intent canceled, cancellation_reason expired."""
        return self.control(f"payment_intents/{pi_id}/expire")

    def dispute(self, pi_or_charge: str, amount: int | None = None,
                reason: str | None = None) -> dict:
        """Open a dispute on a charge (ch_...) or on an intent's latest charge (pi_...)."""
        kind = "payment_intents" if pi_or_charge.startswith("pi_") else "charges"
        body = {k: v for k, v in (("amount", amount), ("reason", reason)) if v is not None}
        return self.control(f"{kind}/{pi_or_charge}/dispute", body)

    def close_dispute(self, dispute_id: str, outcome: str) -> dict:
        """outcome: "won" or "lost"."""
        return self.control(f"disputes/{dispute_id}/close", {"outcome": outcome})

    def update_dispute(self, dispute_id: str) -> dict:
        """Evidence submitted: the dispute goes under_review."""
        return self.control(f"disputes/{dispute_id}/update")

    def settle_refund(self, refund_id: str) -> dict:
        """A pending refund succeeds."""
        return self.control(f"refunds/{refund_id}/succeed")

    def fail_refund(self, refund_id: str, failure_reason: str | None = None) -> dict:
        """A pending or succeeded refund fails (default reason lost_or_stolen_card)."""
        body = {"failure_reason": failure_reason} if failure_reason else {}
        return self.control(f"refunds/{refund_id}/fail", body)

    def cancel_refund(self, refund_id: str) -> dict:
        """A pending refund is canceled."""
        return self.control(f"refunds/{refund_id}/cancel")

    def settle_debit(self, pi_id: str) -> dict:
        """A SEPA debit in processing gets the bank's answer, as its test IBAN says."""
        return self.control(f"payment_intents/{pi_id}/settle")

    def fail_debit(self, pi_id: str, failure_code: str | None = None) -> dict:
        """A SEPA debit in processing is returned unpaid (default insufficient_funds)."""
        body = {"failure_code": failure_code} if failure_code else {}
        return self.control(f"payment_intents/{pi_id}/fail", body)
