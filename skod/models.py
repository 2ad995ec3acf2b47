"""Every model module, imported once so that the metadata (and Alembic) sees every table."""

from skod.accounts import models as accounts  # noqa: F401
from skod.calls import models as calls  # noqa: F401
from skod.catalog import models as catalog  # noqa: F401
from skod.core import installation  # noqa: F401
from skod.dunning.bank_statements import models as bank_statements  # noqa: F401
from skod.dunning.debts import models as dunning  # noqa: F401
from skod.dunning.disputes import models as client_disputes  # noqa: F401
from skod.dunning.transfers import models as transfers  # noqa: F401
from skod.invoicing import models as invoicing  # noqa: F401
from skod.messages import models as messages  # noqa: F401
from skod.payments import (
    disputes,  # noqa: F401
    refunds,  # noqa: F401
    saved_cards,  # noqa: F401
)
from skod.payments import models as payments  # noqa: F401
from skod.projects import models as projects  # noqa: F401
from skod.webhooks import models as webhooks  # noqa: F401
