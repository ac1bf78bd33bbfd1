"""P18 for admin pages: ask a reason once per subject per hour, then log every view.

`access_gate()` is called by each admin view that shows a user's personal data. Without a
reason given in this session within REASON_TTL for that subject it returns a redirect to the
small reason form; otherwise it appends a StaffAccess row and returns None.
"""

from datetime import datetime, timedelta

from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts_app.services import staff as services_staff
from ccucaas_privacy import clock

SESSION_KEY = "staff_access_reasons"
REASON_TTL = timedelta(hours=1)


def subject_key(*, subject=None, email: str = "", listing: str = "") -> str:
    if subject is not None:
        return f"user:{subject.pk}"
    if email:
        return f"email:{email.lower()}"
    return f"list:{listing}"


def reason_remembered(request: HttpRequest, key: str, *, now: datetime | None = None) -> str | None:
    entry = request.session.get(SESSION_KEY, {}).get(key)
    if not entry:
        return None
    given_at = datetime.fromisoformat(entry["at"])
    return entry["reason"] if (now or clock.now()) - given_at < REASON_TTL else None


def reason_remember(request: HttpRequest, key: str, reason: str) -> None:
    reasons = {k: v for k, v in request.session.get(SESSION_KEY, {}).items()
               if clock.now() - datetime.fromisoformat(v["at"]) < REASON_TTL}
    reasons[key] = {"reason": reason, "at": clock.now().isoformat()}
    request.session[SESSION_KEY] = reasons


def access_gate(request: HttpRequest, *, what: str, subject=None, email: str = "",
                label: str = "", object_ref: str = "", listing: str = ""
                ) -> HttpResponseRedirect | None:
    key = subject_key(subject=subject, email=email, listing=listing)
    reason = reason_remembered(request, key)
    if reason is None:
        query = urlencode({"key": key, "label": label or services_staff.subject_label_for(
            subject=subject, email=email), "next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse('accounts:staff-access-reason')}?{query}")
    services_staff.staff_access_record(
        staff=request.user, what=what, reason=reason, subject=subject,
        subject_label=label or services_staff.subject_label_for(subject=subject, email=email),
        object_ref=object_ref, path=request.get_full_path())
    return None

