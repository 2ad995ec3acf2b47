"""A provider's public profile: the photo is shrunk and re-encoded without its metadata, the bio
and languages show on the public page, and a bad upload changes nothing."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from skod.accounts import public_profile
from skod.core.errors import Invalid
from tests import factories as f


def _photo(size=(1200, 900), fmt="JPEG") -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make: any EXIF tag stands for the GPS block phones add
    out = io.BytesIO()
    image.save(out, fmt, exif=exif) if fmt == "JPEG" else image.save(out, fmt)
    return out.getvalue()


def test_a_photo_is_shrunk_and_loses_its_metadata():
    original = _photo()
    assert Image.open(io.BytesIO(original)).getexif()
    kept = public_profile.shrink(original)
    with Image.open(io.BytesIO(kept)) as image:
        assert image.format == "JPEG" and max(image.size) == public_profile.PHOTO_SIZE
        assert not image.getexif()


@pytest.mark.parametrize("data", [b"%PDF-1.7 not an image", _photo(fmt="GIF"), b""])
def test_anything_but_a_photo_is_refused(data):
    with pytest.raises(Invalid):
        public_profile.shrink(data)


def _log_in(client, prov: dict) -> None:  # the tests run without CSRF tokens
    resp = client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    assert resp.status_code == 302


def test_the_public_page_shows_the_photo_the_bio_and_the_languages(app, client):
    prov = f.provider(client)
    slug = prov["email"].split("@")[0].replace("provider", "provider-")
    _log_in(client, prov)
    path = "/dashboard/public-profile"
    bad = client.post(path, data={"bio": "Hello",
                                  "photo": (io.BytesIO(b"not an image"), "me.png")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and "JPEG, PNG" in bad.get_data(as_text=True)
    assert "Hello" not in client.get(f"/p/{slug}").get_data(as_text=True)
    assert client.get(f"/p/{slug}/photo.jpg").status_code == 404
    saved = client.post(path, data={
        "bio": "Expert-comptable à Lyon.\nPME et indépendants.",
        "languages": ["fr", "en"], "photo": (io.BytesIO(_photo()), "me.jpg")},
        content_type="multipart/form-data")
    assert saved.status_code == 302
    page = client.get(f"/p/{slug}?lang=fr").get_data(as_text=True)
    assert "Expert-comptable à Lyon." in page and "français, anglais" in page
    assert f"/p/{slug}/photo.jpg" in page
    photo = client.get(f"/p/{slug}/photo.jpg")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert max(Image.open(io.BytesIO(photo.data)).size) == public_profile.PHOTO_SIZE
