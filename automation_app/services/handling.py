"""The automatic path (issue 25; RULES.md P21): the same services staff use, run by automation.

1. `automation_consider` (requests_app's `request_received` hook, inside the filing or
   verification transaction): if the rule for the request's type and channel is automatic, a
   run row is written with `run_at` = now and its task is enqueued on commit.
2. `automation_run` (the task, or the beat sweep for a run whose task was lost): claims the due
   row with `select_for_update(skip_locked=True)`, checks the switch and every condition of the
   rule; a condition that applies sends the request to a person and says why on its timeline.
   Otherwise it replies through requests_app's services (`request_reply`, and before it
   `correction_item_decide` / `deletion_approve`), every event marked `actor: automation` with
   the rule, so the receipt, reply email, deadlines, package build, propagation and its 48-hour
   watch are those of a reply by staff.
3. A cooling-off deletion: the first run schedules the row `run_at` = now + the period and tells
   the user, who may cancel it from the request page; the second run checks every condition
   again (a legal hold placed meanwhile stops it) before it replies and deletes.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from automation_app import conditions
from automation_app.conditions import Reason
from automation_app.labels import type_label
from automation_app.models import (
    AutomationControl,
    AutomationRule,
    AutomationRun,
    Mode,
    ReviewItem,
    RunStatus,
)
from ccucaas_privacy import clock
from ccucaas_privacy.errors import ConflictError
from ccucaas_privacy.rules import enforces
from consent_app.models import Purpose
from requests_app.models import DataSubjectRequest, RequestType, Status
from requests_app.selectors.requests import format_jst, request_for_user
from requests_app.services import fulfilment, transitions
from requests_app.services.acting import acting_as
from requests_app.services.notify import notify_subject
from requests_app.services.timeline import request_note_record

log = logging.getLogger(__name__)

ACTOR = "automation"
OPEN_RUN = (RunStatus.PENDING, RunStatus.COOLING_OFF)
# The types automation can answer itself (a rule of another type can only send to a person).
AUTOMATABLE_TYPES = ("disclosure", "purpose_notice", "correction", "deletion")


def control_get() -> AutomationControl:
    control, _created = AutomationControl.objects.get_or_create(pk=1)
    return control


def rule_snapshot(rule: AutomationRule) -> dict:
    return {"id": rule.pk, "request_type": rule.request_type, "channel": rule.channel,
            "mode": rule.mode, "label": str(rule)}


def cooling_off_hours(rule: AutomationRule) -> int:
    if rule.cooling_off_hours is not None:
        return rule.cooling_off_hours
    return settings.AUTOMATION_DELETION_COOLING_OFF_HOURS


def automation_consider(*, request: DataSubjectRequest, now: datetime) -> AutomationRun | None:
    """A request became `received` with its identity established: if its rule is automatic,
    write the run row and enqueue its handling after commit (hook receiver)."""
    if not settings.AUTOMATION_ENABLED:
        return None
    rule = AutomationRule.objects.filter(request_type=request.type,
                                         channel=request.channel).first()
    if rule is None or not rule.is_automatic:
        return None
    run, created = AutomationRun.objects.get_or_create(
        request=request, defaults={"rule": rule, "rule_snapshot": rule_snapshot(rule),
                                   "run_at": now, "created_at": now})
    if created:
        run_id = run.pk
        transaction.on_commit(lambda: _enqueue(run_id))
    return run


def _enqueue(run_id: int) -> None:
    from automation_app import tasks

    tasks.automation_run.delay(run_id)


def _claim(run_id: int, now: datetime) -> AutomationRun | None:
    return (AutomationRun.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("rule").filter(pk=run_id, status__in=OPEN_RUN, run_at__lte=now)
            .first())


def _finish(run: AutomationRun, status: str, *, now: datetime, reasons: list[Reason] = ()
            ) -> AutomationRun:
    run.status = status
    run.run_at = None
    run.reasons = [r.as_dict() for r in reasons]
    run.handled_at = now if status == RunStatus.HANDLED else run.handled_at
    run.save()
    return run


def _to_person(run: AutomationRun, request: DataSubjectRequest, reasons: list[Reason], *,
               now: datetime) -> AutomationRun:
    """A rule that does not apply says why on the request's timeline."""
    note = _("Automation did not handle this request: %(reasons)s A person will.") % {
        "reasons": " ".join(r.message for r in reasons)}
    with acting_as(ACTOR, **_rule_data(run)):
        request_note_record(request=request, action="automation_to_person", note=note, now=now,
                            data={"reasons": [r.code for r in reasons]})
    return _finish(run, RunStatus.TO_PERSON, now=now, reasons=reasons)


def _rule_data(run: AutomationRun) -> dict:
    return {"rule": run.rule_snapshot.get("id"), "rule_label": run.rule_snapshot.get("label", "")}


