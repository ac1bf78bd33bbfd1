"""The emails sent to a user, as a source of the fulfilment registry (requests_app.sources;
DESIGN section 6, RULES.md P19). Erasure anonymises each row (recipient, context, provider
details) and keeps the bare facts (kind, time, status) the outbox needs for its idempotency.
Rows not yet sent are left to the outbox: the erasure retries until they are sent."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from notifications_app.models import OutboundEmail, Status
from requests_app.sources import DataSource, ErasureResult, SourceBusy, register
from requests_app.sources.base import stream

ERASED_RECIPIENT = "erased@erased.invalid"


def _rows(user):
    return OutboundEmail.objects.filter(Q(user=user) | Q(recipient_email__iexact=user.email))


class OutboundEmailSource(DataSource):
    category = "outbound_emails"
    rule = "P19"
    title = _("Emails sent to you")
    description = _("The notices and messages we emailed you: kind, address, language, status "
                    "and time.")
    models = ("notifications_app.OutboundEmail",)
    columns = ("kind", "category", "recipient_email", "language", "status", "created_at",
               "sent_at", "tracking_status")

    def export(self, user):
        yield from stream(_rows(user).order_by("created_at", "id"), self.columns)

    def erase(self, user):
        rows = _rows(user)
        if rows.filter(status__in=[Status.QUEUED, Status.SENDING]).exists():
            raise SourceBusy("emails to this user are still being sent")
        anonymised = rows.update(recipient_email=ERASED_RECIPIENT, context={}, last_error="",
                                 suppressed_reason="", tracking_detail="")
        return ErasureResult(anonymised=anonymised)


def sources_register() -> None:
    register(OutboundEmailSource)
