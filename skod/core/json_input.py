"""Checks of a JSON body that must run before (depth) or right after (strings) it is parsed.

Python's json module parses nested arrays and objects by recursion: a body nested 100,000 deep
raises RecursionError, which no handler expects. depth_exceeds() looks at the raw bytes without
recursion and stops at the first bracket past the limit. Parsed strings may still hold what no
column can take: a lone UTF-16 surrogate ("\\ud800" escapes, nothing can encode them) or a NUL
(PostgreSQL text cannot hold one); bad_string() finds the first and where it is.
"""

from __future__ import annotations

import re

from skod.core.text import has_surrogate

#: deeper than this is no body of this API (the deepest schema nests 3 levels)
MAX_JSON_DEPTH = 64

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
_OPENING = frozenset(b"[{")


def depth_exceeds(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether brackets outside strings nest deeper than `limit` (an unterminated string
    counts its brackets: such a body is malformed anyway)."""
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', raw)):
        if match.group()[0] in _OPENING:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def bad_string(value: object, path: tuple = ()) -> tuple[str, tuple] | None:
    """("surrogate" | "nul", path of keys and indexes) of the first bad string, else None.
    Recursive, but only on bodies depth_exceeds() let through."""
    if isinstance(value, str):
        if has_surrogate(value):
            return "surrogate", path
        return ("nul", path) if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = bad_string(key, path) or bad_string(item, (*path, key))
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = bad_string(item, (*path, index))
            if found:
                return found
    return None


def nested_fields(path: tuple, message: str) -> dict:
    """{"client": {"name": [message]}}: the path in the shape of marshmallow's field errors."""
    fields: dict | list = [message]
    for key in reversed(path or ("_schema",)):
        fields = {str(key): fields}
    return fields
