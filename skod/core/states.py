"""Explicit state machines: a table of allowed transitions, one function that writes `status`."""

from __future__ import annotations

import logging
from collections.abc import Mapping

log = logging.getLogger(__name__)


class IllegalTransition(Exception):
    """The transition is not in the table: a bug or a late/duplicate action."""

    def __init__(self, model: str, current: str, target: str) -> None:
        super().__init__(f"{model}: {current} -> {target} is not allowed")
        self.current = current
        self.target = target


class StateMachine:
    def __init__(self, name: str, transitions: Mapping[str, set[str]]) -> None:
        self.name = name
        self.transitions = transitions

    def can(self, current: str, target: str) -> bool:
        return target in self.transitions.get(current, set())

    def move(self, obj: object, target: str) -> None:
        """Set obj.status to target or raise IllegalTransition; the only writer of `status`."""
        current = obj.status  # type: ignore[attr-defined]
        if not self.can(current, target):
            raise IllegalTransition(self.name, current, target)
        log.info("%s %s: %s -> %s", self.name, getattr(obj, "id", "?"), current, target)
        obj.status = target  # type: ignore[attr-defined]

    def move_if(self, obj: object, target: str) -> bool:
        """Move when allowed; a late or duplicate event is logged and ignored."""
        if self.can(obj.status, target):  # type: ignore[attr-defined]
            self.move(obj, target)
            return True
        log.info("%s %s: ignored %s -> %s", self.name, getattr(obj, "id", "?"),
                 obj.status, target)  # type: ignore[attr-defined]
        return False
