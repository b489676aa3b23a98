"""A profile's tasks and their django-q2 schedules follow the rows."""

import pytest
from django.core.exceptions import ValidationError
from django_q.models import Schedule

from syncapp import tasks
from syncapp.models import Connection, Entity, Profile, ProfileTask
from syncapp.sync import schedules

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile():
    def conn(name, platform):
        return Connection.objects.create(
            name=name, platform=platform, api_base_url="https://x.invalid", auth_base_url="https://x.invalid"
        )

    return Profile.objects.create(
        name="[Acme US] TikTok Shop – Ecwid",
        source=conn("T", Connection.Platform.TIKTOK_SHOP),
        destination=conn("E", Connection.Platform.ECWID),
    )


def schedule_of(task):
    return Schedule.objects.filter(name=task.schedule_name).first()


def test_a_new_profile_gets_one_task_per_entity_and_schedules_the_enabled_ones(profile):
    assert set(profile.tasks.values_list("entity", flat=True)) == set(Entity)
    inventory = profile.tasks.get(entity=Entity.INVENTORY)
    assert not inventory.enabled and schedule_of(inventory) is None  # a merchant opts in
    for task in profile.tasks.filter(enabled=True):
        schedule = schedule_of(task)
        assert schedule.func == "syncapp.tasks.run_profile_task"
        assert schedule.args == repr((task.pk,))
        assert (schedule.schedule_type, schedule.minutes) == (Schedule.MINUTES, task.interval_minutes)
        assert task.next_run_at == schedule.next_run
    assert str(profile.tasks.get(entity=Entity.ORDER_DETAIL)).startswith(
        "TikTok Shop > Ecwid: Sales Order Data"
    )


def test_saving_a_task_updates_its_schedule_without_making_another(profile):
    task = profile.tasks.get(entity=Entity.SALES_ORDER)
    task.interval_minutes = ProfileTask.Interval.HOUR_1
    task.save()
    task.save()

    assert Schedule.objects.filter(name=task.schedule_name).count() == 1
    assert schedule_of(task).minutes == 60


def test_disabling_a_task_or_the_profile_removes_its_schedule(profile):
    task = profile.tasks.get(entity=Entity.ORDER_DETAIL)
    task.enabled = False
    task.save()
    assert schedule_of(task) is None
    assert tasks.run_profile_task(task.pk).endswith("switched off.")

    task.enabled = True
    task.save()
    assert schedule_of(task)

    profile.is_active = False
    profile.save()
    assert not Schedule.objects.filter(func="syncapp.tasks.run_profile_task").exists()


def test_the_token_refresh_schedule_exists_once():
    schedules.ensure_token_refresh_schedule()
    schedules.ensure_token_refresh_schedule()

    (schedule,) = Schedule.objects.filter(name=schedules.TOKEN_REFRESH_SCHEDULE)
    assert schedule.func == "syncapp.tasks.refresh_connection_tokens"


def test_profile_rules_fall_back_to_the_defaults_and_reject_bad_values(profile):
    rules = profile.rules()
    assert "AWAITING_SHIPMENT" in rules.taken_statuses and "UNPAID" not in rules.taken_statuses
    assert rules.fulfillment_status_map["IN_TRANSIT"] == "SHIPPED"

    profile.fulfillment_status_map = {"IN_TRANSIT": "PROCESSING"}
    assert profile.rules().fulfillment_status_map["IN_TRANSIT"] == "PROCESSING"

    profile.taken_statuses = ["UNPAID"]
    with pytest.raises(ValidationError):
        profile.full_clean()
