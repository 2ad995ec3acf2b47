"""The late-payment rate table in the database (`LateRate` rows) as the pure engine's
`RateTable`, the operator's upsert of one half-year (`flask skod rates set`) and the check that
today's half-year has a verified row (the CLI's and the scheduler's warning)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy import select

from skod.dunning.debts.models import LateRate
from skod.dunning.rules.penalties import (
    PenaltyError,
    RateRow,
    RateTable,
    check_row,
    half_of,
    split_by_half,
)
from skod.extensions import db

SOURCE_MAX = 255


def row_of(rate: LateRate) -> RateRow:
    return RateRow(rate.year, rate.half, rate.ecb_bp, rate.legal_private_bp,
                   rate.legal_other_bp, rate.verified)


def stored() -> list[LateRate]:
    """Every stored half-year, oldest first."""
    return list(db.session.scalars(select(LateRate).order_by(LateRate.year, LateRate.half)))


def table() -> RateTable:
    """Every stored half-year. Read without autoflush: invoice issuing calls this with its
    half-built rows pending in the session."""
    with db.session.no_autoflush:
        return RateTable.of(row_of(r) for r in db.session.scalars(select(LateRate)))


def parse_half(text: str) -> tuple[int, int]:
    """"2027-H1" (or "2027-S1", "2027 H2") -> (2027, 1); PenaltyError otherwise."""
    found = re.fullmatch(r"\s*(\d{4})[-\s]?[HhSs]([12])\s*", text or "")
    if found is None:
        raise PenaltyError(f"{text!r} is not a half-year such as 2027-H1", "half")
    return int(found[1]), int(found[2])


def set_rate(year: int, half: int, ecb_bp: int, legal_private_bp: int | None,
             legal_other_bp: int | None, verified: bool, now: datetime,
             source: str | None = None) -> LateRate:
    """Create or replace the rates of one half-year (PenaltyError on a value out of range,
    before anything is written). A replaced row keeps its source unless a new one is given."""
    check_row(RateRow(year, half, ecb_bp, legal_private_bp, legal_other_bp, verified))
    if source is not None and (len(source.strip()) > SOURCE_MAX or not source.isprintable()):
        raise PenaltyError(f"the source is printable text of at most {SOURCE_MAX} characters",
                           "source")
    rate = db.session.scalar(select(LateRate).filter_by(year=year, half=half)
                             .with_for_update())
    if rate is None:
        rate = LateRate(year=year, half=half)
        db.session.add(rate)
    rate.ecb_bp = ecb_bp
    rate.legal_private_bp, rate.legal_other_bp = legal_private_bp, legal_other_bp
    rate.verified, rate.updated_at = verified, now
    if source is not None:
        rate.source = source.strip() or None
    db.session.commit()
    return rate


def provisional_between(start: date, end: date) -> list[tuple[int, int]]:
    """The half-years from the day after `start` to `end` whose ECB or legal rate is not
    verified (unverified row, or none so that an earlier one is used)."""
    known = table()  # one read for every half-year
    out = []
    for low, _high in split_by_half(start + timedelta(days=1), end):
        half = half_of(low)
        try:
            flagged = known.rate(half, "ecb_bp").flags
        except PenaltyError:
            flagged = ("no_rate",)
        if flagged:
            out.append(half)
    return out


def current_gap(today: date) -> str | None:
    """What the operator must be told about today's half-year: None when its row is there and
    verified, else the sentence (the letters would print a provisional rate)."""
    year, half = half_of(today)
    rate = db.session.scalar(select(LateRate).filter_by(year=year, half=half))
    if rate is None:
        return (f"{year} H{half} has no row in the rate table: the last known half-year's "
                f"rates are used and printed as provisional (flask skod rates set "
                f"{year}-H{half} ...)")
    if not rate.verified:
        return (f"{year} H{half} is marked unverified: its rates are printed as provisional "
                f"until `flask skod rates set {year}-H{half} ... --verified`")
    return None
