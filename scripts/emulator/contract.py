"""Parameter contract: refuse what Stripe at the pinned API version refuses.

Each (method, route) the app uses is mapped to the stripe SDK's own TypedDict for that operation
(`stripe.params.PaymentIntentCreateParams`, ...). The SDK is generated from Stripe's OpenAPI spec
for the pinned version, so its TypedDicts are the list of parameters that version accepts. A body
or query key absent from the TypedDict (recursively, with `metadata` a free dict) is answered the
way Stripe does: 400 `parameter_unknown` naming the parameter with its `[nested]` path.
Routes without a mapping (fake Stripe.js helpers, `/_config`, `/_test`) are not checked.
"""

from __future__ import annotations

import functools
import re
import sys
import types
import typing
from typing import Any

import stripe.params
import typing_extensions
from stripe._request_options import RequestOptions

# Keys of RequestOptions are SDK options sent as headers, never body parameters. `expand` and
# `hooks` are declared on the operations' own TypedDicts, so they stay body parameters.
REQUEST_OPTION_KEYS = frozenset(RequestOptions.__annotations__)

# Stripe's own code for a parameter removed at the pinned version (changelog 2026-09-30.endive).
_NO_PMT = "payment_method_types_no_longer_supported"
REMOVED = {
    ("PaymentIntentCreateParams", "payment_method_types"): _NO_PMT,
    ("SetupIntentCreateParams", "payment_method_types"): _NO_PMT,
}

_ID = r"[A-Za-z0-9_]+"
ROUTES: list[tuple[str, str, str]] = [
    ("POST", r"/v1/payment_intents", "PaymentIntentCreateParams"),
    ("GET", r"/v1/payment_intents", "PaymentIntentListParams"),
    ("GET", r"/v1/payment_intents/search", "PaymentIntentSearchParams"),
    ("GET", rf"/v1/payment_intents/{_ID}", "PaymentIntentRetrieveParams"),
    ("POST", rf"/v1/payment_intents/{_ID}", "PaymentIntentModifyParams"),
    ("POST", rf"/v1/payment_intents/{_ID}/confirm", "PaymentIntentConfirmParams"),
    ("POST", rf"/v1/payment_intents/{_ID}/capture", "PaymentIntentCaptureParams"),
    ("POST", rf"/v1/payment_intents/{_ID}/cancel", "PaymentIntentCancelParams"),
    ("POST", r"/v1/setup_intents", "SetupIntentCreateParams"),
    ("GET", r"/v1/setup_intents", "SetupIntentListParams"),
    ("GET", rf"/v1/setup_intents/{_ID}", "SetupIntentRetrieveParams"),
    ("POST", rf"/v1/setup_intents/{_ID}", "SetupIntentModifyParams"),
    ("POST", rf"/v1/setup_intents/{_ID}/confirm", "SetupIntentConfirmParams"),
    ("POST", rf"/v1/setup_intents/{_ID}/cancel", "SetupIntentCancelParams"),
    ("POST", r"/v1/customers", "CustomerCreateParams"),
    ("GET", r"/v1/customers", "CustomerListParams"),
    ("GET", r"/v1/customers/search", "CustomerSearchParams"),
    ("GET", rf"/v1/customers/{_ID}", "CustomerRetrieveParams"),
    ("POST", rf"/v1/customers/{_ID}", "CustomerModifyParams"),
    ("DELETE", rf"/v1/customers/{_ID}", "CustomerDeleteParams"),
    ("GET", rf"/v1/customers/{_ID}/payment_methods", "CustomerListPaymentMethodsParams"),
    ("POST", rf"/v1/customers/{_ID}/funding_instructions",
     "CustomerCreateFundingInstructionsParams"),
    ("GET", rf"/v1/customers/{_ID}/cash_balance", "CustomerRetrieveCashBalanceParams"),
    ("GET", rf"/v1/customers/{_ID}/cash_balance_transactions",
     "CustomerListCashBalanceTransactionsParams"),
    ("POST", r"/v1/payment_methods", "PaymentMethodCreateParams"),
    ("GET", r"/v1/payment_methods", "PaymentMethodListParams"),
    ("GET", rf"/v1/payment_methods/{_ID}", "PaymentMethodRetrieveParams"),
    ("POST", rf"/v1/payment_methods/{_ID}/attach", "PaymentMethodAttachParams"),
    ("POST", rf"/v1/payment_methods/{_ID}/detach", "PaymentMethodDetachParams"),
    ("POST", r"/v1/refunds", "RefundCreateParams"),
    ("GET", r"/v1/refunds", "RefundListParams"),
    ("GET", rf"/v1/refunds/{_ID}", "RefundRetrieveParams"),
    ("GET", r"/v1/charges", "ChargeListParams"),
    ("GET", rf"/v1/charges/{_ID}", "ChargeRetrieveParams"),
    ("GET", r"/v1/disputes", "DisputeListParams"),
    ("GET", rf"/v1/disputes/{_ID}", "DisputeRetrieveParams"),
    ("GET", rf"/v1/mandates/{_ID}", "MandateRetrieveParams"),
    ("GET", r"/v1/events", "EventListParams"),
    ("POST", r"/v1/accounts", "AccountCreateParams"),
    ("GET", r"/v1/accounts", "AccountListParams"),
    ("GET", rf"/v1/accounts/{_ID}", "AccountRetrieveParams"),
    ("POST", rf"/v1/accounts/{_ID}", "AccountUpdateParams"),
    ("DELETE", rf"/v1/accounts/{_ID}", "AccountDeleteParams"),
    ("GET", r"/v1/account", "AccountRetrieveCurrentParams"),
    ("POST", r"/v1/account_links", "AccountLinkCreateParams"),
    ("GET", r"/v1/application_fees", "ApplicationFeeListParams"),
    ("GET", rf"/v1/application_fees/{_ID}", "ApplicationFeeRetrieveParams"),
    ("GET", rf"/v1/events/{_ID}", "EventRetrieveParams"),
]
_COMPILED = [(m, re.compile(p + r"/?"), name) for m, p, name in ROUTES]


