"""The conditions that send a request to a person instead of automation (issue 25). Reads only.

Each check returns a `Reason` (a code, for the record and the tests, and a sentence staff read
on the request's timeline) or None. They are evaluated when the request is handled, and again
when a cooling-off deletion runs, so a hold placed during the cooling-off period stops it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts_app.selectors.accounts import payment_references_for_user
from automation_app.models import AutomationRule, StaffFlag
from ccucaas_privacy import clock
from incidents_app.models import Incident
from requests_app.models import DataSubjectRequest, LegalHold, RequestType


@dataclass(frozen=True)
class Reason:
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def legal_hold(request: DataSubjectRequest) -> Reason | None:
    if LegalHold.objects.filter(user_id=request.subject_id, released_at=None).exists():
        return Reason("legal_hold", _("The subject's data is under a legal hold."))
    return None


def open_incidents(*, user, now: datetime):
    """Incidents involving `user` that are still being handled: the final report to the
    Commission is not submitted, or (an incident not reportable, which has no reports) its
    final report period has not ended."""
    return Incident.objects.filter(affected_users=user, final_submitted_at=None).exclude(
        mitigated=True, final_due_at__lte=now)


def open_incident(request: DataSubjectRequest, *, now: datetime) -> Reason | None:
    incident = open_incidents(user=request.subject, now=now).order_by("known_at").first()
    if incident is not None:
        return Reason("open_incident", _("An open incident involves the subject (%(reference)s).")
                      % {"reference": incident.reference})
    return None


def not_self_service(request: DataSubjectRequest, rule: AutomationRule) -> Reason | None:
    allowed = set(rule.self_service_fields or [])
    fields = [item["field"] for item in request.details.get("items", [])]
    others = [f for f in fields if f not in allowed]
    if others or not fields:
        return Reason("not_self_service",
                      _("The correction names fields users cannot change themselves: %(fields)s.")
                      % {"fields": ", ".join(others) or "-"})
    return None


def payments_in_use(*, user, now: datetime):
    """Payment references whose card has not expired (the account data holds no subscription
    or balance: an unexpired card on file is the one sign that payments are still running)."""
    today = clock.jst_date(now)
    return payment_references_for_user(user=user).filter(
        Q(exp_year__gt=today.year) | Q(exp_year=today.year, exp_month__gte=today.month))


def payment_in_use(request: DataSubjectRequest, *, now: datetime) -> Reason | None:
    if payments_in_use(user=request.subject, now=now).exists():
        return Reason("payment_in_use",
                      _("The account has a payment reference still in use (a card that has not "
                        "expired)."))
    return None


def too_frequent(request: DataSubjectRequest, rule: AutomationRule, *, now: datetime
                 ) -> Reason | None:
    limit = rule.frequency_max_requests
    if limit is None:
        return None
    since = now - timedelta(days=rule.frequency_days)
    count = DataSubjectRequest.objects.filter(subject_id=request.subject_id,
                                              received_at__gte=since).count()
    if count > limit:
        return Reason("frequency", _("%(count)d requests from this subject in %(days)d days "
                                     "(more than %(limit)d).")
                      % {"count": count, "days": rule.frequency_days, "limit": limit})
    return None


def by_agent(request: DataSubjectRequest) -> Reason | None:
    # `representative_kind` (legal or appointed representative, APPI Art. 37(3)) where the
    # request model has it; the Data Rights Protocol channel is an agent by definition.
    if request.channel == "agent" or getattr(request, "representative_kind", ""):
        return Reason("agent", _("An authorized agent or a representative filed the request."))
    return None


def flagged(request: DataSubjectRequest) -> Reason | None:
    flag = (StaffFlag.objects.filter(user_id=request.subject_id, lifted_at=None)
            .filter(Q(request=None) | Q(request=request)).order_by("placed_at").first())
    if flag is not None:
        return Reason("flagged", _("Flagged by staff: %(reason)s") % {"reason": flag.reason})
    return None


def reasons_for_person(request: DataSubjectRequest, rule: AutomationRule, *, now: datetime
                       ) -> list[Reason]:
    """Every condition of `rule` that sends `request` to a person (empty: automation may go on)."""
    if request.subject_id is None:
        return [Reason("no_account", _("No account is linked to the request."))]
    checks = [
        (rule.person_if_agent, lambda: by_agent(request)),
        (rule.person_if_flagged, lambda: flagged(request)),
        (rule.person_if_legal_hold, lambda: legal_hold(request)),
        (rule.person_if_open_incident, lambda: open_incident(request, now=now)),
        (rule.person_if_not_self_service and request.type == RequestType.CORRECTION,
         lambda: not_self_service(request, rule)),
        (rule.person_if_payment_in_use and request.type == RequestType.DELETION,
         lambda: payment_in_use(request, now=now)),
        (True, lambda: too_frequent(request, rule, now=now)),
    ]
    return [reason for enabled, check in checks if enabled and (reason := check()) is not None]
