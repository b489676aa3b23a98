"""The emulated Ecwid REST API v3: `/sandbox/ecwid/api/v3/{storeId}/…` (spec §1–§5, §7).

Every view goes through `endpoint`, which checks what Ecwid checks, in this order: method, store,
Bearer token (header only, §2.2), rate limit per token (§7.1), token validity, plan (402), scope,
Content-Type (415); then the fault switches of `sandbox.faults` apply around it.
"""

import functools
import json
import math

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from sandbox import faults, inputs, ratelimit
from sandbox.ecwid import catalog, orders
from sandbox.ecwid.errors import ApiError, error_response, render_error
from sandbox.ecwid.models import Store, Token, as_id

RATE_LIMIT = 600  # §7.1: requests per minute per token
RATE_WINDOW = 60.0
JSON_TYPES = ("application/json", "text/json")  # §7.3: 415 for anything else


def _bearer_token(request) -> str:
    # §2.2: only `Authorization: Bearer …` counts; `?token=` has been refused since 2025-03-20.
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        hint = (
            " Passing the token in the query string is no longer supported." if "token" in request.GET else ""
        )
        raise ApiError(
            401, "UNAUTHORIZED", f"Send the access token in the 'Authorization: Bearer' header.{hint}"
        )
    return value.strip()


def _store(store_id: str) -> Store:
    number = as_id(store_id)
    store = Store.objects.filter(store_id=number).first() if number is not None else None
    if store is None:
        raise ApiError(404, "STORE_NOT_FOUND", f"Store with id {store_id} not found")
    return store


def _token(store: Store, value: str) -> Token:
    token = Token.objects.filter(token=value, active=True).first()
    if token is None or token.store_id != store.pk:
        # A token of another store is as invalid here as a made-up one.
        raise ApiError(403, "INVALID_API_TOKEN", "Invalid access token")
    return token


def _no_constants(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    # 1e400 is valid JSON syntax but no double holds it (Ecwid's numbers are doubles): refuse it
    # like NaN/Infinity rather than store an infinity that cannot be written back as JSON.
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} does not fit in a number")
    return value


def read_json(request):
    try:
        return json.loads(request.body or b"null", parse_constant=_no_constants, parse_float=_finite_float)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError(400, "WRONG_PARAMETER", f"The request body is not valid JSON: {exc}") from None


def endpoint(scopes: dict[str, str | None]):
    """Make a view an Ecwid API endpoint; `scopes` maps each allowed method to its required scope."""

    def decorate(view):
        @functools.wraps(view)
        def checked(request, store_id: str, **kwargs):
            store = None
            try:
                if request.method not in scopes:
                    raise ApiError(405, "METHOD_NOT_ALLOWED", f"Method {request.method} is not allowed here")
                store = _store(store_id)
                value = _bearer_token(request)
                wait = faults.rate_limit_wait("ecwid", (value,), RATE_LIMIT, RATE_WINDOW)
                if wait is not None:
                    raise ApiError(
                        429,
                        "RATE_LIMITED",
                        "Too many requests: the access token is temporarily blocked",
                        headers={"Retry-After": ratelimit.retry_after_header(wait)},
                    )
                token = _token(store, value)
                if store.suspended:
                    raise ApiError(402, "STORE_IS_SUSPENDED", "The store is suspended or on the Free plan")
                required = scopes[request.method]
                if required and required not in token.scope_set:
                    raise ApiError(
                        403, "INSUFFICIENT_APP_SCOPE", f"Insufficient app scope: '{required}' is required"
                    )
                if inputs.has_nul(request):
                    raise ApiError(400, "WRONG_PARAMETER", "The request contains a NUL character.")
                if request.method in ("POST", "PUT") and request.content_type not in JSON_TYPES:
                    raise ApiError(
                        415,
                        "UNSUPPORTED_MEDIA_TYPE",
                        f"Unsupported Content-Type {request.content_type or '(none)'}: use application/json",
                    )
                return view(request, store, token, **kwargs)
            except ApiError as error:
                # §7.2: error bodies are optional; a store can be set to send none.
                quiet = store is not None and store.omit_error_bodies and error.status < 500
                return error_response(error, with_body=not quiet)

        return csrf_exempt(faults.api_view("ecwid", render_error)(checked))

    return decorate


