from django.db import models
from django.db.models import F


class FaultSettings(models.Model):
    """Fault switches for one emulated platform's API (never its consent or seller/store pages).

    Rates are probabilities per request; `*_next` counters hit the next N matching requests exactly
    (what tests and benchmarks want). `path_contains` narrows every fault to matching API paths.
    """

    class Platform(models.TextChoices):
        TIKTOK = "tiktok", "TikTok Shop"
        ECWID = "ecwid", "Ecwid"

    platform = models.CharField(max_length=10, choices=Platform.choices, unique=True)
    path_contains = models.CharField(max_length=200, blank=True, help_text="Only API paths containing this.")
    latency_ms = models.PositiveIntegerField(default=0, help_text="Added to every API response.")
    error_rate = models.FloatField(default=0.0, help_text="Share of requests answered 500 (0–1).")
    error_next = models.PositiveIntegerField(default=0)
    rate_limit_next = models.PositiveIntegerField(default=0, help_text="A burst of this many 429s.")
    retry_after = models.PositiveIntegerField(default=1, help_text="Seconds sent in Retry-After on 429.")
    timeout_rate = models.FloatField(default=0.0, help_text="Share of requests that hang, then 504.")
    timeout_next = models.PositiveIntegerField(default=0)
    timeout_seconds = models.FloatField(default=5.0)
    lost_response_rate = models.FloatField(
        default=0.0, help_text="Share of writes that are applied but answered 502 (the response is lost)."
    )
    lost_response_next = models.PositiveIntegerField(default=0)
    # Emulated platform rate limit: `rate_limit` requests per `rate_window` seconds per key
    # (Ecwid: 600 per 60 s per token; TikTok: 50 per 1 s per app, shop and API).
    rate_limit = models.PositiveIntegerField(default=0, help_text="0 = the platform's documented limit.")
    rate_window = models.FloatField(default=0.0, help_text="Seconds; 0 = the platform's documented window.")

    COUNTERS = ("error_next", "rate_limit_next", "timeout_next", "lost_response_next")

    class Meta:
        verbose_name = "fault settings"
        verbose_name_plural = "fault settings"

    def __str__(self):
        return f"Faults for {self.get_platform_display()}"

    @classmethod
    def for_platform(cls, platform: str) -> "FaultSettings":
        obj, _ = cls.objects.get_or_create(platform=platform)
        return obj

    def take(self, counter: str) -> bool:
        """Atomically use one of the next-N counter; True if this request is one of them."""
        assert counter in self.COUNTERS
        taken = (
            type(self).objects.filter(pk=self.pk, **{f"{counter}__gt": 0}).update(**{counter: F(counter) - 1})
        )
        return taken == 1

    def reset(self) -> None:
        defaults = type(self)(platform=self.platform)
        for field in self._meta.concrete_fields:
            if field.name not in ("id", "platform"):
                setattr(self, field.name, getattr(defaults, field.name))
        self.save()
