"""Writes of the incident register (issue 22; APPI-26; RULES P18). Every change is one call in
one transaction that appends an IncidentEvent; bad input raises DomainError and writes nothing.
"""

import uuid
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from ccucaas_privacy import clock
from ccucaas_privacy.datasources import categories
from ccucaas_privacy.errors import ConflictError, DomainError
from ccucaas_privacy.rules import enforces
from incidents_app import deadlines
from incidents_app.models import (
    REPORT_ITEMS,
    REQUIRED_ITEMS,
    Incident,
    IncidentEvent,
    IncidentReport,
    Stage,
)
from notifications_app.models import CampaignKind
from notifications_app.services.campaigns import campaign_create_for_audience, campaign_start

TEXT_MAX_CHARS = 20000
ITEMS_MAX = 100
# The fields an officer may change after recording (the deadlines follow known_at and the
# unlawful-intent flag).
EDITABLE = ("title", "known_at", "reported_by", "description", "data_categories", "data_items",
            "affected_count", "mitigated", "mitigation_note", "special_care", "financial_harm",
            "unlawful_intent")
NOTICE_FIELDS = ("what_happened", "data", "what_we_did", "what_you_can_do")


def _error(field: str, message: str) -> DomainError:
    return DomainError(message, code=f"invalid_{field}", details={field: [message]})


def _clean_list(field: str, values: Any) -> list[str]:
    if not isinstance(values, list | tuple) or len(values) > ITEMS_MAX \
            or not all(isinstance(v, str) for v in values):
        raise _error(field, _("Give a list of up to %(max)d texts.") % {"max": ITEMS_MAX})
    return [v.strip() for v in values if v.strip()]


def incident_fields_clean(*, fields: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Check the incident's fields (a whole incident or the changed ones); returns them cleaned."""
    out = dict(fields)
    if "known_at" in out:
        known_at = out["known_at"]
        try:
            clock.to_jst(known_at)
        except (TypeError, ValueError) as exc:
            raise _error("known_at", _("Give the date and time with its time zone.")) from exc
        if known_at > now:
            raise _error("known_at", _("The time the incident was learned of cannot be in the "
                                       "future."))
    for field in ("title", "reported_by", "description"):
        if field in out:
            out[field] = (out[field] or "").strip()
            if not out[field]:
                raise _error(field, _("This field is required."))
            if len(out[field]) > (200 if field != "description" else TEXT_MAX_CHARS):
                raise _error(field, _("The text is too long."))
    if "data_items" in out:
        out["data_items"] = _clean_list("data_items", out["data_items"])
        if not out["data_items"]:
            raise _error("data_items", _("Name at least one data item involved (for example "
                                         "\"email address\")."))
    if "data_categories" in out:
        out["data_categories"] = _clean_list("data_categories", out["data_categories"])
        unknown = sorted(set(out["data_categories"]) - set(categories()))
        if unknown:
            raise _error("data_categories", _("Unknown data categories: %(names)s.")
                         % {"names": ", ".join(unknown)})
    if "affected_count" in out:
        count = out["affected_count"]
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise _error("affected_count", _("Give the number of people as a whole number "
                                             "(0 or more)."))
    return out


def _deadlines_set(incident: Incident) -> None:
    incident.preliminary_due_at = clock.leak_preliminary_due_at(incident.known_at)
    incident.final_due_at = clock.leak_final_due_at(incident.known_at,
                                                    malicious=incident.unlawful_intent)


def _next_check_set(incident: Incident) -> None:
    handled = frozenset(incident.alerts.values_list("kind", flat=True)) if incident.pk else \
        frozenset()
    incident.next_check_at = deadlines.next_check_at(incident, handled_kinds=handled)


def _event(incident: Incident, action: str, *, actor, now: datetime, note: str = "",
           **data: Any) -> IncidentEvent:
    return IncidentEvent.objects.create(incident=incident, action=action, actor=actor,
                                        note=note, data=data, created_at=now)


def _users(ids_or_users) -> list:
    ids = [getattr(u, "pk", u) for u in ids_or_users or []]
    users = list(get_user_model().objects.filter(pk__in=ids))
    if len(users) != len(set(ids)):
        raise _error("affected_users", _("Some of the affected users do not exist."))
    return users


def _snapshot(incident: Incident) -> dict[str, Any]:
    return {"reportable": incident.reportable, "people": incident.people_count,
            "preliminary_due_at": incident.preliminary_due_at.isoformat(),
            "final_due_at": incident.final_due_at.isoformat()}


@enforces("APPI-26")
@transaction.atomic
def incident_create(*, title: str, known_at: datetime, reported_by: str, description: str,
                    data_items: list[str], data_categories: list[str] | None = None,
                    affected_users=(), affected_count: int = 0, mitigated: bool = False,
                    mitigation_note: str = "", special_care: bool = False,
                    financial_harm: bool = False, unlawful_intent: bool = False,
                    actor=None, now: datetime | None = None) -> Incident:
    """Record an incident; its report deadlines are counted from `known_at` (APPI-26)."""
    now = clock.now() if now is None else now
    fields = incident_fields_clean(now=now, fields={
        "title": title, "known_at": known_at, "reported_by": reported_by,
        "description": description, "data_items": data_items,
        "data_categories": list(data_categories or []), "affected_count": affected_count})
    users = _users(affected_users)
    incident = Incident(
        **fields, reference=f"INC-{uuid.uuid4().hex[:8].upper()}", mitigated=bool(mitigated),
        mitigation_note=(mitigation_note or "").strip(), special_care=bool(special_care),
        financial_harm=bool(financial_harm), unlawful_intent=bool(unlawful_intent),
        recorded_by=actor, created_at=now)
    incident.affected_count = max(incident.affected_count, len(users))
    _deadlines_set(incident)
    incident.next_check_at = deadlines.next_check_at(incident, handled_kinds=frozenset())
    incident.save()
    incident.affected_users.set(users)
    _event(incident, "recorded", actor=actor, now=now, **_snapshot(incident),
           affected_users=len(users))
    return incident


@transaction.atomic
def incident_update(*, incident: Incident, changes: dict[str, Any], actor, note: str = "",
                    affected_users=None, now: datetime | None = None) -> Incident:
    """Change what is known of an incident; the deadlines and the sweep follow."""
    now = clock.now() if now is None else now
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(names)s.")
                          % {"names": ", ".join(sorted(unknown))}, code="invalid_fields")
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    changes = incident_fields_clean(fields=changes, now=now)
    before = {name: getattr(incident, name) for name in changes}
    for name, value in changes.items():
        setattr(incident, name, value)
    if affected_users is not None:
        users = _users(affected_users)
        incident.affected_users.set(users)
    linked = incident.affected_users.count()
    incident.affected_count = max(incident.affected_count, linked)
    _deadlines_set(incident)
    _next_check_set(incident)
    incident.save()
    changed = sorted(k for k, v in changes.items() if before[k] != v)
    _event(incident, "updated", actor=actor, now=now, note=note, changed=changed,
           **_snapshot(incident), affected_users=linked)
    return incident


