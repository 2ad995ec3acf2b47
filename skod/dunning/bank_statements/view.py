"""What the receivables page shows of the bank statements: the proposals waiting for the
provider's review, each with the debts it may pay, in the page's language."""

from __future__ import annotations

from skod.core import formats
from skod.dunning.bank_statements import review
from skod.dunning.bank_statements.importing import ImportReport
from skod.dunning.debts import links


def proposals_view(provider_id: int, locale: str) -> list[dict]:
    lines = review.proposals(provider_id)
    debts = review.candidates(lines)
    shown = []
    for line in lines:
        choices = [debts[i] for i in line.candidates or [] if i in debts]
        shown.append({
            "id": line.id, "day": formats.day(line.booked_on, locale),
            "amount": formats.money(line.amount_minor, line.currency, locale),
            "payer": line.payer, "text": " ".join(p for p in (line.reference, line.label) if p),
            "choices": [{"id": r.id, "reference": links.transfer_reference(r),
                         "client": r.client.company_name or r.client.name,
                         "balance": formats.money(r.balance_minor, r.currency, locale),
                         "owed": r.status in ("open", "paused") and r.balance_minor > 0}
                        for r in choices]})
    return shown


def report_counts(report: ImportReport) -> dict[str, int]:
    """What an import did, by outcome (the page's message and the command's lines)."""
    return {"settled": report.count("settled"), "reduced": report.count("reduced"),
            "proposed": report.count("proposed"), "unrelated": report.count("unrelated"),
            "already": report.already}
