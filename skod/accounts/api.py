"""API: sign-up, profile, tokens."""

from __future__ import annotations

from flask_smorest import Blueprint

from skod.accounts import password_reset, services, stripe_account, tokens
from skod.accounts.auth import require_provider
from skod.accounts.login_guard import login_limits, reset_limits
from skod.accounts.schemas import (
    OnboardingLinkSchema,
    PasswordChangeSchema,
    PasswordResetRequestSchema,
    PasswordResetSchema,
    ProfileUpdateSchema,
    ProviderSchema,
    SignUpSchema,
    TokenInfoSchema,
    TokenRequestSchema,
    TokenSchema,
)
from skod.core.clock import utcnow

blp = Blueprint("accounts_api", __name__, description="Providers and API tokens")


@blp.post("/providers")
@blp.arguments(SignUpSchema)
@blp.response(201, ProviderSchema)
def sign_up(data: dict):
    return services.sign_up(data)


@blp.get("/me")
@blp.response(200, ProviderSchema)
def me():
    return require_provider()


@blp.patch("/me")
@blp.arguments(ProfileUpdateSchema)
@blp.response(200, ProviderSchema)
def update_me(data: dict):
    return services.update_profile(require_provider(), data)


@blp.post("/me/stripe/onboarding")
@blp.response(200, OnboardingLinkSchema)
def stripe_onboarding():
    """A fresh Stripe Account Link for the provider's connected account (created on first
    call): open `url` to give Stripe what it needs before payments can be taken."""
    return {"url": stripe_account.onboarding_url(require_provider())}


@blp.post("/me/password")
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
def change_password(data: dict):
    """A new password; every login session of the provider ends, and every API token too
    with `revoke_tokens` (else they stay: revoke them one by one)."""
    services.change_password(require_provider(), data["current_password"],
                             data["new_password"], revoke_tokens=data["revoke_tokens"])


@blp.post("/auth/tokens")
@login_limits
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
def create_token(data: dict):
    """A new API token for this e-mail and password, valid `expires_in_days` (1 to 365,
    default 90); the token is shown this once."""
    provider = services.authenticate(data["email"], data["password"])
    row, token = tokens.issue(provider, utcnow(), data["expires_in_days"])
    return {"id": row.id, "token": token, "created_at": row.created_at,
            "expires_at": row.expires_at}


@blp.get("/auth/tokens")
@blp.response(200, TokenInfoSchema(many=True))
def list_tokens():
    """The caller's tokens not revoked, with their creation, last use and expiry."""
    return tokens.listed(require_provider())


@blp.delete("/auth/tokens/<int:token_id>")
@blp.response(204)
def revoke_token(token_id: int):
    """This token stops working at once (revoking the token used for the call is allowed)."""
    tokens.revoke(require_provider(), token_id, utcnow())


@blp.post("/auth/password-reset")
@reset_limits
@blp.arguments(PasswordResetRequestSchema)
@blp.response(202)
def ask_password_reset(data: dict):
    """E-mails a link to choose a new password (valid one hour, works once) if the e-mail has
    an account; the answer is the same either way."""
    password_reset.request_reset(data["email"], utcnow())


@blp.post("/auth/password-reset/confirm")
@blp.arguments(PasswordResetSchema)
@blp.response(204)
def reset_password(data: dict):
    """The new password from the e-mail's link: every session ends, and every API token too
    with `revoke_tokens`; the link then stops working (422 `reset_link_invalid`)."""
    password_reset.complete(data["token"], data["new_password"], utcnow(),
                            revoke_tokens=data["revoke_tokens"])
