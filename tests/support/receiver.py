"""A webhook endpoint for emulator tests: keeps every delivery, checks its signature."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import stripe

from tests.support.net import free_port


class Receiver:
    """An HTTP endpoint that keeps every webhook delivery (body, Stripe-Signature) it answers
    200; refuse_first=True answers 500 to the first delivery of each event id (kept in
    `refused`, in arrival order), as an endpoint that was down for a moment."""

    def __init__(self, secret: str, refuse_first: bool = False) -> None:
        self.secret = secret
        self.deliveries: list[tuple[bytes, str]] = []
        self.refused: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                event_id = json.loads(body).get("id")
                if refuse_first and event_id not in outer.refused:
                    outer.refused.append(event_id)
                    self.send_response(500)
                else:
                    outer.deliveries.append((body, self.headers.get("Stripe-Signature", "")))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *_args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[dict]:
        """Every delivery as JSON, once its signature is verified with the registered secret."""
        out = []
        for body, sig in list(self.deliveries):
            stripe.WebhookSignature.verify_header(body.decode(), sig, self.secret)
            event = json.loads(body)
            assert event["api_version"] == stripe.api_version
            out.append(event)
        return out

    def wait_for(self, about: str, types: set[str], timeout: float = 15.0) -> dict[str, dict]:
        """{type: data.object} of the events about object `about`, once all `types` arrived."""
        deadline = time.monotonic() + timeout
        while True:
            found = {e["type"]: e["data"]["object"]
                     for e in self.events() if e["data"]["object"].get("id") == about}
            if types <= found.keys() or time.monotonic() > deadline:
                assert types <= found.keys(), f"missing {types - found.keys()} for {about}"
                return found
            time.sleep(0.1)

    def close(self) -> None:
        self.server.shutdown()


def receiving(emulator, secret: str, hook_id: str, connect: bool = False,
              refuse_first: bool = False):
    """A Receiver registered as webhook `hook_id` until the generator is closed (fixtures);
    connect=True: a Connect endpoint (the events of connected accounts)."""
    rec = Receiver(secret, refuse_first)
    emulator.register_webhook(rec.url, secret, hook_id=hook_id, connect=connect)
    yield rec
    emulator.mute_webhook(hook_id)
    rec.close()
