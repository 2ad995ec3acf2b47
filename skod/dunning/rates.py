"""The late-payment rate table in the database (`LateRate` rows) as the pure engine's
`RateTable`, and the operator's upsert of one half-year (`flask skod rates set`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from skod.dunning.models import LateRate
from skod.dunning.penalties import RateRow, RateTable, check_row
from skod.extensions import db


def row_of(rate: LateRate) -> RateRow:
    return RateRow(rate.year, rate.half, rate.ecb_bp, rate.legal_private_bp,
                   rate.legal_other_bp, rate.verified)


def table() -> RateTable:
    """Every stored half-year. Read without autoflush: invoice issuing calls this with its
    half-built rows pending in the session."""
    with db.session.no_autoflush:
        return RateTable.of(row_of(r) for r in db.session.scalars(select(LateRate)))


def set_rate(year: int, half: int, ecb_bp: int, legal_private_bp: int | None,
             legal_other_bp: int | None, verified: bool, now: datetime) -> LateRate:
    """Create or replace the rates of one half-year (PenaltyError on a value out of range,
    before anything is written)."""
    check_row(RateRow(year, half, ecb_bp, legal_private_bp, legal_other_bp, verified))
    rate = db.session.scalar(select(LateRate).filter_by(year=year, half=half)
                             .with_for_update())
    if rate is None:
        rate = LateRate(year=year, half=half)
        db.session.add(rate)
    rate.ecb_bp = ecb_bp
    rate.legal_private_bp, rate.legal_other_bp = legal_private_bp, legal_other_bp
    rate.verified, rate.updated_at = verified, now
    db.session.commit()
    return rate
