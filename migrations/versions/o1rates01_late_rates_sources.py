"""late rates: every half-year from 2021 H1 (the oldest a 5-year limitation reaches), each
with its source (ECB decision, arrêté and its JO date)

Revision ID: o1rates01
Revises: n1savedcard01
Create Date: 2026-12-07 01:00:00.000000

Idempotent with the rows already there: a half-year is inserted only when missing, and a source
is only written where none is stored (an operator's `rates set --source` is kept).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'o1rates01'
down_revision = 'n1savedcard01'
branch_labels = None
depends_on = None

_ZERO = ("ECB: main refinancing rate 0.00 % (from 16 March 2016 until the rise to 0.50 % "
         "effective 27 July 2022, decision of 21 July 2022). ")
#: law file section 1 (year, half, ECB, legal private, legal other, verified; basis points)
#: and the source of each row
RATES = [
    (2021, 1, 0, 314, 79, True, _ZERO + "Legal rates: arrêté of December 2020 for 2021 S1 "
     "(published notes: dandrel-avocats.fr, infonet.fr)."),
    (2021, 2, 0, 312, 76, True, _ZERO + "Legal rates: arrêté of June 2021 for 2021 S2 "
     "(published note: dandrel-avocats.fr)."),
    (2022, 1, 0, 313, 76, True, _ZERO + "Legal rates: arrêté ECOT2138139A of 26 December "
     "2021, JO of 28 December 2021."),
    (2022, 2, 0, 315, 77, True, _ZERO + "Legal rates: arrêté of 27 June 2022 for 2022 S2."),
    (2023, 1, 250, 447, 206, True, "ECB decision of 15 December 2022: 2.50 % from 21 December "
     "2022. Legal rates: arrêté of 26 December 2022, in force 1 January 2023."),
    (2023, 2, 400, 682, 422, True, "ECB decision of 15 June 2023: 4.00 % from 21 June 2023. "
     "Legal rates: arrêté ECOT2317028A of 27 June 2023, JO of 30 June 2023."),
]
#: the sources of the rows seeded by d1dunning01
SOURCES = {
    (2024, 1): "ECB decision of 14 September 2023: 4.50 % from 20 September 2023. Legal "
               "rates: arrêté of 21 December 2023 for 2024 S1.",
    (2024, 2): "ECB decision of 6 June 2024: 4.25 % from 12 June 2024. Legal rates: arrêté "
               "of June 2024 for 2024 S2 (law file table).",
    (2025, 1): "ECB decision of 12 December 2024: 3.15 % from 18 December 2024. Legal rates: "
               "arrêté of 17 December 2024 for 2025 S1.",
    (2025, 2): "ECB decision of 5 June 2025: 2.15 % from 11 June 2025. Legal rates: arrêté "
               "ECOT2516925A of 19 June 2025, JO of 24 June 2025.",
    (2026, 1): "ECB: 2.15 % (unchanged since 11 June 2025). Legal rates: arrêté of 15 "
               "December 2025, JO n° 302 of 26 December 2025.",
    (2026, 2): "ECB 2.15 % assumed unchanged; the arrêté of the legal rates for 2026 S2 is "
               "not found yet: unverified.",
}


def upgrade():
    with op.batch_alter_table('late_rates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=255), nullable=True))
    bind = op.get_bind()
    have = {tuple(row) for row in bind.execute(sa.text("SELECT year, half FROM late_rates"))}
    insert = sa.text(
        "INSERT INTO late_rates (year, half, ecb_bp, legal_private_bp, legal_other_bp, "
        "verified, source, updated_at) VALUES (:y, :h, :e, :p, :o, :v, :s, CURRENT_TIMESTAMP)")
    for y, h, e, p, o, v, s in RATES:
        if (y, h) not in have:
            bind.execute(insert, {"y": y, "h": h, "e": e, "p": p, "o": o, "v": v, "s": s})
    update = sa.text("UPDATE late_rates SET source = :s "
                     "WHERE year = :y AND half = :h AND source IS NULL")
    for (y, h), s in SOURCES.items():
        bind.execute(update, {"y": y, "h": h, "s": s})


def downgrade():
    # the half-years this revision inserted go with the column (known by their source text:
    # a row that was there before, or that an operator corrected since, stays)
    delete = sa.text("DELETE FROM late_rates WHERE year = :y AND half = :h AND source = :s")
    for y, h, _e, _p, _o, _v, s in RATES:
        op.get_bind().execute(delete, {"y": y, "h": h, "s": s})
    with op.batch_alter_table('late_rates', schema=None) as batch_op:
        batch_op.drop_column('source')
