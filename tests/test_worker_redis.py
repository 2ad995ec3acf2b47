"""A real Celery worker on the Redis broker runs our tasks inside the Flask app."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from celery import Celery

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def worker(tmp_path, pg_url, redis_url):
    env = dict(os.environ, CELERY_BROKER_URL=redis_url, CELERY_TASK_ALWAYS_EAGER="0",
               DATABASE_URL=pg_url, SKOD_INSTANCE_PATH=str(tmp_path), MAIL_BACKEND="outbox")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "skod.worker:celery", "worker",
         "--pool=solo", "--loglevel=warning", "-Q", "celery"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    yield tmp_path
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_worker_delivers_mail_through_redis(worker, monkeypatch, redis_url):
    # Celery lets CELERY_BROKER_URL (memory:// for the in-process tests) win over `broker=`.
    monkeypatch.setenv("CELERY_BROKER_URL", redis_url)
    sender = Celery(broker=redis_url)
    msg = EmailMessage()
    msg["To"], msg["Subject"] = "worker@example.test", "Through Redis"
    msg.set_content("hello from the queue")
    sender.send_task("skod.notifications.tasks.deliver_email", args=[msg.as_string()])
    outbox = worker / "outbox"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(outbox.glob("*.eml")):
        time.sleep(0.2)
    [eml] = list(outbox.glob("*.eml"))
    assert "Through Redis" in eml.read_text()
