from django import forms

from sandbox.models import FaultSettings


class FaultSettingsForm(forms.ModelForm):
    class Meta:
        model = FaultSettings
        fields = [
            "path_contains",
            "latency_ms",
            "error_rate",
            "error_next",
            "rate_limit_next",
            "retry_after",
            "timeout_rate",
            "timeout_next",
            "timeout_seconds",
            "lost_response_rate",
            "lost_response_next",
            "rate_limit",
            "rate_window",
        ]
