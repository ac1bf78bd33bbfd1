"""What privacy officers change (issue 25): rules, the pause switch, flags, reopening and the
review queue. Every change is one transaction with its `AutomationChange` log row."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from automation_app.conditions import Reason
from automation_app.models import (
    AutomationChange,
    AutomationControl,
    AutomationRule,
    AutomationRun,
    ChangeKind,
    Mode,
    ReviewItem,
    RunStatus,
    StaffFlag,
)
from automation_app.services.handling import (
    AUTOMATABLE_TYPES,
    OPEN_RUN,
    _to_person,
    control_get,
)
from ccucaas_privacy import clock
from ccucaas_privacy.errors import ConflictError, DomainError
from requests_app.details import CORRECTABLE_FIELDS
from requests_app.models import Channel, RequestType
from requests_app.services import transitions

RULE_FIELDS = ("mode", "cooling_off_hours", "person_if_legal_hold", "person_if_open_incident",
               "person_if_not_self_service", "self_service_fields", "person_if_payment_in_use",
               "frequency_max_requests", "frequency_days", "person_if_agent", "person_if_flagged")
CONTROL_FIELDS = ("paused", "paused_reason", "sample_every")


def _log(*, kind: str, object_id: Any, summary: str, actor, before: dict | None = None,
         after: dict | None = None, note: str = "") -> AutomationChange:
    return AutomationChange.objects.create(
        kind=kind, object_id=str(object_id), summary=summary[:300], before=before or {},
        after=after or {}, note=note, actor=actor if getattr(actor, "pk", None) else None,
        created_at=clock.now())


def _error(field: str, message: str) -> DomainError:
    return DomainError(message, details={field: [message]})


def rule_values_clean(*, request_type: str, values: dict[str, Any]) -> dict[str, Any]:
    """Refuse what automation cannot do: an automatic mode for a type it cannot answer, a
    cooling-off period of 0, self-service fields that are not correctable fields."""
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise _error("non_field_errors", _("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    mode = values.get("mode", Mode.MANUAL)
    if mode not in Mode.values:
        raise _error("mode", _("Choose how requests are handled."))
    if mode != Mode.MANUAL and request_type not in AUTOMATABLE_TYPES:
        raise _error("mode", _("Automation cannot answer this type of request; it can only go "
                               "to a person."))
    if mode == Mode.COOLING_OFF and request_type != RequestType.DELETION:
        raise _error("mode", _("A cooling-off period is for deletions."))
    if values.get("cooling_off_hours") == 0:
        raise _error("cooling_off_hours", _("The cooling-off period must be at least an hour."))
    fields = values.get("self_service_fields", [])
    if not isinstance(fields, list) or set(fields) - set(CORRECTABLE_FIELDS):
        raise _error("self_service_fields", _("Choose fields a user can correct."))
    if values.get("frequency_days", 1) < 1:
        raise _error("frequency_days", _("The period must be at least a day."))
    return values


def _known(request_type: str, channel: str) -> None:
    if request_type not in RequestType.values:
        raise _error("request_type", _("Unknown request type."))
    if channel not in Channel.values:
        raise _error("channel", _("Unknown channel."))


def automation_rule_create(*, request_type: str, channel: str, values: dict[str, Any], actor,
                           note: str = "") -> AutomationRule:
    _known(request_type, channel)
    values = rule_values_clean(request_type=request_type, values=values)
    with transaction.atomic():
        if AutomationRule.objects.filter(request_type=request_type, channel=channel).exists():
            raise _error("channel", _("There is already a rule for this type and channel."))
        rule = AutomationRule.objects.create(request_type=request_type, channel=channel,
                                             updated_at=clock.now(), **values)
        _log(kind=ChangeKind.RULE, object_id=rule.pk, summary=str(rule), actor=actor,
             after=_rule_dict(rule), note=note)
        return rule


def _rule_dict(rule: AutomationRule) -> dict[str, Any]:
    return model_to_dict(rule, fields=RULE_FIELDS)


def automation_rule_update(*, rule: AutomationRule, values: dict[str, Any], actor,
                           note: str = "") -> AutomationRule:
    """Change a rule; the log keeps the rule before and after. Takes effect for the next run."""
    with transaction.atomic():
        rule = AutomationRule.objects.select_for_update().get(pk=rule.pk)
        before = _rule_dict(rule)
        merged = rule_values_clean(request_type=rule.request_type, values={**before, **values})
        for name, value in merged.items():
            setattr(rule, name, value)
        rule.updated_at = clock.now()
        rule.save()
        after = _rule_dict(rule)
        if after != before:
            _log(kind=ChangeKind.RULE, object_id=rule.pk, summary=str(rule), actor=actor,
                 before=before, after=after, note=note)
        return rule


def automation_control_update(*, values: dict[str, Any], actor, note: str = ""
                              ) -> AutomationControl:
    """The pause switch and the sampling rate. Pausing takes effect for every run that starts
    after this commits (each run reads the switch)."""
    if set(values) - set(CONTROL_FIELDS):
        raise _error("non_field_errors", _("Unknown fields."))
    every = values.get("sample_every", 0)
    if not isinstance(every, int) or every < 0:
        raise _error("sample_every", _("Enter 0 or a positive number."))
    with transaction.atomic():
        control = AutomationControl.objects.select_for_update().get(pk=control_get().pk)
        before = model_to_dict(control, fields=CONTROL_FIELDS)
        for name, value in values.items():
            setattr(control, name, value)
        if not control.paused:
            control.paused_reason = ""
        control.updated_at = clock.now()
        control.save()
        after = model_to_dict(control, fields=CONTROL_FIELDS)
        if after != before:
            summary = (_("Automation paused") if control.paused and not before["paused"] else
                       _("Automation resumed") if before["paused"] and not control.paused else
                       _("Automation switch changed"))
            _log(kind=ChangeKind.CONTROL, object_id=control.pk, summary=str(summary),
                 actor=actor, before=before, after=after, note=note)
        return control


def automation_pause(*, actor, reason: str) -> AutomationControl:
    if not (reason or "").strip():
        raise _error("paused_reason", _("Say why automation is paused."))
    return automation_control_update(values={"paused": True, "paused_reason": reason},
                                     actor=actor)


def automation_resume(*, actor) -> AutomationControl:
    return automation_control_update(values={"paused": False}, actor=actor)


def staff_flag_place(*, user, reason: str, actor, request=None) -> StaffFlag:
    if not (reason or "").strip():
        raise _error("reason", _("Say why a person must handle this."))
    if request is not None and request.subject_id != user.pk:
        raise _error("request", _("The request is not this subject's."))
    with transaction.atomic():
        flag = StaffFlag.objects.create(user=user, request=request, reason=reason,
                                        placed_by=actor, placed_at=clock.now())
        _log(kind=ChangeKind.FLAG, object_id=flag.pk, summary=_("Flag placed"), actor=actor,
             after={"user": user.pk, "request": str(request.pk) if request else "",
                    "reason": reason})
        return flag


def staff_flag_lift(*, flag: StaffFlag, actor) -> StaffFlag:
    with transaction.atomic():
        flag = StaffFlag.objects.select_for_update().get(pk=flag.pk)
        if flag.lifted_at is not None:
            raise ConflictError(_("This flag was already lifted."), code="already_lifted")
        flag.lifted_at = clock.now()
        flag.save(update_fields=["lifted_at"])
        _log(kind=ChangeKind.FLAG, object_id=flag.pk, summary=_("Flag lifted"), actor=actor,
             before={"reason": flag.reason})
        return flag


def automation_send_to_person(*, run: AutomationRun, actor, note: str = "",
                              now: datetime | None = None) -> AutomationRun:
    """Staff take a run that has not happened yet (e.g. a cooling-off deletion) out of
    automation; the request waits for a person."""
    now = clock.now() if now is None else now
    with transaction.atomic():
        run = AutomationRun.objects.select_for_update().get(pk=run.pk)
        if run.status not in OPEN_RUN:
            raise ConflictError(_("Automation has already finished with this request."),
                                code="not_open")
        run = _to_person(run, run.request, [Reason(
            "staff", _("Staff took the request out of automation."))], now=now)
        _log(kind=ChangeKind.RUN, object_id=run.pk, summary=_("Sent to a person"), actor=actor,
             note=note)
        return run


def automation_reopen(*, run: AutomationRun, actor, note: str,
                      now: datetime | None = None) -> AutomationRun:
    """Reopen an automatically handled request for a person (requests_app `request_reopen`)."""
    with transaction.atomic():
        run = AutomationRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.HANDLED:
            raise ConflictError(_("Only a request handled automatically can be reopened here."),
                                code="not_handled")
        transitions.request_reopen(request=run.request, actor=actor, note=note, now=now)
        run.status = RunStatus.REOPENED
        run.save(update_fields=["status"])
        ReviewItem.objects.filter(run=run, reviewed_at=None).update(
            reviewed_at=clock.now(), reviewed_by=actor, outcome=ReviewItem.Outcome.REOPENED,
            note=note)
        _log(kind=ChangeKind.RUN, object_id=run.pk, summary=_("Reopened for a person"),
             actor=actor, note=note)
        return run


def review_item_confirm(*, item: ReviewItem, actor, note: str = "") -> ReviewItem:
    """A reviewer found the automatic handling correct."""
    with transaction.atomic():
        item = ReviewItem.objects.select_for_update().get(pk=item.pk)
        if item.reviewed_at is not None:
            raise ConflictError(_("This item was already reviewed."), code="already_reviewed")
        item.reviewed_at, item.reviewed_by = clock.now(), actor
        item.outcome, item.note = ReviewItem.Outcome.CONFIRMED, note
        item.save()
        _log(kind=ChangeKind.RUN, object_id=item.run_id, summary=_("Review: correct"),
             actor=actor, note=note)
        return item
