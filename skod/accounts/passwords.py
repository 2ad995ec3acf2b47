"""Password rules (NIST SP 800-63B style) and hashing that costs the same for every login.

Rules: at least MIN_LENGTH characters, not only spaces, not a common password (the 30,000 most
common ones that the zxcvbn package ships, plus a few French ones it lacks), not the same
character pattern over and over, not the account's own e-mail, name or page address. No rule on
character classes: NIST advises against them (they make passwords harder to remember, not to
guess).

verify() runs one hash check even for an unknown e-mail (against a dummy hash), so that the
answer time does not tell which e-mails have an account.
"""

from __future__ import annotations

import re
import secrets
from functools import cache

from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 10
MAX_LENGTH = 200
#: common French passwords missing from zxcvbn's (English) list
FRENCH_COMMON = ("motdepasse", "motdepasse1", "motdepasse123", "azertyuiop", "azerty123",
                 "azerty1234", "doudou", "chouchou", "loulou", "bonjour", "bonjour123",
                 "marseille", "toulouse", "nicolas", "camille", "julien", "jetaime", "soleil",
                 "coucou", "chocolat", "tintin", "naruto", "france", "vivelafrance")

MESSAGES = {
    "too_short": _l("At least %(n)s characters.", n=MIN_LENGTH),
    "too_long": _l("At most %(n)s characters.", n=MAX_LENGTH),
    "blank": _l("The password cannot be only spaces."),
    "common": _l("This password is too common: choose a longer one, such as a few unrelated "
                 "words."),
    "repetitive": _l("This password repeats the same characters: choose a less predictable "
                     "one."),
    "personal": _l("The password must not contain your e-mail, name or page address."),
}


@cache
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"]) | frozenset(FRENCH_COMMON)


def _letters(value: str) -> str:
    """Lowercase letters and digits only: "Jeanne.Martin" and "jeanne-martin" are one word."""
    return re.sub(r"[\W_]+", "", value.lower())


def _is_common(password: str) -> bool:
    lowered = password.strip().lower()
    # "Password123!" or "soleil-2024" is the common word with a predictable ending
    stem = re.sub(r"[\W\d_]+$", "", lowered)
    return lowered in _common() or stem in _common() or _letters(password) in _common()


def _is_personal(password: str, context: tuple[str, ...]) -> bool:
    flat = _letters(password)
    for value in context:
        word = _letters(value or "")
        # the e-mail, name or address itself, give or take a few characters around it
        if len(word) >= 3 and word in flat and len(flat) - len(word) < 6:
            return True
    return False


def problem(password: str, email: str = "", name: str = "", slug: str = "") -> str | None:
    """The first broken rule (a key of MESSAGES), or None when the password is acceptable."""
    if not password.strip():
        return "blank"
    if _is_common(password):
        return "common"
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    if len(set(password.lower())) <= 2:
        return "repetitive"
    local = email.split("@", 1)[0]
    if _is_personal(password, (email, local, name, slug)):
        return "personal"
    return None


def message(key: str) -> str:
    return str(MESSAGES[key])


def hash_password(password: str) -> str:
    return generate_password_hash(password)


@cache
def _dummy_hash() -> str:
    # same method and cost as a real hash, for a password nobody knows
    return generate_password_hash(secrets.token_urlsafe(24))


def verify(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; with no account (None) the same hash work, then False."""
    if password_hash is None:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(password_hash, password)
