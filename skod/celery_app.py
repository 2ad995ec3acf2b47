"""Celery bound to Flask, as in the Flask docs' "Background Tasks with Celery": create_app
calls `init_celery`, which makes a Celery app from app.config["CELERY"] (tasks run inside the
Flask app's context) with the one beat schedule, and keeps it in app.extensions["celery"].

Tasks are declared with `celery.shared_task`, so no module imports a Celery app object; the
worker gets its app from its own entry module, skod.worker.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask, has_app_context

#: the modules whose shared tasks a worker must know before the first message arrives
TASK_MODULES = ["skod.notifications.tasks", "skod.webhooks.tasks", "skod.scheduler"]


def init_celery(app: Flask) -> Celery:
    """The Celery app of `app`: its settings, its tasks run in `app`'s context, and it becomes
    the default app that the shared tasks are bound to (the last app created wins)."""

    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            # eager (tests, one-process use): the caller's app context is already there
            if has_app_context():
                return self.run(*args, **kwargs)
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask)
    celery.conf.update(
        app.config["CELERY"],
        imports=TASK_MODULES,
        # Every periodic job, in one place: `skod.tick` runs each job of each domain once.
        beat_schedule={"tick": {"task": "skod.tick",
                                "schedule": float(app.config["SCHEDULER_INTERVAL_SECONDS"])}},
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery
