"""consent_app: the controller named in consent receipts, GPC, and the analytics script."""

from .environment import env

# The PII controller named in consent receipts (Kantara Consent Receipt v1.1 piiControllers).
CONSENT_CONTROLLER = {
    "name": env("CONSENT_CONTROLLER_NAME", default="CCArchitect Co., Ltd. (CCアーキテクト株式会社)"),
    "contact": env("CONSENT_CONTROLLER_CONTACT", default="CCUCaaS privacy help desk (相談窓口)"),
    "address": env("CONSENT_CONTROLLER_ADDRESS", default="Tokyo, Japan"),
    "email": env("CONSENT_CONTROLLER_EMAIL", default="privacy@ccucaas.example"),
    "phone": env("CONSENT_CONTROLLER_PHONE", default=""),
}
# /.well-known/gpc.json "lastUpdate": the date this site's GPC support last changed.
GPC_LAST_UPDATE = env("GPC_LAST_UPDATE", default="2026-11-29")
# P12: URL of the analytics script; rendered only with consent and without a GPC signal (the
# CSP allows it, security.py).
ANALYTICS_SCRIPT_URL = env("ANALYTICS_SCRIPT_URL", default="")
