"""API: sign-up, profile, tokens."""

from __future__ import annotations

from flask_smorest import Blueprint

from skod.accounts import services, stripe_account
from skod.accounts.auth import require_provider
from skod.accounts.login_guard import login_limits
from skod.accounts.schemas import (
    OnboardingLinkSchema,
    PasswordChangeSchema,
    ProfileUpdateSchema,
    ProviderSchema,
    SignUpSchema,
    TokenRequestSchema,
    TokenSchema,
)

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
    """A new password; every login session of the provider ends (API tokens stay: revoke
    them apart)."""
    services.change_password(require_provider(), data["current_password"],
                             data["new_password"])


@blp.post("/auth/tokens")
@login_limits
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
def create_token(data: dict):
    provider = services.authenticate(data["email"], data["password"])
    return {"token": services.issue_token(provider)}
