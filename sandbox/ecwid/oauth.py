"""The emulated OAuth host (`…/sandbox/ecwid/my`): the install (consent) page and the token endpoint, §2.4."""

import datetime as dt
import hmac
import secrets
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.db import transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from sandbox import faults
from sandbox.ecwid.errors import render_error
from sandbox.ecwid.forms import ConsentForm
from sandbox.ecwid.models import (
    ALL_SCOPES,
    PUBLIC_TOKEN_SCOPES,
    AuthCode,
    OAuthApp,
    Store,
    Token,
    random_token,
)

CODE_LIFETIME = dt.timedelta(minutes=10)  # §2.4: "lives a few minutes"
ALWAYS_GRANTED = "read_store_profile"  # §2.3

SCOPE_WORDS = {
    "read_store_profile": "See the store's name, address and settings",
    "update_store_profile": "Change the store's profile and settings",
    "read_store_limits": "See the store's plan limits",
    "read_catalog": "See products, variations and stock",
    "update_catalog": "Change products and stock",
    "create_catalog": "Add new products",
    "read_orders": "See orders",
    "update_orders": "Change orders and their statuses",
    "create_orders": "Create orders",
    "read_customers": "See customers",
    "update_customers": "Change customers",
    "create_customers": "Add customers",
    "public_storefront": "Read the public storefront catalogue",
}


class ConsentError(Exception):
    pass


def _same_domain(url: str, registered: str) -> bool:
    # §2.4: `redirect_uri` must match the registered redirect URL's domain.
    try:
        a, b = urlsplit(url), urlsplit(registered)
        _ = a.port, b.port  # reading the port is what refuses "http://host:99999"
    except ValueError:  # e.g. "http://[::1": not a URL at all
        return False
    return a.scheme in ("http", "https") and (a.scheme, a.netloc.lower()) == (b.scheme, b.netloc.lower())


def _check_request(params) -> tuple[OAuthApp, list[str]]:
    for name in ("client_id", "redirect_uri", "response_type", "scope"):
        if not params.get(name):
            raise ConsentError(f"The install link is missing the '{name}' parameter.")
    if params["response_type"] != "code":
        raise ConsentError("response_type must be 'code'.")
    app = OAuthApp.objects.filter(client_id=params["client_id"]).first()
    if app is None:
        raise ConsentError("No app is registered with this client_id.")
    if not _same_domain(params["redirect_uri"], app.redirect_uri):
        raise ConsentError("redirect_uri does not match the app's registered redirect URL.")
    scopes = params["scope"].replace("+", " ").split()
    unknown = [s for s in scopes if s not in ALL_SCOPES]
    if unknown:
        raise ConsentError(f"Unknown access scope: {', '.join(unknown)}.")
    if ALWAYS_GRANTED not in scopes:
        scopes.insert(0, ALWAYS_GRANTED)
    return app, scopes


def _back_to_app(redirect_uri: str, **params: str) -> HttpResponseRedirect:
    parts = urlsplit(redirect_uri)
    extra = urlencode({k: v for k, v in params.items() if v})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return HttpResponseRedirect(urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment)))


@require_http_methods(["GET", "POST"])
def authorize(request):
    """§2.4 step 1–2: the merchant approves (Install) or declines; back to redirect_uri either way."""
    params = request.POST if request.method == "POST" else request.GET
    try:
        app, scopes = _check_request(params)
    except ConsentError as exc:
        return render(request, "sandbox/ecwid/oauth_error.html", {"message": str(exc)}, status=400)
    stores = list(Store.objects.all())
    if not stores:
        message = "There is no store in the sandbox yet: run `manage.py sandbox_seed`."
        return render(request, "sandbox/ecwid/oauth_error.html", {"message": message}, status=400)
    form = ConsentForm(params if request.method == "POST" else None, stores=stores)
    if request.method == "POST" and form.is_valid():
        state = params.get("state", "")
        if form.cleaned_data["action"] == "decline":
            return _back_to_app(params["redirect_uri"], error="access_denied", state=state)
        code = AuthCode.objects.create(
            app=app,
            store=form.cleaned_data["store"],
            code=secrets.token_urlsafe(24),
            scopes=" ".join(scopes),
            redirect_uri=params["redirect_uri"],
        )
        return _back_to_app(params["redirect_uri"], code=code.code, state=state)
    hidden = {k: params.get(k, "") for k in ("client_id", "redirect_uri", "response_type", "scope", "state")}
    return render(
        request,
        "sandbox/ecwid/consent.html",
        {
            "app": app,
            "form": form,
            "stores": stores,
            "hidden": hidden,
            "scopes": [(s, SCOPE_WORDS.get(s, s.replace("_", " ").capitalize())) for s in scopes],
        },
    )