@enforces("P21")
def automation_run(*, run_id: int, now: datetime | None = None) -> AutomationRun | None:
    """Handle one due run (task and sweep; safe twice: a claimed or finished row is skipped).
    P21: the first reply within minutes, through the same services as a reply by staff."""
    now = clock.now() if now is None else now
    with transaction.atomic():
        run = _claim(run_id, now)
        if run is None:
            return None
        run.attempts += 1
        request = DataSubjectRequest.objects.select_related("subject").get(pk=run.request_id)
        if request.status != Status.RECEIVED:  # withdrawn, rejected, or a person took it
            return _finish(run, RunStatus.CANCELLED, now=now, reasons=[Reason(
                "not_waiting", _("The request was no longer waiting for a reply."))])
        rule = AutomationRule.objects.filter(pk=run.rule_id).first()
        if control_get().paused:
            return _to_person(run, request, [Reason("paused", _("Automation is paused."))],
                              now=now)
        if rule is None or not rule.is_automatic or rule.request_type not in AUTOMATABLE_TYPES:
            return _to_person(run, request, [Reason(
                "rule_manual", _("The rule for this type and channel now sends requests to a "
                                 "person."))], now=now)
        run.rule_snapshot = rule_snapshot(rule)
        reasons = conditions.reasons_for_person(request, rule, now=now)
        if reasons:
            return _to_person(run, request, reasons, now=now)
        if rule.mode == Mode.COOLING_OFF and run.status == RunStatus.PENDING:
            return _schedule(run, request, rule, now=now)
        return _handle(run, request, rule, now=now)


def _schedule(run: AutomationRun, request: DataSubjectRequest, rule: AutomationRule, *,
              now: datetime) -> AutomationRun:
    run.status = RunStatus.COOLING_OFF
    run.run_at = now + timedelta(hours=cooling_off_hours(rule))
    run.save()
    runs_at = format_jst(run.run_at)
    with acting_as(ACTOR, **_rule_data(run)):
        request_note_record(
            request=request, action="automation_scheduled", now=now,
            note=_("Automatic deletion scheduled for %(at)s; the user can cancel it until then.")
            % {"at": runs_at}, data={"run_at": run.run_at.isoformat()})
    with translation.override(request.language):
        notify_subject(request, kind="automation_deletion_scheduled",
                       cause_suffix="automation_scheduled",
                       extra={"runs_at": format_jst(run.run_at),
                              "hours": cooling_off_hours(rule)})
    return run


def _handle(run: AutomationRun, request: DataSubjectRequest, rule: AutomationRule, *,
            now: datetime) -> AutomationRun:
    try:
        with transaction.atomic(), acting_as(ACTOR, **_rule_data(run)):
            _reply(request, rule, now=now)
    except Exception as exc:  # a failing service sends the request to a person, with why
        log.exception("automatic handling of %s failed", request.reference)
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        return _to_person(run, request, [Reason("failed", _("Automatic handling failed: %(error)s")
                                                % {"error": getattr(exc, "message", str(exc))})],
                          now=now)
    _sample(run)
    return _finish(run, RunStatus.HANDLED, now=now)


def _reply(request: DataSubjectRequest, rule: AutomationRule, *, now: datetime) -> None:
    if request.type == RequestType.CORRECTION:
        for index, item in enumerate(request.details.get("items", [])):
            fulfilment.correction_item_decide(
                request=request, index=index, accept=True, actor=None,
                note=_("Accepted automatically: %(field)s can be changed by the user.")
                % {"field": item["field"]})
    elif request.type == RequestType.DELETION:
        fulfilment.deletion_approve(request=request, actor=None)
    transitions.request_reply(request=request, actor=None, text=reply_text(request), now=now)


def _purposes(language: str) -> list[dict[str, str]]:
    field = "en" if language == "en" else "ja"
    return [{"name": getattr(p, f"name_{field}"), "description": getattr(p, f"description_{field}")}
            for p in Purpose.objects.order_by("code")]


def reply_text(request: DataSubjectRequest) -> str:
    """The automatic reply, in the request's language (automation_app/replies/<type>.txt)."""
    with translation.override(request.language):
        context = {"reference": request.reference, "type_label": type_label(request.type),
                   "items": request.details.get("items", []),
                   "purposes": _purposes(request.language)}
        return render_to_string(f"automation_app/replies/{request.type}.txt", context).strip()


def _sample(run: AutomationRun) -> None:
    """Every Nth automatic handling also goes to the review queue (the switch's counter)."""
    control = AutomationControl.objects.select_for_update().get(pk=control_get().pk)
    AutomationControl.objects.filter(pk=control.pk).update(handled_count=F("handled_count") + 1)
    run.ordinal = control.handled_count + 1
    if control.sample_every and run.ordinal % control.sample_every == 0:
        ReviewItem.objects.create(run=run, created_at=clock.now())


def automation_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Beat: handle the due runs (cooling-off deletions whose period ended, runs whose task was
    lost). Each run is claimed in its own transaction; returns how many were handled."""
    now = clock.now() if now is None else now
    due = list(AutomationRun.objects.filter(status__in=OPEN_RUN, run_at__lte=now)
               .order_by("run_at").values_list("pk", flat=True)[:limit])
    done = 0
    for run_id in due:
        try:
            done += automation_run(run_id=run_id, now=now) is not None
        except Exception:  # one broken row must not stop the others; it stays due
            log.exception("automation run %s failed", run_id)
    return done


def automation_deletion_cancel(*, user, request_id, now: datetime | None = None
                               ) -> AutomationRun:
    """The user cancels a cooling-off deletion before it runs (the request is withdrawn).
    Another user's request is a 404 (request_for_user)."""
    now = clock.now() if now is None else now
    request = request_for_user(user=user, pk=request_id)
    with transaction.atomic():
        run = (AutomationRun.objects.select_for_update()
               .filter(request=request, status=RunStatus.COOLING_OFF).first())
        if run is None:
            raise ConflictError(_("This deletion can no longer be cancelled."),
                                code="not_cancellable")
        transitions.request_withdraw(request=request, actor=user, now=now,
                                     reason=_("Deletion cancelled during the cooling-off period."))
        return _finish(run, RunStatus.CANCELLED, now=now, reasons=[Reason(
            "cancelled_by_user", _("The user cancelled the deletion."))])