def params_name(method: str, path: str) -> str | None:
    """The TypedDict name for a request, or None when the route is not checked."""
    for m, pattern, name in _COMPILED:
        if m == method and pattern.fullmatch(path):
            return name
    return None


class _Names(dict):
    """eval() locals: any stripe.params TypedDict name, loaded on first use."""

    def __missing__(self, key: str) -> Any:
        try:
            value = getattr(stripe.params, key)
        except AttributeError:
            raise KeyError(key) from None  # eval then looks in globals and builtins
        self[key] = value
        return value


_NAMES = _Names()


@functools.cache
def _fields(td: type) -> dict[str, Any]:
    """Annotations of a TypedDict (inherited ones merged in by TypedDict itself)."""
    module_globals = vars(sys.modules[td.__module__])
    return {key: _resolve(ann, module_globals)
            for key, ann in vars(td).get("__annotations__", {}).items()}


def _resolve(ann: Any, module_globals: dict) -> Any:
    """Strings / ForwardRefs evaluated, NotRequired[X] and Required[X] unwrapped to X."""
    if isinstance(ann, typing.ForwardRef):
        ann = ann.__forward_arg__
    if isinstance(ann, str):
        try:
            ann = eval(ann, module_globals, _NAMES)  # noqa: S307 - the SDK's own annotation text
        except Exception:  # a name only imported under TYPE_CHECKING: accept anything below it
            return Any
        return _resolve(ann, module_globals)
    origin = typing_extensions.get_origin(ann)
    if origin in (typing_extensions.NotRequired, typing_extensions.Required):
        return _resolve(typing_extensions.get_args(ann)[0], module_globals)
    return ann


def _members(tp: Any) -> list[Any]:
    """Flatten Union / Optional into their members."""
    tp = _resolve(tp, vars(stripe.params))
    if typing_extensions.get_origin(tp) in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing_extensions.get_args(tp):
            out.extend(_members(arg))
        return out
    return [tp]


def _is_free(tp: Any) -> bool:
    """A member that takes any dict: Dict[...], Mapping, Any, UntypedStripeObject[...]."""
    if tp is Any:
        return True
    origin = typing_extensions.get_origin(tp) or tp
    return isinstance(origin, type) and not typing_extensions.is_typeddict(origin) and (
        issubclass(origin, dict) or origin.__name__ == "UntypedStripeObject")


def _check_value(value: Any, tp: Any, path: str) -> str | None:
    """The path of the first unknown key inside `value`, or None."""
    members = _members(tp)
    if isinstance(value, dict):
        shapes = [m for m in members if typing_extensions.is_typeddict(m)]
        if not shapes or any(_is_free(m) for m in members):
            return None  # a free dict (metadata, Dict[str, str]) or a shape we do not model
        # Several TypedDicts in a union (e.g. raw card details or a token): one must fit.
        errors = [_check_dict(value, m, path) for m in shapes]
        return None if None in errors else errors[0]
    if isinstance(value, list):
        for m in members:
            if typing_extensions.get_origin(m) is list:  # List[X] too
                (item_tp,) = typing_extensions.get_args(m) or (Any,)
                item_tp = _resolve(item_tp, vars(stripe.params))
                for i, item in enumerate(value):
                    bad = _check_value(item, item_tp, f"{path}[{i}]")
                    if bad:
                        return bad
        return None
    return None


def _check_dict(data: dict, td: type, path: str = "") -> str | None:
    fields = _fields(td)
    for key, value in data.items():
        name = f"{path}[{key}]" if path else key
        if key not in fields or (not path and key in REQUEST_OPTION_KEYS):
            return name
        bad = _check_value(value, fields[key], name)
        if bad:
            return bad
    return None


def violation(method: str, path: str, params: dict) -> dict | None:
    """Stripe's error body for the first refused parameter, or None when all are accepted."""
    name = params_name(method, path)
    if name is None:
        return None
    td = getattr(stripe.params, name)
    for key in params:
        code = REMOVED.get((name, key))
        if code:
            return {"type": "invalid_request_error", "code": code, "param": key,
                    "message": f"The parameter `{key}` is no longer supported at API version "
                               f"{stripe.api_version}."}
    empty = _empty_id(name, params)
    if empty:
        return empty
    bad = _check_dict(params, td)
    if bad is None:
        return None
    return {"type": "invalid_request_error", "code": "parameter_unknown", "param": bad,
            "message": f"Received unknown parameter: {bad}"}


#: ids that cannot be "unset": Stripe reads an empty string as an attempt to unset a parameter
NOT_EMPTY = {"PaymentIntentCreateParams": ("payment_method", "customer"),
             "PaymentIntentConfirmParams": ("payment_method",),
             "SetupIntentCreateParams": ("payment_method", "customer"),
             "SetupIntentConfirmParams": ("payment_method",)}


def _empty_id(name: str, params: dict) -> dict | None:
    for key in NOT_EMPTY.get(name, ()):
        if params.get(key) == "":
            return {"type": "invalid_request_error", "code": "parameter_invalid_empty",
                    "param": key,
                    "message": f"You passed an empty string for '{key}'. We assume empty values "
                               f"are an attempt to unset a parameter; however '{key}' cannot be "
                               f"unset. You should remove '{key}' from your request or supply a "
                               f"non-empty value."}
    return None
