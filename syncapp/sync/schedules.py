"""django-q2 schedules for profile tasks and the periodic token refresh.

Schedules are ordinary rows (STYLE.md, django-q2): each is created idempotently with
`update_or_create(name=…)`, so saving a task twice, or migrating twice, never makes a second one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone
from django_q.models import Schedule

if TYPE_CHECKING:
    from syncapp.models import ProfileTask

TOKEN_REFRESH_SCHEDULE = "refresh-connection-tokens"
TOKEN_REFRESH_EVERY_MINUTES = 60


def sync_schedule(task: ProfileTask) -> None:
    """Create, update or remove the django-q2 Schedule of a ProfileTask to match the row."""
    active = task.enabled and task.profile.is_active
    if not active:
        remove_schedule(task)
        if task.next_run_at is not None:
            type(task).objects.filter(pk=task.pk).update(next_run_at=None)
        return
    existing = Schedule.objects.filter(name=task.schedule_name).first()
    if existing and existing.minutes == task.interval_minutes and existing.next_run:
        next_run = existing.next_run
    else:
        # A new or changed interval starts soon, not a whole interval from now.
        next_run = timezone.now() + timedelta(seconds=5)
    schedule, _ = Schedule.objects.update_or_create(
        name=task.schedule_name,
        defaults={
            "func": "syncapp.tasks.run_profile_task",
            "args": repr((task.pk,)),
            "schedule_type": Schedule.MINUTES,
            "minutes": task.interval_minutes,
            "repeats": -1,
            "next_run": next_run,
        },
    )
    if task.next_run_at != schedule.next_run:
        type(task).objects.filter(pk=task.pk).update(next_run_at=schedule.next_run)
        task.next_run_at = schedule.next_run


def remove_schedule(task: ProfileTask) -> None:
    Schedule.objects.filter(name=task.schedule_name).delete()


def next_run_of(task: ProfileTask) -> datetime | None:
    """When the scheduler will run this task next (None when disabled)."""
    return Schedule.objects.filter(name=task.schedule_name).values_list("next_run", flat=True).first()


def ensure_token_refresh_schedule() -> Schedule:
    """The hourly refresh of TikTok tokens that are close to expiry (idempotent)."""
    schedule, _ = Schedule.objects.update_or_create(
        name=TOKEN_REFRESH_SCHEDULE,
        defaults={
            "func": "syncapp.tasks.refresh_connection_tokens",
            "schedule_type": Schedule.MINUTES,
            "minutes": TOKEN_REFRESH_EVERY_MINUTES,
            "repeats": -1,
        },
    )
    return schedule
