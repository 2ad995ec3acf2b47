"""A real SMTP server (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.support.net import free_port, wait_until


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"


class SmtpSink:
    """Listens on 127.0.0.1:<free port>; .messages are parsed EmailMessage objects."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        self._handler = _Handler()
        self._controller = Controller(self._handler, hostname=host, port=self.port)

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def received(self) -> list[Received]:
        with self._handler.lock:
            return list(self._handler.received)

    @property
    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self.received]

    def clear(self) -> None:
        with self._handler.lock:
            self._handler.received.clear()

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        """Block until at least `count` messages arrived; returns them all."""
        wait_until(lambda: len(self.received) >= count, timeout=timeout,
                   what=f"{count} e-mail(s) on SMTP port {self.port}")
        return self.messages