def _report_for_update(incident: Incident, stage: str) -> IncidentReport:
    if stage not in Stage.values:
        raise DomainError(_("Unknown report."), code="invalid_stage", status=404)
    # A new report starts with what the register already knows (data items, people).
    report, _created = IncidentReport.objects.select_for_update().get_or_create(
        incident=incident, stage=stage, defaults={
            "data_items": "、".join(incident.data_items),
            "people_count": str(incident.people_count or "")})
    return report


@transaction.atomic
def incident_report_save(*, incident: Incident, stage: str, items: dict[str, str], actor,
                         now: datetime | None = None) -> IncidentReport:
    """Fill in items of a report (PPC rules Art. 8(1)); a submitted report is frozen."""
    now = clock.now() if now is None else now
    unknown = set(items) - set(REPORT_ITEMS)
    if unknown:
        raise DomainError(_("Unknown report items: %(names)s.")
                          % {"names": ", ".join(sorted(unknown))}, code="invalid_items")
    for name, value in items.items():
        if not isinstance(value, str) or len(value) > TEXT_MAX_CHARS:
            raise _error(name, _("Give the item as text of at most %(max)d characters.")
                         % {"max": TEXT_MAX_CHARS})
    report = _report_for_update(incident, stage)
    if report.submitted_at is not None:
        raise ConflictError(_("This report has been submitted; it can no longer be changed."),
                            code="report_submitted")
    changed = sorted(k for k, v in items.items() if getattr(report, k) != v.strip())
    for name, value in items.items():
        setattr(report, name, value.strip())
    report.updated_at = now
    report.save()
    _event(incident, f"{stage}_report_saved", actor=actor, now=now, changed=changed)
    return report


def report_missing_items(report: IncidentReport) -> list[str]:
    return [name for name in REQUIRED_ITEMS[report.stage] if not getattr(report, name).strip()]


