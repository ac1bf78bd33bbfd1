"""Service providers (issues 17 and 24; RULES P14, P21): saving one, reading an OpenDSR
processor's discovery and certificate, recording its last error and alerting staff.

Every save of a processor goes through `processor_save`: the model's validation (endpoint https
and not inside, secret variable name and length), for OpenDSR the discovery read and the
regulation checked against it, then the row, then one staff access entry. Keyword-only, one
transaction each (the network is read before the transaction opens)."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts_app.services.staff import staff_access_record
from ccucaas_privacy import clock
from ccucaas_privacy.errors import DomainError
from ccucaas_privacy.staff import privacy_officers
from notifications_app.kinds import Category, register_kind
from notifications_app.services.outbox import notification_queue
from requests_app.connectors import ConnectorError
from requests_app.connectors.opendsr import regulation_for
from requests_app.connectors.opendsr_trust import discovery_read, regulations_allowed
from requests_app.models import Connector, Processor

log = logging.getLogger(__name__)

ALERT_KIND = "staff_processor_alert"


def kinds_register() -> None:
    register_kind(ALERT_KIND, category=Category.MANDATORY,
                  description="Staff notice: a service provider refused a request, or its "
                              "signing certificate expires soon")


def _invalid(errors: dict) -> DomainError:
    details = {field: [str(m) for m in messages] for field, messages in errors.items()}
    first = next(iter(details.values()))[0]
    return DomainError(first, details=details)


def processor_check(*, processor: Processor, now: datetime | None = None) -> None:
    """Everything a save requires, without writing: the model's validation and, for OpenDSR,
    a discovery and certificate that can be used (read into the instance)."""
    now = clock.now() if now is None else now
    try:
        processor.full_clean()
    except ValidationError as exc:
        raise _invalid(exc.message_dict) from exc
    if processor.connector == Connector.OPENDSR:
        try:
            trust = discovery_read(processor, now=now)
        except ConnectorError as exc:
            message = _("The processor's discovery could not be used: %(reason)s") % {
                "reason": exc.reason}
            raise DomainError(message, details={"endpoint_url": [message]}) from exc
        if regulation_for(processor) not in regulations_allowed(trust.discovery):
            message = _("The processor's discovery does not list this regulation.")
            raise DomainError(message, details={"regulation": [message]})
        _apply_trust(processor, trust)


def processor_save(*, processor: Processor, actor, reason: str = "",
                   now: datetime | None = None) -> Processor:
    """Validate and save a processor (new or changed) and log the change (staff access)."""
    now = clock.now() if now is None else now
    processor_check(processor=processor, now=now)
    with transaction.atomic():
        created = processor.pk is None
        processor.save()
        staff_access_record(
            staff=actor, what="processor_change",
            subject_label=f"service provider {processor.name}"[:254],
            object_ref=f"processor:{processor.pk}",
            reason=reason or ("service provider added" if created else "service provider changed"),
            now=now)
    return processor


def _apply_trust(processor: Processor, trust) -> None:
    if processor.certificate_pem != trust.certificate_pem:
        processor.certificate_warned_for = None
    processor.discovery = trust.discovery
    processor.discovery_expires_at = trust.valid_until
    processor.certificate_pem = trust.certificate_pem
    processor.certificate_expires_at = trust.certificate_expires_at


TRUST_FIELDS = ["discovery", "discovery_expires_at", "certificate_pem", "certificate_expires_at",
                "certificate_warned_for"]


def processor_trust_refresh(*, processor: Processor, now: datetime | None = None,
                            force: bool = False) -> Processor:
    """Re-read the discovery and certificate when the cached ones are no longer valid (or when
    forced). A failure is recorded as the processor's last error and raised (ConnectorError)."""
    now = clock.now() if now is None else now
    fresh = (processor.certificate_pem and processor.discovery_expires_at
             and processor.discovery_expires_at > now)
    if fresh and not force:
        return processor
    try:
        trust = discovery_read(processor, now=now)
    except ConnectorError as exc:
        processor_error_record(processor=processor, reason=f"discovery: {exc.reason}", now=now)
        raise
    _apply_trust(processor, trust)
    with transaction.atomic():
        Processor.objects.filter(pk=processor.pk).update(
            **{f: getattr(processor, f) for f in TRUST_FIELDS})
    return processor


def processor_error_record(*, processor: Processor, reason: str,
                           now: datetime | None = None) -> None:
    """The short, sanitised reason of the last failure (status code and phrase, never an answer
    body), shown to privacy officers on the processor's admin page."""
    now = clock.now() if now is None else now
    with transaction.atomic():
        Processor.objects.filter(pk=processor.pk).update(last_error=reason[:300], last_error_at=now)
    processor.last_error, processor.last_error_at = reason[:300], now


def processor_alert_staff(*, processor: Processor, what: str, reason: str, cause: str) -> int:
    """Email every privacy officer once per `cause` (the outbox dedupes on it)."""
    admin_path = reverse("admin:requests_app_processor_change", args=[processor.pk])
    sent = 0
    with transaction.atomic():
        for officer in privacy_officers():
            notification_queue(kind=ALERT_KIND, cause=f"{cause}:{officer.pk}", user=officer,
                               context={"processor": processor.name, "what": what,
                                        "reason": reason[:300], "admin_path": admin_path})
            sent += 1
    log.warning("service provider %s: %s (%s)", processor.pk, what, reason)
    return sent


def processors_certificate_watch(*, now: datetime | None = None) -> int:
    """Alert staff once per certificate that expires within CERTIFICATE_WARNING_DAYS."""
    now = clock.now() if now is None else now
    horizon = now + timedelta(days=settings.OPENDSR["CERTIFICATE_WARNING_DAYS"])
    alerted = 0
    for processor in Processor.objects.filter(active=True, connector=Connector.OPENDSR,
                                              certificate_expires_at__lte=horizon):
        if processor.certificate_warned_for == processor.certificate_expires_at:
            continue
        with transaction.atomic():
            claimed = (Processor.objects.filter(pk=processor.pk)
                       .exclude(certificate_warned_for=processor.certificate_expires_at)
                       .update(certificate_warned_for=processor.certificate_expires_at))
            if not claimed:
                continue
            expires = processor.certificate_expires_at
            processor_alert_staff(
                processor=processor, what="certificate_expiry",
                reason=f"signing certificate expires {expires:%Y-%m-%d %H:%M} UTC",
                cause=f"processor:{processor.pk}:certificate:{expires.isoformat()}")
            alerted += 1
    return alerted
