import pytest
import requests

from sandbox.models import FaultSettings

pytestmark = pytest.mark.django_db(transaction=True)


def test_faults_json_sets_and_resets_switches(sandbox_url):
    url = f"{sandbox_url}/faults.json"
    r = requests.post(url, json={"platform": "ecwid", "error_rate": 0.25, "rate_limit_next": 3}, timeout=5)
    assert r.status_code == 200
    assert r.json()["ecwid"]["error_rate"] == 0.25
    assert FaultSettings.objects.get(platform="ecwid").rate_limit_next == 3

    r = requests.post(url, json={"platform": "ecwid", "reset": True}, timeout=5)
    assert r.json()["ecwid"]["error_rate"] == 0.0
    assert r.json()["ecwid"]["rate_limit_next"] == 0


def test_faults_json_refuses_bad_values_with_a_message(sandbox_url):
    r = requests.post(
        f"{sandbox_url}/faults.json", json={"platform": "ecwid", "latency_ms": "soon"}, timeout=5
    )
    assert r.status_code == 400
    assert "latency_ms" in r.json()["error"]

    r = requests.post(f"{sandbox_url}/faults.json", json={"platform": "amazon"}, timeout=5)
    assert r.status_code == 400


def test_faults_json_refuses_a_body_that_is_not_json(sandbox_url):
    r = requests.post(f"{sandbox_url}/faults.json", data=b"{nope", timeout=5)
    assert r.status_code == 400


def test_next_n_counter_is_taken_exactly_n_times(db):
    settings = FaultSettings.for_platform("tiktok")
    settings.error_next = 2
    settings.save()
    assert [settings.take("error_next") for _ in range(4)] == [True, True, False, False]
