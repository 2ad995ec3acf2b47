"""The provider's project form: plain fields turned into the API's payload, so the page and
the API share one schema (ProjectCreateSchema) and one service."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from skod.core.money import parse_minor
from skod.core.validation_words import flat

#: milestone rows offered by the form (blank rows are ignored)
MILESTONE_ROWS = 5


def _int(text: str | None, default: int = 0) -> int | str:
    text = (text or "").strip()
    if not text:
        return default
    return int(text) if text.isdigit() else text  # the schema says why a non-number is wrong


def form_data(form: MultiDict) -> dict:
    currency = (form.get("currency") or "EUR").upper()
    milestones = []
    for i in range(MILESTONE_ROWS):
        title = (form.get(f"m{i}_title") or "").strip()
        if not title:
            continue
        amount = parse_minor(form.get(f"m{i}_amount", ""), currency)
        milestones.append({"title": title, "amount_minor": amount if amount else 0,
                           "expected_on": form.get(f"m{i}_expected_on") or None,
                           "description": (form.get(f"m{i}_description") or "").strip()
                           or None})
    kind = form.get("client_kind") or "consumer"
    return {
        "client": {"email": (form.get("client_email") or "").strip(),
                   "name": (form.get("client_name") or "").strip(), "kind": kind,
                   "company_name": (form.get("client_company") or "").strip() or None,
                   "siren": (form.get("client_siren") or "").strip() or None,
                   "legal_form": (form.get("client_legal_form") or "").strip() or None,
                   "registry": form.get("client_registry") or None,
                   "address": (form.get("client_address") or "").strip() or None,
                   "locale": form.get("client_locale") or "fr"},
        "title": (form.get("title") or "").strip(),
        "description": (form.get("description") or "").strip() or None,
        "currency": currency, "deposit_percent": _int(form.get("deposit_percent")),
        "approval": form.get("approval") or "none", "milestones": milestones,
    }


#: the API's client fields and the form's inputs that hold them
CLIENT_INPUTS = {"email": "client_email", "name": "client_name", "kind": "client_kind",
                 "company_name": "client_company", "siren": "client_siren",
                 "legal_form": "client_legal_form", "registry": "client_registry",
                 "address": "client_address", "locale": "client_locale"}
MILESTONE_INPUTS = {"title": "title", "amount_minor": "amount", "expected_on": "expected_on",
                    "description": "description"}


def field_errors(form: MultiDict, messages: dict) -> dict[str, list[str]]:
    """The schema's messages by the form's input names (the n-th milestone of the payload is
    the n-th filled row), translated; what no input shows is under "milestones" or "_form"."""
    rows = [i for i in range(MILESTONE_ROWS) if (form.get(f"m{i}_title") or "").strip()]
    out: dict[str, list[str]] = {}
    for key, value in messages.items():
        if key == "client" and isinstance(value, dict):
            for sub, text in value.items():
                out.setdefault(CLIENT_INPUTS.get(sub, "_form"), []).extend(flat(text))
        elif key == "milestones" and isinstance(value, dict):
            for index, fields in value.items():
                row = rows[int(index)] if str(index).isdigit() and int(index) < len(rows) else None
                for sub, text in (fields.items() if isinstance(fields, dict) else [("", fields)]):
                    name = (f"m{row}_{MILESTONE_INPUTS[sub]}"
                            if row is not None and sub in MILESTONE_INPUTS else "milestones")
                    out.setdefault(name, []).extend(flat(text))
        else:
            out.setdefault(key if key in {"title", "description", "currency", "deposit_percent",
                                          "approval", "milestones"} else "_form",
                           []).extend(flat(value))
    return out
