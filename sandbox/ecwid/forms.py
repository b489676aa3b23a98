from django import forms

from sandbox.ecwid.models import Store


class ConsentForm(forms.Form):
    """The merchant's answer on the install page: which store, and Install or Decline."""

    store = forms.ModelChoiceField(queryset=Store.objects.none(), to_field_name="store_id", empty_label=None)
    action = forms.ChoiceField(choices=[("install", "Install"), ("decline", "Decline")])

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = Store.objects.filter(pk__in=[s.pk for s in stores])
        self.fields["store"].initial = stores[0].store_id


class OrderSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search orders",
        widget=forms.TextInput(
            attrs={"placeholder": "Order ID, e.g. XJ12H, or email, name, SKU, transaction ID…", "size": 48}
        ),
    )
