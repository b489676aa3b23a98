"""The platform's side of signing: verify request signs (§1.3) and sign webhook pushes (§6.3).

Written separately from the portal's client on purpose: if both shared one function, a bug in it
would sign and verify alike and no test would notice.
"""

import hashlib
import hmac
from collections.abc import Iterable


def request_sign(app_secret: str, path: str, query: Iterable[tuple[str, str]], body: bytes) -> str:
    """hex HMAC-SHA256(secret, secret + path + sorted key+value pairs + body + secret)."""
    pairs = sorted((k, v) for k, v in query if k not in ("sign", "access_token"))
    message = bytearray(app_secret.encode())
    message += path.encode()
    for key, value in pairs:
        message += key.encode() + value.encode()
    message += body or b""
    message += app_secret.encode()
    return hmac.new(app_secret.encode(), bytes(message), hashlib.sha256).hexdigest()


def sign_matches(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.lower().encode("utf-8", "replace"))


def webhook_signature(app_key: str, app_secret: str, body: bytes) -> str:
    """The `Authorization` header value of a webhook push."""
    return hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()
