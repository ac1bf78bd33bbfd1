"""The portal's header navigation (issue 19): where a person can go, and where they are now.

The current place is marked with aria-current="page"; a page inside a section (a request's
detail inside "My requests") marks its section. URL names are strings, so this lowest layer
imports nothing from the apps.
"""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

register = template.Library()

# (url name, label, url names of the section it stands for); order = order in the header.
SIGNED_IN = (
    ("home", _("Privacy center"), ("home",)),
    ("requests:list", _("My requests"), ("requests:list", "requests:detail", "requests:withdraw")),
    ("requests:new", _("File a request"), ("requests:new", "requests:new_of_type")),
    ("accounts:settings", _("My data"), ("accounts:settings", "accounts:profile", "accounts:contacts",
                                         "accounts:contact-new", "accounts:contact-edit",
                                         "accounts:contacts-import", "accounts:files",
                                         "accounts:posts", "accounts:post-new", "accounts:post-edit",
                                         "accounts:email-change", "accounts:password-change",
                                         "accounts:close")),
    ("consent:settings", _("Consents"), ("consent:settings",)),
    ("consent:policy_current", _("Privacy policy"), ("consent:policy_current", "consent:policy_detail",
                                                     "consent:policy_history")),
    ("requests:helpdesk", _("Help desk"), ("requests:helpdesk",)),
)
VISITOR = (
    ("home", _("Privacy center"), ("home",)),
    ("consent:policy_current", _("Privacy policy"), ("consent:policy_current", "consent:policy_detail",
                                                     "consent:policy_history")),
    ("requests:helpdesk", _("Help desk"), ("requests:helpdesk",)),
    ("accounts:sign-in", _("Sign in"), ("accounts:sign-in",)),
    ("accounts:sign-up", _("Sign up"), ("accounts:sign-up", "accounts:sign-up-sent")),
)


@register.simple_tag(takes_context=True)
def portal_nav(context) -> list[dict]:
    """The header links for this reader, each with `current` true for the place they are in."""
    request = context.get("request")
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    here = match.view_name if match else ""
    items = SIGNED_IN if user is not None and user.is_authenticated else VISITOR
    links = []
    for name, label, section in items:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        links.append({"url": url, "label": label, "current": here in section})
    return links
