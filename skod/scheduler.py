"""One tick: every periodic job of every domain, once, as of `now` (beat and `flask skod tick`)."""

from __future__ import annotations

from datetime import datetime

from skod.calls import jobs as call_jobs
from skod.core.isolation import isolated
from skod.dunning.debts import jobs as dunning_jobs
from skod.invoicing import jobs as invoice_jobs
from skod.messages import jobs as message_jobs
from skod.projects import jobs as project_jobs
from skod.webhooks import jobs as webhook_jobs


def tick(now: datetime) -> dict[str, int]:
    """Each domain's jobs in turn; the report names every job with what it did."""
    report: dict[str, int] = {}
    # invoicing after the services: it invoices what they delivered in this very tick; dunning
    # last: it chases what is still unpaid once all of that is recorded
    for domain in (call_jobs, message_jobs, project_jobs, webhook_jobs, invoice_jobs,
                   dunning_jobs):
        with isolated(domain.__name__, "(run_all)"):  # one domain never stops the next
            report.update(domain.run_all(now))
    return report
