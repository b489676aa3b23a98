"""Products, variations and stock as Ecwid serves them (§5)."""

from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q

from sandbox.ecwid.errors import ApiError
from sandbox.ecwid.models import MAX_QUANTITY, Combination, Product, Store, as_id
from sandbox.ecwid.orders import comma_list, format_date, page_params, parse_date


def _money(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def combination_json(combination: Combination) -> dict:
    data = {
        "id": combination.combination_id,
        "combinationNumber": combination.combination_number,
        "options": [{"name": o.get("name"), "value": o.get("value")} for o in combination.options],
        "sku": combination.sku,
        "unlimited": combination.unlimited,
        "inStock": combination.unlimited or combination.quantity > 0,
        "price": _money(combination.price if combination.price is not None else combination.product.price),
    }
    if not combination.unlimited:
        data["quantity"] = combination.quantity  # §5.1: omitted when unlimited
    return data


def _options(combinations: list[Combination]) -> list[dict]:
    names: dict[str, list[str]] = {}
    for combination in combinations:
        for option in combination.options:
            values = names.setdefault(option.get("name", ""), [])
            if option.get("value") not in values:
                values.append(option.get("value"))
    return [
        {
            "type": "SELECT",
            "name": name,
            "choices": [{"text": v, "priceModifier": 0, "priceModifierType": "ABSOLUTE"} for v in values],
            "defaultChoice": 0,
            "required": True,
        }
        for name, values in names.items()
    ]


def product_json(product: Product) -> dict:
    combinations = list(product.combinations.all())
    data = {
        "id": product.product_id,
        "sku": product.sku,
        "name": product.name,
        "price": _money(product.price),
        "unlimited": product.unlimited,
        "inStock": product.unlimited
        or product.quantity > 0
        or any(c.unlimited or c.quantity > 0 for c in combinations),
        "enabled": product.enabled,
        "warningLimit": 0,
        "created": format_date(product.created_at),
        "updated": format_date(product.updated_at),
        "createTimestamp": int(product.created_at.timestamp()),
        "updateTimestamp": int(product.updated_at.timestamp()),
        "options": _options(combinations),
        "combinations": [combination_json(c) for c in combinations],
    }
    if combinations:
        data["defaultCombinationId"] = combinations[0].combination_id
    if not product.unlimited:
        data["quantity"] = product.quantity
    return data


def _flag(params, name: str) -> bool | None:
    value = params.get(name)
    if value in (None, ""):
        return None
    if value.lower() not in ("true", "false"):
        raise ApiError(400, "WRONG_PARAMETER", f"Parameter {name} must be true or false")
    return value.lower() == "true"


def search_products(store: Store, params) -> dict:
    """`GET /products` (§5.1): `sku` matches a product or variation SKU exactly and then only
    `productId` still applies; otherwise `keyword`, `productId`, `updatedFrom`/`updatedTo`, `inStock`,
    `enabled`."""
    offset, limit = page_params(params)
    products = store.products.all()
    if params.get("productId"):
        ids = comma_list(params["productId"])
        numbers = [as_id(i) for i in ids]
        if None in numbers:
            raise ApiError(400, "WRONG_PARAMETER", "Parameter productId must be a list of numbers")
        products = products.filter(product_id__in=numbers)
    if params.get("sku"):
        sku = params["sku"]
        products = products.filter(Q(sku=sku) | Q(combinations__sku=sku)).distinct()
    else:
        for term in (params.get("keyword") or "").split():
            products = products.filter(Q(name__icontains=term) | Q(sku__icontains=term))
        enabled = _flag(params, "enabled")
        if enabled is not None:
            products = products.filter(enabled=enabled)
        for name, lookup in (("updatedFrom", "updated_at__gte"), ("updatedTo", "updated_at__lte")):
            if params.get(name):  # §5.1; a stock change counts as an update (§8.2)
                products = products.filter(**{lookup: parse_date(params[name], name)})
        in_stock = _flag(params, "inStock")
        if in_stock is not None:
            stocked = Q(unlimited=True) | Q(quantity__gt=0) | Q(combinations__quantity__gt=0)
            stocked |= Q(combinations__unlimited=True)
            products = products.filter(stocked).distinct() if in_stock else products.exclude(stocked)
    products = products.order_by("id")
    total = products.count()
    page = products[offset : offset + limit].prefetch_related("combinations")
    items = [product_json(p) for p in page]
    return {"total": total, "count": len(items), "offset": offset, "limit": limit, "items": items}


def find_product(store: Store, product_id: str) -> Product:
    number = as_id(product_id)
    product = store.products.filter(product_id=number).first() if number is not None else None
    if product is None:
        raise ApiError(404, "PRODUCT_NOT_FOUND", f"Product #{product_id} not found")
    return product


def find_combination(product: Product, combination_id: str) -> Combination:
    number = as_id(combination_id)
    combination = None
    if number is not None:
        combination = product.combinations.filter(combination_id=number).first()
    if combination is None:
        raise ApiError(404, "COMBINATION_NOT_FOUND", f"Combination #{combination_id} not found")
    return combination


def _sku_taken(store: Store, sku: str, *, product: Product | None = None, combination=None) -> bool:
    products = store.products.filter(sku=sku)
    combinations = Combination.objects.filter(product__store=store, sku=sku)
    if product is not None:
        products = products.exclude(pk=product.pk)
    if combination is not None:
        combinations = combinations.exclude(pk=combination.pk)
    return products.exists() or combinations.exists()


def _stock_fields(body, target, *, product: Product | None = None, combination=None) -> None:
    """Apply the writable stock/identity fields of a PUT body to a product or a variation."""
    if not isinstance(body, dict):
        raise ApiError(400, "WRONG_PARAMETER", "The request body must be a JSON object")
    if "quantity" in body:
        quantity = body["quantity"]
        if not isinstance(quantity, int) or isinstance(quantity, bool) or abs(quantity) > MAX_QUANTITY:
            raise ApiError(400, "WRONG_PARAMETER", "Field quantity must be a whole number")
        target.quantity = body["quantity"]
    if "unlimited" in body:
        if not isinstance(body["unlimited"], bool):
            raise ApiError(400, "WRONG_PARAMETER", "Field unlimited must be true or false")
        target.unlimited = body["unlimited"]
    if "price" in body:
        price = body["price"]
        if not isinstance(price, int | float) or isinstance(price, bool) or not 0 <= price < 10**9:
            raise ApiError(400, "WRONG_PARAMETER", "Field price must be a number, not negative")
        target.price = Decimal(str(body["price"])).quantize(Decimal("0.01"))
    if "sku" in body:
        sku = body["sku"]
        if not isinstance(sku, str):
            raise ApiError(400, "WRONG_PARAMETER", "Field sku must be a string")
        store = (product or combination.product).store
        if sku and _sku_taken(store, sku, product=product, combination=combination):
            raise ApiError(409, "SKU_ALREADY_EXISTS", f"SKU {sku} already exists")
        target.sku = sku


def update_product(product: Product, body) -> int:
    """`PUT /products/{id}` (§5.2): quantity, unlimited, price, sku, name, enabled."""
    _stock_fields(body, product, product=product)
    if "name" in body:
        if not isinstance(body["name"], str) or not body["name"].strip():
            raise ApiError(400, "WRONG_PARAMETER", "Field name must be a non-empty string")
        product.name = body["name"]
    if "enabled" in body:
        if not isinstance(body["enabled"], bool):
            raise ApiError(400, "WRONG_PARAMETER", "Field enabled must be true or false")
        product.enabled = body["enabled"]
    product.save()
    return 1


def update_combination(combination: Combination, body) -> int:
    """`PUT /products/{id}/combinations/{cid}` (§5.4)."""
    _stock_fields(body, combination, combination=combination)
    with transaction.atomic():
        combination.save()
        combination.product.save(update_fields=["updated_at"])
    return 1


def _delta(body) -> int:
    if not isinstance(body, dict) or "quantityDelta" not in body:
        raise ApiError(400, "WRONG_PARAMETER", "Field quantityDelta is absent")
    delta = body["quantityDelta"]
    if not isinstance(delta, int) or isinstance(delta, bool) or abs(delta) > MAX_QUANTITY:
        raise ApiError(400, "WRONG_PARAMETER", "Field quantityDelta must be a whole number")
    return delta


def adjust_product(product: Product, body) -> dict:
    """`PUT /products/{id}/inventory` (§5.3): atomic delta; stock may go negative, with a warning."""
    delta = _delta(body)
    if product.unlimited:
        return {"updateCount": 0, "warning": "Product has unlimited stock."}
    Product.objects.filter(pk=product.pk).update(quantity=F("quantity") + delta)
    product.refresh_from_db()
    product.save(update_fields=["updated_at"])
    result = {"updateCount": 1}
    if product.quantity < 0:
        result["warning"] = "Product has negative stock."
    return result


def adjust_combination(combination: Combination, body) -> dict:
    """`PUT /products/{id}/combinations/{cid}/inventory` (§5.4)."""
    delta = _delta(body)
    if not combination.sku:
        # Old docs: a variation without its own SKU has no stock of its own to adjust.
        raise ApiError(400, "WRONG_PARAMETER", "SKU for combination is not set")
    if combination.unlimited:
        return {"updateCount": 0, "warning": "Combination has unlimited stock."}
    Combination.objects.filter(pk=combination.pk).update(quantity=F("quantity") + delta)
    combination.refresh_from_db()
    combination.product.save(update_fields=["updated_at"])  # §8.2: a stock change updates the product
    result = {"updateCount": 1}
    if combination.quantity < 0:
        result["warning"] = "Combination has negative stock."
    return result
