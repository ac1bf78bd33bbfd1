"""Celery tasks of requests_app: thin wrappers that call services."""

from celery import shared_task

from requests_app.services.sweep import deadline_sweep


@shared_task(name="requests_app.tasks.sweep_deadlines", ignore_result=True)
def sweep_deadlines() -> dict:
    """Beat runs this every minute; safe to run twice or concurrently (rows are claimed)."""
    report = deadline_sweep()
    return {"claimed": report.claimed, "sent": len(report.sent),
            "data_errors": len(report.data_errors), "failures": len(report.failures)}


@shared_task(name="requests_app.tasks.compliance_report_send", ignore_result=True)
def compliance_report_send() -> int:
    """P23: beat runs this daily; it emails last month's report once per month (idempotent)."""
    from requests_app.services.report import compliance_report_send as send

    return len(send())


# --- fulfilment (issue 8): thin, idempotent, enqueued on commit --------------------------

@shared_task(name="requests_app.tasks.fulfilment_start", ignore_result=True)
def fulfilment_start(request_id: str) -> int:
    from requests_app.models import DataSubjectRequest
    from requests_app.services.fulfilment import fulfilment_start as start

    request = DataSubjectRequest.objects.filter(pk=request_id).first()
    return len(start(request=request)) if request is not None else 0


@shared_task(name="requests_app.tasks.propagation_run", ignore_result=True)
def propagation_run(propagation_id: int) -> str:
    from requests_app.services.propagation import propagation_run as run

    row = run(propagation_id=propagation_id)
    return row.status if row is not None else "not_due"


@shared_task(name="requests_app.tasks.disclosure_package_build", ignore_result=True)
def disclosure_package_build(request_id: str) -> str:
    from requests_app.models import DataSubjectRequest
    from requests_app.services.packages import disclosure_package_build as build

    request = DataSubjectRequest.objects.filter(pk=request_id).select_related("subject").first()
    return build(request=request).sha256 if request is not None else ""


@shared_task(name="requests_app.tasks.fulfilment_sweep", ignore_result=True)
def fulfilment_sweep() -> dict:
    """Beat runs this every minute: retries with backoff, released holds, expired packages."""
    from requests_app.services.fulfilment import fulfilment_sweep as sweep

    return sweep()
