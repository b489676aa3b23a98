from django.apps import AppConfig


class SandboxEcwidConfig(AppConfig):
    name = "sandbox.ecwid"
    label = "sandbox_ecwid"
    verbose_name = "Sandbox: Ecwid"
