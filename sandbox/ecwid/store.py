"""Read and steer the emulated Ecwid store from Python: for tests and benchmarks (no HTTP involved)."""

from sandbox.ecwid.models import Order, Product, Store, Token
from sandbox.ecwid.seed import STORE_ID


def get_store(store_id: int = STORE_ID) -> Store:
    return Store.objects.get(store_id=store_id)


def secret_token(store_id: int = STORE_ID) -> str:
    """The custom app's secret token (what staff paste into a connection instead of OAuth)."""
    token = Token.objects.filter(
        store__store_id=store_id, source=Token.Source.CUSTOM_APP, kind=Token.Kind.SECRET, active=True
    ).first()
    if token is None:
        raise LookupError(f"Store {store_id} has no custom-app token: seed the sandbox first.")
    return token.token


def count_orders(store_id: int = STORE_ID) -> int:
    return Order.objects.filter(store__store_id=store_id).count()


def list_orders(store_id: int = STORE_ID) -> list[dict]:
    """Every order of the store as the API would return it, oldest first."""
    orders = Order.objects.filter(store__store_id=store_id).order_by("created_at", "id")
    return [order.payload for order in orders]


def get_order(order_id: str, store_id: int = STORE_ID) -> dict | None:
    order = Order.objects.filter(store__store_id=store_id, order_id=order_id).first()
    return order.payload if order else None


def find_by_external_id(external_transaction_id: str, store_id: int = STORE_ID) -> list[dict]:
    """Orders whose externalTransactionId is exactly this (the duplicate check of the sync tests)."""
    orders = Order.objects.filter(
        store__store_id=store_id, external_transaction_id=external_transaction_id
    ).order_by("created_at", "id")
    return [order.payload for order in orders]


def stock_of(sku: str, store_id: int = STORE_ID) -> int | None:
    """Stock of a product or variation SKU; None when unlimited or unknown."""
    product = Product.objects.filter(store__store_id=store_id, sku=sku).first()
    if product is not None:
        return None if product.unlimited else product.quantity
    product = Product.objects.filter(store__store_id=store_id, combinations__sku=sku).first()
    if product is None:
        return None
    combination = product.combinations.get(sku=sku)
    return None if combination.unlimited else combination.quantity


def set_stock(sku: str, quantity: int, store_id: int = STORE_ID) -> None:
    updated = Product.objects.filter(store__store_id=store_id, sku=sku).update(quantity=quantity)
    if not updated:
        product = Product.objects.get(store__store_id=store_id, combinations__sku=sku)
        product.combinations.filter(sku=sku).update(quantity=quantity)


def set_search_lag(seconds: float, store_id: int = STORE_ID) -> None:
    """Emulate the search-index lag (§4.4): younger orders are not found by search."""
    Store.objects.filter(store_id=store_id).update(search_lag_seconds=seconds)


def delete_all_orders(store_id: int = STORE_ID) -> int:
    deleted, _ = Order.objects.filter(store__store_id=store_id).delete()
    return deleted
