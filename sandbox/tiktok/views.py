"""Pages of the emulated TikTok Shop: the consent page and the seller's Seller Center.

The API itself lives in `api.py`. These pages are for people (and tests): errors come back as
messages on the page, never as a 500.
"""

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sandbox.tiktok import api, orders
from sandbox.tiktok.forms import CreateOrderForm, StatusForm
from sandbox.tiktok.models import App, Order, Shop

# ---- consent page (§2.1) ---------------------------------------------------------------------

SCOPE_LABELS = {
    "seller.authorization.info": "See which shops you authorized",
    "seller.order.info": "Read your orders, including buyer shipping addresses",
    "seller.product.basic": "Read your products and stock",
    "seller.product.write": "Update your product stock",
    "seller.logistics": "Read your warehouses",
}


def _with_query(url: str, params: dict) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)


@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest):
    """`/services/open/authorize?service_id=…&state=…`: the seller approves (or not) the app."""
    source = request.POST if request.method == "POST" else request.GET
    app = App.objects.filter(service_id=source.get("service_id", "")).first()
    if app is None:
        return render(
            request,
            "sandbox/tiktok/consent_error.html",
            {"message": "This authorization link is invalid: no app has this service_id."},
            status=400,
        )
    shops = list(Shop.objects.all())
    state = source.get("state", "")
    if request.method == "GET":
        scopes = [SCOPE_LABELS.get(s, s) for s in app.scopes or []]
        return render(
            request,
            "sandbox/tiktok/consent.html",
            {"app": app, "shops": shops, "state": state, "scopes": scopes},
        )
    extra = {"state": state} if state else {}
    if request.POST.get("action") != "authorize":
        # §2.1: on rejection the redirect carries code=null&error=auth_denied.
        return HttpResponseRedirect(
            _with_query(app.redirect_url, {"code": "null", "error": "auth_denied", **extra})
        )
    shop = next((s for s in shops if s.shop_id == request.POST.get("shop_id")), shops[0] if shops else None)
    if shop is None:
        return render(
            request,
            "sandbox/tiktok/consent_error.html",
            {"message": "This seller has no shop yet. Run `manage.py sandbox_seed` first."},
            status=400,
        )
    code = api.issue_auth_code(app, shop)
    return HttpResponseRedirect(_with_query(app.redirect_url, {"code": code.code, **extra}))


# ---- Seller Center ---------------------------------------------------------------------------


def _shop_or_none(request: HttpRequest) -> Shop | None:
    try:
        return orders.shop_for(request.GET.get("shop") or None)
    except orders.OrderError:
        return None


def _redirect_back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = fallback
    return HttpResponseRedirect(target or fallback)


@require_GET
def seller(request: HttpRequest):
    shop = _shop_or_none(request)
    context = {"shop": shop}
    if shop is not None:
        skus = list(orders.seller_skus(shop))
        page = Paginator(Order.objects.filter(shop=shop).order_by("-create_time", "-id"), 25).get_page(
            request.GET.get("page")
        )
        context.update(
            skus=skus,
            form=CreateOrderForm(skus=skus),
            page=page,
            rows=[(o, orders.line_summary(o), orders.next_steps(o)) for o in page.object_list],
            carriers=orders.CARRIERS,
            warehouses=list(shop.warehouses.all()),
        )
    return render(request, "sandbox/tiktok/seller.html", context)


@require_POST
def create_order(request: HttpRequest):
    home = reverse("sandbox:tiktok:seller")
    shop = _shop_or_none(request)
    if shop is None:
        messages.error(request, "No shop yet: run `manage.py sandbox_seed` first.")
        return HttpResponseRedirect(home)
    form = CreateOrderForm(request.POST, skus=list(orders.seller_skus(shop)))
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = ""
            if field in form.fields:
                label = form.fields[field].label or field.replace("_", " ").capitalize()
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return HttpResponseRedirect(home)
    data = form.cleaned_data
    try:
        order = orders.create_order(
            shop,
            data["items"],
            status=data["status"],
            buyer=form.buyer(),
            shipping_fee=data["shipping_fee"],
            seller_discount=data["seller_discount"],
            tax_rate=data["tax_rate"] / 100,
        )
    except orders.OrderError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(home)
    messages.success(
        request, f"Test order {order.order_id} created ({order.status}, total ${order.total_amount})."
    )
    return HttpResponseRedirect(home)


