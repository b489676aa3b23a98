"""The sandbox's auth host takes `app_secret` in its query string (spec §2.2), and the development
server logs every request line: the secret, codes and tokens must not reach that log."""

import logging


def test_the_request_log_of_a_token_call_hides_the_secret_the_code_and_the_tokens(caplog):
    line = (
        "GET /sandbox/tiktok/auth/api/v2/token/get?app_key=sandbox-tts-app&app_secret=S3CRET-value"
        "&auth_code=C0DE-value&grant_type=authorized_code HTTP/1.1"
    )
    refresh = (
        "GET /sandbox/tiktok/auth/api/v2/token/refresh?refresh_token=TTP_R3FRESH&app_secret=S3CRET HTTP/1.1"
    )
    with caplog.at_level(logging.INFO, logger="django.server"):
        logging.getLogger("django.server").info('"%s" %s %s', line, "200", "321")
        logging.getLogger("django.server").warning('"%s" %s %s', refresh, "401", "99")

    text = caplog.text
    assert "S3CRET" not in text and "C0DE-value" not in text and "TTP_R3FRESH" not in text, text
    assert "app_key=sandbox-tts-app" in text and "grant_type=authorized_code" in text and '" 200 321' in text
