"""Session fixtures: Stripe emulator, SMTP sink, PostgreSQL database, the app, browser.

Everything heavy is started on first use only, so pure unit tests need none of it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Before any app is created (skod.config reads the environment, Celery's settings too):
# Celery runs tasks in-process and needs no broker; e-mails go to files; nothing under ./instance.
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
os.environ["CELERY_BROKER_URL"] = "memory://"
os.environ["MAIL_BACKEND"] = "outbox"
os.environ["SKOD_INSTANCE_PATH"] = os.path.join(tempfile.gettempdir(), "skod-tests-instance")
# the tests' own key (the dev key is refused outside SKOD_DEV=1): every app the tests build
os.environ["SECRET_KEY"] = "tests-only-3f9Qx7LmZ2pW8vK4nR6tY1cH5bJ0dS"

from tests.support import clock  # noqa: E402
from tests.support.chromium import no_chromium  # noqa: E402
from tests.support.db import (  # noqa: E402
    database_url_for_tests,
    recreate_database,
    reseed,
    seeded_rows,
    truncate_all,
)
from tests.support.emulator import StripeEmulator  # noqa: E402
from tests.support.live_server import LiveServer  # noqa: E402
from tests.support.net import free_port  # noqa: E402
from tests.support.outbox import Outbox  # noqa: E402
from tests.support.smtp import SmtpSink  # noqa: E402
from tests.support.stripe_helpers import authenticate_3ds as _authenticate_3ds  # noqa: E402
from tests.support.stripe_helpers import create_card_pm, make_client, use_account  # noqa: E402

STRIPE_SECRET_KEY = "sk_test_skod"
STRIPE_PUBLISHABLE_KEY = "pk_test_skod"
STRIPE_WEBHOOK_SECRET = "whsec_skod_test"
STRIPE_CONNECT_WEBHOOK_SECRET = "whsec_skod_connect_test"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]

_emulators: list[StripeEmulator] = []
#: reference rows the migrations seed (late_rates), put back after every test's truncate
_seeded: dict[str, list[dict]] = {}


# --- Clock -------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def now():
    """The instant this test started (aware UTC), taken once: every date a test derives (slots,
    ticks, Paris day and year through tests.support.clock) comes from it. The app itself runs on
    the real clock, so a test moves time forward with f.tick(app, now + ...), never backwards."""
    yield clock.start_test()
    clock.end_test()


@pytest.fixture
def start_any_time(app, monkeypatch):
    """Start allowed days before the start time (setting START_EARLY): for tests that start,
    through the API on the real clock, a call booked hours or days ahead."""
    from datetime import timedelta

    monkeypatch.setitem(app.config, "START_EARLY", timedelta(days=400))


# --- Stripe emulator ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def stripe_emulator(tmp_path_factory):
    """localstripe on a free port with a private store; .base_url, .stop(), .start() (keeps
    state), .restart(), .register_webhook(url, secret), .flush()."""
    emu = StripeEmulator(tmp_path_factory.mktemp("localstripe") / "store.pickle", free_port())
    emu.start(from_scratch=True)
    _emulators.append(emu)
    yield emu
    _emulators.remove(emu)
    emu.stop()


@pytest.fixture(autouse=True)
def _emulator_back_up():
    """A test that stopped the emulator and failed before start() must not break the next ones."""
    yield
    for emu in _emulators:
        emu.ensure_running()


@pytest.fixture(autouse=True)
def _no_current_account():
    """Each test starts on the platform; f.provider() moves the test clients to its account."""
    use_account(None)
    yield
    use_account(None)


@pytest.fixture(scope="session")
def stripe_raw(stripe_emulator):
    """stripe.StripeClient on the emulator with the tests' secret key (client.v1.<service>),
    on the account of the provider the test made last (`options=on(acct)` for another)."""
    return make_client(stripe_emulator.base_url, STRIPE_SECRET_KEY)


@pytest.fixture(scope="session")
def card_pm(stripe_raw):
    """card_pm(number="4242424242424242", account=None) -> a new card PaymentMethod on the
    emulator, on `account` (default: the account of the provider the test made last)."""
    return lambda number="4242424242424242", **extra: create_card_pm(stripe_raw, number, **extra)


@pytest.fixture(scope="session")
def authenticate_3ds(stripe_emulator):
    """authenticate_3ds(pi_id, client_secret, success=True) -> PaymentIntent JSON (as Stripe.js)."""

    def authenticate(pi_id: str, client_secret: str, success: bool = True) -> dict:
        return _authenticate_3ds(stripe_emulator.base_url, pi_id, client_secret, success,
                                 publishable_key=STRIPE_PUBLISHABLE_KEY)

    return authenticate


# --- SMTP --------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def _smtp_sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp_server(_smtp_sink, app):
    """A real SMTP server; switches the app to MAIL_BACKEND=smtp for this test only.

    .host, .port, .messages (EmailMessage list), .received (with envelopes), .wait_for(n)."""
    _smtp_sink.clear()
    saved = {k: app.config[k] for k in ("MAIL_BACKEND", "SMTP_HOST", "SMTP_PORT",
                                         "SMTP_STARTTLS", "SMTP_USER")}
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST=_smtp_sink.host, SMTP_PORT=_smtp_sink.port,
                      SMTP_STARTTLS=False, SMTP_USER="")
    yield _smtp_sink
    app.config.update(saved)
    _smtp_sink.clear()


# --- Database and app --------------------------------------------------------------------------
@pytest.fixture(scope="session")
def pg_url():
    """Fresh database (TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/skod_test);
    returns its postgresql+psycopg:// SQLAlchemy URL."""
    return recreate_database(database_url_for_tests())


