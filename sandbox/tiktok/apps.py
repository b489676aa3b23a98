import logging
import re

from django.apps import AppConfig

# §2.2/§2.3 of the TikTok Shop spec put `app_secret`, the auth code and the refresh token in the
# token URL's query string; the development server logs every request line ("django.server").
SECRET_QUERY = re.compile(r"(?<=[?&])(app_secret|auth_code|refresh_token|access_token)=[^&\s\"]*")


class RedactSecretQuery(logging.Filter):
    """Blank the secret query values of request lines the server logs; the rest stays readable."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = SECRET_QUERY.sub(lambda m: f"{m.group(1)}=***", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class SandboxTiktokConfig(AppConfig):
    name = "sandbox.tiktok"
    label = "sandbox_tiktok"
    verbose_name = "Sandbox: TikTok Shop"

    def ready(self) -> None:
        server_log = logging.getLogger("django.server")
        if not any(isinstance(f, RedactSecretQuery) for f in server_log.filters):
            server_log.addFilter(RedactSecretQuery())
