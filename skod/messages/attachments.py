"""Files sent with a question: checked (count, size, type by content), stored under
<instance>/attachments with a random name, and read back only for the provider and the client.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from werkzeug.utils import secure_filename

from skod.core.errors import Conflict, Invalid, NotFound
from skod.extensions import db
from skod.messages.asking import lock_message
from skod.messages.models import MessageAttachment

MAX_FILES = 5
MAX_BYTES = 5 * 1024 * 1024
#: accepted types and the first bytes their content must start with (None: text, checked apart)
KINDS: dict[str, bytes | None] = {
    "application/pdf": b"%PDF-",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
    "text/plain": None,
}


def folder() -> Path:
    path = Path(current_app.config["SKOD_INSTANCE_PATH"]) / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _content_type(data: bytes, declared: str) -> str | None:
    """The type the content really has, among KINDS; the client's word alone is not trusted."""
    for kind, magic in KINDS.items():
        if magic is not None and data.startswith(magic):
            return kind
    if declared == "text/plain":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text/plain"
    return None


def add(message_id: int, filename: str, declared_type: str, stream: BinaryIO,
        now: datetime) -> MessageAttachment:
    """Store one file of a question not paid yet (the client adds files before paying)."""
    message = lock_message(message_id)
    if not message.offer.attachments_allowed:
        raise Invalid("this offer takes no attachments", {"file": ["not allowed"]})
    if message.status not in ("awaiting_card", "action_required"):
        raise Conflict("files are added before paying", code="invalid_state")
    if len(message.attachments) >= MAX_FILES:
        raise Invalid("too many files", {"file": [f"at most {MAX_FILES} files"]})
    data = stream.read(MAX_BYTES + 1)
    if not data:
        raise Invalid("the file is empty", {"file": ["empty"]})
    if len(data) > MAX_BYTES:
        raise Invalid("the file is too large", {"file": [f"at most {MAX_BYTES} bytes"]})
    kind = _content_type(data, (declared_type or "").split(";")[0].strip())
    if kind is None:
        raise Invalid("this type of file is not accepted",
                      {"file": ["PDF, PNG, JPEG or plain text only"]})
    storage_name = secrets.token_hex(16)
    (folder() / storage_name).write_bytes(data)
    attachment = MessageAttachment(
        message_id=message.id, filename=(secure_filename(filename or "") or "file")[:255],
        content_type=kind, size=len(data), storage_name=storage_name, created_at=now)
    db.session.add(attachment)
    db.session.commit()
    return attachment


def find(message_id: int, attachment_id: int) -> tuple[MessageAttachment, Path]:
    """The attachment of this message and its file; 404 for another message's attachment."""
    attachment = db.session.get(MessageAttachment, attachment_id)
    if attachment is None or attachment.message_id != message_id:
        raise NotFound("attachment not found")
    path = folder() / attachment.storage_name
    if not path.is_file():
        raise NotFound("attachment not found")
    return attachment, path
