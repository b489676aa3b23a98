from django import forms

from syncapp.models import Connection

SECRET_FIELDS = ("app_secret", "access_token")


class SecretInput(forms.PasswordInput):
    """Never renders the stored value; says whether one is stored."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"autocomplete": "new-password", **(attrs or {})}, render_value=False)


class ConnectionForm(forms.ModelForm):
    """Secrets are write-only: a blank field keeps what is stored, so editing other fields is safe."""

    # Real platform hosts are https; say so rather than rely on Django's changing default scheme.
    api_base_url = Connection._meta.get_field("api_base_url").formfield(assume_scheme="https")
    auth_base_url = Connection._meta.get_field("auth_base_url").formfield(assume_scheme="https")
    authorize_url = Connection._meta.get_field("authorize_url").formfield(assume_scheme="https")
    clear_access_token = forms.BooleanField(
        required=False, label="Forget the stored access token (and refresh token)"
    )

    class Meta:
        model = Connection
        fields = [
            "platform",
            "name",
            "api_base_url",
            "auth_base_url",
            "authorize_url",
            "app_key",
            "app_secret",
            "shop_id",
            "store_id",
            "access_token",
        ]
        widgets = {"app_secret": SecretInput(), "access_token": SecretInput()}
        help_texts = {
            "access_token": "Ecwid custom app: paste its secret_… token here (with the store id) instead of "
            "authorizing. TikTok Shop: filled in by Authorize.",
            "shop_id": "TikTok Shop: which authorized shop to sync (set by Authorize; blank = the first).",
            "store_id": "Ecwid: the store id (filled in by Authorize, or type it with a pasted token).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SECRET_FIELDS:
            field = self.fields[name]
            field.required = False
            stored = bool(self.instance.pk and getattr(self.instance, name))
            field.widget.attrs["placeholder"] = (
                "•••••••• stored — leave blank to keep" if stored else "not set"
            )

    def clean(self):
        cleaned = super().clean()
        for name in SECRET_FIELDS:
            if not cleaned.get(name) and self.instance.pk:
                cleaned[name] = getattr(self.instance, name)  # blank = keep
        token = cleaned.get("access_token", "")
        if cleaned.get("platform") == Connection.Platform.ECWID and token and not cleaned.get("store_id"):
            self.add_error("store_id", "An Ecwid token only works together with its store id.")
        if cleaned.get("platform") == Connection.Platform.ECWID and token and not token.startswith("secret_"):
            self.add_error(
                "access_token",
                "This does not look like an Ecwid secret token (they start with secret_). Public tokens "
                "(public_…) cannot create paid orders.",
            )
        return cleaned

    def save(self, commit=True):
        conn = super().save(commit=False)
        if self.cleaned_data.get("clear_access_token"):
            conn.access_token = conn.refresh_token = ""
            conn.access_token_expires_at = conn.refresh_token_expires_at = None
            conn.status = Connection.Status.NEW
        elif self["access_token"].data:  # a token was typed in, not merely kept
            conn.access_token_expires_at = None  # a pasted Ecwid token does not expire
            conn.status = Connection.Status.NEW
        if commit:
            conn.save()
        return conn
