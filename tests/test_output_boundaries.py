"""Text stored before entry refused it cannot hurt on the way out: e-mail headers are made one
line (no injected Bcc, no crashed send), CSV cells that a spreadsheet would run are written as
text, and a photo of too many pixels is refused from its header, before any decoding."""

from __future__ import annotations

import csv
import io
import re
import resource
import struct
import time
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from skod.accounts import public_profile
from skod.accounts.models import Client, Provider
from skod.core.errors import Invalid
from skod.core.text import csv_cell, one_line
from skod.extensions import db
from tests import factories as f
from tests.invoice_support import issue

EVIL = "Eve\r\nBcc: x@evil.test"
FORMULA = '=HYPERLINK("http://evil.test","clic")'
MAR = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize(("cell", "written"), [
    (FORMULA, "'" + FORMULA), ("+33 1 23", "'+33 1 23"), ("-1+2", "'-1+2"), ("@SUM(A1)",
                                                                          "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("-12.50", "-12.50"), ("15.00", "15.00"),
    ("Bruno Petit", "Bruno Petit"), ("", ""),
])
def test_csv_cells_that_look_like_formulas_are_written_as_text(cell, written):
    assert csv_cell(cell) == written


def test_one_line_folds_every_control_run_into_a_space():
    assert one_line(EVIL) == "Eve Bcc: x@evil.test"
    assert one_line("a\x00\x85b\x7f") == "a b"
    assert one_line("Paul Durand") == "Paul Durand"


def _evil_client(provider_id: int) -> int:
    """A client as stored before entry refused formulas' neighbours: straight in the table."""
    row = Client(provider_id=provider_id, email="evil@example.test", name=FORMULA,
                 kind="consumer", locale="fr")
    db.session.add(row)
    db.session.commit()
    return row.id


def test_a_formula_client_name_is_text_in_both_csv_exports(app, client, tmp_path):
    prov = f.provider(client)
    with app.app_context():
        pid = db.session.scalar(select(Provider.id).where(Provider.email == prov["email"]))
        issue(pid, _evil_client(pid), 4500, now=MAR)
    assert client.post("/login", data={"email": prov["email"],
                                       "password": "kiwi-falcon-2291"}).status_code == 302
    page = list(csv.DictReader(io.StringIO(client.get("/invoices.csv").get_data(as_text=True))))
    out = tmp_path / "export.csv"
    result = app.test_cli_runner().invoke(args=[
        "skod", "invoices", "export", "--from", "2026-03-01", "--to", "2026-03-31",
        "-o", str(out)])
    assert result.exit_code == 0, result.output
    command = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    for rows in (page, command):
        assert [r["client"] for r in rows] == ["'" + FORMULA]
        assert rows[0]["ttc"] == "45.00"  # numbers stay numbers


def test_a_stored_name_with_a_line_break_is_sent_in_a_clean_header(app, client, card_pm,
                                                                   outbox, now):
    """Names stored before the fix: the booking confirmation still goes, with no Bcc."""
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=3), now))
    with app.app_context():
        provider = db.session.scalar(select(Provider).where(Provider.email == prov["email"]))
        provider.name = EVIL
        for row in db.session.scalars(select(Client)):
            row.name = EVIL
        db.session.commit()
    outbox.clear()
    f.pay(client, booking, card_pm().id)
    sent = outbox.messages()
    assert sent, "the confirmation was not sent"
    for message in sent:
        raw = message.as_string()
        head = raw.split("\n\n", 1)[0]
        assert "\nBcc:" not in head and "bcc" not in {k.lower() for k in message}
        assert "\r" not in str(message["Subject"]) and "\n" not in str(message["Subject"])
    subjects = " ".join(str(m["Subject"]) for m in sent)
    assert "Eve Bcc: x@evil.test" in subjects


def _png(width: int, height: int) -> bytes:
    """A one-colour 1-bit PNG of any size, written row by row with zlib: 13,000 x 13,000 is
    about 30 KB on disk and never exists decoded in this process."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data)
            + chunk(b"IEND", b""))


@pytest.mark.parametrize("size", [(13_000, 13_000), (10_001, 10), (10, 10_001),
                                  (7_000, 7_000)])
def test_a_photo_of_too_many_pixels_is_refused_before_decoding(size):
    data = _png(*size)
    assert len(data) < 1024 * 1024
    start_kib = _reset_peak()
    started = time.monotonic()
    with pytest.raises(Invalid) as err:
        public_profile.shrink(data)
    assert time.monotonic() - started < 1
    assert err.value.fields == {"photo": [public_profile.TOO_MANY_PIXELS]}
    grown = _peak_kib() - start_kib
    assert grown < 50 * 1024, f"{grown} KiB more at the peak"


def _status_kib(name: str) -> int:
    with open("/proc/self/status") as status:
        return int(re.search(rf"^{name}:\s+(\d+) kB", status.read(), re.M).group(1))


def _reset_peak() -> int:
    """Bring the process's peak resident memory down to what it holds now (Linux's
    clear_refs), so that an earlier test's peak cannot hide a growth; the resident size now.
    Where that is refused, the peak so far (a weaker measure: it can only see a new peak)."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return _status_kib("VmRSS")


def _peak_kib() -> int:
    try:
        return _status_kib("VmHWM")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def test_a_photo_at_the_limits_is_accepted():
    assert public_profile.shrink(_png(10_000, 4_000))


def test_the_profile_page_says_the_photo_is_too_large(client):
    prov = f.provider(client)
    assert client.post("/login", data={"email": prov["email"],
                                       "password": "kiwi-falcon-2291"}).status_code == 302
    client.get("/dashboard?lang=en")
    resp = client.post("/dashboard/public-profile", data={
        "bio": "Hello", "photo": (io.BytesIO(_png(13_000, 13_000)), "big.png")},
        content_type="multipart/form-data")
    assert resp.status_code == 422
    assert "at most 10,000 pixels a side" in resp.get_data(as_text=True)
