"""WSGI entry point: `flask --app wsgi run`, `gunicorn wsgi:app`."""

from skod import create_app

app = create_app()
