"""A provider's public profile: a photo, a few lines about them, the languages they work in.

The photo is never stored as sent: it is opened (only JPEG, PNG or WebP), shrunk to PHOTO_SIZE
and re-encoded as JPEG, which drops its metadata (a phone photo's EXIF carries where it was
taken). The service owns the transaction; bad input raises Invalid and changes nothing.
"""

from __future__ import annotations

import io
from datetime import datetime

from babel import Locale

from skod.accounts.models import Provider
from skod.core.errors import Invalid
from skod.extensions import db

#: the languages a provider can list (codes of the Babel locales the pages name them with)
LANGUAGES = ("fr", "en", "es", "de", "it", "pt", "nl", "ar", "zh", "ja", "ru", "pl")
BIO_MAX = 1500
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_SIZE = 512
_FORMATS = ("JPEG", "PNG", "WEBP")


def language_names(provider: Provider, locale: str) -> list[str]:
    """The provider's languages named in the reader's language ("anglais", "English")."""
    return language_names_of([c for c in (provider.languages or "").split(",")
                              if c in LANGUAGES], locale)


def language_names_of(codes, locale: str) -> list[str]:  # noqa: ANN001 - language codes
    return [Locale.parse(code).get_display_name(locale) for code in codes]


def save(provider: Provider, *, bio: str | None, languages: list[str],
         photo: bytes | None, remove_photo: bool, now: datetime) -> Provider:
    bio = (bio or "").strip() or None
    if bio and len(bio) > BIO_MAX:
        raise Invalid("the text is too long", {"bio": [f"at most {BIO_MAX} characters"]})
    unknown = sorted(set(languages) - set(LANGUAGES))
    if unknown:
        raise Invalid("unknown language", {"languages": unknown})
    image = shrink(photo) if photo else None  # checked before anything changes
    provider.bio = bio
    provider.languages = ",".join(c for c in LANGUAGES if c in languages) or None
    if image is not None:
        provider.photo, provider.photo_at = image, now
    elif remove_photo:
        provider.photo, provider.photo_at = None, None
    db.session.commit()
    return provider


def shrink(data: bytes) -> bytes:
    """The photo as a JPEG of at most PHOTO_SIZE px a side, without metadata."""
    from PIL import Image, UnidentifiedImageError  # only when a photo is sent

    if len(data) > PHOTO_MAX_BYTES:
        raise Invalid("the photo is too large", {"photo": ["at most 5 MB"]})
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in _FORMATS:
                raise Invalid("not a photo", {"photo": ["a JPEG, PNG or WebP image"]})
            image.thumbnail((PHOTO_SIZE, PHOTO_SIZE))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as err:
        raise Invalid("not a photo", {"photo": ["a JPEG, PNG or WebP image"]}) from err
    return out.getvalue()
