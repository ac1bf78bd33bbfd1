"""A note on a request's timeline that changes nothing else (issue 25: why a rule did not
apply; a cooling-off deletion scheduled or cancelled)."""

from datetime import datetime

from django.db import transaction

from ccucaas_privacy import clock
from requests_app.models import DataSubjectRequest, RequestEvent
from requests_app.services.acting import acting_data


def request_note_record(*, request: DataSubjectRequest, action: str, note: str = "",
                        data: dict | None = None, actor=None,
                        now: datetime | None = None) -> RequestEvent:
    with transaction.atomic():
        return RequestEvent.objects.create(
            request=request, actor=actor if getattr(actor, "pk", None) else None, action=action,
            from_status=request.status, to_status=request.status, note=note,
            data={**acting_data(), **(data or {})}, created_at=now or clock.now())
