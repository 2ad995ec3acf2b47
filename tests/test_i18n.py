"""Every string of the code and templates has its French translation (French comes first)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]


def test_french_catalogue_covers_every_string(tmp_path):
    pot = tmp_path / "all.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), "-o", str(pot), "skod", "templates"],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as f:
        template = read_po(f)
    with (ROOT / "translations/fr/LC_MESSAGES/messages.po").open("rb") as f:
        french = read_po(f, locale="fr")
    assert len(template) > 300  # the extraction did find the strings
    missing = [m.id for m in template if m.id and not getattr(french.get(m.id), "string", "")]
    assert missing == []
