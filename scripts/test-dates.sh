#!/usr/bin/env bash
# `make test-dates`: the time-sensitive test files under libfaketime (Debian's `faketime`), with
# the whole process tree (tests, Stripe emulator) started at days where rules turn: a Sunday,
# 1 May (a holiday on a weekday), 31 December 23:30 Paris (the year and the invoice series change
# during the run) and 29 February. The clock runs on from there.
#   scripts/test-dates.sh                 every date
#   scripts/test-dates.sh rotate          one of them, by today's day of the year (CI)
#   scripts/test-dates.sh sunday leap     the named ones (sunday, may1, newyear, leap, midnight)
# Extra pytest arguments: TEST_DATES_ARGS='-k sweep -x'. TEST_DATES_FILES replaces the file list.
set -euo pipefail
cd "$(dirname "$0")/.."

# UTC instants (TZ=UTC below): Paris is UTC+1 in winter, UTC+2 in summer
declare -A AT=(
    [sunday]="2026-12-13 10:00:00"    # Sunday 11:00 Paris
    [may1]="2026-05-01 08:00:00"      # Friday 1 May, 10:00 Paris: a public holiday
    [newyear]="2026-12-31 22:30:00"   # 31 December 23:30 Paris
    [leap]="2028-02-29 09:00:00"      # Tuesday 29 February 2028, 10:00 Paris
    [midnight]="2026-12-14 23:30:00"  # Tuesday 00:30 Paris, still Monday in UTC: the days differ
)
ORDER=(sunday may1 newyear leap midnight)
# every file whose tests derive days, hours, business days or years from the clock
FILES=${TEST_DATES_FILES:-"
    tests/test_dunning_ladder.py tests/test_dunning_sweep.py tests/test_dunning_notices.py
    tests/test_dunning_emails.py tests/test_dunning_walk.py tests/test_dunning_plans.py
    tests/test_dunning_paypage.py tests/test_dunning_provider_api.py
    tests/test_dunning_provider_pages.py tests/test_dunning_formal_notice.py
    tests/test_dunning_recourse.py tests/test_dunning_board.py tests/test_penalties.py
    tests/test_penalties_app.py tests/test_invoice_issuing.py tests/test_invoice_numbering.py
    tests/test_invoice_pages.py tests/test_calls_schedule.py tests/test_calls_place.py
    tests/test_calls_payment.py tests/test_calls_move.py tests/test_calls_access.py
    tests/test_calls_dashboard.py tests/test_call_fees.py tests/test_hold_expiry.py
    tests/test_messages_api.py tests/test_messages_access.py tests/test_messages_policy.py
    tests/test_projects_api.py tests/test_projects_hold_failures.py
    tests/test_dunning_sweep_faults.py tests/test_dunning_excess_lost.py
    tests/test_dunning_pay_twice.py tests/test_saved_card.py tests/test_disputes.py
    tests/test_projects_access.py tests/test_penalty_history.py tests/test_provisional_rates.py
    tests/test_penalty_payments_app.py tests/test_penalty_calculator_page.py
    tests/test_dunning_owed.py tests/test_public_and_courts.py tests/test_consumer_address.py
    tests/test_bank_statements.py tests/test_dunning_bank_transfer.py tests/test_projects_sepa.py
    tests/test_amounts_said.py tests/test_dunning_client_disputes.py
    tests/test_booking_form_token.py tests/test_dunning_board_bulk.py
    tests/test_french_scenario.py tests/test_notice_outlook.py"}

if [ $# -eq 0 ]; then
    set -- "${ORDER[@]}"
elif [ "$1" = rotate ]; then
    set -- "${ORDER[$((10#$(date -u +%j) % ${#ORDER[@]}))]}"
fi

failed=()
for name in "$@"; do
    at=${AT[$name]:?"unknown date: $name (one of: ${ORDER[*]})"}
    echo "== $name: the clock starts at $at UTC"
    # FAKETIME_DONT_FAKE_MONOTONIC: a faked monotonic clock hangs every timed wait (lock,
    # Event); tests/faketime/sitecustomize.py then keeps time.sleep working (see there).
    # -m 'not browser': Chromium is left out of the faked tree. The two-sweeps race is left
    # out too: libfaketime wraps pthread_cond_timedwait, which Python's GIL hand-over uses, and
    # two busy threads run about 8 times slower (its 500 e-mails then take over 15 minutes);
    # it sweeps at working_instant(now), a business day whatever the date.
    # shellcheck disable=SC2086
    if ! TZ=UTC PYTHONPATH="$PWD/tests/faketime${PYTHONPATH:+:$PYTHONPATH}" \
        FAKETIME_DONT_FAKE_MONOTONIC=1 timeout "${TEST_DATES_TIMEOUT:-1800}" \
        faketime -f "@$at" .venv/bin/pytest -q -p no:cacheprovider -m "not browser" \
        -k "not test_two_sweeps_at_once" ${TEST_DATES_ARGS:-} $FILES; then
        failed+=("$name")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "test-dates failed at: ${failed[*]}" >&2
    exit 1
fi
echo "test-dates passed at: $*"
