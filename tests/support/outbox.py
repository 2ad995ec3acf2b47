"""Read the e-mails that MAIL_BACKEND=outbox wrote to <instance>/outbox/*.eml."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path


class Outbox:
    def __init__(self, instance_path: str | Path) -> None:
        self.path = Path(instance_path) / "outbox"

    def paths(self) -> list[Path]:
        if not self.path.is_dir():
            return []
        files = list(self.path.glob("*.eml"))
        return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))

    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                for p in self.paths()]

    __call__ = messages

    def __len__(self) -> int:
        return len(self.paths())

    def to(self, address: str) -> list[EmailMessage]:
        """Messages whose To header contains `address`."""
        return [m for m in self.messages() if address.lower() in str(m["To"] or "").lower()]

    def clear(self) -> None:
        for p in self.paths():
            p.unlink(missing_ok=True)
