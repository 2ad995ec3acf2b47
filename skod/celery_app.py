"""Celery wired to Flask (tasks run inside the app context) and the one beat schedule.

`celery -A skod.celery_app:celery worker -B` works on its own: the broker settings come from the
environment at import, and the first task builds the Flask app it runs in.
"""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask

from skod import config

TASK_MODULES = ["skod.notifications.tasks", "skod.webhooks.tasks", "skod.celery_app"]

celery = Celery("skod")
_settings = config.load()
celery.conf.update(
    _settings["CELERY"],
    imports=TASK_MODULES,
    # Every periodic job, in one place: `skod.tick` runs each job of each domain once.
    beat_schedule={"tick": {"task": "skod.tick",
                            "schedule": float(_settings["SCHEDULER_INTERVAL_SECONDS"])}},
)
_flask_app: Flask | None = None


def _app() -> Flask:
    global _flask_app
    if _flask_app is None:
        from skod import create_app

        _flask_app = create_app()
    return _flask_app


class FlaskTask(Task):
    def __call__(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN204
        from flask import has_app_context

        if has_app_context():
            return self.run(*args, **kwargs)
        with _app().app_context():
            return self.run(*args, **kwargs)


celery.Task = FlaskTask


def init_celery(app: Flask) -> Celery:
    global _flask_app
    _flask_app = app
    celery.conf.update(app.config["CELERY"])
    app.extensions["celery"] = celery
    return celery


@celery.task(name="skod.tick")
def tick_task() -> dict:
    from skod.core.clock import utcnow
    from skod.scheduler import tick

    return tick(utcnow())
