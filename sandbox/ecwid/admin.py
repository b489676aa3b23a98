from django.contrib import admin

from sandbox.ecwid.models import AuthCode, Combination, OAuthApp, Order, Product, Store, Token


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["store_id", "name", "email", "suspended", "search_lag_seconds", "create_response_key"]


@admin.register(OAuthApp)
class OAuthAppAdmin(admin.ModelAdmin):
    list_display = ["name", "client_id", "redirect_uri"]


@admin.register(Token)
class TokenAdmin(admin.ModelAdmin):
    list_display = ["store", "kind", "source", "app", "active", "created_at"]
    list_filter = ["kind", "source", "active"]
    exclude = ["token"]  # shown on the store's Custom app page, not in lists and logs


@admin.register(AuthCode)
class AuthCodeAdmin(admin.ModelAdmin):
    list_display = ["app", "store", "created_at", "used_at"]
    exclude = ["code"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "order_id",
        "store",
        "email",
        "total",
        "payment_status",
        "fulfillment_status",
        "created_at",
    ]
    list_filter = ["payment_status", "fulfillment_status"]
    search_fields = ["=order_id", "external_transaction_id", "email"]


class CombinationInline(admin.TabularInline):
    model = Combination
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "sku", "product_id", "price", "quantity", "unlimited", "store"]
    search_fields = ["sku", "name"]
    inlines = [CombinationInline]
