from django import forms

from sandbox.models import FaultSettings


class FaultSettingsForm(forms.ModelForm):
    class Meta:
        model = FaultSettings
        exclude = ["platform"]