@enforces("APPI-26")
@transaction.atomic
def incident_report_submit(*, incident: Incident, stage: str, actor,
                           submitted_at: datetime | None = None,
                           now: datetime | None = None) -> IncidentReport:
    """Record that the report was sent to the Commission, when and by whom (APPI-26)."""
    now = clock.now() if now is None else now
    submitted_at = now if submitted_at is None else submitted_at
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    report = _report_for_update(incident, stage)
    if report.submitted_at is not None:
        raise ConflictError(_("This report has already been submitted."),
                            code="report_submitted")
    if stage == Stage.FINAL and incident.preliminary_submitted_at is None:
        raise ConflictError(_("Submit the preliminary report first."),
                            code="preliminary_not_submitted")
    if submitted_at > now or submitted_at < incident.known_at:
        raise _error("submitted_at", _("The submission time must lie between the time the "
                                       "incident was learned of and now."))
    missing = report_missing_items(report)
    if missing:
        labels = [str(IncidentReport._meta.get_field(name).verbose_name) for name in missing]
        raise DomainError(_("The report lacks items the rules require: %(items)s.")
                          % {"items": "; ".join(labels)}, code="report_incomplete",
                          details={name: [_("This item is required.")] for name in missing})
    report.submitted_at, report.submitted_by = submitted_at, actor
    report.save(update_fields=["submitted_at", "submitted_by"])
    setattr(incident, f"{stage}_submitted_at", submitted_at)
    _next_check_set(incident)
    incident.save(update_fields=[f"{stage}_submitted_at", "next_check_at"])
    _event(incident, f"{stage}_report_submitted", actor=actor, now=now,
           submitted_at=submitted_at.isoformat(),
           on_time=submitted_at < deadlines.due_of(incident, stage))
    return report


def notice_clean(notice: Any) -> dict[str, dict[str, str]]:
    """The notice's texts in Japanese and English (every recipient reads their language)."""
    errors, out = {}, {}
    for language in ("ja", "en"):
        texts = (notice or {}).get(language) if isinstance(notice, dict) else None
        out[language] = {}
        for name in NOTICE_FIELDS:
            value = texts.get(name) if isinstance(texts, dict) else None
            if not isinstance(value, str) or not value.strip() or len(value) > TEXT_MAX_CHARS:
                errors[f"{language}.{name}"] = [_("Give this text in Japanese and English.")]
            else:
                out[language][name] = value.strip()
    if errors:
        raise DomainError(_("The notice needs every text in Japanese and English."),
                          code="notice_incomplete", details=errors)
    return out


@enforces("APPI-26")
@transaction.atomic
def incident_notice_start(*, incident: Incident, notice: dict, actor,
                          now: datetime | None = None):
    """Art. 26(2): notify the linked affected users through a mandatory campaign; its coverage
    is the evidence. Refused for an incident without linked people, or a second time."""
    now = clock.now() if now is None else now
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.notice_campaign_id is not None:
        raise ConflictError(_("This incident already has its notice campaign."),
                            code="notice_exists")
    if not incident.affected_users.exists():
        raise DomainError(_("No affected people are linked to this incident: there is nobody "
                            "to notify."), code="no_affected_people")
    incident.notice = notice_clean(notice)
    campaign = campaign_create_for_audience(
        kind=CampaignKind.INCIDENT_NOTICE,
        title_ja=f"個人データの漏えい等に関するお知らせ ({incident.reference})",
        title_en=f"Notice of a personal data incident ({incident.reference})",
        body_ja=incident.notice["ja"]["what_happened"],
        body_en=incident.notice["en"]["what_happened"], created_by=actor)
    incident.notice_campaign = campaign
    incident.save(update_fields=["notice", "notice_campaign"])
    campaign_start(campaign=campaign, actor=actor)
    _event(incident, "notice_campaign_started", actor=actor, now=now, campaign=campaign.pk)
    return campaign


@transaction.atomic
def incident_publish(*, incident: Incident, actor, notice: dict | None = None,
                     now: datetime | None = None) -> Incident:
    """公表: the officers choose to publish the notice on the website."""
    now = clock.now() if now is None else now
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.published_at is not None:
        raise ConflictError(_("The notice is already published."), code="already_published")
    incident.notice = notice_clean(incident.notice if notice is None else notice)
    incident.published_at = now
    incident.save(update_fields=["notice", "published_at"])
    _event(incident, "published", actor=actor, now=now)
    return incident


@transaction.atomic
def incident_report_save_and_submit(*, incident: Incident, stage: str, items: dict[str, str],
                                    actor, now: datetime | None = None) -> IncidentReport:
    """The report form's "submit": save the items and submit, both or neither."""
    incident_report_save(incident=incident, stage=stage, items=items, actor=actor, now=now)
    return incident_report_submit(incident=incident, stage=stage, actor=actor, now=now)
