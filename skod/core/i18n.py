"""Translation catalogues: compile translations/*/LC_MESSAGES/messages.po to .mo when needed.

The .mo files are build output (not in git); create_app() calls compile_catalogs() so that a fresh
checkout shows French without a manual `pybabel compile`.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from babel.messages import mofile, pofile


def compile_catalogs(root: Path) -> list[Path]:
    """Compile every messages.po under `root`/*/LC_MESSAGES whose .mo is missing or older.

    Returns the .mo files written. Raises OSError when the folder is not writable.
    """
    written: list[Path] = []
    for po_path in sorted(Path(root).glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        locale = po_path.parent.parent.name
        with po_path.open("rb") as src:
            catalog = pofile.read_po(src, locale=locale)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as out:
            mofile.write_mo(out, catalog)
        tmp.replace(mo_path)
        written.append(mo_path)
    return written


def compile_catalogs_if_writable(root: Path) -> None:
    """compile_catalogs(), but a read-only install runs with the catalogues it has."""
    with contextlib.suppress(OSError):
        compile_catalogs(root)
