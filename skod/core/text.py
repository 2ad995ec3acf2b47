"""Pure rules on text that crosses a boundary: what a one-line or a multi-line field may hold
at entry, and how text already stored is made harmless on its way out (mail headers, CSV cells).

A one-line field (a name, a title, a place, a subject...) holds no control character: no CR or
LF (they would split an e-mail header), no other C0 (U+0000-U+001F), no DEL, no C1
(U+0080-U+009F). A multi-line text keeps tabs and line breaks (a browser's textarea sends
CR LF) and nothing else of these.
"""

from __future__ import annotations

import re

#: C0, DEL and C1: never in a one-line field
LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_LINE_CONTROL_RUN = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
#: the same but tab, LF and CR: never in a multi-line text
TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: a UTF-16 surrogate on its own: no valid text holds one, nothing can encode it as UTF-8
SURROGATE = re.compile(r"[\ud800-\udfff]")
#: the first characters that make a spreadsheet read a cell as a formula (OWASP CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")

LINE_MESSAGE = "control characters (line breaks included) are not accepted here"
TEXT_MESSAGE = "control characters other than line breaks and tabs are not accepted"


def line_problem(value: str) -> str | None:
    """Why `value` cannot be a one-line field, or None."""
    return LINE_MESSAGE if LINE_CONTROL.search(value) else None


def text_problem(value: str) -> str | None:
    """Why `value` cannot be a multi-line text, or None."""
    return TEXT_MESSAGE if TEXT_CONTROL.search(value) else None


def has_surrogate(value: str) -> bool:
    return SURROGATE.search(value) is not None


def one_line(value: str) -> str:
    """`value` for an e-mail header: every run of control characters (CR LF included) becomes
    one space. For text stored before entry refused them: it must never break a send."""
    return _LINE_CONTROL_RUN.sub(" ", value).strip() if LINE_CONTROL.search(value) else value


def csv_cell(value: str) -> str:
    """A cell a spreadsheet will not run: text starting like a formula gets a leading `'`.
    Plain decimals ("-12.50", a credit note's amount) stay numbers: they cannot be formulas."""
    if value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value
