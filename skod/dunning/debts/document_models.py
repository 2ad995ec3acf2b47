"""Dunning documents: each dunning e-mail as it was sent, the mise en demeure (step 3) with its
registered-mail task, and the recourse file (step 4). Kept apart from models.py (the debts and
their cases) so that each module stays readable; both are loaded with the package.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skod.accounts.models import Client, Provider
from skod.core.types import UTCDateTime
from skod.extensions import db


class DunningMessage(db.Model):
    """A dunning e-mail exactly as it was sent (before the invoice PDFs are attached): the
    reminders the recourse file hands to a court as .eml files."""

    __tablename__ = "dunning_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    client_email: Mapped[str] = mapped_column(String(254))
    step: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    raw: Mapped[str] = mapped_column(Text)


#: a mise en demeure: draft (waits for the provider's approval), sent (e-mailed), cancelled
#: (paid or withdrawn before it went)
NOTICE_STATES = ("draft", "sent", "cancelled")
#: the provider's "send it by registered mail" task: open, done (posted, tracking recorded),
#: closed (the debt was paid first: nothing left to post)
MAIL_TASK_STATES = ("open", "done", "closed")


class MiseEnDemeure(db.Model):
    """Step 3: one mise en demeure to one client (by e-mail address) from one provider,
    listing every overdue invoice; the PDF is frozen as sent, and the registered-mail task's
    tracking number and posting date (which starts a consumer's legal interest) are kept."""

    # the table keeps its first English name: renaming it would be a migration for a word
    __tablename__ = "formal_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    client_email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: the date printed on the letter and its final deadline (set when it goes)
    issued_on: Mapped[date | None] = mapped_column(Date)
    deadline: Mapped[date | None] = mapped_column(Date)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[str | None] = mapped_column(String(255))
    currency: Mapped[str] = mapped_column(String(3))
    #: the grand total claimed in the letter (balance + penalties + indemnities)
    total_minor: Mapped[int | None] = mapped_column(Integer)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    mail_task: Mapped[str] = mapped_column(String(16), default="open")
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    posted_on: Mapped[date | None] = mapped_column(Date)

    provider: Mapped[Provider] = relationship()
    client: Mapped[Client] = relationship()


#: the routes a recourse file recommends (law file section 6)
RECOURSE_ROUTES = ("mediation", "injonction_commerce", "injonction_judiciaire", "small_claims")


class RecourseFile(db.Model):
    """Step 4: the file a provider takes to a mediator, a commissaire de justice or a court
    (nothing is sent anywhere automatically); its ZIP is built from the stored documents."""

    __tablename__ = "recourse_files"
    __table_args__ = (
        # one open file per client (by e-mail) and provider, even with two sweeps at once
        Index("uq_recourse_open_file", "provider_id", "client_email", unique=True,
              postgresql_where=text("status = 'open'"), sqlite_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    client_email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: open (the provider's to act on), closed (paid or written off since)
    status: Mapped[str] = mapped_column(String(16), default="open")
    route: Mapped[str] = mapped_column(String(32))
    #: why this route, the alternatives, the amounts: what the summary sheet prints
    facts: Mapped[dict] = mapped_column(JSON, default=dict)
    #: the limitation deadline of the oldest debt in the file
    limitation_on: Mapped[date] = mapped_column(Date)
    #: the provider confirmed the client is not in insolvency proceedings (BODACC), or not
    insolvency_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    insolvent: Mapped[bool | None] = mapped_column()

    provider: Mapped[Provider] = relationship()
    client: Mapped[Client] = relationship()
