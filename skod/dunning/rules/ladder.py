"""The dunning ladder as data, and the pure rules of what happens next to a debt.

Steps are rows of a table (offset from the invoice due date, channel, template); a provider's
settings change offsets, channels and texts, never the order. `next_step` answers "which step,
and when" from the case's state and `now`: always the step after the last one taken (never a
skipped step, so a mise en demeure is never the first letter), no sooner than its offset, at
least `min_gap` after the previous step, after any pause, inside the client's working hours on
a French business day. No I/O here: the caller passes `now` and the case.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays


@dataclass(frozen=True)
class Step:
    number: int
    #: days after the invoice due date; None = at the failure itself (step 0)
    offset_days: int | None
    channel: str
    #: the step's name, as in the README's ladder table
    name: str
    #: False for a step this version does not send yet: the ladder stops before it
    available: bool = True


#: the longest personal text a provider adds to a step's e-mail, per language
TEXT_MAX = 1000
TEXT_LOCALES = ("fr", "en")

#: the default ladder (DESIGN.md section 2)
DEFAULT_STEPS: tuple[Step, ...] = (
    Step(0, None, "email", "notice"),  # the failure notice (reminders/)
    Step(1, 7, "email", "friendly_reminder"),
    Step(2, 15, "email", "formal_reminder"),
    Step(3, 30, "letter", "mise_en_demeure"),  # mise_en_demeure/
    Step(4, 45, "file", "recourse_file"),  # recourse/: nothing goes to the client
)
DEFAULT_RETRY_DAYS: tuple[int, ...] = (1, 3, 5)
#: the mise en demeure's final deadline in days (provider setting; the law file says 8-15)
NOTICE_DEADLINE_DAYS, NOTICE_DEADLINE_RANGE = 8, (8, 15)
#: claimed by default from business and public debtors; a consumer's interest runs only from
#: the mise en demeure and carries no 40 EUR: claiming it is the provider's explicit choice
CLAIM_PENALTIES = {"business": True, "public": True, "consumer": False}
WORK_START, WORK_END = time(9, 0), time(18, 0)


@dataclass(frozen=True)
class Ladder:
    steps: tuple[Step, ...] = DEFAULT_STEPS
    retry_days: tuple[int, ...] = DEFAULT_RETRY_DAYS
    min_gap: timedelta = timedelta(days=5)
    #: the provider's own words added to a step's e-mail: step -> locale -> text
    texts: dict = field(default_factory=dict)
    #: the mise en demeure waits for the provider's approval before it goes
    notice_approval: bool = False
    notice_deadline_days: int = NOTICE_DEADLINE_DAYS
    #: whether interest and the indemnity are claimed, per client kind (a debt may differ)
    claim_penalties: dict = field(default_factory=lambda: dict(CLAIM_PENALTIES))

    def text(self, number: int, locale: str) -> str | None:
        return (self.texts.get(number) or {}).get(locale)

    def step(self, number: int) -> Step | None:
        return next((s for s in self.steps if s.number == number), None)


@dataclass(frozen=True)
class CaseState:
    """What the rules need of a receivable."""

    status: str
    opened_at: datetime
    due_date: date
    timezone: str
    last_step: int = -1
    last_step_at: datetime | None = None
    paused_until: datetime | None = None
    #: the last step waits for the provider (a mise en demeure held for approval): nothing
    #: comes after it until it goes
    held: bool = False


class SettingsError(ValueError):
    """A provider's ladder override that would break the ladder's rules."""


def settings_from(overrides: dict | None, min_gap: timedelta) -> Ladder:
    """The ladder with a provider's overrides applied: offsets must grow step after step and
    stay at least `min_gap` apart; a step's own words are short texts per language."""
    overrides = overrides or {}
    steps, texts = list(DEFAULT_STEPS), {}
    for key, change in (overrides.get("steps") or {}).items():
        number = int(key) if str(key).isdigit() else -1
        if not 0 <= number < len(steps) or not isinstance(change, dict) or (
                number == 0 and "offset_days" in change):
            raise SettingsError(f"step {key} cannot be changed")
        offset = change.get("offset_days", steps[number].offset_days)
        if number and (not isinstance(offset, int) or not 1 <= offset <= 365):
            raise SettingsError(f"step {key}: offset_days must be 1-365")
        steps[number] = replace(steps[number], offset_days=offset)
        if change.get("text"):
            texts[number] = _texts(key, change["text"])
    offsets = [s.offset_days for s in steps[1:]]
    if any(b - a < min_gap.days for a, b in zip(offsets, offsets[1:], strict=False)):
        raise SettingsError(f"steps must stay at least {min_gap.days} days apart, in order")
    retry = tuple(overrides.get("retry_days") or DEFAULT_RETRY_DAYS)
    if len(retry) > 5 or any(not isinstance(d, int) or not 1 <= d <= 14 for d in retry) or (
            list(retry) != sorted(set(retry))):
        raise SettingsError("retry_days: up to 5 growing days between 1 and 14")
    approval, deadline_days = _mise_en_demeure(overrides.get("formal_notice"))
    return Ladder(steps=tuple(steps), retry_days=retry, min_gap=min_gap, texts=texts,
                  notice_approval=approval, notice_deadline_days=deadline_days,
                  claim_penalties=_claim_penalties(overrides.get("claim_penalties")))


