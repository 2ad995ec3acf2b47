#!/usr/bin/env python3
"""Wait for the Stripe emulator, then point its webhooks at the app.

    python scripts/register_webhook.py --api-base http://127.0.0.1:8420 \
        --url http://127.0.0.1:5000/stripe/webhook --secret whsec_local [--stay] \
        [--connect-secret whsec_connect [--connect-id skod-connect]]

--connect-secret also registers a Connect endpoint (the events of connected accounts, with
`account` set) at the same URL under its own id and signing secret. --then runs a command
once the emulator answers (make run onboards the demo provider's connected account).

localstripe keeps webhook registrations in memory only, so this runs after every emulator start.
--stay keeps the process alive afterwards: honcho stops every process as soon as one exits.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def reachable(api_base: str) -> bool:
    # The fake Stripe.js needs no key and no Stripe-Version (the API refuses a request
    # without the pinned version).
    req = urllib.request.Request(f"{api_base}/js.stripe.com/v3/")
    try:
        with urllib.request.urlopen(req, timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def register(api_base: str, hook_id: str, url: str, secret: str, connect: bool = False) -> None:
    fields = {"url": url, "secret": secret}
    if connect:
        fields["connect"] = "true"
    data = urllib.parse.urlencode(fields).encode()
    req = urllib.request.Request(f"{api_base}/_config/webhooks/{hook_id}", data=data,
                                 method="POST")
    with urllib.request.urlopen(req, timeout=5) as resp:
        if resp.status != 200:
            raise RuntimeError(f"webhook registration failed: HTTP {resp.status}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api-base", default="http://127.0.0.1:8420")
    parser.add_argument("--url", default="http://127.0.0.1:5000/stripe/webhook")
    parser.add_argument("--secret", required=True)
    parser.add_argument("--id", default="skod")
    parser.add_argument("--connect-secret", default=None,
                        help="also register a Connect endpoint with this signing secret")
    parser.add_argument("--connect-id", default="skod-connect")
    parser.add_argument("--then", default="", help="a command to run once registered")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--stay", action="store_true", help="sleep after registering")
    args = parser.parse_args(argv)

    deadline = time.monotonic() + args.timeout
    while not reachable(args.api_base):
        if time.monotonic() > deadline:
            print(f"emulator not reachable at {args.api_base}", file=sys.stderr)
            return 1
        time.sleep(0.2)
    register(args.api_base, args.id, args.url, args.secret)
    if args.connect_secret:
        register(args.api_base, args.connect_id, args.url, args.connect_secret, connect=True)
    print(f"emulator webhooks -> {args.url}" + (" (and Connect)" if args.connect_secret else ""),
          flush=True)
    if args.then:
        subprocess.run(shlex.split(args.then), check=False)
    if args.stay:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while True:
            signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
