"""A provider's reminder settings: the offsets of the ladder's steps (1-3 sent today, 4 stored
for when it exists), the days of the card retries, the provider's own words per step and the
mise en demeure's deadline and approval, whether penalties are claimed by default per client
kind, stored as DunningSettings.overrides.

The rules are the ladder's own (ladder.settings_from): what it refuses is never stored. Keys
of the overrides this page does not edit (channels) are kept as they are.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from skod.dunning.debts.models import DunningSettings
from skod.dunning.debts.store import ladder_for
from skod.dunning.rules import ladder as rules
from skod.extensions import db

#: the steps whose offset a provider sets (0 is the failure itself)
EDITABLE = (1, 2, 3, 4)
#: the steps whose e-mail carries the provider's own words, if any
WORDED = (0, 1, 2)


def current(provider_id: int) -> dict:
    """What the settings page shows: each step's days after the due date, the retry days."""
    ladder = ladder_for(provider_id)
    return {"offsets": {n: ladder.step(n).offset_days for n in EDITABLE},
            "retry_days": list(ladder.retry_days),
            "texts": {n: dict(ladder.texts.get(n) or {}) for n in WORDED},
            "formal_notice": {"approval": ladder.notice_approval,
                              "deadline_days": ladder.notice_deadline_days},
            "claim_penalties": dict(ladder.claim_penalties)}


def save(provider_id: int, offsets: dict[int, int], retry_days: list[int],
         now: datetime, texts: dict[int, dict[str, str]] | None = None,
         formal_notice: dict | None = None,
         claim_penalties: dict[str, bool] | None = None) -> rules.Ladder:
    """Store the new offsets, retry days, words and mise en demeure settings ({"approval",
    "deadline_days"}); SettingsError (nothing stored) when the ladder's rules refuse them."""
    row = db.session.get(DunningSettings, provider_id, with_for_update=True)
    overrides = dict(row.overrides or {}) if row else {}
    steps = {str(k): dict(v) for k, v in (overrides.get("steps") or {}).items()
             if isinstance(v, dict)}
    for number, days in offsets.items():
        steps[str(number)] = {**steps.get(str(number), {}), "offset_days": days}
    for number, words in (texts or {}).items():
        entry = {k: v for k, v in steps.get(str(number), {}).items() if k != "text"}
        kept = {loc: t.strip() for loc, t in words.items() if t and t.strip()}
        if kept:
            entry["text"] = kept
        if entry:
            steps[str(number)] = entry
        else:
            steps.pop(str(number), None)
    wanted = {**overrides, "steps": steps, "retry_days": list(retry_days)}
    if formal_notice is not None:
        wanted["formal_notice"] = dict(formal_notice)
    if claim_penalties is not None:
        wanted["claim_penalties"] = dict(claim_penalties)
    try:
        ladder = rules.settings_from(wanted, current_app.config["DUNNING_MIN_GAP"])
    except rules.SettingsError:
        db.session.rollback()
        raise
    if row is None:
        row = DunningSettings(provider_id=provider_id)
        db.session.add(row)
    row.overrides, row.updated_at = wanted, now  # a new dict: the JSON column sees the change
    db.session.commit()
    return ladder