@pytest.fixture(scope="session")
def app(pg_url, stripe_emulator, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    env = {
        "DATABASE_URL": pg_url,
        "SKOD_INSTANCE_PATH": str(instance),
        "STRIPE_API_BASE": stripe_emulator.base_url,
        "STRIPE_JS_URL": stripe_emulator.js_url,
        "STRIPE_SECRET_KEY": STRIPE_SECRET_KEY,
        "STRIPE_PUBLISHABLE_KEY": STRIPE_PUBLISHABLE_KEY,
        "STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
        "STRIPE_CONNECT_WEBHOOK_SECRET": STRIPE_CONNECT_WEBHOOK_SECRET,
    }
    mp = pytest.MonkeyPatch()
    for key, value in env.items():
        mp.setenv(key, value)

    from skod import create_app

    app = create_app({
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": pg_url,
        "SKOD_INSTANCE_PATH": str(instance),
        "STRIPE_API_BASE": stripe_emulator.base_url,
        "STRIPE_JS_URL": stripe_emulator.js_url,
        "STRIPE_SECRET_KEY": STRIPE_SECRET_KEY,
        "STRIPE_PUBLISHABLE_KEY": STRIPE_PUBLISHABLE_KEY,
        "STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
        "STRIPE_CONNECT_WEBHOOK_SECRET": STRIPE_CONNECT_WEBHOOK_SECRET,
        "MAIL_BACKEND": "outbox",
        # the emulator has no rate limit; the limiter itself has its own test
        "STRIPE_MAX_REQUESTS_PER_SECOND": 1000,
        "RATE_LIMIT_REDIS_URL": None,
    })
    # CELERY_* were set in the environment above before skod was imported; make sure of it.
    celery_cfg = app.config.setdefault("CELERY", {})
    celery_cfg.update(task_always_eager=True, task_eager_propagates=True, broker_url="memory://")
    celery = app.extensions.get("celery")
    if celery is not None:
        celery.conf.update(task_always_eager=True, task_eager_propagates=True,
                           broker_url="memory://")

    with app.app_context():
        _create_schema(app)
        from skod.extensions import db

        _seeded.update(seeded_rows(db.engine, db.metadata))
    yield app
    with app.app_context():
        from skod.extensions import db

        db.session.remove()
        db.engine.dispose()
    mp.undo()


def _create_schema(app) -> None:
    versions = ROOT / "migrations" / "versions"
    if any(versions.glob("*.py")):
        from flask_migrate import upgrade

        upgrade(directory=str(ROOT / "migrations"), revision="heads")
    else:
        # Bootstrap only: no Alembic revision exists yet, so build the tables from the models.
        # Remove this branch once migrations/versions/ holds the first revision.
        from skod.extensions import db

        db.create_all()


@pytest.fixture(autouse=True)
def clean_db(request):
    """After each test that used the app: empty every table, the e-mail outbox and the rate
    limiter's counters (a flood test must not leave the next test's requests refused)."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    from skod.extensions import db, limiter

    limiter.reset()

    with app.app_context():
        db.session.remove()
        truncate_all(db.engine, db.metadata)
        reseed(db.engine, db.metadata, _seeded)
    Outbox(app.config["SKOD_INSTANCE_PATH"]).clear()
    # Ids start again at 1, and so do the idempotency keys built from them.
    emulator = request.getfixturevalue("stripe_emulator")
    emulator.forget_idempotency()
    emulator.set_clock(None)  # a test that moved time leaves Stripe's clock as it found it


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def outbox(app):
    """outbox() -> EmailMessage list from <instance>/outbox/*.eml, oldest first;
    also outbox.to(address), len(outbox), outbox.clear()."""
    return Outbox(app.config["SKOD_INSTANCE_PATH"])


# --- Redis -------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def redis_url():
    """redis://host:port/N: a Redis database for this run only (host and port from TEST_REDIS_URL,
    default redis://127.0.0.1:6379; N claimed among TEST_REDIS_DBS, default 1-15), emptied at
    the start and at the end of the run. See tests/support/redis_db.py."""
    from tests.support.redis_db import RunDatabase

    run_db = RunDatabase()
    yield run_db.url
    run_db.release()


# --- Live server, webhooks, browser ------------------------------------------------------------
@pytest.fixture(scope="session")
def live_server(app):
    """The app over HTTP on a free port (threaded); sets app.config["PUBLIC_URL"] to its URL.
    .url, live_server("/p/demo") -> absolute URL."""
    server = LiveServer(app).start()
    saved = app.config.get("PUBLIC_URL")
    app.config["PUBLIC_URL"] = server.url
    yield server
    app.config["PUBLIC_URL"] = saved
    server.stop()


@pytest.fixture
def stripe_webhooks(stripe_emulator, live_server, app):
    """For this test, the emulator delivers its events to <live_server>/stripe/webhook
    (about 1 s after each event), from the platform's endpoint and from the Connect endpoint
    (connected accounts' events, their own secret). Muted again at teardown."""
    stripe_emulator.register_webhook(f"{live_server.url}/stripe/webhook",
                                     app.config["STRIPE_WEBHOOK_SECRET"])
    stripe_emulator.register_webhook(f"{live_server.url}/stripe/webhook",
                                     app.config["STRIPE_CONNECT_WEBHOOK_SECRET"],
                                     hook_id="skod-connect", connect=True)
    yield stripe_emulator
    stripe_emulator.mute_webhook()
    stripe_emulator.mute_webhook("skod-connect")


@pytest.fixture(scope="session")
def _browser():
    if not os.path.exists(CHROMIUM):
        no_chromium(CHROMIUM)  # a failure under CI=true, a skip elsewhere
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_browser, live_server):
    """A fresh Playwright page (own context: no cookies shared between tests)."""
    context = _browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
