"""Site-wide consent notices: the upcoming-policy banner (P25) and tracking tags (P12)."""

from django import template
from django.conf import settings

from ccucaas_privacy.rules import enforces
from consent_app import selectors
from consent_app.purposes import ANALYTICS_TRACKING

register = template.Library()

BANNER_DISMISSED_KEY = "consent_banner_dismissed"


@register.inclusion_tag("consent_app/_policy_banner.html", takes_context=True)
def policy_banner(context):
    request = context.get("request")
    upcoming = selectors.policy_version_upcoming()
    dismissed = []
    if request is not None and hasattr(request, "session"):
        dismissed = request.session.get(BANNER_DISMISSED_KEY, [])
    show = upcoming is not None and upcoming.pk not in dismissed
    return {"upcoming": upcoming if show else None, "request": request,
            "csrf_token": context.get("csrf_token")}


@enforces("P12")
@register.simple_tag(takes_context=True)
def tracking_allowed(context) -> bool:
    """Tracking tags render only with the user's analytics consent and no GPC signal."""
    request = context.get("request")
    if request is None or getattr(request, "gpc", False) or not settings.ANALYTICS_SCRIPT_URL:
        return False
    return selectors.consent_is_granted(user=getattr(request, "user", None),
                                        purpose=ANALYTICS_TRACKING)


@register.simple_tag
def analytics_script_url() -> str:
    return settings.ANALYTICS_SCRIPT_URL
