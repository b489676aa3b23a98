import json

from django.contrib import messages
from django.forms.models import model_to_dict
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from sandbox import ratelimit
from sandbox.forms import FaultSettingsForm
from sandbox.models import FaultSettings


def home(request):
    return render(request, "sandbox/home.html")


def _all_settings():
    return [FaultSettings.for_platform(p) for p in FaultSettings.Platform.values]


def faults_page(request):
    """The fault switches of both platforms, one form each."""
    if request.method == "POST":
        faults = FaultSettings.for_platform(request.POST.get("platform", ""))
        if "reset" in request.POST:
            faults.reset()
            ratelimit.reset()
            messages.success(request, f"{faults.get_platform_display()}: faults reset.")
            return HttpResponseRedirect(reverse("sandbox:faults"))
        form = FaultSettingsForm(request.POST, instance=faults, prefix=faults.platform)
        if form.is_valid():
            form.save()
            messages.success(request, f"{faults.get_platform_display()}: faults saved.")
            return HttpResponseRedirect(reverse("sandbox:faults"))
        forms_by_platform = {
            f.platform: (
                form if f.platform == faults.platform else FaultSettingsForm(instance=f, prefix=f.platform)
            )
            for f in _all_settings()
        }
    else:
        forms_by_platform = {
            f.platform: FaultSettingsForm(instance=f, prefix=f.platform) for f in _all_settings()
        }
    return render(
        request,
        "sandbox/faults.html",
        {"forms": [(FaultSettings.Platform(p).label, p, form) for p, form in forms_by_platform.items()]},
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def faults_json(request):
    """GET: the switches of both platforms. POST {"platform": "ecwid", "error_rate": 0.2, ...} sets
    fields; {"platform": "ecwid", "reset": true} (or no platform) resets, rate-limit buckets included."""
    if request.method == "POST":
        try:
            payload = json.loads(request.body or b"{}")
        except ValueError:
            return JsonResponse({"error": "Body must be JSON."}, status=400)
        platforms = [payload["platform"]] if payload.get("platform") else FaultSettings.Platform.values
        if any(p not in FaultSettings.Platform.values for p in platforms):
            return JsonResponse(
                {"error": f"platform must be one of {FaultSettings.Platform.values}"}, status=400
            )
        for platform in platforms:
            faults = FaultSettings.for_platform(platform)
            if payload.get("reset"):
                faults.reset()
                ratelimit.reset()
            changes = {k: v for k, v in payload.items() if k not in ("platform", "reset")}
            if changes:
                form = FaultSettingsForm({**model_to_dict(faults), **changes}, instance=faults)
                if not form.is_valid():
                    return JsonResponse({"error": form.errors.get_json_data()}, status=400)
                form.save()
    data = {f.platform: model_to_dict(f, exclude=["id", "platform"]) for f in _all_settings()}
    return JsonResponse(data)
