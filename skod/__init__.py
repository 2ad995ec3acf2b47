"""Skod: pre-paid and milestone billing. create_app(): config -> extensions (Celery too) ->
blueprints -> errors -> CLI -> periodic jobs (the tick's registry)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, has_request_context, request, session
from flask_talisman import Talisman
from werkzeug.routing import IntegerConverter

from skod import config
from skod.accounts import login_guard
from skod.extensions import api, babel, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent
#: one year, subdomains included (what Talisman sent)
HSTS = f"max-age={365 * 24 * 3600}; includeSubDomains"


def create_app(config_overrides: dict | None = None) -> Flask:
    settings = config.load(config_overrides)
    app = Flask(__name__, instance_path=settings["SKOD_INSTANCE_PATH"],
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    app.config.update(settings)
    app.config.update(
        API_TITLE="Skod API", API_VERSION="v1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api", OPENAPI_JSON_PATH="openapi.json",
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_jobs(app)
    return app


def _locale() -> str:
    if not has_request_context():  # a tick or a worker (a failed fee's evidence): French first
        return "fr"
    wanted = request.args.get("lang") or session.get("lang")
    if wanted in ("fr", "en"):
        session["lang"] = wanted
        return wanted
    return request.accept_languages.best_match(["fr", "en"]) or "fr"


def register_extensions(app: Flask) -> None:
    from skod.celery_app import init_celery
    from skod.core.i18n import compile_catalogs_if_writable

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "web.login"
    csrf.init_app(app)
    login_guard.init_app(app)
    register_security_headers(app)
    compile_catalogs_if_writable(ROOT / "translations")
    babel.init_app(app, locale_selector=_locale,
                   default_translation_directories=str(ROOT / "translations"))
    from skod.core.schemas import ErrorSchema

    api.ERROR_SCHEMA = ErrorSchema  # the `{"error": {...}}` every API error answers
    api.init_app(app)
    init_celery(app)

    import skod.models  # noqa: F401  (every table in the metadata)
    from skod.calls.sync import register as register_call_hooks
    from skod.dunning.debts.sync import register as register_dunning_hooks
    from skod.invoicing.sync import register as register_invoicing_hooks
    from skod.messages.sync import register as register_message_hooks
    from skod.payments.notify import register as register_payment_hooks
    from skod.projects.sync import register as register_project_hooks

    # how each domain hears of its payments changed by webhooks or reconciliation
    register_call_hooks()
    register_dunning_hooks()
    register_invoicing_hooks()
    register_message_hooks()
    register_payment_hooks()
    register_project_hooks()
    from skod.accounts.services import load_session

    login_manager.user_loader(load_session)


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def content_security_policy(app: Flask) -> dict:
    """Exactly what the pages load: our own files, Stripe.js, its frames and its API (the
    emulator's origin where STRIPE_JS_URL / STRIPE_API_BASE point to it). No inline script: page
    data travels in <script type="application/json"> blocks, which are not run."""
    stripe_js = {"https://js.stripe.com", _origin(app.config["STRIPE_JS_URL"])} - {None}
    stripe_api = {"https://api.stripe.com", _origin(app.config["STRIPE_API_BASE"])} - {None}
    return {
        "default-src": "'self'",
        "script-src": ["'self'", *sorted(stripe_js)],
        "frame-src": [*sorted(stripe_js), "https://hooks.stripe.com"],
        "connect-src": ["'self'", *sorted(stripe_api | stripe_js)],
        "img-src": ["'self'", "data:", "https://*.stripe.com"],
        "style-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        # the Stripe buttons post here and are redirected to Stripe's onboarding / OAuth
        # pages (Connect's origin, or the emulator's)
        "form-action": ["'self'", *sorted({"https://connect.stripe.com",
                                           _origin(app.config["STRIPE_API_BASE"])} - {None})],
        "frame-ancestors": "'none'",
    }


def register_security_headers(app: Flask) -> None:
    """CSP, frame, nosniff, Referrer-Policy and (when PUBLIC_URL is https) HSTS on every
    response."""
    Talisman(
        app,
        # TLS ends at the proxy in production; dev and tests run on plain http
        force_https=False,
        # Talisman adds HSTS only to requests it sees as https (X-Forwarded-Proto): a proxy
        # that does not send it would drop the header. add_hsts() decides on PUBLIC_URL alone.
        strict_transport_security=False,
        content_security_policy=content_security_policy(app),
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        # the cookie flags are settings (skod.config): Talisman must not override them
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
    )
    if app.config["PUBLIC_URL"].startswith("https://"):
        @app.after_request
        def add_hsts(response: Response) -> Response:
            response.headers["Strict-Transport-Security"] = HSTS
            return response


class DbIdConverter(IntegerConverter):
    """`<int:...>` ids: above PostgreSQL's integer (2**31-1) is no row, so 404 at routing
    instead of a DataError in the query."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002, ANN001
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def _import_dunning_pages() -> None:
    """The provider's pages about money owed share one blueprint that imports none of them:
    each registers its routes on it when imported here."""
    import skod.dunning.bank_statements.pages
    import skod.dunning.board.pages
    import skod.dunning.disputes.pages
    import skod.dunning.mise_en_demeure.pages
    import skod.dunning.owed.pages
    import skod.dunning.receivables.client_pages
    import skod.dunning.receivables.pages
    import skod.dunning.receivables.settings_pages
    import skod.dunning.recourse.pages  # noqa: F401


def register_blueprints(app: Flask) -> None:
    from flask_smorest.spec.plugins import integerconverter2paramschema

    from skod.accounts.api import blp as accounts_api
    from skod.calls.api import blp as calls_api
    from skod.catalog.api import blp as catalog_api
    from skod.core.openapi import document_errors
    from skod.dunning.mise_en_demeure.api import blp as notices_api
    from skod.dunning.owed.api import blp as dunning_api
    from skod.dunning.pay_page.api import blp as pay_api
    from skod.dunning.pay_page.pages import bp as pay_pages
    from skod.dunning.pay_page.plan_api import blp as plan_api
    from skod.dunning.receivables.api import blp as receivables_api
    from skod.dunning.receivables.blueprint import bp as dunning_pages
    from skod.dunning.receivables.client_api import blp as clients_api
    from skod.dunning.recourse.api import blp as recourse_api
    from skod.invoicing.api import blp as invoices_api
    from skod.invoicing.pages import bp as invoice_pages
    from skod.messages.api import blp as messages_api
    from skod.messages.pages import bp as message_pages
    from skod.payments.api import blp as payments_api
    from skod.projects.api import blp as projects_api
    from skod.projects.pages import bp as project_pages
    from skod.web.views import bp as web
    from skod.webhooks.views import bp as webhooks
    _import_dunning_pages()
    app.url_map.converters["int"] = DbIdConverter
    api.register_converter(DbIdConverter, integerconverter2paramschema)
    for blp in (accounts_api, catalog_api, calls_api, messages_api, projects_api,
                payments_api, invoices_api, dunning_api, pay_api, plan_api, receivables_api,
                notices_api, recourse_api, clients_api):
        csrf.exempt(blp)  # token-authenticated JSON API
        api.register_blueprint(blp, url_prefix="/api/v1")
    document_errors(api)
    csrf.exempt(webhooks)
    app.register_blueprint(webhooks)
    for pages in (web, message_pages, project_pages, invoice_pages, pay_pages, dunning_pages):
        app.register_blueprint(pages)


def register_errorhandlers(app: Flask) -> None:
    from skod.core.errors import register_errorhandlers as register

    register(app)


def register_commands(app: Flask) -> None:
    from skod.cli import skod_cli

    app.cli.add_command(skod_cli)


def register_jobs(app: Flask) -> None:
    """Each domain's periodic jobs in the tick's registry (skod.scheduler), in the tick's order."""
    from skod import scheduler
    from skod.calls import jobs as call_jobs
    from skod.dunning.debts import jobs as dunning_jobs
    from skod.invoicing import jobs as invoice_jobs
    from skod.messages import jobs as message_jobs
    from skod.projects import jobs as project_jobs
    from skod.webhooks import jobs as webhook_jobs

    # invoicing after the services: it invoices what they delivered in this very tick; dunning
    # last: it chases what is still unpaid once all of that is recorded
    for domain in (call_jobs, message_jobs, project_jobs, webhook_jobs, invoice_jobs,
                   dunning_jobs):
        scheduler.register(app, domain.__name__, domain.run_all)