@endpoint({"GET": None})  # read_store_profile is always granted (§3)
def profile(request, store, token):
    return JsonResponse(
        {
            "generalInfo": {"storeId": store.store_id, "storeUrl": store.store_url},
            "account": {
                "accountName": store.account_name or store.name,
                "accountNickName": store.account_name or store.name,
                "accountEmail": store.email,
                "suspended": store.suspended,
                "availableFeatures": ["API", "COMBINATIONS", "DISCOUNT_COUPONS", "ORDER_EDITOR"],
            },
            "settings": {"storeName": store.name, "closed": False},
            "company": {"companyName": store.name, "email": store.email, "countryCode": "US"},
            "formatsAndUnits": {
                "currency": store.currency,
                "currencyPrefix": "$" if store.currency == "USD" else "",
                "currencySuffix": "",
                "currencyPrecision": 2,
                "weightUnit": "POUND",
                "timezone": "UTC",
            },
            "languages": {"enabledLanguages": ["en"], "defaultLanguage": "en"},
        }
    )


@endpoint({"GET": "read_orders", "POST": "create_orders"})
def order_list(request, store, token):
    if request.method == "GET":
        return JsonResponse(orders.search_orders(store, request.GET))
    order = orders.create_order(store, read_json(request), token=token)
    answer = {"id": order.internal_id}
    if store.create_response_key:
        answer[store.create_response_key] = order.order_id
    return JsonResponse(answer)


@endpoint({"GET": "read_orders", "PUT": "update_orders", "DELETE": "update_orders"})
def order_detail(request, store, token, order_id: str):
    order = orders.find_order(store, order_id)
    if request.method == "GET":
        return JsonResponse(order.payload)
    if request.method == "PUT":
        orders.update_order(order, read_json(request))
        return JsonResponse({"updateCount": 1})
    order.delete()
    return JsonResponse({"deleteCount": 1})


@endpoint({"GET": "read_catalog"})
def product_list(request, store, token):
    return JsonResponse(catalog.search_products(store, request.GET))


@endpoint({"GET": "read_catalog", "PUT": "update_catalog"})
def product_detail(request, store, token, product_id: str):
    product = catalog.find_product(store, product_id)
    if request.method == "PUT":
        return JsonResponse({"updateCount": catalog.update_product(product, read_json(request))})
    return JsonResponse(catalog.product_json(product))


@endpoint({"PUT": "update_catalog"})
def product_inventory(request, store, token, product_id: str):
    product = catalog.find_product(store, product_id)
    return JsonResponse(catalog.adjust_product(product, read_json(request)))


@endpoint({"GET": "read_catalog"})
def combination_list(request, store, token, product_id: str):
    product = catalog.find_product(store, product_id)
    combinations = [catalog.combination_json(c) for c in product.combinations.select_related("product")]
    return JsonResponse(combinations, safe=False)  # §5.4: a JSON array


@endpoint({"GET": "read_catalog", "PUT": "update_catalog"})
def combination_detail(request, store, token, product_id: str, combination_id: str):
    combination = catalog.find_combination(catalog.find_product(store, product_id), combination_id)
    if request.method == "PUT":
        return JsonResponse({"updateCount": catalog.update_combination(combination, read_json(request))})
    return JsonResponse(catalog.combination_json(combination))


@endpoint({"PUT": "update_catalog"})
def combination_inventory(request, store, token, product_id: str, combination_id: str):
    combination = catalog.find_combination(catalog.find_product(store, product_id), combination_id)
    return JsonResponse(catalog.adjust_combination(combination, read_json(request)))


@csrf_exempt
def not_found(request, rest: str = ""):
    return error_response(ApiError(404, "NOT_FOUND", "No such API endpoint"))
