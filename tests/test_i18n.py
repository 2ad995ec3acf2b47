"""Every string of the code and templates has its French translation (French comes first)."""

from __future__ import annotations

import re
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


#: what may follow a colon glued to a word: a time (10:00), a URL scheme, a format code
_NOT_PROSE = re.compile(r"\d{1,2}:\d{2}|https?:|mailto:|%\([a-z_]+\)s:")


def _french_strings() -> list[tuple[str, str]]:
    with (ROOT / "translations/fr/LC_MESSAGES/messages.po").open("rb") as f:
        french = read_po(f, locale="fr")
    out = []
    for message in french:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        out += [(str(message.id), s) for s in strings if message.id and s]
    return out


def test_french_punctuation_has_its_narrow_no_break_space():
    """« : ; ? ! » in French take a (narrow) no-break space before them, and « » inside:
    a plain space breaks the line before the colon, none at all is English typography."""
    wrong = []
    for msgid, text in _french_strings():
        prose = _NOT_PROSE.sub(" ", text)
        if re.search(r"[^\u202f\u00a0][:;?!]", prose) or re.search(r"« |«\w| »|\w»", prose):
            wrong.append((msgid, text))
    assert wrong == [], "run scripts/french_spacing.py on the catalogue"


def test_french_agrees_where_the_issue_found_it_did_not():
    """The words #23 found in the wrong gender: a milestone (une étape) is terminée."""
    french = dict(_french_strings())
    asked = "Marquer «\u202f%(title)s\u202f» comme terminée\u202f?"
    assert french["Mark “%(title)s” done?"] == asked
    assert "envoyé par e-mail au client" not in " ".join(french.values())
    assert "ne prépare pas encore" not in " ".join(french.values())  # the file exists
