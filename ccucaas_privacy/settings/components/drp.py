"""agents_app: authorized agents over the Data Rights Protocol 1.0 (issue 23)."""

from .environment import env

# Our covered-business id in the DRP directory, the longest signed-message window we accept
# (expires-at - issued-at, spec 2.01), the callback retry policy, and the directory entry.
DRP = {
    "BUSINESS_ID": env("DRP_BUSINESS_ID", default="CCUCAAS"),
    "BUSINESS_NAME": env("DRP_BUSINESS_NAME", default="CCUCaaS"),
    "MAX_WINDOW_SECONDS": env.int("DRP_MAX_WINDOW_SECONDS", default=900),
    "CALLBACK_TIMEOUT_SECONDS": env.int("DRP_CALLBACK_TIMEOUT_SECONDS", default=10),
    "CALLBACK_MAX_ATTEMPTS": env.int("DRP_CALLBACK_MAX_ATTEMPTS", default=30),
    "CALLBACK_BACKOFF_SECONDS": env.int("DRP_CALLBACK_BACKOFF_SECONDS", default=60),
    "CALLBACK_BACKOFF_MAX_SECONDS": env.int("DRP_CALLBACK_BACKOFF_MAX_SECONDS", default=6 * 3600),
    "TECHNICAL_CONTACT": env("DRP_TECHNICAL_CONTACT", default="privacy-tech@ccucaas.example"),
    "BUSINESS_CONTACT": env("DRP_BUSINESS_CONTACT", default="privacy@ccucaas.example"),
    "LOGO_URL": env("DRP_LOGO_URL", default=""),
}
