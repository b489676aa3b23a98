from django.contrib import admin

from sandbox.tiktok.models import (
    App,
    AuthCode,
    Order,
    Product,
    Shop,
    Sku,
    Stock,
    Token,
    Warehouse,
    WebhookDelivery,
)


@admin.register(App)
class AppAdmin(admin.ModelAdmin):
    list_display = ["name", "app_key", "service_id", "redirect_url", "webhook_url"]
    exclude = ["app_secret"]  # the sandbox's secret stays out of pages; the seed hands it to the portal


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ["name", "shop_id", "region", "code", "seller_type"]


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["name", "warehouse_id", "shop", "effect_status", "type", "is_default"]


class SkuInline(admin.TabularInline):
    model = Sku
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["title", "product_id", "shop", "status"]
    list_filter = ["status"]
    inlines = [SkuInline]


@admin.register(Stock)
class StockAdmin(admin.ModelAdmin):
    list_display = ["sku", "warehouse", "quantity"]


@admin.register(AuthCode)
class AuthCodeAdmin(admin.ModelAdmin):
    list_display = ["app", "shop", "created_at", "expires_at", "used_at"]
    exclude = ["code"]


@admin.register(Token)
class TokenAdmin(admin.ModelAdmin):
    list_display = ["id", "app", "shop", "access_expires_at", "refresh_expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    exclude = ["access_token", "refresh_token"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["order_id", "shop", "status", "create_time", "update_time"]
    list_filter = ["status"]
    search_fields = ["order_id"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event_type", "order", "target", "status_code", "error", "duration_ms"]
    list_filter = ["event_type", "status_code"]
