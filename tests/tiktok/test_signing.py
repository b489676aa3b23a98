"""The spec's signing vectors (§1.3) and webhook vector (§6.3), for the client and the sandbox."""

import pytest

from sandbox.tiktok import signing as sandbox_signing
from syncapp.platforms.tiktok_shop import sign, verify_webhook_signature, webhook_signature

SHOPS_QUERY = {"app_key": "29a39d", "timestamp": "1623812664"}
WEBHOOKS_QUERY = {
    "app_key": "68xu9ks5p4i8",
    "shop_cipher": "ROW_xkMbgAAAeVAQra0eZWebFQq5aIK",
    "timestamp": "1696909648",
}
WEBHOOKS_BODY = '{"address":"https://partner.tiktokshop.com","event_type":"PACKAGE_UPDATE"}'

VECTORS = [
    pytest.param(
        "e59af819cc",
        "/authorization/202309/shops",
        SHOPS_QUERY,
        "",
        "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8",
        id="official worked example",
    ),
    pytest.param(
        "app_secret",
        "/test-api",
        {"foo": "bar"},
        "",
        "d3cb7fe11ecae942802ceeca67e7cf10120cc12f1517d45fbc1c8cfe5413c80f",
        id="EcomPHP unit test",
    ),
    pytest.param(
        "e59af819cc",
        "/event/202309/webhooks",
        WEBHOOKS_QUERY,
        "",
        "ed58e1b5e59865c22a7b828c1cab65007441f43cc91a6cb2f2cdc638e0995a37",
        id=".NET SDK unit test",
    ),
    pytest.param(
        "e59af819cc",
        "/event/202309/webhooks",
        WEBHOOKS_QUERY,
        WEBHOOKS_BODY,
        "cd0d6268252f4ba293bf7ea4c0a2873bf9beec600d22530638564ab301435f7a",
        id="with a body",
    ),
]

WEBHOOK_BODY = (
    b'{"type":1,"tts_notification_id":"7380066284010030890","shop_id":"7495540735365777507",'
    b'"timestamp":1718305585,"data":{"is_on_hold_order":true,"order_id":"576653688135258178",'
    b'"order_status":"UNPAID","update_time":1718305585}}'
)
WEBHOOK_SIGNATURE = "5dec0f11ec2f6783b8deee53c9ffbf8d024302f7c7e7fa55a35d17629031ac05"


@pytest.mark.parametrize(("secret", "path", "query", "body", "expected"), VECTORS)
def test_it_signs_the_spec_vectors(secret, path, query, body, expected):
    assert sign(secret, path, query, body) == expected
    assert sign(secret, path, query, body.encode()) == expected


@pytest.mark.parametrize(("secret", "path", "query", "body", "expected"), VECTORS)
def test_the_sandbox_verifies_with_the_same_vectors(secret, path, query, body, expected):
    assert sandbox_signing.request_sign(secret, path, list(query.items()), body.encode()) == expected


def test_it_leaves_sign_and_access_token_out_of_the_signature():
    query = {**SHOPS_QUERY, "sign": "whatever", "access_token": "legacy"}
    assert sign("e59af819cc", "/authorization/202309/shops", query) == VECTORS[0].values[4]


def test_it_signs_whatever_order_the_query_comes_in():
    reversed_query = dict(reversed(list(WEBHOOKS_QUERY.items())))
    assert sign("e59af819cc", "/event/202309/webhooks", reversed_query) == VECTORS[2].values[4]


def test_it_signs_the_webhook_vector():
    assert webhook_signature(WEBHOOK_BODY, "abcdef", "123") == WEBHOOK_SIGNATURE
    assert sandbox_signing.webhook_signature("abcdef", "123", WEBHOOK_BODY) == WEBHOOK_SIGNATURE


def test_it_verifies_a_webhook_signature_and_tolerates_case_and_whitespace():
    assert verify_webhook_signature(WEBHOOK_BODY, WEBHOOK_SIGNATURE, "abcdef", "123")
    assert verify_webhook_signature(WEBHOOK_BODY, f" {WEBHOOK_SIGNATURE.upper()}\n", "abcdef", "123")


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer " + WEBHOOK_SIGNATURE, WEBHOOK_SIGNATURE[:-1] + "0", "é" * 64],
    ids=["missing", "empty", "bearer prefix", "one digit off", "not ascii"],
)
def test_it_rejects_a_wrong_webhook_signature(header):
    assert not verify_webhook_signature(WEBHOOK_BODY, header, "abcdef", "123")


def test_it_rejects_a_webhook_whose_body_changed_by_one_byte():
    tampered = WEBHOOK_BODY.replace(b"UNPAID", b"UNPAId")
    assert not verify_webhook_signature(tampered, WEBHOOK_SIGNATURE, "abcdef", "123")


def test_it_rejects_a_webhook_signed_for_another_app():
    assert not verify_webhook_signature(WEBHOOK_BODY, WEBHOOK_SIGNATURE, "abcdeg", "123")
    assert not verify_webhook_signature(WEBHOOK_BODY, WEBHOOK_SIGNATURE, "abcdef", "")
