"""Skod: pre-paid and milestone billing. create_app(): config -> extensions -> blueprints ->
errors -> CLI."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request, session
from werkzeug.routing import IntegerConverter

from skod import config
from skod.extensions import api, babel, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


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
    return app


def _locale() -> str:
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
    compile_catalogs_if_writable(ROOT / "translations")
    babel.init_app(app, locale_selector=_locale,
                   default_translation_directories=str(ROOT / "translations"))
    from skod.core.schemas import ErrorSchema

    api.ERROR_SCHEMA = ErrorSchema  # the `{"error": {...}}` every API error answers
    api.init_app(app)
    init_celery(app)

    import skod.models  # noqa: F401  (every table in the metadata)
    from skod.calls.sync import register as register_call_hooks
    from skod.invoicing.sync import register as register_invoicing_hooks
    from skod.messages.sync import register as register_message_hooks
    from skod.payments.notify import register as register_payment_hooks
    from skod.projects.sync import register as register_project_hooks

    # how each domain hears of its payments changed by webhooks or reconciliation
    register_call_hooks()
    register_invoicing_hooks()
    register_message_hooks()
    register_payment_hooks()
    register_project_hooks()
    from skod.accounts.models import Provider

    @login_manager.user_loader
    def load_provider(provider_id: str) -> Provider | None:
        return db.session.get(Provider, int(provider_id))


class DbIdConverter(IntegerConverter):
    """`<int:...>` ids: above PostgreSQL's integer (2**31-1) is no row, so 404 at routing
    instead of a DataError in the query."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002, ANN001
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    from flask_smorest.spec.plugins import integerconverter2paramschema

    from skod.accounts.api import blp as accounts_api
    from skod.calls.api import blp as calls_api
    from skod.catalog.api import blp as catalog_api
    from skod.core.openapi import document_errors
    from skod.invoicing.api import blp as invoices_api
    from skod.invoicing.pages import bp as invoice_pages
    from skod.messages.api import blp as messages_api
    from skod.messages.pages import bp as message_pages
    from skod.payments.api import blp as payments_api
    from skod.projects.api import blp as projects_api
    from skod.projects.pages import bp as project_pages
    from skod.web.views import bp as web
    from skod.webhooks.views import bp as webhooks
    app.url_map.converters["int"] = DbIdConverter
    api.register_converter(DbIdConverter, integerconverter2paramschema)
    for blp in (accounts_api, catalog_api, calls_api, messages_api, projects_api,
                payments_api, invoices_api):
        csrf.exempt(blp)  # token-authenticated JSON API
        api.register_blueprint(blp, url_prefix="/api/v1")
    document_errors(api)
    csrf.exempt(webhooks)
    app.register_blueprint(webhooks)
    for pages in (web, message_pages, project_pages, invoice_pages):
        app.register_blueprint(pages)


def register_errorhandlers(app: Flask) -> None:
    from skod.core.errors import register_errorhandlers as register

    register(app)


def register_commands(app: Flask) -> None:
    from skod.cli import skod_cli

    app.cli.add_command(skod_cli)
