"""Put French spacing into the French catalogue: a narrow no-break space (U+202F) before
: ; ? ! and inside « ». Run it after merging branches that added French entries with a plain
space (tests/test_i18n.py fails on them and names them):

    .venv/bin/python scripts/french_spacing.py translations/fr/LC_MESSAGES/messages.po

Only msgstr lines change (the header and the English msgids stay as they are); a colon of a
time (10:00), a URL (https:) or a format code (%(x)s:) is left alone.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

NNBSP = "\u202f"
_BEFORE = re.compile(r"[ \u00a0]([:;?!])")
_GLUED = re.compile(r"(?<=[A-Za-zÀ-ÿ)»])([:;?!])(?=[ \"\\]|$)")
_OPENING = re.compile(r"«[ \u00a0\u202f]?")
_CLOSING = re.compile(r"[ \u00a0\u202f]?»")


def spaced(text: str) -> str:
    """`text` with French spacing: "Appel : échec" and "Appel: échec" give "Appel\u202f: échec";
    « x » gets its narrow spaces inside."""
    text = _BEFORE.sub(NNBSP + r"\1", text)
    text = _GLUED.sub(NNBSP + r"\1", text)
    text = _OPENING.sub("«" + NNBSP, text)
    return _CLOSING.sub(NNBSP + "»", text)


def spaced_catalogue(po: str) -> str:
    """The .po text with every msgstr (and its continuation lines) spaced; the header kept."""
    out, in_string, header = [], False, True
    for line in po.split("\n"):
        header = header and line != ""
        if line.startswith("msgstr"):
            in_string = True
        elif not line.startswith('"'):
            in_string = False
        out.append(spaced(line) if in_string and not header else line)
    return "\n".join(out)


def main(paths: list[str]) -> None:
    for path in map(Path, paths):
        path.write_text(spaced_catalogue(path.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
