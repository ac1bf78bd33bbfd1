"""automation_app's personal data in the disclosure package and on deletion (DESIGN section 6):
staff flags placed on a person (erased with the account) and, for staff, what they changed or
reviewed in automation (kept as evidence on erasure, like the request timeline)."""

from django.utils.translation import gettext_lazy as _

from automation_app.models import AutomationChange, ReviewItem, StaffFlag
from ccucaas_privacy.datasources import (
    KEPT_WHILE_ACCOUNT_OPEN,
    DataSource,
    ErasureResult,
    iso,
    register,
)


class AutomationSource(DataSource):
    category = "automation"
    rule = "P21"
    retention = KEPT_WHILE_ACCOUNT_OPEN
    title = _("Automatic handling of your requests")
    description = _("Flags staff placed so that your requests are handled by a person rather "
                    "than automatically, with the reason; for staff, the changes you made to "
                    "automation and the automatic replies you reviewed (kept as evidence).")
    models = ("automation_app.StaffFlag", "automation_app.AutomationChange",
              "automation_app.ReviewItem")
    columns = ("what", "text", "request", "at", "lifted_at")

    def export(self, user):
        for flag in StaffFlag.objects.filter(user=user).select_related("request").order_by("id"):
            yield {"what": "flag", "text": flag.reason,
                   "request": flag.request.reference if flag.request else "",
                   "at": iso(flag.placed_at), "lifted_at": iso(flag.lifted_at)}
        for change in AutomationChange.objects.filter(actor=user).order_by("id"):
            yield {"what": f"change:{change.kind}", "text": change.summary,
                   "at": iso(change.created_at)}
        for item in ReviewItem.objects.filter(reviewed_by=user).order_by("id"):
            yield {"what": "review", "text": item.outcome, "at": iso(item.reviewed_at)}

    def erase(self, user) -> ErasureResult:
        deleted, _by_model = StaffFlag.objects.filter(user=user).delete()
        kept = (AutomationChange.objects.filter(actor=user).count()
                + ReviewItem.objects.filter(reviewed_by=user).count())
        return ErasureResult(erased=deleted, retained=kept, retained_reason=(
            "staff work on automation kept as evidence" if kept else ""))


def sources_register() -> None:
    register(AutomationSource)