@require_POST
def change_status(request: HttpRequest, order_id: str):
    home = reverse("sandbox:tiktok:seller")
    form = StatusForm(request.POST)
    if not form.is_valid():
        for error in form.non_field_errors() or [e for errs in form.errors.values() for e in errs]:
            messages.error(request, f"Order {order_id}: {error}")
        return _redirect_back(request, home)
    try:
        order = orders.set_status(
            orders.find_order(order_id),
            form.cleaned_data["status"],
            shipping_provider=form.cleaned_data.get("shipping_provider") or "",
            tracking_number=form.cleaned_data.get("tracking_number") or "",
        )
    except orders.OrderError as exc:
        messages.error(request, str(exc))
        return _redirect_back(request, home)
    messages.success(request, f"Order {order.order_id} is now {order.status}.")
    return _redirect_back(request, home)


@require_GET
def order_detail(request: HttpRequest, order_id: str):
    try:
        order = orders.find_order(order_id)
    except orders.OrderError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("sandbox:tiktok:seller"))
    return render(
        request,
        "sandbox/tiktok/order_detail.html",
        {
            "order": order,
            "order_json": json.dumps(order.as_api(), indent=2, ensure_ascii=False),
            "next_steps": orders.next_steps(order),
            "deliveries": order.deliveries.select_related("app")[:50],
            "carriers": orders.CARRIERS,
        },
    )


# ---- JSON endpoints for tests and benchmarks -------------------------------------------------


def _json_payload(request: HttpRequest) -> dict:
    try:
        payload = api.load_json(request.body or b"{}")
    except ValueError:
        raise orders.OrderError("The body must be JSON.") from None
    if not isinstance(payload, dict):
        raise orders.OrderError("The body must be a JSON object.")
    return payload


@csrf_exempt
@require_POST
def orders_json(request: HttpRequest):
    """POST {"count": 10, "status": "AWAITING_SHIPMENT", "skus": {"MUG-12OZ": 2}, "send_webhooks": false}.

    Optional: "buyer" {…}, "shipping_fee", "seller_discount", "tax_rate", "overrides" {…}, "shop".
    """
    try:
        payload = _json_payload(request)
        known = {
            "count",
            "status",
            "skus",
            "send_webhooks",
            "buyer",
            "shipping_fee",
            "seller_discount",
            "tax_rate",
            "overrides",
            "shop",
        }
        unknown = sorted(set(payload) - known)
        if unknown:
            raise orders.OrderError(f"Unknown field(s): {', '.join(unknown)}.")
        count = payload.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int | str):
            raise orders.OrderError("count must be an integer.")
        skus = payload.get("skus") or {"MUG-12OZ": 1}
        if not isinstance(skus, dict):
            raise orders.OrderError('skus must be an object like {"MUG-12OZ": 2}.')
        shop = payload.get("shop")
        if shop is not None and not isinstance(shop, str):
            raise orders.OrderError("shop must be a shop id or cipher (a string).")
        created = orders.create_orders(
            orders.shop_for(shop),
            skus,
            count=count,
            status=payload.get("status", "AWAITING_SHIPMENT"),
            buyer=payload.get("buyer"),
            shipping_fee=payload.get("shipping_fee", "0"),
            seller_discount=payload.get("seller_discount", "0"),
            tax_rate=payload.get("tax_rate", "0"),
            overrides=payload.get("overrides"),
            send_webhooks=bool(payload.get("send_webhooks", False)),
        )
    except orders.OrderError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"order_ids": [o.order_id for o in created], "count": len(created)}, status=201)


@csrf_exempt
@require_POST
def order_status_json(request: HttpRequest, order_id: str):
    """POST {"status": "IN_TRANSIT", "tracking_number": "…", "shipping_provider": "…"}.

    Optional "send_webhooks" (default true)."""
    try:
        payload = _json_payload(request)
        order = orders.set_status(
            orders.find_order(order_id),
            str(payload.get("status", "")),
            shipping_provider=str(payload.get("shipping_provider") or ""),
            tracking_number=str(payload.get("tracking_number") or ""),
            send_webhooks=bool(payload.get("send_webhooks", True)),
        )
    except orders.OrderError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse(
        {"order_id": order.order_id, "status": order.status, "update_time": order.update_time}
    )
