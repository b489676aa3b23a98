from django.apps import AppConfig


class SandboxTiktokConfig(AppConfig):
    name = "sandbox.tiktok"
    label = "sandbox_tiktok"
    verbose_name = "Sandbox: TikTok Shop"
