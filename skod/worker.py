"""The Celery worker's entry module: `celery -A skod.worker:celery worker -B`.

It builds the Flask app (settings from the environment, as wsgi.py does) and serves that app's
Celery: the tasks run in this app's context. Nothing in skod/ imports this module.
"""

from __future__ import annotations

from celery import Celery

from skod import create_app

app = create_app()
celery: Celery = app.extensions["celery"]
