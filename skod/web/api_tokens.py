"""The provider's API tokens: a list with creation, last use and expiry, a revoke button each."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from skod.accounts import tokens
from skod.core.clock import utcnow
from skod.core.errors import NotFound
from skod.web.blueprint import bp
from skod.web.forms import ActionForm


@bp.get("/dashboard/tokens")
@login_required
def api_tokens() -> ResponseReturnValue:
    provider = current_user._get_current_object()
    now = utcnow()
    rows = [(row, tokens.expiry(row), tokens.usable(row, now)) for row in tokens.listed(provider)]
    return render_template("web/api_tokens.html", rows=rows, form=ActionForm(),
                           tz=provider.timezone)


@bp.post("/dashboard/tokens/<int:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int) -> ResponseReturnValue:
    if ActionForm().validate_on_submit():
        try:
            tokens.revoke(current_user._get_current_object(), token_id, utcnow())
        except NotFound:
            flash(_("This token was already revoked."), "error")
        else:
            flash(_("The token is revoked: it no longer works."), "success")
    return redirect(url_for("web.api_tokens"))
