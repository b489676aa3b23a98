from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse

from syncapp import connections
from syncapp.admin.connections import OAUTH_SESSION_KEY
from syncapp.models import Connection


@staff_member_required
def oauth_callback(request, platform):
    """Where TikTok Shop and Ecwid send the merchant back with `code` (or `error`) and our `state`."""
    states = request.session.get(OAUTH_SESSION_KEY, {})
    conn_pk = states.pop(request.GET.get("state", ""), None)
    request.session.modified = True
    if conn_pk is None:
        messages.error(
            request,
            "This authorization answer was not started from this portal (unknown or reused state). "
            "Open the connection and click Authorize again.",
        )
        return HttpResponseRedirect(reverse("admin:syncapp_connection_changelist"))
    conn = get_object_or_404(Connection, pk=conn_pk, platform=platform)
    change_url = reverse("admin:syncapp_connection_change", args=[conn.pk])
    error = request.GET.get("error")
    code = request.GET.get("code")
    if error or not code or code == "null":
        message = f"Authorization was declined or cancelled ({error or 'no code returned'})."
        if conn.access_token and conn.status == Connection.Status.OK:
            # The tokens from before still work: nothing changed, so the connection stays connected.
            messages.warning(request, f"{conn.name}: {message} The existing authorization is kept.")
        else:
            conn.record_failure(message)
            messages.error(request, f"{conn.name}: {message}")
        return HttpResponseRedirect(change_url)
    redirect_uri = request.build_absolute_uri(reverse("syncapp:oauth-callback", args=[platform]))
    ok, message = connections.complete_authorization(conn, code=code, redirect_uri=redirect_uri)
    (messages.success if ok else messages.error)(request, f"{conn.name}: {message}")
    return HttpResponseRedirect(change_url)
