"""The store's control panel, Ecwid-style: My Sales → Orders, an order, Catalog → Products, Custom app."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from sandbox.ecwid.forms import OrderSearchForm
from sandbox.ecwid.models import (
    CUSTOM_APP_SCOPES,
    PUBLIC_TOKEN_SCOPES,
    OAuthApp,
    Store,
    Token,
    as_id,
    random_token,
)

ORDERS_PER_PAGE = 50


def _store(request) -> Store | None:
    number = as_id(request.GET.get("store", ""))
    stores = Store.objects.all()
    return (stores.filter(store_id=number).first() if number is not None else None) or stores.first()


def _no_store(request):
    return render(request, "sandbox/ecwid/no_store.html", status=404)


def orders(request):
    """My Sales → Orders: newest first; the search box finds an order by its ID (the Destination ID)."""
    store = _store(request)
    if store is None:
        return _no_store(request)
    form = OrderSearchForm(request.GET or None)
    found = store.orders.all()
    query = ""
    if form.is_valid() and form.cleaned_data["q"].strip():
        query = form.cleaned_data["q"].strip()
        by_id = Q(order_id__iexact=query) | Q(order_id__iexact=f"{store.order_id_prefix}{query}")
        if as_id(query) is not None:
            by_id |= Q(internal_id=as_id(query))
        by_words = Q()
        for term in query.lower().split():
            by_words &= Q(search_text__contains=term)
        found = found.filter(by_id | by_words)
    page = Paginator(found, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    for listed in page.object_list:
        listed.customer_name = _customer_name(listed.payload)
    return render(
        request,
        "sandbox/ecwid/orders.html",
        {
            "section": "orders",
            "store": store,
            "form": form,
            "query": query,
            "page": page,
            "total": page.paginator.count,
        },
    )


def _objects(value) -> list[dict]:
    """Only the objects of a list field: a page shows what the API stored, whatever its shape."""
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def _customer_name(payload: dict) -> str:
    for key in ("billingPerson", "shippingPerson"):
        person = payload.get(key)
        if isinstance(person, dict) and person.get("name"):
            return str(person["name"])
    return ""


def order(request, order_id: str):
    store = _store(request)
    if store is None:
        return _no_store(request)
    found = store.orders.filter(order_id=order_id).first()
    if found is None:
        return render(
            request, "sandbox/ecwid/order_missing.html", {"store": store, "order_id": order_id}, status=404
        )
    p = found.payload
    items = []
    for item in _objects(p.get("items")):
        price, quantity = item.get("price") or 0, item.get("quantity") or 0
        try:
            line_total = round(price * quantity, 2)
        except TypeError:
            line_total = None
        options = _objects(item.get("selectedOptions"))
        items.append({**item, "selectedOptions": options, "line_total": line_total})
    extra_fields = [
        {**field, "label": field.get("title") or field.get("id") or "—"}
        for field in _objects(p.get("orderExtraFields"))
    ]
    shipping = p.get("shippingOption") if isinstance(p.get("shippingOption"), dict) else {}
    return render(
        request,
        "sandbox/ecwid/order.html",
        {
            "section": "orders",
            "store": store,
            "order": found,
            "p": p,
            "items": items,
            "shipping": shipping,
            "billing": p.get("billingPerson") if isinstance(p.get("billingPerson"), dict) else {},
            "shipping_person": p.get("shippingPerson") if isinstance(p.get("shippingPerson"), dict) else {},
            "extra_fields": extra_fields,
            "custom_discounts": _objects(p.get("customDiscount")),
        },
    )


def products(request):
    """Catalog → Products: every product and variation with its SKU, price and stock."""
    store = _store(request)
    if store is None:
        return _no_store(request)
    catalogue = store.products.prefetch_related("combinations")
    return render(
        request, "sandbox/ecwid/products.html", {"section": "products", "store": store, "products": catalogue}
    )


def _custom_app_tokens(store: Store) -> tuple[Token, Token]:
    """The custom app's secret and public tokens (§2.1), made on first visit if the seed did not."""
    tokens = store.tokens.filter(source=Token.Source.CUSTOM_APP, active=True)
    secret = tokens.filter(kind=Token.Kind.SECRET).first() or Token.objects.create(
        store=store,
        token=random_token("secret_"),
        kind=Token.Kind.SECRET,
        source=Token.Source.CUSTOM_APP,
        scopes=" ".join(CUSTOM_APP_SCOPES),
    )
    public = tokens.filter(kind=Token.Kind.PUBLIC).first() or Token.objects.create(
        store=store,
        token=random_token("public_"),
        kind=Token.Kind.PUBLIC,
        source=Token.Source.CUSTOM_APP,
        scopes=" ".join(PUBLIC_TOKEN_SCOPES),
    )
    return secret, public


@require_http_methods(["GET", "POST"])
def custom_app(request):
    """Apps → My apps → Custom app: the store's tokens (for a pasted-token connection) and the OAuth app."""
    store = _store(request)
    if store is None:
        return _no_store(request)
    if request.method == "POST" and request.POST.get("action") == "regenerate":
        store.tokens.filter(source=Token.Source.CUSTOM_APP).update(active=False)
        messages.success(request, "New tokens issued; the old ones no longer work.")
        return HttpResponseRedirect(f"{reverse('sandbox:ecwid:custom-app')}?store={store.store_id}")
    secret, public = _custom_app_tokens(store)
    installs = store.tokens.filter(source=Token.Source.OAUTH, kind=Token.Kind.SECRET).select_related("app")
    return render(
        request,
        "sandbox/ecwid/custom_app.html",
        {
            "section": "app",
            "store": store,
            "secret": secret,
            "public": public,
            "apps": OAuthApp.objects.all(),
            "installs": installs.order_by("-created_at")[:20],
        },
    )
