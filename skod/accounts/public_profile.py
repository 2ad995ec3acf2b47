"""A provider's public profile: a photo, a few lines about them, the languages they work in.

The photo is never stored as sent: it is opened (only JPEG, PNG or WebP), shrunk to PHOTO_SIZE
and re-encoded as JPEG, which drops its metadata (a phone photo's EXIF carries where it was
taken). The service owns the transaction; bad input raises Invalid and changes nothing.
"""

from __future__ import annotations

import io
import warnings
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
#: read from the image's header before any pixel is decoded: a 0.5 MB PNG can be 13,000 px a
#: side (169 million pixels, 650 MB of memory once decoded)
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_MAX_SIDE = 10_000
TOO_MANY_PIXELS = "too_many_pixels"
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
    # Pillow's own ceiling too (it refuses twice this at open, before decoding)
    Image.MAX_IMAGE_PIXELS = PHOTO_MAX_PIXELS
    try:
        with warnings.catch_warnings():  # between 1x and 2x Pillow's ceiling: _check_size
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # lazy: reads the header only
        with image:
            if image.format not in _FORMATS:
                raise Invalid("not a photo", {"photo": ["a JPEG, PNG or WebP image"]})
            _check_size(*image.size)
            image.thumbnail((PHOTO_SIZE, PHOTO_SIZE))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    except Image.DecompressionBombError as err:
        raise _too_many_pixels() from err
    except (UnidentifiedImageError, OSError) as err:
        raise Invalid("not a photo", {"photo": ["a JPEG, PNG or WebP image"]}) from err
    return out.getvalue()


def _check_size(width: int, height: int) -> None:
    if width > PHOTO_MAX_SIDE or height > PHOTO_MAX_SIDE or width * height > PHOTO_MAX_PIXELS:
        raise _too_many_pixels()


def _too_many_pixels() -> Invalid:
    return Invalid("the photo has too many pixels", {"photo": [TOO_MANY_PIXELS]})
