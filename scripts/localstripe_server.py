#!/usr/bin/env python3
"""Run the localstripe emulator with its own pickle store.

localstripe hard-wires its store to /tmp/localstripe.pickle and listens on every interface. This
wrapper points the store at the file given on the command line (so the dev emulator and the test
emulator never share state), binds only the given host, and writes the pickle atomically so that a
process killed mid-write never leaves a truncated store behind.

    python scripts/localstripe_server.py --host 127.0.0.1 --port 8420 \
        --state instance/localstripe.pickle [--from-scratch]

Without --from-scratch, the objects of a previous run are loaded from --state. Webhook
registrations live in memory only: register them again after every start.

On top of localstripe, the package `scripts/emulator/` makes the emulator answer as Stripe does at
the pinned API version (`--api-version`, default: the one the installed stripe SDK pins): it
refuses requests without that `Stripe-Version` and parameters that version does not accept,
replays idempotent requests (cache in `<state>.idempotency.jsonl`), answers in the pinned shapes
and adds test controls under `/_test/...` (see scripts/emulator/controls.py and README.md).
"""

from __future__ import annotations

import argparse
import logging
import os
import pickle
import signal
import socket
import sys
import tempfile
from pathlib import Path

# Run as a script: make the sibling package `emulator` importable.
sys.path.insert(0, str(Path(__file__).resolve().parent))


def patch_store(state: Path) -> None:
    """Redirect localstripe.resources.Store to `state` (atomic writes)."""
    from localstripe import resources

    def try_load_from_disk(self) -> None:
        try:
            with open(state, "rb") as f:
                old = pickle.load(f)
        except FileNotFoundError:
            return
        except (EOFError, pickle.UnpicklingError) as exc:
            logging.getLogger("localstripe").warning("ignoring unreadable store %s: %s", state, exc)
            return
        self.clear()
        self.update(old)

    def dump_to_disk(self) -> None:
        fd, tmp = tempfile.mkstemp(prefix=".localstripe-", dir=state.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(dict(self), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, state)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    resources.Store.try_load_from_disk = try_load_from_disk
    resources.Store.dump_to_disk = dump_to_disk


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--state", default="instance/localstripe.pickle", help="pickle store path")
    parser.add_argument("--from-scratch", action="store_true", help="ignore a previous store")
    parser.add_argument("--quiet", action="store_true", help="no access log")
    parser.add_argument("--api-version", default=None,
                        help="the only Stripe-Version accepted (default: stripe.api_version)")
    args = parser.parse_args(argv)

    state = Path(args.state).resolve()
    state.parent.mkdir(parents=True, exist_ok=True)
    patch_store(state)

    import stripe
    from aiohttp import web
    from emulator import install
    from localstripe.resources import store

    if args.from_scratch:
        state.unlink(missing_ok=True)
        state.with_name(state.name + ".idempotency.jsonl").unlink(missing_ok=True)
    api_version = args.api_version or stripe.api_version
    app = install(state, api_version)
    if not args.from_scratch:
        store.try_load_from_disk()  # after install(): the store may hold emulator.disputes objects

    # SIGTERM -> clean exit (aiohttp handles SIGINT itself).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    logging.basicConfig(format="%(name)s: %(message)s")  # the emulator's refusals, even --quiet
    logger = logging.getLogger("aiohttp.access")
    if not args.quiet:
        logger.setLevel(logging.DEBUG)
        logger.addHandler(logging.StreamHandler())
    print(
        f"localstripe on http://{args.host}:{args.port} (store {state}, "
        f"{len(store)} objects loaded, Stripe-Version {api_version})",
        flush=True,
    )
    web.run_app(
        app,
        sock=bind(args.host, args.port),
        access_log=None if args.quiet else logger,
        print=None,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
