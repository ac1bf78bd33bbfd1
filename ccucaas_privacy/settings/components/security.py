"""Security: the Content-Security-Policy, headers and cookies, sign-in throttling (django-axes),
the admin's second factor (django-otp) and the proxies in front of the app (issue 17)."""

from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured

from .consent import ANALYTICS_SCRIPT_URL
from .environment import env

# Content-Security-Policy (django-csp), active in every environment: scripts only from this
# site (no inline scripts or handlers) plus the analytics script when one is configured; inline
# styles are still allowed (`<style>` blocks in base.html and the admin).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, *([ANALYTICS_SCRIPT_URL] if ANALYTICS_SCRIPT_URL else [])],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],
        "object-src": [csp.NONE],
        "frame-ancestors": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Reverse proxies in front of the app: 0 = the client is REMOTE_ADDR (X-Forwarded-For is
# ignored); N = the Nth address from the right of X-Forwarded-For. One rule for the help-desk
# limit, logs (ccucaas_privacy/client_address.py), django-axes and DRF throttles (api.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT is the number of proxies in front: 0 or more.")

# Sign-in throttling (django-axes; accounts_app.backends.LoginThrottleBackend refuses first).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts_app.backends.lockout_username"
AXES_LOCKOUT_CALLABLE = "accounts_app.views.lockout"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "ccucaas_privacy.client_address.client_address"

# Staff sign in to the admin with a second factor: TOTP (django-otp) with recovery codes.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="CCUCaaS Privacy")