def _oauth_error(status: int, error: str, description: str) -> JsonResponse:
    return JsonResponse({"error": error, "error_description": description}, status=status)


@csrf_exempt
@faults.api_view("ecwid", render_error)
def token(request):
    """§2.4 step 3: POST, form-encoded only; a code works once, and a second try disables the first token."""
    if request.method != "POST":
        return _oauth_error(
            405,
            "invalid_request",
            "Use POST with an application/x-www-form-urlencoded body; GET no longer works.",
        )
    if request.content_type != "application/x-www-form-urlencoded":
        return _oauth_error(400, "invalid_request", "The body must be application/x-www-form-urlencoded.")
    form = request.POST
    missing = [
        n for n in ("client_id", "client_secret", "code", "redirect_uri", "grant_type") if not form.get(n)
    ]
    if missing:
        return _oauth_error(400, "invalid_request", f"Missing parameter: {', '.join(missing)}.")
    if form["grant_type"] != "authorization_code":
        return _oauth_error(400, "unsupported_grant_type", "grant_type must be authorization_code.")
    app = OAuthApp.objects.filter(client_id=form["client_id"]).first()
    if app is None or not hmac.compare_digest(app.client_secret.encode(), form["client_secret"].encode()):
        return _oauth_error(401, "invalid_client", "Unknown client_id or wrong client_secret.")
    code = AuthCode.objects.filter(code=form["code"], app=app).select_related("store").first()
    if code is None:
        return _oauth_error(400, "invalid_grant", "Unknown authorization code.")
    now = timezone.now()
    with transaction.atomic():
        claimed = AuthCode.objects.filter(pk=code.pk, used_at=None).update(used_at=now)
        if not claimed:
            # §2.4: exchanging the same code twice disables the token issued the first time.
            Token.objects.filter(pk__in=[code.token_id, code.public_token_id]).update(active=False)
            return _oauth_error(
                400, "invalid_grant", "This code was already used; the token issued for it is now disabled."
            )
        if now - code.created_at > CODE_LIFETIME:
            return _oauth_error(400, "invalid_grant", "The authorization code has expired.")
        if form["redirect_uri"] != code.redirect_uri:
            return _oauth_error(400, "invalid_grant", "redirect_uri differs from the one used to authorize.")
        secret = Token.objects.create(
            store=code.store,
            app=app,
            token=random_token("secret_"),
            kind=Token.Kind.SECRET,
            source=Token.Source.OAUTH,
            scopes=code.scopes,
        )
        answer = {
            "access_token": secret.token,
            "token_type": "bearer",
            "scope": code.scopes,
            "store_id": code.store.store_id,
            "email": code.store.email,
        }
        public = None
        if "public_storefront" in code.scopes.split():
            # §2.4: `public_token` is present only when the app asked for `public_storefront`.
            public = Token.objects.create(
                store=code.store,
                app=app,
                token=random_token("public_"),
                kind=Token.Kind.PUBLIC,
                source=Token.Source.OAUTH,
                scopes=" ".join(PUBLIC_TOKEN_SCOPES),
            )
            answer["public_token"] = public.token
        AuthCode.objects.filter(pk=code.pk).update(token=secret, public_token=public)
    return JsonResponse(answer)
