"""Staff reads: the subject's data summary shown with a request (opening it is logged, P18)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts_app.models import User

# (label, related manager on User, admin changelist URL name or "")
SUMMARY_SOURCES = [
    (_("Contacts"), "contacts", "admin:accounts_app_contact_changelist"),
    (_("Content files"), "content_files", "admin:accounts_app_contentfile_changelist"),
    (_("Usage records"), "usage_records", "admin:accounts_app_usagerecord_changelist"),
    (_("Visitor log entries"), "visitor_logs", "admin:accounts_app_visitorlog_changelist"),
    (_("Kept sign-ins"), "persistent_logins", "admin:accounts_app_persistentlogin_changelist"),
    (_("Payment references"), "payment_references",
     "admin:accounts_app_paymentreference_changelist"),
    (_("Forum posts"), "forum_posts", "admin:accounts_app_forumpost_changelist"),
    (_("Profile changes"), "profile_changes", "admin:accounts_app_profilechange_changelist"),
    (_("Consent events"), "consent_events", "admin:consent_app_consentevent_changelist"),
    (_("Data-subject requests"), "data_subject_requests",
     "admin:requests_app_datasubjectrequest_changelist"),
]


def subject_data_summary(*, user: User) -> dict:
    """Who the subject is and how many rows of each category of personal data we hold."""
    rows = []
    for label, attr, url_name in SUMMARY_SOURCES:
        manager = getattr(user, attr, None)
        if manager is None:
            continue
        rows.append({"label": label, "count": manager.count(),
                     "url": f"{reverse(url_name)}?user__id__exact={user.pk}"
                     if attr != "data_subject_requests"
                     else f"{reverse(url_name)}?q={user.username}"})
    return {
        "username": user.username, "email": user.email, "name": user.get_full_name(),
        "language": user.get_language_display(), "is_active": user.is_active,
        "joined": user.date_joined, "rows": rows,
    }
