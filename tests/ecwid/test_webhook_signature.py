"""Ecwid webhook signatures (spec §8.4)."""

from syncapp.platforms.ecwid import verify_webhook_signature, webhook_signature

VECTOR = ("test_client_secret", 1234567, "80aece08-40e8-4145-8764-6c2f0d38678")
EXPECTED = "ekmGPQc/IpCwO6woAiM+L8uvY6chew4n6JVQCiDrEVw="


def test_it_matches_the_published_test_vector():
    secret, created, event_id = VECTOR

    assert webhook_signature(created, event_id, secret) == EXPECTED


def test_it_accepts_the_right_signature():
    secret, created, event_id = VECTOR

    assert verify_webhook_signature(EXPECTED, created, event_id, secret)


def test_it_refuses_a_bad_or_missing_signature():
    secret, created, event_id = VECTOR

    assert not verify_webhook_signature("bm9wZQ==", created, event_id, secret)
    assert not verify_webhook_signature(EXPECTED, created + 1, event_id, secret)
    assert not verify_webhook_signature(EXPECTED, created, event_id, "another_secret")
    assert not verify_webhook_signature(None, created, event_id, secret)
    assert not verify_webhook_signature("", created, event_id, secret)
