"""Email: files under var/mail in development; any anymail ESP via EMAIL_BACKEND + ANYMAIL_*."""

from .environment import VAR_DIR, env

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_HOST = env("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=1025)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CCUCaaS Privacy <privacy@ccucaas.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The ESP whose delivery-tracking webhook is mounted at /anymail/<esp>/tracking/.
EMAIL_TRACKING_ESP = env("EMAIL_TRACKING_ESP", default="postmark")
# ANYMAIL_* credentials and the webhook secret come only from the environment.
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in env.ENVIRON.items()
    if key.startswith("ANYMAIL_")
}
# Postmark message streams (notifications_app/esp.py): marketing travels in the broadcast
# stream, every other email in the transactional one. Postmark's defaults are these names.
EMAIL_STREAMS = {
    "marketing": env("POSTMARK_BROADCAST_STREAM", default="broadcast"),
    "mandatory": env("POSTMARK_TRANSACTIONAL_STREAM", default="outbound"),
}
