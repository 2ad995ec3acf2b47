#!/usr/bin/env bash
# `make run`: migrate, seed the demo provider, then start web + worker + Stripe emulator (honcho).
# Ports: PORT (web, 5000), STRIPE_PORT (emulator, 8420).
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$PWD/.venv/bin:$PATH"
export PYTHONUNBUFFERED=1
export SKOD_WEB_PORT="${PORT:-5000}"
export STRIPE_PORT="${STRIPE_PORT:-8420}"
export PUBLIC_URL="${PUBLIC_URL:-http://127.0.0.1:$SKOD_WEB_PORT}"
export STRIPE_API_BASE="http://127.0.0.1:$STRIPE_PORT"
export STRIPE_JS_URL="$STRIPE_API_BASE/js.stripe.com/v3/"
export STRIPE_WEBHOOK_SECRET="${STRIPE_WEBHOOK_SECRET:-whsec_local}"
export STRIPE_CONNECT_WEBHOOK_SECRET="${STRIPE_CONNECT_WEBHOOK_SECRET:-whsec_local_connect}"
export SKOD_INSTANCE_PATH="${SKOD_INSTANCE_PATH:-$PWD/instance}"
# development mode: the well-known dev SECRET_KEY is accepted here and nowhere else
export SKOD_DEV=1
if [ -n "${SECRET_KEY:-}" ]; then KEY_NOTE="SECRET_KEY from the environment"
else KEY_NOTE="SECRET_KEY is the public dev key (never for a real site)"; fi
mkdir -p "$SKOD_INSTANCE_PATH"

flask --app wsgi db upgrade
flask --app wsgi skod seed-demo

cat <<MSG

  Skod            $PUBLIC_URL/
  Provider page   $PUBLIC_URL/p/demo
  Provider login  demo@skod.local / skod-demo-garden-42
  Stripe emulator $STRIPE_API_BASE  (state: $SKOD_INSTANCE_PATH/localstripe.pickle)
  E-mails         $SKOD_INSTANCE_PATH/outbox/*.eml
  Mode            development (SKOD_DEV=1): $KEY_NOTE
  Test cards      4242424242424242 (OK), 4000002500003155 (3-D Secure),
                  4000000000000341 (declined off-session)

MSG

# honcho sets its own PORT for each process: the Procfile uses SKOD_WEB_PORT instead.
exec honcho start -f Procfile
