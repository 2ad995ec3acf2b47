"""Settings read from the environment, with embedded defaults that run on one machine.

Every duration of the payment rules (DESIGN.md section 1) is a setting here, not a literal
in code. check_production() refuses to start on settings that are only safe on a developer's
machine: the dev SECRET_KEY outside development mode (SKOD_DEV=1, set by `make run`), and with
live Stripe keys a weak SECRET_KEY, a webhook secret not of Stripe's form, a PUBLIC_URL that is not
https with a host, or a STRIPE_API_BASE pointing elsewhere than Stripe.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

DEV_SECRET_KEY = "dev-only-not-secret"
DEV_WEBHOOK_SECRET = "whsec_local"
MIN_SECRET_KEY_LENGTH = 32
#: fewer distinct characters than this is a low-entropy key (aaaa..., abab..., 0000...)
MIN_SECRET_KEY_DISTINCT = 10
#: Stripe's endpoint signing secrets: whsec_ and a long alphanumeric tail
WEBHOOK_SECRET_FORM = re.compile(r"whsec_[A-Za-z0-9]{24,}")


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _hours(name: str, default: float) -> timedelta:
    return timedelta(hours=float(os.environ.get(name, default)))


def instance_path() -> Path:
    """Folder for the SQLite database, the Celery broker file and the e-mail outbox."""
    default = Path(__file__).resolve().parent.parent / "instance"
    return Path(os.environ.get("SKOD_INSTANCE_PATH", default)).resolve()


def load(overrides: dict | None = None) -> dict:
    """Build the Flask config mapping: environment first, then explicit overrides (tests)."""
    inst = instance_path()
    cfg = {
        # no default: development mode (SKOD_DEV=1) gets DEV_SECRET_KEY in _dev_defaults()
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        "SKOD_DEV": _env_bool("SKOD_DEV"),
        "SQLALCHEMY_DATABASE_URI": _normalise_db_url(
            os.environ.get("DATABASE_URL", f"sqlite:///{inst / 'skod.sqlite'}")),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SKOD_INSTANCE_PATH": str(inst),
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        "CELERY": _celery(inst),
        "BABEL_DEFAULT_LOCALE": "fr",
        "LANGUAGES": ["fr", "en"],
        "WTF_CSRF_TIME_LIMIT": None,
        **_stripe(),
        **_mail(),
        **_payment_rules(),
        **_dunning(),
        **_web_security(),
    }
    if overrides:
        cfg.update(overrides)
    _dev_defaults(cfg)
    _cookie_flags(cfg)
    check_production(cfg)
    return cfg


def _web_security() -> dict:
    return {
        "SESSION_COOKIE_HTTPONLY": True,
        # Lax: the cookie still comes with a top-level link from an e-mail, never with a
        # cross-site form post or fetch
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # failed logins (Flask-Limiter syntax) per account from one address, per address, and
        # per account from anywhere (a high ceiling: a flood must not lock the owner out)
        "LOGIN_LIMIT_PER_ACCOUNT_ADDRESS": os.environ.get("LOGIN_LIMIT_PER_ACCOUNT_ADDRESS",
                                                          "20 per 15 minutes"),
        "LOGIN_LIMIT_PER_ACCOUNT": os.environ.get("LOGIN_LIMIT_PER_ACCOUNT",
                                                  "200 per 15 minutes"),
        "LOGIN_LIMIT_PER_ADDRESS": os.environ.get("LOGIN_LIMIT_PER_ADDRESS",
                                                  "100 per 15 minutes"),
        # saved-card codes asked (every request counts): per client e-mail, so that nobody
        # floods a mailbox, and per address, so that nobody sends them to many
        "SAVED_CARD_LIMIT_PER_EMAIL": os.environ.get("SAVED_CARD_LIMIT_PER_EMAIL",
                                                     "5 per hour"),
        "SAVED_CARD_LIMIT_PER_ADDRESS": os.environ.get("SAVED_CARD_LIMIT_PER_ADDRESS",
                                                       "30 per hour"),
    }


def _cookie_flags(cfg: dict) -> None:
    """Secure cookies whenever the public address is https (never on a plain-http dev box)."""
    https = str(cfg.get("PUBLIC_URL", "")).startswith("https://")
    cfg.setdefault("SESSION_COOKIE_SECURE", https)
    cfg.setdefault("REMEMBER_COOKIE_SECURE", https)


def _dev_defaults(cfg: dict) -> None:
    """Development mode only (SKOD_DEV=1, `make run`): the well-known dev SECRET_KEY."""
    if cfg.get("SKOD_DEV") and not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = DEV_SECRET_KEY


def _is_live(cfg: dict) -> bool:
    return str(cfg.get("STRIPE_SECRET_KEY", "")).startswith(("sk_live", "rk_live"))


def production_problems(cfg: dict) -> list[str]:
    """What makes these settings unsafe; empty when safe. The dev key is refused outside
    development mode whatever the Stripe keys; the rest only with live keys."""
    secret = cfg.get("SECRET_KEY") or ""
    problems = []
    if not cfg.get("SKOD_DEV") and secret in ("", DEV_SECRET_KEY):
        problems.append("SECRET_KEY: set a random value (python -c 'import secrets; "
                        "print(secrets.token_urlsafe(48))'); the dev key is only for SKOD_DEV=1")
    if not _is_live(cfg):
        return problems
    # one refusal per setting: a missing key is not also told it is short
    if not problems and (secret == DEV_SECRET_KEY or len(secret) < MIN_SECRET_KEY_LENGTH
            or len(set(secret)) < MIN_SECRET_KEY_DISTINCT):
        problems.append(f"SECRET_KEY: set a random value of at least {MIN_SECRET_KEY_LENGTH} "
                        f"characters, {MIN_SECRET_KEY_DISTINCT} of them distinct at least "
                        "(python -c 'import secrets; print(secrets.token_urlsafe(48))')")
    problems += _live_problems(cfg)
    return problems


def _live_problems(cfg: dict) -> list[str]:
    """With live keys: the webhook secret, the public address and the Stripe API base."""
    problems = []
    webhook = [s.strip() for s in str(cfg.get("STRIPE_WEBHOOK_SECRET") or "").split(",")]
    if not all(WEBHOOK_SECRET_FORM.fullmatch(s) for s in webhook):
        problems.append("STRIPE_WEBHOOK_SECRET: set the endpoint's signing secret (whsec_...) "
                        "from the Stripe Dashboard, not the local default")
    public = urlsplit(str(cfg.get("PUBLIC_URL") or ""))
    if public.scheme != "https" or not public.hostname:
        problems.append("PUBLIC_URL: set the site's https:// address with its host")
    if cfg.get("STRIPE_API_BASE"):
        problems.append("STRIPE_API_BASE: must be unset with live keys (it sends every Stripe "
                        "call elsewhere than api.stripe.com)")
    return problems


def check_production(cfg: dict) -> None:
    """Refuse to start with live keys and an unsafe setting; the message names what to set."""
    problems = production_problems(cfg)
    if problems:
        raise RuntimeError("unsafe settings:\n- " + "\n- ".join(problems))


def _stripe() -> dict:
    return {
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", "sk_test_local"),
        "STRIPE_PUBLISHABLE_KEY": os.environ.get("STRIPE_PUBLISHABLE_KEY", "pk_test_local"),
        # several secrets, comma-separated, while a webhook secret is being rotated
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_local"),
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", ""),
        "STRIPE_JS_URL": os.environ.get("STRIPE_JS_URL", "https://js.stripe.com/v3/"),
        "STRIPE_API_VERSION": os.environ.get("STRIPE_API_VERSION", ""),
        # "platform" (Connect: each provider paid on their own account) or "direct" (one
        # business: the keys are the one provider's account); see README
        "STRIPE_MODE": os.environ.get("STRIPE_MODE", "platform"),
        # the platform's application fee on each capture and charge, in basis points
        "PLATFORM_FEE_BP": int(os.environ.get("PLATFORM_FEE_BP", "0")),
        # signing secret(s) of the Connect endpoint (same URL as the platform's)
        "STRIPE_CONNECT_WEBHOOK_SECRET": os.environ.get("STRIPE_CONNECT_WEBHOOK_SECRET",
                                                        "whsec_local_connect"),
        # ca_...: connecting an existing Stripe account by OAuth (empty: onboarding only)
        "STRIPE_CONNECT_CLIENT_ID": os.environ.get("STRIPE_CONNECT_CLIENT_ID", ""),
        # the country of the connected accounts we create
        "STRIPE_ACCOUNT_COUNTRY": os.environ.get("STRIPE_ACCOUNT_COUNTRY", "FR"),
        # prefix of every idempotency key (else a random id stored in the database)
        "SKOD_IDEMPOTENCY_PREFIX": os.environ.get("SKOD_IDEMPOTENCY_PREFIX", ""),
        # Stripe allows about 100 requests/s live, 25/s in test mode: stay under it
        "STRIPE_MAX_REQUESTS_PER_SECOND": int(os.environ.get(
            "STRIPE_MAX_REQUESTS_PER_SECOND",
            "100" if os.environ.get("STRIPE_SECRET_KEY", "").startswith("sk_live") else "25")),
        # shared window for every process; by default the Celery broker when it is Redis
        "RATE_LIMIT_REDIS_URL": os.environ.get("RATE_LIMIT_REDIS_URL") or (
            os.environ.get("CELERY_BROKER_URL", "") if os.environ.get(
                "CELERY_BROKER_URL", "").startswith("redis") else None),
        # 0: the webhook intake does not wait for PostgreSQL's WAL flush (faster, see README)
        "WEBHOOK_INTAKE_SYNC_COMMIT": _env_bool("WEBHOOK_INTAKE_SYNC_COMMIT", True),
        # a webhook event processed in a worker is retried this many times with backoff
        "WEBHOOK_MAX_ATTEMPTS": int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "8")),
        # reconciliation looks at payments left in a non-final state longer than this
        "RECONCILE_AFTER": timedelta(minutes=float(os.environ.get("RECONCILE_AFTER_MINUTES",
                                                                   "10"))),
    }


def _celery(inst: Path) -> dict:
    eager = _env_bool("CELERY_TASK_ALWAYS_EAGER")
    return {
        "broker_url": os.environ.get(
            "CELERY_BROKER_URL", f"sqla+sqlite:///{inst / 'celery-broker.sqlite'}"),
        "result_backend": os.environ.get("CELERY_RESULT_BACKEND") or None,
        "task_always_eager": eager,
        "task_eager_propagates": eager,
        "task_ignore_result": True,
        "timezone": "UTC",
    }


def _mail() -> dict:
    return {
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", "outbox"),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Skod <no-reply@skod.local>"),
        "SMTP_HOST": os.environ.get("SMTP_HOST", "127.0.0.1"),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "25")),
        "SMTP_USER": os.environ.get("SMTP_USER", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _env_bool("SMTP_STARTTLS"),
    }


def _payment_rules() -> dict:
    """DESIGN.md section 1: every duration of the payment rules."""
    return {
        "CUSTOMER_HOLD_VALIDITY": _hours("CUSTOMER_HOLD_VALIDITY_HOURS", 7 * 24),
        "MERCHANT_HOLD_VALIDITY": _hours("MERCHANT_HOLD_VALIDITY_HOURS", 4 * 24 + 18),
        "HOLD_SAFETY_MARGIN": _hours("HOLD_SAFETY_MARGIN_HOURS", 12),
        "HOLD_LEAD": _hours("HOLD_LEAD_HOURS", 24),
        "AUTH_DEADLINE": _hours("AUTH_DEADLINE_HOURS", 2),
        "AUTO_CAPTURE_GRACE": _hours("AUTO_CAPTURE_GRACE_HOURS", 2),
        "FREE_CANCEL_HOURS": _hours("FREE_CANCEL_HOURS", 24),
        "PENDING_BOOKING_TTL": _hours("PENDING_BOOKING_TTL_HOURS", 0.5),
        # the client needs time to pay; the provider time to prepare
        "MIN_BOOKING_NOTICE": _hours("MIN_BOOKING_NOTICE_HOURS", 1),
        # a call can be started this long before its start time, not earlier
        "START_EARLY": timedelta(minutes=float(os.environ.get("START_EARLY_MINUTES", 10))),
        "CLIENT_LINK_MAX_AGE": _hours("CLIENT_LINK_MAX_AGE_HOURS", 24 * 120),
        # reminders of a call to both sides, hours before its start
        "CALL_REMINDER_HOURS": [int(h) for h in os.environ.get(
            "CALL_REMINDER_HOURS", "24,1").split(",") if h.strip()],
        # paid messages
        "REPLY_WINDOW": _hours("REPLY_WINDOW_HOURS", 72),
        "REPLY_REMINDERS_HOURS": [int(h) for h in os.environ.get(
            "REPLY_REMINDERS_HOURS", "24,2").split(",") if h.strip()],
        # projects
        "APPROVAL_WINDOW": _hours("APPROVAL_WINDOW_HOURS", 72),
        "SCHEDULER_INTERVAL_SECONDS": int(os.environ.get("SCHEDULER_INTERVAL_SECONDS", "60")),
    }


def _dunning() -> dict:
    """DESIGN.md section 2: the ladder's timing and the sweep's batch."""
    return {
        # two steps of one case are never closer than this
        "DUNNING_MIN_GAP": timedelta(days=float(os.environ.get("DUNNING_MIN_GAP_DAYS", 5))),
        # rows locked (SKIP LOCKED) per transaction of the sweep
        "DUNNING_BATCH": int(os.environ.get("DUNNING_BATCH", "200")),
        # card networks' limit on attempts on one card within 30 days, all our charges together
        "DUNNING_CARD_ATTEMPTS_30D": int(os.environ.get("DUNNING_CARD_ATTEMPTS_30D", "15")),
        # how long the pay page's signed link works
        "PAY_LINK_MAX_AGE": _hours("PAY_LINK_MAX_AGE_HOURS", 24 * 400),
    }


def _normalise_db_url(url: str) -> str:
    """Accept the common `postgres://` and `postgresql://` spellings and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url