def _claim_penalties(given: object) -> dict:
    """{"business": bool, "public": bool, "consumer": bool}, each optional."""
    given = {} if given is None else given
    if not isinstance(given, dict) or not set(given) <= set(CLAIM_PENALTIES) or any(
            not isinstance(v, bool) for v in given.values()):
        raise SettingsError("claim_penalties: true or false per client kind "
                            "(business, public, consumer)")
    return {**CLAIM_PENALTIES, **given}


def _mise_en_demeure(given: object) -> tuple[bool, int]:
    """{"approval": bool, "deadline_days": 8..15}, both optional. The stored key (JSON in
    dunning_settings.overrides, and the API's) keeps its first name, "formal_notice": renaming
    it would rewrite every provider's stored settings for a word."""
    given = {} if given is None else given
    if not isinstance(given, dict) or not set(given) <= {"approval", "deadline_days"}:
        raise SettingsError("formal_notice: approval and deadline_days only")
    approval = given.get("approval", False)
    days = given.get("deadline_days", NOTICE_DEADLINE_DAYS)
    low, high = NOTICE_DEADLINE_RANGE
    if not isinstance(approval, bool):
        raise SettingsError("formal_notice: approval is true or false")
    if isinstance(days, bool) or not isinstance(days, int) or not low <= days <= high:
        raise SettingsError(f"formal_notice: deadline_days must be {low}-{high}")
    return approval, days


def _texts(key: str, given: object) -> dict[str, str]:
    if not isinstance(given, dict) or not set(given) <= set(TEXT_LOCALES) or any(
            not isinstance(t, str) or len(t) > TEXT_MAX for t in given.values()):
        raise SettingsError(f"step {key}: text must be at most {TEXT_MAX} characters per language")
    return {locale: t.strip() for locale, t in given.items() if t.strip()}


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _french_holidays(day.year)


def deadline_after(today: date, days: int) -> date:
    """`days` from today, moved to the next French business day (a deadline on a Sunday or
    a public holiday would give less time than it says): the step-2 and step-3 deadlines."""
    day = today + timedelta(days=days)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


@functools.cache
def _french_holidays(year: int) -> holidays.HolidayBase:
    # built once per year: building the calendar costs more than the rest of a step's rule
    return holidays.country_holidays("FR", years=year)


def send_window(moment: datetime, tz: str) -> datetime:
    """The first instant from `moment` on a French business day between 09:00 and 18:00 in
    `tz` (a reminder at night or on 1 May waits for the next working morning)."""
    zone = ZoneInfo(tz)
    local = moment.astimezone(zone)
    for _ in range(30):  # a month of holidays in a row does not exist
        if is_business_day(local.date()):
            if local.time() < WORK_START:
                return datetime.combine(local.date(), WORK_START, zone).astimezone(moment.tzinfo)
            if local.time() < WORK_END:
                return moment.astimezone(moment.tzinfo)
        local = datetime.combine(local.date() + timedelta(days=1), WORK_START, zone)
        moment = local
    raise RuntimeError("no business day within 30 days")  # pragma: no cover


def nominal_at(step: Step, case: CaseState) -> datetime:
    """When a step is due before the business-hours rule: the failure for step 0, else the
    morning of due date + offset in the client's time zone."""
    if step.offset_days is None:
        return case.opened_at
    day = case.due_date + timedelta(days=step.offset_days)
    return datetime.combine(day, WORK_START, ZoneInfo(case.timezone))


def next_step(case: CaseState, now: datetime, ladder: Ladder = Ladder()) -> (  # noqa: B008
        tuple[int, datetime] | None):
    """(step number, instant it may be sent) for the step after the last one taken, or None
    when the case is closed or the ladder has no further step available yet."""
    if case.status != "open" or case.held:
        return None
    step = ladder.step(case.last_step + 1)
    if step is None or not step.available:
        return None
    earliest = nominal_at(step, case)
    if case.last_step_at is not None:
        earliest = max(earliest, case.last_step_at + ladder.min_gap)
    if case.paused_until is not None:
        earliest = max(earliest, case.paused_until)
    # never in the past: after downtime the step waits for the next working hour from now
    return step.number, send_window(max(earliest, now), case.timezone)


def next_retry(opened_at: datetime, retries_done: int, ladder: Ladder = Ladder()) -> (  # noqa: B008
        datetime | None):
    """When the next smart retry of the card is planned (J+1, J+3, J+5 of the failure by
    default), or None when all were made. Whether a retry is allowed at all is the caller's
    rule (soft decline only, within the networks' limits)."""
    if retries_done >= len(ladder.retry_days):
        return None
    return opened_at + timedelta(days=ladder.retry_days[retries_done])
