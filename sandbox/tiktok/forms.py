from decimal import Decimal

from django import forms

from sandbox.tiktok import orders

STATUS_CHOICES = [(s, s.replace("_", " ").title()) for s in orders.INITIAL_STATUSES]


class CreateOrderForm(forms.Form):
    """The Buyer View's "Create test order": up to 3 active products (§8 of the API spec)."""

    MAX_PRODUCTS = 3

    buyer_name = forms.CharField(max_length=100, initial="Jane Doe")
    buyer_email = forms.EmailField(
        required=False, help_text="Empty: an anonymized relay address, as TikTok shows it."
    )
    phone = forms.CharField(max_length=40, initial="(+1)213-555-1234")
    address_line1 = forms.CharField(label="Address line 1", max_length=200, initial="1199 Coleman Ave")
    address_line2 = forms.CharField(
        label="Address line 2", max_length=200, required=False, initial="Suite 100"
    )
    city = forms.CharField(max_length=100, initial="San Jose")
    state = forms.CharField(max_length=100, initial="California")
    postal_code = forms.CharField(max_length=20, initial="95110")
    shipping_fee = forms.DecimalField(min_value=0, max_digits=10, decimal_places=2, initial=Decimal("5.99"))
    seller_discount = forms.DecimalField(
        min_value=0, max_digits=10, decimal_places=2, initial=Decimal("0.00")
    )
    tax_rate = forms.DecimalField(
        label="Sales tax rate (%)", min_value=0, max_value=99, max_digits=6, decimal_places=3, initial=0
    )
    status = forms.ChoiceField(choices=STATUS_CHOICES, initial="AWAITING_SHIPMENT", label="Initial status")

    def __init__(self, *args, skus=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [
            (s.seller_sku, f"{s.seller_sku} · {s.display_name} · ${s.price}") for s in skus
        ]
        for n in range(1, self.MAX_PRODUCTS + 1):
            self.fields[f"product_{n}"] = forms.ChoiceField(
                choices=choices, required=n == 1, label=f"Product {n}"
            )
            self.fields[f"quantity_{n}"] = forms.IntegerField(
                min_value=1, max_value=orders.MAX_QUANTITY, initial=1, required=False, label="Qty"
            )
        if not self.is_bound:
            self.fields["product_1"].initial = skus[0].seller_sku if skus else ""

    def product_rows(self):
        return [(self[f"product_{n}"], self[f"quantity_{n}"]) for n in range(1, self.MAX_PRODUCTS + 1)]

    def clean(self):
        cleaned = super().clean()
        items = []
        for n in range(1, self.MAX_PRODUCTS + 1):
            sku = cleaned.get(f"product_{n}")
            if sku:
                items.append((sku, cleaned.get(f"quantity_{n}") or 1))
        if not items and not self.errors:
            raise forms.ValidationError("Pick at least one product.")
        if len({sku for sku, _ in items}) != len(items):
            raise forms.ValidationError("Each product may be picked once; raise its quantity instead.")
        cleaned["items"] = items
        return cleaned

    def buyer(self) -> orders.Buyer:
        data = self.cleaned_data
        return orders.Buyer(
            name=data["buyer_name"],
            email=data.get("buyer_email") or "",
            phone=data["phone"],
            address_line1=data["address_line1"],
            address_line2=data.get("address_line2") or "",
            city=data["city"],
            state=data["state"],
            postal_code=data["postal_code"],
        )


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(s, s) for s in orders.ALL_STATUSES])
    shipping_provider = forms.CharField(max_length=100, required=False)
    tracking_number = forms.CharField(max_length=100, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == "AWAITING_COLLECTION":
            if not (cleaned.get("shipping_provider") or "").strip():
                raise forms.ValidationError("Shipping needs a carrier.")
            if not (cleaned.get("tracking_number") or "").strip():
                raise forms.ValidationError("Shipping needs a tracking number.")
        return cleaned
