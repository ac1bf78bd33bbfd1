"""requests_app's own data as sources (DESIGN section 6): the user's request history (kept
pseudonymised as evidence that the request was handled, P21) and the staff action log."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy.datasources import (
    DataSource,
    ErasureResult,
    EvidenceRowsSource,
    Retention,
    iso,
    register,
    stream,
)


def _requests(user):
    from requests_app.models import DataSubjectRequest

    return DataSubjectRequest.objects.filter(Q(subject=user) | Q(subject_email__iexact=user.email))


class RequestHistorySource(DataSource):
    category = "request_history"
    rule = "P21"
    retention = Retention(
        text=_("Pseudonymised %(period)s after the request was closed: the record that it was "
               "answered is kept, without your name, address or what you wrote."),
        setting="closed_requests", action="anonymise")
    title = _("Your requests")
    description = _("Your disclosure, correction and deletion requests and inquiries, with "
                    "their timeline and replies.")
    models = ("requests_app.DataSubjectRequest", "requests_app.RequestEvent",
              "requests_app.CorrectionDecision", "requests_app.LegalHold",
              "requests_app.PaperMailing")  # a paper disclosure's mailing, part of the request
    columns = ("reference", "type", "channel", "status", "received_at", "replied_at",
               "completed_at", "details", "reply_text", "events")
    retained_on_erasure = True

    def export(self, user):
        from requests_app.models import RequestEvent

        fields = self.columns[:-1]
        for row in stream(_requests(user).order_by("received_at"), ("id", *fields)):
            events = RequestEvent.objects.filter(request_id=row.pop("id")).values_list(
                "action", "to_status", "created_at")
            row["events"] = [{"action": a, "status": s, "time": iso(t)} for a, s, t in events]
            yield row

    def erase(self, user):
        """Pseudonymise: the request rows and their append-only timeline stay as evidence that
        the request was answered; what the user wrote and their contact details go."""
        from requests_app.models import DisclosurePackage
        from requests_app.services.packages import package_file_delete

        requests = _requests(user)
        erased = 0
        for package in DisclosurePackage.objects.filter(request__in=requests):
            package_file_delete(package=package)
            package.delete()
            erased += 1
        anonymised = requests.update(subject_name="", subject_email="", details={"erased": True},
                                     representative_name="", representative_email="",
                                     representative_relation="")
        return ErasureResult(erased=erased, anonymised=anonymised,
                             retained=anonymised,
                             retained_reason="request records kept pseudonymised as evidence (P21)")

    def retention_querysets(self, *, cutoff):
        from requests_app.models import DataSubjectRequest

        return [DataSubjectRequest.objects.filter(closed_at__lt=cutoff).filter(
            Q(subject__isnull=False) | ~Q(subject_email="") | ~Q(subject_name="")
            | ~Q(representative_email=""))]

    def retention_apply(self, *, rows):
        """Like an erasure's pseudonymisation, and the link to the account goes too."""
        from requests_app.models import DisclosurePackage
        from requests_app.services.packages import package_file_delete

        erased = 0
        for package in DisclosurePackage.objects.filter(request__in=rows):
            package_file_delete(package=package)
            package.delete()
            erased += 1
        anonymised = rows.update(subject=None, subject_name="", subject_email="",
                                 details={"erased": True}, reply_text="", representative_name="",
                                 representative_email="", representative_relation="")
        return ErasureResult(erased=erased, anonymised=anonymised)


class StaffActivitySource(EvidenceRowsSource):
    category = "staff_activity"
    rule = "P18"
    title = _("Staff actions in the administration site")
    description = _("If you are a member of staff: the changes you made in the administration "
                    "site.")
    models = ("admin.LogEntry",)
    columns = ("action_time", "content_type", "object_repr", "action_flag", "change_message")
    ordering = ("action_time",)
    retained_reason = "audit log of staff actions (P18)"

    def export(self, user):
        for row in stream(self.user_rows(user),
                          ("action_time", "content_type__model", "object_repr", "action_flag",
                           "change_message")):
            row["content_type"] = row.pop("content_type__model")
            yield row


def sources_register() -> None:
    register(RequestHistorySource)
    register(StaffActivitySource)
